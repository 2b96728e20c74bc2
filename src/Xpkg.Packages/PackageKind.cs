namespace Xpkg.Packages;

/// <summary>The three kinds of Crossplane package, named by the kind of their meta object.</summary>
public enum PackageKind
{
    Provider,
    Configuration,
    Function,
}
