namespace Xpkg.Install.Input;

/// <summary><c>spec.revisionActivationPolicy</c>: whether a new revision becomes active by itself.</summary>
public enum ActivationPolicy
{
    Automatic,
    Manual,
}
