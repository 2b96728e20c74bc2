using System.Net.Sockets;
using System.Security.Authentication;

namespace Xpkg.Registry.Http;

/// <summary>What went wrong on the way to a response, classified for fallbacks, retries and hints.</summary>
internal enum FailureKind
{
    Other,
    DnsFailure,
    ConnectionRefused,
    Connection,
    Timeout,
    UntrustedCertificate,
    NotTls,
}

internal static class FailureClassifier
{
    public static FailureKind Classify(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return FailureKind.DnsFailure;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return FailureKind.ConnectionRefused;
                case SocketException { SocketErrorCode: SocketError.TimedOut }:
                    return FailureKind.Timeout;
                case AuthenticationException a:
                    // The validation callback's rejection names the certificate; a peer that is not TLS at
                    // all shows up as a frame or EOF error instead.
                    return a.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase) ? FailureKind.UntrustedCertificate : FailureKind.NotTls;
            }
        }

        if (e is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError })
        {
            return FailureKind.DnsFailure;
        }

        if (e is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
        {
            return FailureKind.NotTls;
        }

        if (e is TimeoutException or OperationCanceledException)
        {
            return FailureKind.Timeout;
        }

        return e is HttpRequestException or IOException ? FailureKind.Connection : FailureKind.Other;
    }

    public static bool IsRetriable(FailureKind kind) => kind is FailureKind.Connection or FailureKind.ConnectionRefused or FailureKind.Timeout;
}
