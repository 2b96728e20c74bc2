using System.Net;
using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Registry.Http;

/// <summary>
/// A blob body that survives a broken or stalled connection: it asks again with <c>Range: bytes=N-</c> from
/// where it stopped, a bounded number of times. It never reads past the descriptor's size, whatever the
/// registry sends, and an early end is a break, not the end.
/// </summary>
internal sealed class ResumingBlobStream : ReadOnlyStream
{
    private readonly Func<long, CancellationToken, Task<HttpResponseMessage>> _reopen;
    private readonly long _size;
    private readonly TimeSpan _idleTimeout;
    private readonly int _maxResumes;
    private readonly ExplainLog _log;
    private readonly string _what;
    private HttpResponseMessage _response;
    private Stream _body;
    private long _position;
    private int _resumes;
    private long _lastProgress = Environment.TickCount64;
    private bool _reading;
    private volatile bool _stalled;
    private readonly Timer _watchdog;

    private ResumingBlobStream(HttpResponseMessage response, Stream body, long size, Func<long, CancellationToken, Task<HttpResponseMessage>> reopen,
        TimeSpan idleTimeout, int maxResumes, ExplainLog log, string what)
    {
        _response = response;
        _body = body;
        _size = size;
        _reopen = reopen;
        _idleTimeout = idleTimeout;
        _maxResumes = maxResumes;
        _log = log;
        _what = what;
        var period = TimeSpan.FromMilliseconds(Math.Max(50, idleTimeout.TotalMilliseconds / 4));
        _watchdog = new Timer(CheckStall, null, period, period);
    }

    /// <param name="reopen">Sends the GET again with the given <c>Range</c> start (0 = no Range header).</param>
    public static async Task<ResumingBlobStream> OpenAsync(HttpResponseMessage first, long size, Func<long, CancellationToken, Task<HttpResponseMessage>> reopen,
        RegistryClientOptions options, string what, CancellationToken cancellationToken)
    {
        var body = await first.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return new ResumingBlobStream(first, body, size, reopen, options.IdleTimeout, options.MaxResumes, options.Log, what);
    }

    public override long Length => _size;

    public override long Position => _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0 || _position >= _size)
        {
            return 0;
        }

        var slice = buffer[..(int)Math.Min(buffer.Length, _size - _position)];
        while (true)
        {
            int n;
            Exception? broken = null;
            Interlocked.Exchange(ref _lastProgress, Environment.TickCount64);
            Volatile.Write(ref _reading, true);
            try
            {
                n = await _body.ReadAsync(slice, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is IOException or HttpRequestException or ObjectDisposedException || (e is OperationCanceledException && _stalled)))
            {
                n = -1;
                broken = _stalled ? new TimeoutException($"no data for {_idleTimeout.TotalSeconds:0.#} s", e) : e;
            }
            finally
            {
                Volatile.Write(ref _reading, false);
            }

            if (n > 0)
            {
                _position += n;
                return n;
            }

            await ResumeAsync(broken?.Message ?? "connection closed early", broken, cancellationToken).ConfigureAwait(false);
        }
    }

    // A watchdog instead of a timer per read: reads stay allocation-free, and a stalled read is broken by
    // disposing the body under it, which the read loop then treats like any broken connection.
    private void CheckStall(object? state)
    {
        if (Volatile.Read(ref _reading) && Environment.TickCount64 - Interlocked.Read(ref _lastProgress) > (long)_idleTimeout.TotalMilliseconds)
        {
            _stalled = true;
            _body.Dispose();
        }
    }

    private async Task ResumeAsync(string why, Exception? cause, CancellationToken cancellationToken)
    {
        if (_resumes >= _maxResumes)
        {
            throw new XpkgException($"{_what}: download broke at byte {_position} of {_size} ({why}) and {_maxResumes} resumes did not finish it",
                "check the network or the registry, then run the command again; the partial content was discarded", inner: cause);
        }

        _resumes++;
        _stalled = false;
        _log.Add("resume", $"{_what}: broke at byte {_position} of {_size} ({why}); resuming with Range (attempt {_resumes} of {_maxResumes})");
        _body.Dispose();
        _response.Dispose();
        _response = await _reopen(_position, cancellationToken).ConfigureAwait(false);
        _body = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        if (_response.StatusCode == HttpStatusCode.PartialContent)
        {
            long? start = _response.Content.Headers.ContentRange?.From;
            if (start != _position)
            {
                throw new XpkgException($"{_what}: asked to resume at byte {_position}, the registry answered from byte {start?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}");
            }

            return;
        }

        if (_response.StatusCode == HttpStatusCode.OK)
        {
            // No Range support: read the whole blob again and skip what we already have.
            await SkipAsync(_position, cancellationToken).ConfigureAwait(false);
            return;
        }

        throw new XpkgException($"{_what}: resuming at byte {_position} failed with {(int)_response.StatusCode} {_response.ReasonPhrase}");
    }

    private async Task SkipAsync(long count, CancellationToken cancellationToken)
    {
        byte[] scratch = new byte[1024 * 1024];
        while (count > 0)
        {
            int n = await _body.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("connection closed while skipping to the resume point");
            }

            count -= n;
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
        => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _watchdog.Dispose();
            _body.Dispose();
            _response.Dispose();
        }

        base.Dispose(disposing);
    }
}
