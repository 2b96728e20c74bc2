using System.Text;
using Xpkg.Oci;

namespace Xpkg.ContainerdClient.Tests;

/// <summary>The GC labels are named exactly as ctr names them, or containerd's collector ignores them.</summary>
public sealed class GcReferenceLabelsTests
{
    private static string D(char c) => "sha256:" + new string(c, 64);

    [Fact]
    public void AnImageManifestNamesItsConfigAndNumbersItsLayers()
    {
        var manifest = Parse($$"""
            {"schemaVersion":2,"mediaType":"{{MediaTypes.DockerManifest}}",
             "config":{"mediaType":"{{MediaTypes.DockerConfig}}","digest":"{{D('c')}}","size":1},
             "layers":[{"mediaType":"{{MediaTypes.DockerLayerGzip}}","digest":"{{D('a')}}","size":1},
                       {"mediaType":"{{MediaTypes.OciLayerZstd}}","digest":"{{D('b')}}","size":1}]}
            """);

        var labels = GcReferenceLabels.For(manifest);

        Assert.Equal(new Dictionary<string, string>
        {
            ["containerd.io/gc.ref.content.config"] = D('c'),
            ["containerd.io/gc.ref.content.l.0"] = D('a'),
            ["containerd.io/gc.ref.content.l.1"] = D('b'),
        }, labels);
    }

    [Fact]
    public void AnIndexNumbersManifestsAndGivesOtherChildrenPlainNumbers()
    {
        var index = Parse($$"""
            {"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[
              {"mediaType":"{{MediaTypes.OciManifest}}","digest":"{{D('1')}}","size":1},
              {"mediaType":"{{MediaTypes.OciIndex}}","digest":"{{D('2')}}","size":1},
              {"mediaType":"{{MediaTypes.DockerManifest}}","digest":"{{D('3')}}","size":1}]}
            """);

        var labels = GcReferenceLabels.For(index);

        Assert.Equal(new Dictionary<string, string>
        {
            ["containerd.io/gc.ref.content.m.0"] = D('1'),
            ["containerd.io/gc.ref.content.0"] = D('2'),
            ["containerd.io/gc.ref.content.m.1"] = D('3'),
        }, labels);
    }

    [Fact]
    public void AnArtifactConfigOfUnknownTypeIsAPlainNumberedReference()
    {
        var manifest = Parse($$"""
            {"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}",
             "config":{"mediaType":"application/vnd.example.config.v1+json","digest":"{{D('c')}}","size":1},
             "layers":[{"mediaType":"application/vnd.example.blob","digest":"{{D('a')}}","size":1}]}
            """);

        var labels = GcReferenceLabels.For(manifest);

        Assert.Equal(D('c'), labels["containerd.io/gc.ref.content.0"]);
        Assert.Equal(D('a'), labels["containerd.io/gc.ref.content.1"]);
    }

    private static ParsedManifest Parse(string json) => ParsedManifest.Parse(Encoding.UTF8.GetBytes(json));
}
