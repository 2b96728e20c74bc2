using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Store;

/// <summary>
/// Ingest of a blob that is a range of a regular file (a layer inside a tar archive): copy_file_range(2) moves
/// the bytes from the archive's page cache to the ingest file's inside the kernel, and the copy is hashed through
/// a read-only mapping of the ingest file. No byte passes through a user-space buffer, and what is verified is
/// what was written, even if the archive changes meanwhile. The kernel copies one chunk while the previous one
/// is hashed.
/// </summary>
internal static partial class KernelCopy
{
    private const int Chunk = 8 << 20;

    // Errors that mean "not for these two files" (another file system, an old kernel): use the ordinary copy.
    private const int EXDEV = 18;
    private const int EINVAL = 22;
    private const int ENOSYS = 38;
    private const int EOPNOTSUPP = 95;

    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>The file region <paramref name="content"/> is, when the kernel copy can take it.</summary>
    public static FileRegion? RegionOf(Stream content, Descriptor descriptor)
        => !_unavailable && descriptor.Size > 0 && content is IFileRegionStream { Region: { } region } && region.Length == descriptor.Size
            ? region
            : null;

    /// <summary>
    /// Copies and verifies the region into <paramref name="output"/> (opened for reading and writing, empty).
    /// False, with nothing written, when the kernel cannot copy between these files; the caller then copies
    /// through user space.
    /// </summary>
    public static async Task<bool> TryCopyAsync(IFileRegionStream source, FileRegion region, FileStream output, Descriptor descriptor, CancellationToken cancellationToken)
    {
        long size = region.Length;
        var target = output.SafeFileHandle;
        int n = CopyChunk(region.File, region.Offset, target, 0, (int)Math.Min(Chunk, size), out int error);
        if (n <= 0 && error is EXDEV or EINVAL or ENOSYS or EOPNOTSUPP)
        {
            if (error == ENOSYS)
            {
                _unavailable = true;
            }

            return false;
        }

        ThrowOnError(error, descriptor);
        output.SetLength(size);
        using var hash = IncrementalHash.CreateHash(descriptor.Digest.HashAlgorithm());
        using var map = MemoryMappedFile.CreateFromFile(target, null, size, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        Task<int>? next = null;
        try
        {
            long done = 0;
            while (true)
            {
                if (n == 0)
                {
                    throw new DigestMismatchException($"content of {descriptor.Digest} is truncated: {done} of {size} bytes");
                }

                cancellationToken.ThrowIfCancellationRequested();
                long end = done + n;
                next = end < size ? StartCopy(region, target, end, (int)Math.Min(Chunk, size - end), descriptor, cancellationToken) : null;
                Writeback.Start(target, done, n);
                Append(hash, map, done, n);
                source.Advance(n);
                done = end;
                if (next is null)
                {
                    break;
                }

                n = await next.ConfigureAwait(false);
                next = null;
            }
        }
        finally
        {
            // A copy still running uses the handles: let it end before they can be closed.
            if (next is not null)
            {
                try
                {
                    await next.ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or DigestMismatchException)
                {
                }
            }
        }

        var actual = Digest.FromHash(descriptor.Digest.Algorithm, hash.GetHashAndReset());
        if (actual != descriptor.Digest)
        {
            throw new DigestMismatchException($"digest mismatch: expected {descriptor.Digest}, content is {actual}");
        }

        return true;
    }

    private static Task<int> StartCopy(FileRegion region, SafeFileHandle target, long offset, int length, Descriptor descriptor, CancellationToken cancellationToken)
        => Task.Run(() =>
        {
            int n = CopyChunk(region.File, region.Offset + offset, target, offset, length, out int error);
            ThrowOnError(error, descriptor);
            return n;
        }, cancellationToken);

    private static void ThrowOnError(int error, Descriptor descriptor)
    {
        if (error != 0)
        {
            throw new IOException($"copying {descriptor.Digest} into the cache failed: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }

    /// <summary>
    /// Hashes one chunk through its own view, unmapped right after: mapped pages count as the process's memory,
    /// so a view of the whole blob would grow with it.
    /// </summary>
    private static unsafe void Append(IncrementalHash hash, MemoryMappedFile map, long offset, int length)
    {
        using var view = map.CreateViewAccessor(offset, length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        var handle = view.SafeMemoryMappedViewHandle;
        handle.AcquirePointer(ref pointer);
        try
        {
            hash.AppendData(new ReadOnlySpan<byte>(pointer + view.PointerOffset, length));
        }
        finally
        {
            handle.ReleasePointer();
        }
    }

    /// <summary>Copies up to <paramref name="length"/> bytes; fewer only at the end of the source file.</summary>
    private static int CopyChunk(SafeFileHandle source, long sourceOffset, SafeFileHandle target, long targetOffset, int length, out int error)
    {
        error = 0;
        bool sourceAdded = false;
        bool targetAdded = false;
        try
        {
            source.DangerousAddRef(ref sourceAdded);
            target.DangerousAddRef(ref targetAdded);
            int input = (int)source.DangerousGetHandle();
            int output = (int)target.DangerousGetHandle();
            int copied = 0;
            while (copied < length)
            {
                long inOffset = sourceOffset + copied;
                long outOffset = targetOffset + copied;
                nint n = CopyFileRange(input, ref inOffset, output, ref outOffset, (nuint)(length - copied), 0);
                if (n < 0)
                {
                    error = Marshal.GetLastPInvokeError();
                    return copied;
                }

                if (n == 0)
                {
                    break;
                }

                copied += (int)n;
            }

            return copied;
        }
        catch (EntryPointNotFoundException)
        {
            error = ENOSYS;
            return 0;
        }
        finally
        {
            if (targetAdded)
            {
                target.DangerousRelease();
            }

            if (sourceAdded)
            {
                source.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRange(int fdIn, ref long offIn, int fdOut, ref long offOut, nuint length, uint flags);
}
