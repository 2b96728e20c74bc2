using System.Collections.Concurrent;
using Xpkg.Oci;
using Xpkg.Packages;
using Xpkg.Packages.Locating;
using Xpkg.Store;

namespace Xpkg.Install.Sources;

/// <summary>
/// The packaging side: reads and parses <c>package.yaml</c> of a resolved image from the cache. A digest is
/// read once per run, however many packages and dependencies name it.
/// </summary>
public sealed class PackageContentReader
{
    private readonly ContentStore _store;
    private readonly ConcurrentDictionary<Digest, (ParsedPackage, PackageLocation)> _read = new();

    public PackageContentReader(ContentStore store)
    {
        _store = store;
    }

    public async Task<(ParsedPackage Package, PackageLocation Location)> ReadAsync(Descriptor root, CancellationToken cancellationToken)
    {
        if (_read.TryGetValue(root.Digest, out var cached))
        {
            return cached;
        }

        byte[] manifest = await _store.ReadSmallBlobAsync(root, cancellationToken).ConfigureAwait(false);
        var result = await new PackageLocator(_store).ParseAsync(root, manifest, cancellationToken).ConfigureAwait(false);
        _read[root.Digest] = result;
        return result;
    }
}
