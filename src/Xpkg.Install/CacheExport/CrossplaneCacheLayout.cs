namespace Xpkg.Install.CacheExport;

/// <summary>How a Crossplane release names the files of its package cache (<c>/cache/xpkg</c>).</summary>
public enum CrossplaneCacheLayout
{
    /// <summary>v2.2 and later: <c>FriendlyID(source, "sha256:&lt;hex&gt;") + ".gz"</c>, the source being <c>spec.package</c> without tag or digest.</summary>
    V22,

    /// <summary>v1.7 to v2.1: <c>&lt;revision name&gt;.gz</c>, the revision name being <c>FriendlyID(package name, digest hex)</c>.</summary>
    V21,
}
