using System.Collections.Concurrent;
using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Server;

/// <summary>
/// Parsed facts about stored manifests, keyed by digest. Content under a digest never changes, so an entry
/// stays right until the blob is deleted, when <see cref="Forget"/> drops it.
/// </summary>
public sealed class ManifestInfoCache(ContentStore store)
{
    private readonly ConcurrentDictionary<Digest, ManifestInfo> _known = new();

    // Blobs seen to be something else (layers, configs): content never changes, so neither does the answer.
    private readonly ConcurrentDictionary<Digest, bool> _notManifests = new();

    // The bytes of small manifests, ready to answer a GET without opening the file: a manifest GET is the
    // request registries get most. Bounded in total; past the budget manifests are served from disk.
    private readonly ConcurrentDictionary<Digest, ServedManifest> _served = new();
    private const int MaxServedSize = 64 * 1024;
    private const long ServedBudget = 64L << 20;
    private long _servedBytes;

    /// <summary>The manifest stored under <paramref name="digest"/>, or null when absent or not a manifest.</summary>
    public async Task<ManifestInfo?> GetAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(digest, out var cached))
        {
            return cached;
        }

        if (_notManifests.ContainsKey(digest))
        {
            return null;
        }

        var file = new FileInfo(store.BlobPath(digest));
        if (!file.Exists || file.Length > ParsedManifest.MaxBytes)
        {
            return null;
        }

        var descriptor = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = digest, Size = file.Length };
        try
        {
            byte[] bytes = await store.ReadSmallBlobAsync(descriptor, cancellationToken).ConfigureAwait(false);
            var info = ManifestInfo.From(ParsedManifest.Parse(bytes), bytes.Length);
            _known[digest] = info;
            KeepServed(digest, bytes);
            return info;
        }
        catch (InvalidInputException)
        {
            _notManifests[digest] = true;
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Remembers a manifest just pushed, with the media type it was pushed as, and its bytes when given.</summary>
    public void Remember(Digest digest, ManifestInfo info, byte[]? content = null)
    {
        _known[digest] = info;
        if (content is not null)
        {
            KeepServed(digest, content);
        }
    }

    /// <summary>The verified bytes and headers of a small manifest read or pushed before, if kept.</summary>
    public ServedManifest? Served(Digest digest) => _served.GetValueOrDefault(digest);

    public void Forget(Digest digest)
    {
        _known.TryRemove(digest, out _);
        _notManifests.TryRemove(digest, out _);
        if (_served.TryRemove(digest, out var served))
        {
            Interlocked.Add(ref _servedBytes, -served.Content.Length);
        }
    }

    private void KeepServed(Digest digest, byte[] content)
    {
        if (content.Length > MaxServedSize || Interlocked.Add(ref _servedBytes, content.Length) > ServedBudget)
        {
            if (content.Length <= MaxServedSize)
            {
                Interlocked.Add(ref _servedBytes, -content.Length);
            }

            return;
        }

        if (!_served.TryAdd(digest, new ServedManifest(digest, content)))
        {
            Interlocked.Add(ref _servedBytes, -content.Length);
        }
    }

    /// <summary>The first of <paramref name="roots"/> whose graph reaches <paramref name="target"/>, if any.</summary>
    public async Task<StoredReference?> FindUserAsync(IEnumerable<StoredReference> roots, Digest target, CancellationToken cancellationToken)
    {
        var seen = new HashSet<Digest>();
        foreach (var root in roots)
        {
            var pending = new Stack<Digest>();
            pending.Push(root.Root.Digest);
            while (pending.Count > 0)
            {
                var d = pending.Pop();
                if (d == target)
                {
                    return root;
                }

                if (!seen.Add(d))
                {
                    continue;
                }

                if (await GetAsync(d, cancellationToken).ConfigureAwait(false) is { } info)
                {
                    foreach (var child in info.Children)
                    {
                        // Layers and configs are leaves: no need to open them to find out.
                        if (MediaTypes.IsManifest(child.MediaType) || child.Digest == target)
                        {
                            pending.Push(child.Digest);
                        }
                    }
                }
            }
        }

        return null;
    }
}
