using System.Net.Sockets;
using Grpc.Core;
using Xpkg.Oci;

namespace Xpkg.ContainerdClient;

/// <summary>Turns gRPC failures into one-line errors with a hint a person can act on.</summary>
internal static class ContainerdErrors
{
    public const string ConnectHint =
        "is containerd running? point xpkg at its socket with --containerd-socket PATH (env XPKG_CONTAINERD_SOCKET; default "
        + ContainerdConnection.DefaultSocket + ")";

    private const string PermissionHint =
        "containerd's socket is normally only root's: run xpkg as root (sudo), or give your user access to the socket";

    public static bool IsNotFound(RpcException e) => e.StatusCode == StatusCode.NotFound;

    public static XpkgException Translate(RpcException e, ContainerdConnection connection, string doing)
    {
        var socketError = FindSocketError(e);
        if (socketError is SocketError.AccessDenied)
        {
            return new XpkgException($"cannot connect to containerd at {connection.SocketPath}: permission denied", PermissionHint, inner: e);
        }

        if (e.StatusCode == StatusCode.Unavailable || socketError is not null)
        {
            string why = socketError switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.AddressNotAvailable or SocketError.HostNotFound => "the socket is gone",
                null => e.Status.Detail,
                _ => socketError.Value.ToString(),
            };
            return new XpkgException($"cannot connect to containerd at {connection.SocketPath}: {why}", ConnectHint, inner: e);
        }

        if (e.StatusCode == StatusCode.PermissionDenied)
        {
            return new XpkgException($"containerd refused {doing}: {e.Status.Detail}", PermissionHint, inner: e);
        }

        return new XpkgException($"containerd failed {doing} (namespace {connection.Namespace}): {e.StatusCode}: {e.Status.Detail}", inner: e);
    }

    private static SocketError? FindSocketError(RpcException e)
    {
        for (Exception? x = e.Status.DebugException ?? e.InnerException; x is not null; x = x.InnerException)
        {
            if (x is SocketException s)
            {
                return s.SocketErrorCode;
            }
        }

        return null;
    }
}
