namespace Xpkg.Packages;

/// <summary>A decoded package stream: its meta objects (a valid package has exactly one) and its other objects.</summary>
public sealed class ParsedPackage
{
    public ParsedPackage(IReadOnlyList<PackageMeta> metas, IReadOnlyList<PackageObject> objects)
    {
        Metas = metas;
        Objects = objects;
    }

    public IReadOnlyList<PackageMeta> Metas { get; }

    public IReadOnlyList<PackageObject> Objects { get; }

    /// <summary>The meta object when there is exactly one, else null (the linter says why).</summary>
    public PackageMeta? Meta => Metas.Count == 1 ? Metas[0] : null;
}
