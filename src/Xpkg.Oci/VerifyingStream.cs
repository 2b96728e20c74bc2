using System.Security.Cryptography;
using Xpkg.Oci.Content;

namespace Xpkg.Oci;

/// <summary>
/// Reads through to an inner stream while hashing; at the end of the content it checks the size and the
/// digest and throws <see cref="DigestMismatchException"/> instead of returning the final 0 when they differ.
/// Reading past the expected size is an error too, so a lying source cannot make us read without bound.
/// </summary>
public sealed class VerifyingStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly Digest _expected;
    private readonly long _expectedSize;
    private readonly IncrementalHash _hash;
    private readonly bool _leaveOpen;
    private long _read;
    private bool _verified;

    public VerifyingStream(Stream inner, Digest expected, long expectedSize, bool leaveOpen = false)
    {
        _inner = inner;
        _expected = expected;
        _expectedSize = expectedSize;
        _leaveOpen = leaveOpen;
        _hash = IncrementalHash.CreateHash(expected.HashAlgorithm());
    }

    public override long Length => _expectedSize;

    public override long Position => _read;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _inner.Read(Limit(buffer));
        return Account(buffer[..n]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _inner.ReadAsync(Limit(buffer), cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..n]);
    }

    // Ask for one byte more than remains so that an over-long source is detected, never silently truncated.
    private Span<byte> Limit(Span<byte> buffer)
        => buffer.Length == 0 ? buffer : buffer[..(int)Math.Min(buffer.Length, Math.Max(1, _expectedSize - _read + 1))];

    private Memory<byte> Limit(Memory<byte> buffer)
        => buffer.Length == 0 ? buffer : buffer[..(int)Math.Min(buffer.Length, Math.Max(1, _expectedSize - _read + 1))];

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            Verify();
            return 0;
        }

        _read += data.Length;
        if (_read > _expectedSize)
        {
            throw new DigestMismatchException($"content of {_expected} is longer than its declared size {_expectedSize}");
        }

        _hash.AppendData(data);
        return data.Length;
    }

    private void Verify()
    {
        if (_verified)
        {
            return;
        }

        if (_read != _expectedSize)
        {
            throw new DigestMismatchException($"content of {_expected} is truncated: {_read} of {_expectedSize} bytes");
        }

        var actual = Digest.FromHash(_expected.Algorithm, _hash.GetHashAndReset());
        if (actual != _expected)
        {
            throw new DigestMismatchException($"digest mismatch: expected {_expected}, content is {actual}");
        }

        _verified = true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
