using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Xpkg.Oci;

namespace Xpkg.ContainerdClient;

/// <summary>
/// A gRPC channel to containerd over its unix socket, with the namespace every call carries.
/// containerd speaks h2c on the socket; the http://localhost address only satisfies the client.
/// </summary>
public sealed class ContainerdConnection : IDisposable
{
    public const string DefaultSocket = "/run/containerd/containerd.sock";
    public const string DefaultNamespace = "k8s.io";

    private const string NamespaceHeader = "containerd-namespace";
    private const string LeaseHeader = "containerd-lease";

    // containerd accepts messages up to 16 MiB; manifests are at most 8 MiB and content comes in chunks.
    private const int MaxMessageBytes = 16 * 1024 * 1024;

    private const int StreamWindowBytes = 8 * 1024 * 1024;

    private readonly Lock _contentRootLock = new();
    private Task<string?>? _contentRoot;

    private ContainerdConnection(string socketPath, string @namespace, GrpcChannel channel)
    {
        SocketPath = socketPath;
        Namespace = @namespace;
        Channel = channel;
    }

    public string SocketPath { get; }

    public string Namespace { get; }

    internal GrpcChannel Channel { get; }

    /// <summary>Where content comes from, as recorded with a reference: <c>containerd:SOCKET</c> (plus the namespace when not the default).</summary>
    public string Description => "containerd:" + SocketPath + (Namespace == DefaultNamespace ? "" : "#" + Namespace);

    /// <summary>
    /// Prepares a channel; nothing is connected until the first call. A socket path that does not exist
    /// fails here, with a hint, rather than as a gRPC error later.
    /// </summary>
    public static ContainerdConnection Open(string? socketPath, string? @namespace = null)
    {
        string path = string.IsNullOrEmpty(socketPath) ? DefaultSocket : socketPath;
        string ns = string.IsNullOrEmpty(@namespace) ? DefaultNamespace : @namespace;
        if (!File.Exists(path))
        {
            throw new XpkgException($"containerd socket {path} does not exist", ContainerdErrors.ConnectHint);
        }

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, ct) => ConnectAsync(path, ct),
            // A socket whose listener has hung must not hang us: connecting to a live containerd takes milliseconds.
            ConnectTimeout = TimeSpan.FromSeconds(10),
            EnableMultipleHttp2Connections = true,

            // containerd streams content in 1 MiB messages. With HTTP/2's 64 KiB starting window the server stops
            // every 64 KiB for a WINDOW_UPDATE, and on a unix socket the round trip is too short for .NET's dynamic
            // window sizing to grow it: start with room for several whole messages instead.
            InitialHttp2StreamWindowSize = StreamWindowBytes,
        };
        var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
        });
        return new ContainerdConnection(path, ns, channel);
    }

    /// <summary>
    /// The directory containerd keeps content in, as it reports it (null when it does not), asked once per connection;
    /// a failed call is not kept, so the next caller asks again. Not bound to one caller's cancellation, since later
    /// callers share the answer; the call has its own deadline.
    /// </summary>
    public Task<string?> ContentRootAsync()
    {
        lock (_contentRootLock)
        {
            if (_contentRoot is { IsFaulted: true })
            {
                _contentRoot = null;
            }

            return _contentRoot ??= ContainerdContentFiles.DiscoverRootAsync(this, CancellationToken.None);
        }
    }

    internal Metadata Headers(string? lease = null)
    {
        var headers = new Metadata { { NamespaceHeader, Namespace } };
        if (lease is not null)
        {
            headers.Add(LeaseHeader, lease);
        }

        return headers;
    }

    private static async ValueTask<Stream> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => Channel.Dispose();
}
