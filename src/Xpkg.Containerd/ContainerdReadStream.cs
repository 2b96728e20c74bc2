using Grpc.Core;
using Xpkg.ContainerdClient.Api.Content;
using Xpkg.Oci.Content;

namespace Xpkg.ContainerdClient;

/// <summary>
/// The chunks of one content Read call as a forward-only stream. Unverified: callers wrap it in a
/// <see cref="Oci.VerifyingStream"/>, as for every source.
/// </summary>
internal sealed class ContainerdReadStream : ReadOnlyStream
{
    private readonly AsyncServerStreamingCall<ReadContentResponse> _call;
    private readonly Func<RpcException, Exception> _translate;
    private ReadOnlyMemory<byte> _chunk;
    private bool _ended;
    private long _position;

    private ContainerdReadStream(AsyncServerStreamingCall<ReadContentResponse> call, Func<RpcException, Exception> translate)
    {
        _call = call;
        _translate = translate;
    }

    /// <summary>Starts the call and waits for its first chunk, so that a missing blob fails here and not mid-copy.</summary>
    public static async Task<ContainerdReadStream> OpenAsync(AsyncServerStreamingCall<ReadContentResponse> call, Func<RpcException, Exception> translate, CancellationToken cancellationToken)
    {
        var stream = new ContainerdReadStream(call, translate);
        try
        {
            await stream.NextChunkAsync(cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override long Position => _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_chunk.IsEmpty && !_ended && buffer.Length > 0)
        {
            await NextChunkAsync(cancellationToken).ConfigureAwait(false);
        }

        int n = Math.Min(buffer.Length, _chunk.Length);
        _chunk[..n].CopyTo(buffer);
        _chunk = _chunk[n..];
        _position += n;
        return n;
    }

    // Synchronous reads block on the call; the copy engine only reads asynchronously.
    public override int Read(byte[] buffer, int offset, int count)
        => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private async Task NextChunkAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await _call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var response = _call.ResponseStream.Current;
                if (response.Offset != _position + _chunk.Length)
                {
                    throw new IOException($"containerd sent content at offset {response.Offset}, expected {_position + _chunk.Length}");
                }

                _chunk = response.Data.Memory;
            }
            else
            {
                _ended = true;
            }
        }
        catch (RpcException e)
        {
            throw _translate(e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _call.Dispose();
        }

        base.Dispose(disposing);
    }
}
