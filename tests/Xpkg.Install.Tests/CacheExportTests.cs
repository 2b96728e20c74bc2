using System.IO.Compression;
using System.Text;
using Xpkg.Install.CacheExport;
using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Oci;
using Xpkg.Packages.Locating;
using static Xpkg.Install.Tests.Packages;

namespace Xpkg.Install.Tests;

/// <summary><c>--crossplane-cache</c>: the files a real Crossplane reads, named by its key rules, holding the gzip of package.yaml.</summary>
public sealed class CacheExportTests : IDisposable
{
    private const string Source = "xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform";
    private readonly TestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    private string CacheDir => Path.Combine(_cache.Root, "crossplane-cache");

    // The key-rule vectors of crossplane-packages.md §6 (cache key, revision name).
    [Theory]
    [InlineData(CrossplaneCacheLayout.V22, Source, "function-patch-and-transform", "xpkg-crossplane-io-crossplane-contrib-function-pat-sha256-01234.gz")]
    [InlineData(CrossplaneCacheLayout.V21, Source, "function-patch-and-transform", "function-patch-and-transform-0123456789ab.gz")]
    [InlineData(CrossplaneCacheLayout.V22, "docker.io/hasheddan/xpkg-test", "xpkg-test", "docker-io-hasheddan-xpkg-test-sha256-01234.gz")]
    public void FileNamesFollowTheKeyRuleVectors(CrossplaneCacheLayout layout, string source, string packageName, string expected)
    {
        var digest = Digest.Parse("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        Assert.Equal(expected, CrossplaneCacheExporter.FileName(source, packageName, digest, layout));
    }

    // ≤v2.1 with Never keys the cache by spec.package itself (crossplane-packages.md §4.4).
    [Theory]
    [InlineData("xpkg.crossplane.io/crossplane-contrib/provider-aws-s3:v1.0.0", "xpkg.crossplane.io/crossplane-contrib/provider-aws-s3:v1.0.gz")]
    [InlineData("mycoolpkg", "mycoolpkg.gz")]
    public void NeverFileNamesUseThePackageAsWritten(string package, string expected)
        => Assert.Equal(expected, CrossplaneCacheExporter.NeverFileName(package));

    [Fact]
    public async Task V21WithNeverWritesTheNestedPathCrossplaneReads()
    {
        string yaml = Meta("Function", "function-patch-and-transform");
        await _cache.AddPackageAsync(Source + ":v0.2.0", yaml);
        string manifest = _cache.Write("in.yaml", PackageManifest("Function", "fn", Source + ":v0.2.0", "  packagePullPolicy: Never\n"));

        var r = await Xpkg.Testing.Run.XpkgAsync(_cache.Store.Root, "install", "-f", manifest, "--state-dir", _cache.StateDirectory, "--offline",
            "--crossplane-cache", CacheDir, "--crossplane-cache-layout", "v2.1");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(yaml, Gunzip(Path.Combine(CacheDir, "xpkg.crossplane.io", "crossplane-contrib", "function-patch-and-transform:v0.2.gz")));
    }

    [Theory]
    [InlineData("v2.2", CrossplaneCacheLayout.V22)]
    [InlineData("2.1", CrossplaneCacheLayout.V21)]
    [InlineData("v2.1", CrossplaneCacheLayout.V21)]
    public void LayoutsParse(string text, CrossplaneCacheLayout expected) => Assert.Equal(expected, CrossplaneCacheExport.ParseLayout(text));

    [Fact]
    public void UnknownLayoutIsBadInput() => Assert.Throws<InvalidInputException>(() => CrossplaneCacheExport.ParseLayout("v1.6"));

    [Theory]
    [InlineData(CrossplaneCacheLayout.V22)]
    [InlineData(CrossplaneCacheLayout.V21)]
    public async Task InstallWritesEntriesThatGunzipToThePackageStream(CrossplaneCacheLayout layout)
    {
        string functionYaml = Meta("Function", "function-patch-and-transform") + Crd;
        string configurationYaml = Meta("Configuration", "parent", Dep("Function", Source, ">=v0.1.0"));
        var function = await _cache.AddPackageAsync(Source + ":v0.2.0", functionYaml);
        var configuration = await _cache.AddPackageAsync(Host + "/org/configuration-parent:v1.0.0", configurationYaml);
        Directory.CreateDirectory(CacheDir);
        string unrelated = Path.Combine(CacheDir, "someone-elses-entry.gz");
        await File.WriteAllTextAsync(unrelated, "not ours");

        var result = await InstallAsync(layout);

        var dependency = result.Packages.Single(p => !p.IsRoot);
        string functionFile = layout == CrossplaneCacheLayout.V22
            ? $"xpkg-crossplane-io-crossplane-contrib-function-pat-sha256-{function.Encoded[..5]}.gz"
            : $"{dependency.Name}-{function.Encoded[..12]}.gz";
        string configurationFile = layout == CrossplaneCacheLayout.V22
            ? $"registry-example-com-org-configuration-parent-sha256-{configuration.Encoded[..5]}.gz"
            : $"parent-{configuration.Encoded[..12]}.gz";
        Assert.Equal(new[] { configurationFile, functionFile, "someone-elses-entry.gz" }.Order(StringComparer.Ordinal), TestCache.FilesUnder(CacheDir));
        Assert.Equal(functionYaml, Gunzip(Path.Combine(CacheDir, functionFile)));
        Assert.Equal(configurationYaml, Gunzip(Path.Combine(CacheDir, configurationFile)));
        Assert.Equal("not ours", await File.ReadAllTextAsync(unrelated));

        // Crossplane's reader: gzip, then the package parser.
        await using (var file = File.OpenRead(Path.Combine(CacheDir, functionFile)))
        {
            var parsed = await PackageCacheFile.ParseAsync(file, functionFile, CancellationToken.None);
            Assert.Equal("function-patch-and-transform", parsed.Meta!.Name);
        }

        // Exporting again rewrites nothing.
        var written = TestCache.FilesUnder(CacheDir).ToDictionary(f => f, f => File.GetLastWriteTimeUtc(Path.Combine(CacheDir, f)));
        var log = new InstallLog();
        await InstallAsync(layout, log);
        Assert.Equal(written, TestCache.FilesUnder(CacheDir).ToDictionary(f => f, f => File.GetLastWriteTimeUtc(Path.Combine(CacheDir, f))));
        Assert.Contains(log.Events, e => e.Step == "cache-export" && e.Message.StartsWith(functionFile + " (", StringComparison.Ordinal) && e.Message.Contains("unchanged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheCliExportsNextToTheState()
    {
        string yaml = Meta("Function", "function-patch-and-transform");
        var digest = await _cache.AddPackageAsync(Source + ":v0.2.0", yaml);
        string manifest = _cache.Write("in.yaml", PackageManifest("Function", "fn", Source + ":v0.2.0"));

        var r = await Xpkg.Testing.Run.XpkgAsync(_cache.Store.Root, "install", "-f", manifest, "--state-dir", _cache.StateDirectory, "--offline",
            "--crossplane-cache", CacheDir, "--crossplane-cache-layout", "v2.1");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(yaml, Gunzip(Path.Combine(CacheDir, $"fn-{digest.Encoded[..12]}.gz")));
        var bad = await Xpkg.Testing.Run.XpkgAsync(_cache.Store.Root, "install", "-f", manifest, "--state-dir", _cache.StateDirectory, "--offline",
            "--crossplane-cache", CacheDir, "--crossplane-cache-layout", "v1.6");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("error: --crossplane-cache-layout: \"v1.6\" is not a known layout\nhint: ", bad.Stderr, StringComparison.Ordinal);
    }

    private async Task<InstallResult> InstallAsync(CrossplaneCacheLayout layout, InstallLog? log = null)
    {
        var input = await ManifestReader.ParseAsync(PackageManifest("Configuration", "parent", Host + "/org/configuration-parent:v1.0.0"), "in.yaml", CancellationToken.None);
        var options = new InstallOptions { Offline = true, CrossplaneCache = new CrossplaneCacheExport(CacheDir, layout) };
        return await new PackageInstaller(_cache.Store, new CachePackageSource(_cache.Store), options).InstallAsync(input, _cache.StateDirectory, log ?? new InstallLog(), CancellationToken.None);
    }

    private static string Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
