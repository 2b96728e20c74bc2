using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Registry.Http;

/// <summary>
/// The content of one blob upload, handed to each endpoint a push tries in turn: the same stream while nothing of
/// it was read, seeked back when it can seek, else opened again at its source (<see cref="IReopenableStream"/>).
/// Nothing is buffered, so a blob of any size can fall through to the next endpoint with bounded memory.
/// </summary>
internal sealed class UploadBody(Stream source, long size) : IAsyncDisposable
{
    private readonly long _start = source.CanSeek ? source.Position : 0;
    private BoundedReadStream? _current;
    private Stream? _reopened;

    /// <summary>The content from its first byte, for one more endpoint; <paramref name="onReopen"/> hears when the source is opened again.</summary>
    public async Task<Stream> StartAsync(string what, Action onReopen, CancellationToken cancellationToken)
    {
        if (source.CanSeek)
        {
            source.Position = _start;
            return source;
        }

        if (_current is { Touched: true })
        {
            if (source is not IReopenableStream reopenable)
            {
                throw new XpkgException($"{what}: an endpoint that failed read part of the content, and its source cannot open it again; it was not sent anywhere else");
            }

            var fresh = await reopenable.ReopenAsync(cancellationToken).ConfigureAwait(false);
            if (_reopened is not null)
            {
                await _reopened.DisposeAsync().ConfigureAwait(false);
            }

            _reopened = fresh;
            _current = null;
            onReopen();
        }

        return _current ??= new BoundedReadStream(_reopened ?? source, size);
    }

    public ValueTask DisposeAsync() => _reopened?.DisposeAsync() ?? ValueTask.CompletedTask;
}
