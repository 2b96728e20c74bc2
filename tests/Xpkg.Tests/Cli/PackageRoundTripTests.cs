using System.Text.Json.Nodes;
using Xpkg.Testing;

namespace Xpkg.Tests.Cli;

/// <summary>Build, load, push, pull and inspect real fixture packages through the CLI and a real docker-registry.</summary>
public sealed class PackageRoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly DistributionRegistry _registry;

    public PackageRoundTripTests()
    {
        _registry = DistributionRegistry.Start(_dir.Combine("registry"));
    }

    public void Dispose()
    {
        _registry.Dispose();
        _dir.Dispose();
    }

    private static JsonNode Json(RunResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!;
    }

    [Theory]
    [InlineData("function-go-templating/package", "function-go-templating")]
    [InlineData("function-template-go/package", "function-template-go")]
    [InlineData("function-patch-and-transform/package", "function-patch-and-transform")]
    public async Task BuildLoadPushPullInspect(string fixture, string name)
    {
        using var cache = new TempDir();
        string file = _dir.Combine(name + ".xpkg");
        var built = Json(await Run.XpkgAsync(cache.Path, "build", "--package-root", Repo.Fixture(fixture), "--examples-root", _dir.Combine("no-examples"), "--package-file", file, "-o", "json"));
        string digest = (string)built["digest"]!;

        // Deterministic: the same inputs give the same file.
        string again = _dir.Combine(name + "-again.xpkg");
        Json(await Run.XpkgAsync(cache.Path, "build", "--package-root", Repo.Fixture(fixture), "--examples-root", _dir.Combine("no-examples"), "--package-file", again, "-o", "json"));
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(again));

        // The real docker-save consumers take the file as it is.
        // podman refuses a runroot path over 50 characters: keep it short.
        using var podmanDir = new TempDir();
        var podman = await Run.ProcessAsync("podman", ["--root", podmanDir.Combine("r"), "--runroot", podmanDir.Combine("rr"), "--storage-driver", "vfs", "load", "-i", file]);
        Assert.True(podman.ExitCode == 0, podman.ToString());

        var loaded = Json(await Run.XpkgAsync(cache.Path, "load", file, "--tag", $"example.com/{name}:v1", "-o", "json"));
        Assert.Equal(digest, (string?)loaded[0]!["digest"]);

        string reference = $"{_registry.Authority}/crossplane/{name}:v1";
        var pushed = Json(await Run.XpkgAsync(cache.Path, "push", $"example.com/{name}:v1", reference, "-o", "json"));
        var manifest = JsonNode.Parse(await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + reference))!;
        var baseLayers = manifest["layers"]!.AsArray().Where(l => (string?)l!["annotations"]?["io.crossplane.xpkg"] == "base").ToList();
        Assert.Single(baseLayers);
        Assert.NotEqual(digest, (string?)pushed["digest"]);

        using var fresh = new TempDir();
        Json(await Run.XpkgAsync(fresh.Path, "pull", reference, "-o", "json"));
        var inspect = Json(await Run.XpkgAsync(fresh.Path, "inspect", reference, "-o", "json"));
        Assert.Equal(name, (string?)inspect["package"]!["name"]);
        Assert.Equal("Function", (string?)inspect["package"]!["kind"]);
        Assert.Equal("annotation", (string?)inspect["package"]!["baseLayer"]!["foundBy"]);
    }

    [Fact]
    public async Task APackageRepushedBySkopeoIsFoundThroughTheFlattenedFilesystem()
    {
        using var cache = new TempDir();
        string reference = $"{_registry.Authority}/crossplane/repushed:v1";
        // skopeo re-gzips the layers: neither the labels nor any annotation name them any more.
        await Run.ToolAsync("skopeo", "copy", "--dest-tls-verify=false", "--dest-compress-format", "gzip", "--dest-compress-level", "1",
            "docker-archive:" + Repo.Fixture(Repo.XpkgFixture), "docker://" + reference);
        Json(await Run.XpkgAsync(cache.Path, "pull", reference, "-o", "json"));
        var inspect = await Run.XpkgAsync(cache.Path, "inspect", reference, "-o", "json", "--verbose");
        var package = Json(inspect)["package"]!;
        Assert.Equal("function-conditional-patch-and-transform", (string?)package["name"]);
        Assert.True((string?)package["baseLayer"]!["foundBy"] is "flattened" or "label", inspect.ToString());
    }

    [Fact]
    public async Task InspectOfAnImageThatIsNoPackageHasANullPackage()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        Json(await Run.XpkgAsync(cache.Path, "load", Path.Combine(images, "tiny-oci-archive.tar"), "--tag", "example.com/tiny:v1", "-o", "json"));
        var inspect = Json(await Run.XpkgAsync(cache.Path, "inspect", "example.com/tiny:v1", "-o", "json"));
        Assert.Null(inspect["package"]);
        Assert.NotNull(inspect["config"]);
    }

    [Fact]
    public async Task ExtractWritesTheGzipOfPackageYaml()
    {
        using var cache = new TempDir();
        Json(await Run.XpkgAsync(cache.Path, "load", Repo.Fixture(Repo.XpkgFixture), "--tag", "example.com/cpt:v1", "-o", "json"));
        string file = _dir.Combine("out.gz");
        Json(await Run.XpkgAsync(cache.Path, "package", "extract", "example.com/cpt:v1", "--file", file, "-o", "json"));
        await using var gz = new System.IO.Compression.GZipStream(File.OpenRead(file), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string text = await reader.ReadToEndAsync();
        Assert.Equal(60919, text.Length);
        Assert.StartsWith("---\napiVersion: meta.pkg.crossplane.io/v1beta1\nkind: Function", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackageFilesForTwoPlatformsArePushedAsOneIndex()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        Json(await Run.XpkgAsync(cache.Path, "load", Path.Combine(images, "oci"), "-o", "json"));
        const string tinyArm64 = "sha256:181d7f5fa97ed9f00bb2ba2ca02864f3a72c2591f4af34f8063328673a21209a";
        string amd64 = _dir.Combine("amd64.xpkg");
        string arm64 = _dir.Combine("arm64.xpkg");
        string root = Repo.Fixture("function-go-templating/package");
        Json(await Run.XpkgAsync(cache.Path, "build", "--package-root", root, "--examples-root", _dir.Combine("none"), "--embed-runtime-image", TestImages.Tiny, "--package-file", amd64, "-o", "json"));
        Json(await Run.XpkgAsync(cache.Path, "build", "--package-root", root, "--examples-root", _dir.Combine("none"), "--embed-runtime-image", tinyArm64, "--package-file", arm64, "-o", "json"));

        string reference = $"{_registry.Authority}/crossplane/multi-arch:v1";
        var pushed = Json(await Run.XpkgAsync(cache.Path, "push", "--package-files", amd64 + "," + arm64, reference, "-o", "json"));
        var index = JsonNode.Parse(await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + reference))!;
        Assert.Equal("application/vnd.oci.image.index.v1+json", (string?)index["mediaType"]);
        var platforms = index["manifests"]!.AsArray().Select(m => $"{m!["platform"]!["os"]}/{m["platform"]!["architecture"]}").Order().ToList();
        Assert.Equal(["linux/amd64", "linux/arm64"], platforms);

        using var fresh = new TempDir();
        var pulled = Json(await Run.XpkgAsync(fresh.Path, "pull", reference, "-o", "json"));
        Assert.Equal((string?)pushed["digest"], (string?)pulled["digest"]);
        var inspect = Json(await Run.XpkgAsync(fresh.Path, "inspect", reference, "-o", "json"));
        Assert.Equal("function-go-templating", (string?)inspect["package"]!["name"]);
    }
}
