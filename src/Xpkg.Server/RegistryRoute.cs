using System.Text.RegularExpressions;

namespace Xpkg.Server;

/// <summary>
/// A parsed <c>/v2/…</c> path. Repository names contain slashes, so ASP.NET route templates cannot split
/// them; the name grammar of the distribution spec can, with the operation segment as the anchor.
/// </summary>
public sealed partial record RegistryRoute(RouteKind Kind, string Name, string Argument)
{
    public const int MaxNameLength = 255;

    /// <summary>The route for a request path, or null when it is not a registry path at all.</summary>
    public static RegistryRoute? Parse(string path)
    {
        if (path is "/v2" or "/v2/")
        {
            return new RegistryRoute(RouteKind.Base, "", "");
        }

        if (path == "/v2/_catalog")
        {
            return new RegistryRoute(RouteKind.Catalog, "", "");
        }

        var m = PathRegex().Match(path);
        if (!m.Success)
        {
            return null;
        }

        string name = m.Groups["name"].Value;
        string argument = m.Groups["arg"].Value;
        RouteKind? kind = m.Groups["op"].Value switch
        {
            "blobs/uploads" => argument.Length == 0 ? RouteKind.UploadStart : RouteKind.Upload,
            "blobs" when argument.Length > 0 => RouteKind.Blob,
            "manifests" when argument.Length > 0 => RouteKind.Manifest,
            "tags" when argument == "list" => RouteKind.Tags,
            "referrers" when argument.Length > 0 => RouteKind.Referrers,
            _ => null,
        };
        return kind is null ? null : new RegistryRoute(kind.Value, name, argument);
    }

    /// <summary>True when <paramref name="name"/> is a repository name the spec allows.</summary>
    public static bool IsValidName(string name) => name.Length <= MaxNameLength && NameRegex().IsMatch(name);

    public static bool IsValidTag(string tag) => TagRegex().IsMatch(tag);

    // The name part is loose here (any path segments) so that a bad name gets NAME_INVALID rather than a 404.
    [GeneratedRegex(@"^/v2/(?<name>[^/]+(?:/[^/]+)*?)/(?<op>blobs/uploads|blobs|manifests|tags|referrers)/(?<arg>[^/]*)$")]
    private static partial Regex PathRegex();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagRegex();
}
