using Microsoft.Win32.SafeHandles;

namespace Xpkg.Oci.Content;

/// <summary>The unread rest of a stream as a byte range of a regular file.</summary>
public readonly record struct FileRegion(SafeFileHandle File, long Offset, long Length);

/// <summary>
/// A stream whose content is a range of a regular file (a blob inside a tar archive). A target on the same
/// machine may copy that range inside the kernel instead of reading it through user space; it then calls
/// <see cref="Advance"/> with what it moved, so the stream's position and any progress count stay right.
/// </summary>
public interface IFileRegionStream
{
    /// <summary>The unread rest of the content, or null when it is not a plain file range.</summary>
    FileRegion? Region { get; }

    /// <summary>Counts <paramref name="bytes"/> of the region as read.</summary>
    void Advance(long bytes);
}
