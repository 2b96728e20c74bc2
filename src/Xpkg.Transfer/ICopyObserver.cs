using Xpkg.Oci;

namespace Xpkg.Transfer;

/// <summary>What the copy engine tells progress displays and <c>--explain</c> traces.</summary>
public interface ICopyObserver
{
    public static ICopyObserver None { get; } = new NoObserver();

    void BlobSkipped(Descriptor descriptor, string reason)
    {
    }

    void BlobStarted(Descriptor descriptor)
    {
    }

    void BytesMoved(Descriptor descriptor, long bytes)
    {
    }

    void BlobCompleted(Descriptor descriptor)
    {
    }

    private sealed class NoObserver : ICopyObserver
    {
    }
}
