namespace Xpkg.ContainerdClient.Tests.Support;

/// <summary>
/// The shared private containerd (<see cref="Xpkg.Testing.Containerd"/>), plus a client on its socket and ctr
/// helpers that fail loudly.
/// </summary>
public sealed class PrivateContainerd : IAsyncDisposable
{
    public const string Namespace = Xpkg.Testing.Containerd.Namespace;

    private readonly Xpkg.Testing.Containerd _daemon;

    private PrivateContainerd(Xpkg.Testing.Containerd daemon) => _daemon = daemon;

    public string Socket => _daemon.Socket;

    public string Root => _daemon.Root;

    public static async Task<PrivateContainerd> StartAsync(params string[] disabledPlugins) => new(await Xpkg.Testing.Containerd.StartAsync(disabledPlugins));

    /// <summary>Restarts the daemon on the same root and socket (see <see cref="Xpkg.Testing.Containerd.RestartAsync"/>).</summary>
    public Task RestartAsync(params string[] disabledPlugins) => _daemon.RestartAsync(disabledPlugins);

    public ContainerdStore Connect() => ContainerdStore.Connect(Socket, Namespace);

    public Task<string> CtrAsync(params string[] args) => _daemon.CtrOutputAsync(args);

    /// <summary>The digest <c>ctr images ls</c> shows for a name, or null when it lists no such image.</summary>
    public async Task<string?> ImageDigestAsync(string name)
    {
        string list = await CtrAsync("images", "ls");
        return list.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cols => cols.Length > 2 && cols[0] == name)
            .Select(cols => cols[2])
            .FirstOrDefault();
    }

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();
}
