using System.Globalization;
using System.Text.Json.Nodes;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// The decisions of <see cref="ServeSource"/>, one line each on the server's log, in the access log's format:
/// <c>mirror: hit|miss|revalidated|stale-served|joined|not-found|failed REFERENCE DIGEST (UPSTREAM): DETAIL</c>.
/// </summary>
public sealed class MirrorLog(AccessLogFormat format, TextWriter writer)
{
    private readonly Lock _gate = new();

    public void Decision(string decision, string reference, string? digest, string upstream, string? detail = null)
    {
        if (format == AccessLogFormat.None)
        {
            return;
        }

        string line = format == AccessLogFormat.Json
            ? new JsonObject
            {
                ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                ["mirror"] = decision,
                ["reference"] = reference,
                ["digest"] = digest,
                ["upstream"] = upstream,
                ["detail"] = detail,
            }.ToJsonString()
            : $"mirror: {decision} {reference}{(digest is null ? "" : " " + digest)} ({upstream}){(detail is null ? "" : ": " + detail)}";
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
