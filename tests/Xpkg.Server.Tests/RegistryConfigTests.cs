using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tomlyn.Model;
using Xpkg.Oci;
using Xpkg.Server.ClusterConfig;
using Xpkg.Testing;
using YamlDotNet.RepresentationModel;
using PrivateContainerd = Xpkg.Testing.Containerd;

namespace Xpkg.Server.Tests;

/// <summary>
/// <c>xpkg registry-config</c>: every piece parses and says what it should, bad input is exit 2, and containerd
/// pulls from <c>xpkg serve --tls auto</c> through the <c>hosts.toml</c> it prints.
/// </summary>
public sealed partial class RegistryConfigTests : IDisposable
{
    private const string Fixture = "/work/shared/fixtures/crossplane/xpkg/function-conditional-patch-and-transform-9b3ddecdb8ff.xpkg";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void HostsToml_WithoutCa_IsPlainHttpForPullAndResolve()
    {
        var config = RegistryClusterConfig.Create("172.18.0.1:5000");
        var toml = Tomlyn.TomlSerializer.Deserialize<TomlTable>(config.HostsToml)!;
        Assert.Equal("http://172.18.0.1:5000", toml["server"]);
        var host = (TomlTable)((TomlTable)toml["host"])["http://172.18.0.1:5000"];
        Assert.Equal(["pull", "resolve"], ((TomlArray)host["capabilities"]).Cast<string>());
        Assert.False(host.ContainsKey("ca"));
        Assert.Equal("/etc/containerd/certs.d/172.18.0.1:5000", config.HostsDir);
    }

    [Fact]
    public void HostsToml_WithCa_IsHttpsAndTrustsTheCaNextToIt()
    {
        var config = RegistryClusterConfig.Create("registry.local:5443", WriteCa());
        var toml = Tomlyn.TomlSerializer.Deserialize<TomlTable>(config.HostsToml)!;
        Assert.Equal("https://registry.local:5443", toml["server"]);
        var host = (TomlTable)((TomlTable)toml["host"])["https://registry.local:5443"];
        Assert.Equal("/etc/containerd/certs.d/registry.local:5443/ca.crt", host["ca"]);

        // Pushes use the server entry: it trusts the CA too.
        Assert.Equal("/etc/containerd/certs.d/registry.local:5443/ca.crt", toml["ca"]);
    }

    [Fact]
    public void KindConfig_PointsContainerdAtCertsD_AndMountsIt()
    {
        var kind = Yaml(RegistryClusterConfig.Create("172.18.0.1:5000").KindConfig);
        Assert.Equal("Cluster", Scalar(kind, "kind"));
        Assert.Equal("kind.x-k8s.io/v1alpha4", Scalar(kind, "apiVersion"));

        // The patch is containerd TOML inside the YAML; it must parse too.
        string patch = ((YamlScalarNode)((YamlSequenceNode)kind["containerdConfigPatches"])[0]).Value!;
        var toml = Tomlyn.TomlSerializer.Deserialize<TomlTable>(patch)!;
        var cri = (TomlTable)((TomlTable)toml["plugins"])["io.containerd.grpc.v1.cri"];
        Assert.Equal("/etc/containerd/certs.d", ((TomlTable)cri["registry"])["config_path"]);

        var node = (YamlMappingNode)((YamlSequenceNode)kind["nodes"])[0];
        var mount = (YamlMappingNode)((YamlSequenceNode)node["extraMounts"])[0];
        Assert.Equal("/etc/containerd/certs.d", Scalar(mount, "hostPath"));
        Assert.Equal("/etc/containerd/certs.d", Scalar(mount, "containerPath"));
    }

    [Fact]
    public void LocalRegistryHosting_IsTheKep1755ConfigMap()
    {
        var map = Yaml(RegistryClusterConfig.Create("172.18.0.1:5000").LocalRegistryHosting);
        Assert.Equal("ConfigMap", Scalar(map, "kind"));
        Assert.Equal("local-registry-hosting", Scalar(map, "metadata", "name"));
        Assert.Equal("kube-public", Scalar(map, "metadata", "namespace"));
        var hosting = Yaml(Scalar(map, "data", "localRegistryHosting.v1"));
        Assert.Equal("172.18.0.1:5000", Scalar(hosting, "host"));
    }

