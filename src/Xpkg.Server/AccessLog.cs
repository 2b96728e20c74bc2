using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;

namespace Xpkg.Server;

/// <summary>
/// One line per request, as text or JSON. Only the method, path, query, status, size, time, peer and user
/// name are written: never a header, so credentials cannot leak into logs.
/// </summary>
/// <remarks>
/// Requests only queue their line; one background writer writes them and flushes whenever the queue runs
/// dry, so a slow terminal or pipe never sits on a request's path and a burst costs one flush, not one each.
/// The queue is bounded: when the writer falls that far behind, requests wait for it rather than lines
/// being dropped or memory growing.
/// </remarks>
internal sealed class AccessLog : IAsyncDisposable
{
    private const int QueueCapacity = 8192;
    private readonly AccessLogFormat _format;
    private readonly TextWriter _writer;
    private readonly Channel<string>? _lines;
    private readonly Task _writing = Task.CompletedTask;

    public AccessLog(AccessLogFormat format, TextWriter writer)
    {
        _format = format;
        _writer = writer;
        if (format != AccessLogFormat.None)
        {
            _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
            _writing = Task.Run(WriteLinesAsync);
        }
    }

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (_lines is null)
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
            string line = Format(context, Stopwatch.GetElapsedTime(started));
            if (!_lines.Writer.TryWrite(line))
            {
                await QueueSlowlyAsync(line).ConfigureAwait(false);
            }
        }
    }

    private async Task QueueSlowlyAsync(string line)
    {
        try
        {
            await _lines!.Writer.WriteAsync(line).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Shutting down: requests finishing after the log closed are not logged.
        }
    }

    private async Task WriteLinesAsync()
    {
        var reader = _lines!.Reader;
        bool broken = false;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                while (reader.TryRead(out var line))
                {
                    if (!broken)
                    {
                        _writer.WriteLine(line);
                    }
                }

                if (!broken)
                {
                    _writer.Flush();
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The log's pipe is gone (its reader exited): keep emptying the queue so requests never wait on it.
                broken = true;
            }
        }
    }

    private string Format(HttpContext context, TimeSpan elapsed)
    {
        var request = context.Request;
        int status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
        string user = context.Items.TryGetValue(AccessPolicy.UserItem, out var u) && u is string s ? s : "-";
        string remote = context.Connection.RemoteIpAddress?.ToString() ?? "-";
        string target = request.Path + request.QueryString;
        long? bytes = context.Response.ContentLength;
        if (_format != AccessLogFormat.Json)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {remote} {user} \"{request.Method} {target} {request.Protocol}\" {status} {(bytes is { } b ? b.ToString(CultureInfo.InvariantCulture) : "-")} {elapsed.TotalMilliseconds:0.###}ms");
        }

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

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes what is still queued and stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _lines?.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
    }
}
