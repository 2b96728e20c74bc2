using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Xpkg.Store;

/// <summary>
/// Starts the kernel writing a file's dirty pages to disk while we are still producing the rest, so the
/// fsync that every ingest ends with waits only for the tail instead of the whole blob.
/// </summary>
internal static partial class Writeback
{
    private const uint SyncFileRangeWrite = 2;
    private static bool _unavailable = !OperatingSystem.IsLinux();

    public static void Start(SafeFileHandle handle, long offset, long length)
    {
        if (_unavailable || length <= 0)
        {
            return;
        }

        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (SyncFileRange((int)handle.DangerousGetHandle(), offset, length, SyncFileRangeWrite) != 0)
            {
                // Not supported by this file system: the final fsync does all the work, as without this.
                _unavailable = true;
            }
        }
        catch (EntryPointNotFoundException)
        {
            _unavailable = true;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);
}
