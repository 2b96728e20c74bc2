using Xpkg.Store;

namespace Xpkg.Server;

/// <summary>One blob upload in progress: its repository, its data so far, and a gate so requests take turns.</summary>
public sealed class UploadSession(string id, string name, BlobUpload upload) : IAsyncDisposable
{
    public string Id => id;

    public string Name => name;

    public BlobUpload Upload => upload;

    /// <summary>Requests on one session run one at a time: chunks must land in order.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public DateTime LastUsedUtc { get; private set; } = DateTime.UtcNow;

    public bool Closed { get; private set; }

    public string Location => "/v2/" + name + "/blobs/uploads/" + id;

    /// <summary>The <c>Range</c> header value: the inclusive end of what was received (<c>0-0</c> when nothing was).</summary>
    public string RangeHeader => "0-" + Math.Max(0, upload.Length - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Touch() => LastUsedUtc = DateTime.UtcNow;

    public async ValueTask DisposeAsync()
    {
        Closed = true;
        await upload.DisposeAsync().ConfigureAwait(false);
    }
}
