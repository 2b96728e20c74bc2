using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Xpkg.Server;

/// <summary>
/// One line per request, as text or JSON. Only the method, path, query, status, size, time, peer and user
/// name are written: never a header, so credentials cannot leak into logs.
/// </summary>
internal sealed class AccessLog(AccessLogFormat format, TextWriter writer)
{
    private readonly Lock _gate = new();

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (format == AccessLogFormat.None)
        {
            await next().ConfigureAwait(false);
            return;
        }

        long started = Stopwatch.GetTimestamp();
        try
        {
            await next().ConfigureAwait(false);
        }
        finally
        {
            Write(context, Stopwatch.GetElapsedTime(started));
        }
    }

    private void Write(HttpContext context, TimeSpan elapsed)
    {
        var request = context.Request;
        int status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
        string user = context.Items.TryGetValue(AccessPolicy.UserItem, out var u) && u is string s ? s : "-";
        string remote = context.Connection.RemoteIpAddress?.ToString() ?? "-";
        string target = request.Path + request.QueryString;
        long? bytes = context.Response.ContentLength;
        string line;
        if (format == AccessLogFormat.Json)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("time", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
                json.WriteString("remote", remote);
                json.WriteString("user", user);
                json.WriteString("method", request.Method);
                json.WriteString("path", target);
                json.WriteString("protocol", request.Protocol);
                json.WriteNumber("status", status);
                if (bytes is { } b)
                {
                    json.WriteNumber("bytes", b);
                }

                json.WriteNumber("durationMs", Math.Round(elapsed.TotalMilliseconds, 3));
                json.WriteEndObject();
            }

            line = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        else
        {
            line = string.Create(CultureInfo.InvariantCulture,
                $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {remote} {user} \"{request.Method} {target} {request.Protocol}\" {status} {(bytes is { } b ? b.ToString(CultureInfo.InvariantCulture) : "-")} {elapsed.TotalMilliseconds:0.###}ms");
        }

        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
