using System.Globalization;
using System.Text.Json;

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

        string line;
        if (format == AccessLogFormat.Json)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("time", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
                json.WriteString("mirror", decision);
                json.WriteString("reference", reference);
                if (digest is not null)
                {
                    json.WriteString("digest", digest);
                }

                json.WriteString("upstream", upstream);
                if (detail is not null)
                {
                    json.WriteString("detail", detail);
                }

                json.WriteEndObject();
            }

            line = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        else
        {
            line = $"mirror: {decision} {reference}{(digest is null ? "" : " " + digest)} ({upstream}){(detail is null ? "" : ": " + detail)}";
        }

        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
