using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Xpkg.Testing;

/// <summary>
/// Debian's <c>docker-registry</c> (distribution 2.8.2) on 127.0.0.1 and a free port, configured by a file
/// this class writes, stopped by its own PID.
/// </summary>
public sealed class DistributionRegistry : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process _process;

    private DistributionRegistry(Process process, int port, string dir)
    {
        _process = process;
        Port = port;
        Dir = dir;
    }

    public int Port { get; }

    public string Dir { get; }

    public string Authority => $"127.0.0.1:{Port}";

    public string LogFile => Path.Combine(Dir, "registry.log");

    public static bool Available => File.Exists(Binary);

    /// <summary>Requests to the distribution API so far, counted from the access log.</summary>
    public int RequestCount() => File.ReadAllLines(LogFile).Count(l => l.Contains("\"GET /v2/", StringComparison.Ordinal)
        || l.Contains("\"HEAD /v2/", StringComparison.Ordinal) || l.Contains("\"POST /v2/", StringComparison.Ordinal) || l.Contains("\"PUT /v2/", StringComparison.Ordinal));

    /// <param name="readOnly">distribution's maintenance read-only mode: pulls work, every push is refused (405).</param>
    /// <param name="storageKiB">
    /// The storage is a tmpfs of this size in a mount namespace of the registry's own (it goes away with the
    /// process): uploads that do not fit fail with ENOSPC after the registry has read part of the body. Needs root.
    /// </param>
    public static DistributionRegistry Start(string dir, TestCertificates? tls = null, string? htpasswd = null, string? proxyRemote = null, bool requireClientCertificate = false,
        bool readOnly = false, int? storageKiB = null)
    {
        Directory.CreateDirectory(dir);
        int port = FreePort();
        string config = $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: {dir}/data
              delete:
                enabled: true
            {(readOnly ? "  maintenance:\n    readonly:\n      enabled: true\n" : "")}{(proxyRemote is null ? "" : "  cache:\n    blobdescriptor: inmemory\n")}http:
              addr: 127.0.0.1:{port}
            {(tls is null ? "" : $"  tls:\n    certificate: {tls.CertFile}\n    key: {tls.KeyFile}\n")}{(requireClientCertificate && tls is not null ? $"    clientcas:\n      - {tls.CaFile}\n" : "")}{(htpasswd is null ? "" : $"auth:\n  htpasswd:\n    realm: test-realm\n    path: {htpasswd}\n")}{(proxyRemote is null ? "" : $"proxy:\n  remoteurl: {proxyRemote}\n")}
            """;
        string configFile = Path.Combine(dir, "config.yml");
        File.WriteAllText(configFile, config);
        string serve = $"exec {Binary} serve '{configFile}' > '{Path.Combine(dir, "registry.log")}' 2>&1";
        if (storageKiB is int kib)
        {
            Directory.CreateDirectory(Path.Combine(dir, "data"));
            serve = $"exec unshare -m /bin/sh -c \"mount -t tmpfs -o size={kib}k tmpfs '{dir}/data' && {serve}\"";
        }

        var psi = new ProcessStartInfo("/bin/sh", ["-c", serve])
        {
            UseShellExecute = false,
        };
        psi.Environment.Remove("REGISTRY_HTTP_ADDR");
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start docker-registry");
        var registry = new DistributionRegistry(process, port, dir);
        registry.WaitUntilListening(TimeSpan.FromSeconds(20));
        return registry;
    }

    /// <summary>
    /// Fills the tmpfs of a registry started with <c>storageKiB</c> (seen through <c>/proc/PID/root</c>, as the mount
    /// is the registry's own) until <paramref name="freeKiB"/> are left.
    /// </summary>
    public void FillStorage(int freeKiB)
    {
        string filler = $"/proc/{_process.Id}/root{Dir}/data/filler";
        using var file = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        byte[] page = new byte[4096];
        try
        {
            // Bounded by the tmpfs size given at the start.
            while (true)
            {
                file.Write(page);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }

        file.SetLength(Math.Max(0, file.Length - (freeKiB * 1024L)));
    }

    private void WaitUntilListening(TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited: {File.ReadAllText(LogFile)}");
            }

            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        Dispose();
        throw new TimeoutException($"docker-registry did not listen on {Authority} within {limit}");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