    [Fact]
    public void ImageConfig_ByDefault_RewritesCrossplanesDefaultRegistryToTheAddress()
    {
        var image = Yaml(RegistryClusterConfig.Create("172.18.0.1:5000").ImageConfig);
        Assert.Equal("pkg.crossplane.io/v1beta1", Scalar(image, "apiVersion"));
        Assert.Equal("ImageConfig", Scalar(image, "kind"));
        Assert.Equal(RegistryClusterConfig.DefaultName, Scalar(image, "metadata", "name"));
        var match = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)image["spec"])["matchImages"])[0];
        Assert.Equal("Prefix", Scalar(match, "type"));
        Assert.Equal(RegistryClusterConfig.DefaultPrefix, Scalar(match, "prefix"));
        Assert.Equal("172.18.0.1:5000/", Scalar(image, "spec", "rewriteImage", "prefix"));
    }

    [Theory]
    [InlineData("example.test/org/", "172.18.0.1:5000/org/")]
    [InlineData("example.test", "172.18.0.1:5000/")]
    [InlineData("example.test/org/function-", "172.18.0.1:5000/org/function-")]
    public void ImageConfig_KeepsThePrefixsRepositoryPath_BecauseTheServerServesByRepositoryPath(string prefix, string rewritten)
    {
        var config = RegistryClusterConfig.Create("172.18.0.1:5000", prefix: prefix, name: "local");
        var image = Yaml(config.ImageConfig);
        Assert.Equal("local", Scalar(image, "metadata", "name"));
        Assert.StartsWith(Scalar((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)image["spec"])["matchImages"])[0], "prefix"), prefix + "/", StringComparison.Ordinal);
        Assert.Equal(rewritten, Scalar(image, "spec", "rewriteImage", "prefix"));
    }

    [Fact]
    public void HelmValues_WithCa_NameTheConfigMapThatTheKubectlLineCreates()
    {
        string ca = WriteCa("my ca.crt");
        var config = RegistryClusterConfig.Create("172.18.0.1:5000", ca, name: "local");
        var values = Yaml(config.HelmValues!);
        Assert.Equal("local-ca", Scalar(values, "registryCaBundleConfig", "name"));
        Assert.Equal("ca.crt", Scalar(values, "registryCaBundleConfig", "key"));
        Assert.Equal($"kubectl -n crossplane-system create configmap local-ca --from-file=ca.crt='{ca}'\n", config.CaConfigMapCommand);

        var plain = RegistryClusterConfig.Create("172.18.0.1:5000");
        Assert.Null(plain.HelmValues);
        Assert.Null(plain.CaConfigMapCommand);
    }

    [Fact]
    public void IPv6AndCase_AreNormalised()
    {
        Assert.Equal("[::1]:5000", RegistryClusterConfig.Create("[::1]:5000").Address.Authority);
        Assert.Equal("registry.local:5000", RegistryClusterConfig.Create("Registry.Local:5000").Address.Authority);
        Assert.True(RegistryClusterConfig.Create("localhost:5000").Address.IsLoopback);
        Assert.False(RegistryClusterConfig.Create("172.18.0.1:5000").Address.IsLoopback);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData(":5000")]
    [InlineData("::1:5000")]
    [InlineData("bad_host:5000")]
    [InlineData("http://127.0.0.1:5000")]
    public void BadAddress_IsBadInput(string address)
    {
        var e = Assert.Throws<InvalidInputException>(() => RegistryClusterConfig.Create(address));
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
        Assert.NotNull(e.Hint);
    }

    [Fact]
    public void BadNameOrPrefix_IsBadInput()
    {
        Assert.Throws<InvalidInputException>(() => RegistryClusterConfig.Create("127.0.0.1:5000", name: "Not_A_Name"));
        Assert.Throws<InvalidInputException>(() => RegistryClusterConfig.Create("127.0.0.1:5000", prefix: "/"));
        Assert.Throws<InvalidInputException>(() => RegistryClusterConfig.Create("127.0.0.1:5000", prefix: "Example.test/\"x"));
    }

    [Fact]
    public async Task Command_Text_HasEveryPieceUnderAHeading()
    {
        string ca = WriteCa();
        var r = await Run.XpkgAsync(_dir.Combine("cache"), "registry-config", "--addr", "172.18.0.1:5000", "--ca", ca, "--prefix", "example.test/org/");
        Assert.True(r.ExitCode == 0, r.ToString());
        var headings = Heading().Matches(r.Stdout).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(6, headings.Count);
        Assert.Contains(headings, h => h.StartsWith("containerd: /etc/containerd/certs.d/172.18.0.1:5000/hosts.toml", StringComparison.Ordinal));
        Assert.Contains("rewriteImage:\n    prefix: \"172.18.0.1:5000/org/\"", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("registryCaBundleConfig:", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_Json_HasEachPieceAsAString()
    {
        var r = await Run.XpkgAsync(_dir.Combine("cache"), "registry-config", "--addr", "172.18.0.1:5000", "--output", "json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var json = JsonNode.Parse(r.Stdout)!.AsObject();
        var config = RegistryClusterConfig.Create("172.18.0.1:5000");
        Assert.Equal(config.HostsToml, (string?)json["hostsToml"]);
        Assert.Equal(config.HostsDir, (string?)json["hostsDir"]);
        Assert.Equal(config.KindConfig, (string?)json["kindConfig"]);
        Assert.Equal(config.LocalRegistryHosting, (string?)json["localRegistryHosting"]);
        Assert.Equal(config.ImageConfig, (string?)json["imageConfig"]);
        Assert.True(json.ContainsKey("helmValues"));
        Assert.Null(json["helmValues"]);
    }

    [Theory]
    [InlineData("--addr", "127.0.0.1:99999")]
    [InlineData("--addr", "nonsense")]
    [InlineData("--addr", "127.0.0.1:5000", "--ca", "/nonexistent/ca.crt")]
    [InlineData("--ca", "/nonexistent/ca.crt")]
    public async Task Command_BadInput_ExitsTwoWithErrorAndHint(params string[] arguments)
    {
        var r = await Run.XpkgAsync(_dir.Combine("cache"), ["registry-config", .. arguments]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("\nhint: ", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public async Task Containerd_PullsOverAutoTls_ThroughThePrintedHostsToml()
    {
        string cache = _dir.Combine("cache");
        var load = await Run.XpkgAsync(cache, "load", Fixture, "--tag", "example.test/crossplane-contrib/function-cpt:v1");
        Assert.True(load.ExitCode == 0, load.ToString());

        using var serve = Run.StartXpkg(cache, "serve", "--addr", "127.0.0.1:0", "--tls", "auto", "--log-format", "none");
        try
        {
            string authority = await ReadServedAuthorityAsync(serve);
            var r = await Run.XpkgAsync(cache, "registry-config", "--addr", authority, "--ca", Path.Combine(cache, "tls", "ca.crt"), "--output", "json");
            Assert.True(r.ExitCode == 0, r.ToString());
            var json = JsonNode.Parse(r.Stdout)!;
            string hostsDir = (string)json["hostsDir"]!;
            string hostsToml = (string)json["hostsToml"]!;

            // The same layout as on a node, under a temp certs.d instead of /etc/containerd/certs.d.
            string certsD = _dir.Combine("certs.d");
            string dir = Path.Combine(certsD, authority);
            Directory.CreateDirectory(dir);
            File.Copy(Path.Combine(cache, "tls", "ca.crt"), Path.Combine(dir, "ca.crt"));
            Assert.Contains($"\"{hostsDir}/ca.crt\"", hostsToml, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(dir, "hosts.toml"), hostsToml.Replace(hostsDir, dir, StringComparison.Ordinal));

            string image = $"{authority}/crossplane-contrib/function-cpt:v1";
            await using var containerd = await PrivateContainerd.StartAsync();

            // Without the ca line the server's certificate is not trusted: the pull below goes over TLS and trusts the CA.
            string untrusted = _dir.Combine("untrusted.d");
            Directory.CreateDirectory(Path.Combine(untrusted, authority));
            await File.WriteAllTextAsync(Path.Combine(untrusted, authority, "hosts.toml"), CaLine().Replace(hostsToml, ""));
            var refused = await containerd.CtrAsync("images", "pull", "--snapshotter", "native", "--hosts-dir", untrusted, image);
            Assert.True(refused.ExitCode != 0 && refused.Stderr.Contains("certificate", StringComparison.Ordinal), refused.ToString());

            var pull = await containerd.CtrAsync("images", "pull", "--snapshotter", "native", "--hosts-dir", certsD, image);
            Assert.True(pull.ExitCode == 0, pull.ToString());
            var list = await containerd.CtrAsync("images", "ls", "-q");
            Assert.Contains(image, list.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            serve.Kill();
            await serve.WaitForExitAsync();
        }
    }

    /// <summary>Reads <c>xpkg serve</c>'s stdout until it says where it listens (port 0 picks a free one).</summary>
    private static async Task<string> ReadServedAuthorityAsync(Process serve)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await serve.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ServingLine().Match(line) is { Success: true } m)
            {
                return m.Groups[1].Value;
            }
        }

        throw new Xunit.Sdk.XunitException("xpkg serve did not report its address: " + await serve.StandardError.ReadToEndAsync());
    }

    private string WriteCa(string name = "ca.crt")
    {
        string path = _dir.Combine(name);
        File.WriteAllText(path, "not read: only its path goes into the output\n");
        return path;
    }

    private static YamlMappingNode Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string Scalar(YamlMappingNode node, params string[] path)
    {
        foreach (string key in path[..^1])
        {
            node = (YamlMappingNode)node[key];
        }

        return ((YamlScalarNode)node[path[^1]]).Value!;
    }

    [GeneratedRegex(@"^# ---- (.+) ----$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*ca = .*\n", RegexOptions.Multiline)]
    private static partial Regex CaLine();

    [GeneratedRegex(@"^Serving .* at https://(\S+)/ ")]
    private static partial Regex ServingLine();
}
