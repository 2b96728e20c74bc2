using Xpkg.Install.Events;
using Xpkg.Install.Resolution;
using Xpkg.Oci;
using Xpkg.Packages;
using Xpkg.Packages.Locating;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.Install.CacheExport;

/// <summary>
/// Writes the package cache entries a real Crossplane reads before it would download a package: for each
/// package of the closure, the gzip of its raw <c>package.yaml</c> stream under the name the chosen release
/// looks for. Files are written atomically and only when their bytes change; other files in the directory
/// are left alone (Crossplane v2.2 never evicts, so entries of other packages may well be in use).
/// </summary>
public sealed class CrossplaneCacheExporter(ContentStore store)
{
    /// <summary>
    /// The cache key of a package: v2.2+ <c>FriendlyID(source, "sha256:…")</c> (which keeps only five hex
    /// digits), v2.1 the revision name; then <c>.gz</c> as Crossplane's <c>BuildPath</c> appends it.
    /// </summary>
    public static string FileName(string source, string packageName, Digest digest, CrossplaneCacheLayout layout)
    {
        string id = layout == CrossplaneCacheLayout.V21
            ? PackageNames.FriendlyId(packageName, digest.Encoded)
            : PackageNames.FriendlyId(source, digest.ToString());
        return PackageNames.BuildPath("", id, PackageCacheFile.Extension);
    }

    /// <summary>
    /// The v2.1 key of a package whose pull policy is <c>Never</c>: its <c>spec.package</c> as written, so the
    /// name nests (registry and path become directories) and <c>BuildPath</c> eats a tag's last dotted part
    /// (<c>…/provider-aws-s3:v1.0.0</c> → <c>…/provider-aws-s3:v1.0.gz</c>).
    /// </summary>
    public static string NeverFileName(string package) => PackageNames.BuildPath("", package, PackageCacheFile.Extension);

    /// <returns>The file names written (unchanged files are not listed).</returns>
    public async Task<IReadOnlyList<string>> ExportAsync(IReadOnlyList<PackageNode> closure, CrossplaneCacheExport export, InstallLog log, CancellationToken cancellationToken)
    {
        if (File.Exists(export.Directory))
        {
            throw new InvalidInputException($"--crossplane-cache {export.Directory} is a file", "choose a directory; it is created when missing");
        }

        Directory.CreateDirectory(export.Directory);
        var written = new List<string>();
        foreach (var node in closure)
        {
            bool never = export.Layout == CrossplaneCacheLayout.V21 && node.Request.PackagePullPolicy == PullPolicy.Never;
            string name = never ? NeverFileName(node.Request.Package.Original) : FileName(node.Source, node.Name, node.Image.Digest, export.Layout);
            string path = Path.GetFullPath(Path.Combine(export.Directory, name));
            if (!path.StartsWith(Path.GetFullPath(export.Directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new InvalidInputException($"the cache key {name} of {node.Request.Package.Original} would leave {export.Directory}");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            byte[] manifest = await store.ReadSmallBlobAsync(node.Image.Root, cancellationToken).ConfigureAwait(false);
            var (changed, _) = await PackageCacheFile.WriteFileAsync(store, node.Image.Root, manifest, path, cancellationToken).ConfigureAwait(false);
            string layout = never ? "Crossplane v2.1 key with Never: spec.package" : export.Layout == CrossplaneCacheLayout.V21 ? "Crossplane v2.1 key: the revision name" : $"Crossplane v2.2+ key: FriendlyID({node.Source}, {node.Image.Digest})";
            log.Add(node.Subject, "cache-export", $"{name} ({layout}) {(changed ? "written" : "unchanged")} in {export.Directory}");
            if (changed)
            {
                written.Add(name);
            }
        }

        return written;
    }
}
