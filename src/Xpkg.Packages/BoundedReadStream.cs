using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Packages;

/// <summary>
/// Passes reads through until <see cref="Limit"/> bytes have been read, then fails with a clear message.
/// Crossplane silently truncates at its limit (so the last document usually fails to parse); an explicit
/// error says what actually went wrong.
/// </summary>
internal sealed class BoundedReadStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly string _what;
    private readonly bool _leaveOpen;
    private long _read;

    public BoundedReadStream(Stream inner, long limit, string what, bool leaveOpen = false)
    {
        _inner = inner;
        Limit = limit;
        _what = what;
        _leaveOpen = leaveOpen;
    }

    public long Limit { get; }

    public override long Position => _read;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Account(_inner.Read(buffer[..Cap(buffer.Length)]));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int cap = Cap(buffer.Length);
        return Account(await _inner.ReadAsync(buffer[..cap], cancellationToken).ConfigureAwait(false));
    }

    // One byte beyond the limit is requested so that content of exactly the limit is still accepted.
    private int Cap(int requested) => (int)Math.Min(requested, Math.Max(1, Limit - _read + 1));

    private int Account(int n)
    {
        _read += n;
        if (_read > Limit)
        {
            throw new InvalidInputException(
                $"{_what} is larger than the {FormatSize(Limit)} limit",
                "Crossplane reads at most 200 MiB of package.yaml; split the package or remove unneeded objects");
        }

        return n;
    }

    private static string FormatSize(long bytes)
        => bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : $"{bytes} byte";

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
