namespace Xpkg.Server;

/// <summary>Which registry endpoint a <c>/v2/</c> path names.</summary>
public enum RouteKind
{
    Base,
    Catalog,
    Blob,
    Manifest,
    Tags,
    Referrers,
    UploadStart,
    Upload,
}
