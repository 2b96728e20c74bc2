using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using Xpkg.ContainerdClient.Api.Content;
using Xpkg.Oci;

namespace Xpkg.ContainerdClient;

/// <summary>
/// One blob through containerd's Write call: chunks at increasing offsets, each answered before the next
/// is sent, then a commit that containerd checks against the expected size and digest. The bytes are also
/// verified here, so a bad source fails before the commit and its ingest is aborted.
/// </summary>
internal static class ContainerdBlobWriter
{
    private const int ChunkBytes = 1024 * 1024;

    /// <returns>False when containerd already had the blob (someone else committed it first).</returns>
    public static async Task<bool> WriteAsync(Api.Content.Content.ContentClient client, Metadata headers, Descriptor descriptor, Stream content,
        IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        // A fresh ref per attempt: containerd locks a ref to one writer, and two xpkg processes may write one digest.
        string reference = "xpkg-" + descriptor.Digest.Encoded[..12] + "-" + Guid.NewGuid().ToString("N")[..12];
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(descriptor.Size, 1, ChunkBytes));
        var call = client.Write(headers, cancellationToken: cancellationToken);
        try
        {
            var verifying = new VerifyingStream(content, descriptor.Digest, descriptor.Size, leaveOpen: true);
            await using (verifying.ConfigureAwait(false))
            {
                long offset = 0;
                while (true)
                {
                    // The read that returns 0 is the one that checks size and digest, before anything is committed.
                    int n = await verifying.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    var chunk = NewRequest(WriteAction.Write, reference, descriptor, offset);
                    chunk.Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, n));
                    await ExchangeAsync(call, chunk, offset + n, cancellationToken).ConfigureAwait(false);
                    offset += n;
                }

                var commit = NewRequest(WriteAction.Commit, reference, descriptor, offset);
                foreach (var (key, value) in labels)
                {
                    commit.Labels[key] = value;
                }

                var committed = await ExchangeAsync(call, commit, offset, cancellationToken).ConfigureAwait(false);
                if (committed.Digest != descriptor.Digest.ToString())
                {
                    throw new DigestMismatchException($"containerd committed {committed.Digest} for {descriptor.Digest}");
                }
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            return false;
        }
        catch
        {
            await AbortAsync(client, headers, reference).ConfigureAwait(false);
            throw;
        }
        finally
        {
            call.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static WriteContentRequest NewRequest(WriteAction action, string reference, Descriptor descriptor, long offset) => new()
    {
        Action = action,
        Ref = reference,
        Total = descriptor.Size,
        // containerd looks the expected digest up on every message that carries it; the first and the commit suffice.
        Expected = offset == 0 || action == WriteAction.Commit ? descriptor.Digest.ToString() : "",
        Offset = offset,
    };

    private static async Task<WriteContentResponse> ExchangeAsync(AsyncDuplexStreamingCall<WriteContentRequest, WriteContentResponse> call,
        WriteContentRequest request, long expectedOffset, CancellationToken cancellationToken)
    {
        await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            throw new IOException($"containerd closed the write of {request.Expected} without an answer");
        }

        var response = call.ResponseStream.Current;
        if (response.Offset != expectedOffset)
        {
            throw new IOException($"containerd holds {response.Offset} bytes of {request.Expected}, expected {expectedOffset}");
        }

        return response;
    }

    // Best effort: an ingest left behind is only disk space, and containerd cleans stale ingests itself.
    private static async Task AbortAsync(Api.Content.Content.ContentClient client, Metadata headers, string reference)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.AbortAsync(new AbortRequest { Ref = reference }, headers, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (RpcException)
        {
        }
    }
}
