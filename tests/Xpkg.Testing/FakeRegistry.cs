using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Xpkg.Testing;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (a free port) for what no real registry does: wrong digests,
/// truncated bodies, stalls, 429s. One request per connection, answered by the handler.
/// </summary>
public sealed class FakeRegistry : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<FakeRequest, FakeResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeRegistry(Func<FakeRequest, FakeResponse> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string Authority => $"127.0.0.1:{Port}";

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    /// <summary>TCP connections accepted, HTTP or not.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private int _connections;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream);
                if (request is null)
                {
                    return;
                }

                Requests.Enqueue(request);
                var response = _handler(request);
                await WriteResponseAsync(stream, request, response);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away (e.g. a TLS hello to this plain server): nothing to do.
            }
        }
    }

    private async Task<FakeRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        byte[] one = new byte[1];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (head.Count < 64 * 1024)
        {
            int n = await stream.ReadAsync(one, timeout.Token);
            if (n == 0)
            {
                return null;
            }

            if (head.Count == 0 && one[0] == 0x16)
            {
                // A TLS ClientHello: answer as Go's HTTP server does and hang up.
                await stream.WriteAsync("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"u8.ToArray(), timeout.Token);
                return null;
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                break;
            }
        }

        string[] lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length < 3 || !requestLine[2].StartsWith("HTTP/", StringComparison.Ordinal))
        {
            return null; // not HTTP (e.g. a TLS ClientHello)
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        byte[] body = [];
        if (headers.TryGetValue("Content-Length", out string? cl) && long.Parse(cl, System.Globalization.CultureInfo.InvariantCulture) > 0)
        {
            body = new byte[int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture)];
            await stream.ReadExactlyAsync(body, timeout.Token);
        }

        return new FakeRequest(requestLine[0], requestLine[1], headers, body);
    }

    private async Task WriteResponseAsync(NetworkStream stream, FakeRequest request, FakeResponse response)
    {
        var sb = new StringBuilder();
        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {ReasonPhrase(response.Status)}\r\n");
        foreach (var (k, v) in response.Headers)
        {
            sb.Append(k).Append(": ").Append(v).Append("\r\n");
        }

        if (!response.Headers.ContainsKey("Content-Length"))
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Length: {response.Body.Length}\r\n");
        }

        sb.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()), _stop.Token);
        if (request.Method == "HEAD")
        {
            return;
        }

        int send = Math.Min(response.CutAfter ?? response.Body.Length, response.Body.Length);
        await stream.WriteAsync(response.Body.AsMemory(0, send), _stop.Token);
        await stream.FlushAsync(_stop.Token);
        if (response.ResumeWhen is { } resume)
        {
            await resume.WaitAsync(_stop.Token);
            await stream.WriteAsync(response.Body.AsMemory(send), _stop.Token);
            await stream.FlushAsync(_stop.Token);
            return;
        }

        if (response.Stall > TimeSpan.Zero)
        {
            await Task.Delay(response.Stall, _stop.Token);
        }
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK", 201 => "Created", 202 => "Accepted", 206 => "Partial Content", 307 => "Temporary Redirect",
        401 => "Unauthorized", 404 => "Not Found", 429 => "Too Many Requests", 500 => "Internal Server Error", 503 => "Service Unavailable",
        _ => "Status",
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }

        _stop.Dispose();
    }
}
