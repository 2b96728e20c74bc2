using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Testing;

namespace Xpkg.Tests.Store;

/// <summary>kill -9 at random moments never leaves the cache invalid; concurrent loads do not corrupt each other.</summary>
public class CrashTests
{
    private const int Layers = 8;
    private const int LayerBytes = 8 << 20;
    private int _loadMs;

    private static string BuildLargeArchive(string dir)
    {
        var rng = new Random(42);
        string path = Path.Combine(dir, "large.tar");
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        void Add(string name, byte[] content) => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });

        Add("oci-layout", Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}"));
        var layers = new List<string>();
        for (int i = 0; i < Layers; i++)
        {
            var layer = new byte[LayerBytes];
            rng.NextBytes(layer);
            var d = Digest.Compute(layer);
            Add("blobs/sha256/" + d.Encoded, layer);
            layers.Add($"{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{d}\",\"size\":{LayerBytes}}}");
        }

        byte[] config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var c = Digest.Compute(config);
        Add("blobs/sha256/" + c.Encoded, config);
        byte[] manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{c}\",\"size\":{config.Length}}},\"layers\":[{string.Join(',', layers)}]}}");
        var m = Digest.Compute(manifest);
        Add("blobs/sha256/" + m.Encoded, manifest);
        Add("index.json", Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{m}\",\"size\":{manifest.Length},\"annotations\":{{\"io.containerd.image.name\":\"example.com/crash/large:v1\"}}}}]}}"));
        return path;
    }

    [Fact]
    public async Task KillNineDuringLoadLeavesAValidCache()
    {
        using var work = new TempDir();
        using var cache = new TempDir();
        string archive = BuildLargeArchive(work.Path);
        // Time one whole load, then kill the others at random moments within that span.
        using (var probe = new TempDir())
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(0, (await Run.XpkgAsync(probe.Path, "load", archive)).ExitCode);
            _loadMs = (int)watch.ElapsedMilliseconds;
        }

        var rng = new Random(1234);
        int killedMidway = 0;
        for (int round = 0; round < 12; round++)
        {
            using var process = Run.StartXpkg(cache.Path, "load", archive);
            await Task.Delay(rng.Next(20, Math.Max(40, _loadMs * 9 / 10)));
            if (!process.HasExited)
            {
                process.Kill();
                killedMidway++;
            }

            await process.WaitForExitAsync();

            // At every point the store is valid: no corrupt blob, no reference to a missing manifest.
            var verify = await Run.XpkgAsync(cache.Path, "cache", "verify", "-o", "json");
            Assert.True(verify.ExitCode == 0, $"round {round}: {verify}");
            var images = JsonNode.Parse((await Run.XpkgAsync(cache.Path, "images", "-o", "json")).Stdout)!.AsArray();
            Assert.True(images.Count <= 1);
            if (images.Count == 1)
            {
                // That load finished: start the next round from an empty store so it has work to interrupt.
                Assert.Equal(0, (await Run.XpkgAsync(cache.Path, "rmi", "example.com/crash/large:v1")).ExitCode);
                Assert.Equal(0, (await Run.XpkgAsync(cache.Path, "cache", "gc")).ExitCode);
            }
        }

        Assert.True(killedMidway >= 3, $"only {killedMidway} kills landed during a load of {_loadMs} ms");

        var gc = await Run.XpkgAsync(cache.Path, "cache", "gc", "-o", "json");
        Assert.Equal(0, gc.ExitCode);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "ingest")));

        var load = await Run.XpkgAsync(cache.Path, "load", archive, "-o", "json");
        Assert.True(load.ExitCode == 0, load.ToString());
        var final = await Run.XpkgAsync(cache.Path, "cache", "verify", "-o", "json");
        Assert.Equal(0, final.ExitCode);
        Assert.Equal(Layers + 2, (int)JsonNode.Parse(final.Stdout)!["blobs"]!);
        Assert.Contains("example.com/crash/large:v1", (await Run.XpkgAsync(cache.Path, "images")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentLoadsAndGcDoNotCorruptEachOther()
    {
        using var work = new TempDir();
        using var cache = new TempDir();
        string archive = BuildLargeArchive(work.Path);
        var loads = Enumerable.Range(0, 3).Select(_ => Run.XpkgAsync(cache.Path, "load", archive)).ToList();
        var gcs = Enumerable.Range(0, 3).Select(async i =>
        {
            await Task.Delay(150 * i);
            return await Run.XpkgAsync(cache.Path, "cache", "gc");
        }).ToList();
        foreach (var r in await Task.WhenAll(loads.Concat(gcs)))
        {
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        var verify = await Run.XpkgAsync(cache.Path, "cache", "verify", "-o", "json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal(Layers + 2, (int)JsonNode.Parse(verify.Stdout)!["blobs"]!);
        var images = JsonNode.Parse((await Run.XpkgAsync(cache.Path, "images", "-o", "json")).Stdout)!.AsArray();
        Assert.Equal("example.com/crash/large:v1", (string?)Assert.Single(images)!["ref"]);
    }
}
