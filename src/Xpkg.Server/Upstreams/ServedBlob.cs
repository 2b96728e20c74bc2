using Xpkg.Oci;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// A blob to answer with. <see cref="Open"/> is null when the cache holds it (the cache's own blob endpoint
/// serves it); otherwise it opens the content from an offset: a fill in progress, or the upstream directly.
/// </summary>
internal sealed record ServedBlob(Descriptor Descriptor, Func<long, CancellationToken, Task<Stream>>? Open);
