namespace Xpkg.Server;

/// <summary>How <c>xpkg serve</c> writes its access log.</summary>
public enum AccessLogFormat
{
    None,
    Text,
    Json,
}
