using Xpkg.ContainerdClient.Tests.Support;
using Xpkg.Oci;

namespace Xpkg.ContainerdClient.Tests;

/// <summary>The namespace header scopes every call, as it does for ctr and the kubelet.</summary>
public sealed class NamespaceTests
{
    [Fact]
    public async Task AnImageInOneNamespaceIsNotSeenFromAnother()
    {
        string images = await TestImages.DirectoryAsync();
        await using var containerd = await PrivateContainerd.StartAsync();
        await containerd.CtrAsync("images", "import", "--no-unpack", "--base-name", "docker.io/test/tiny", Path.Combine(images, "tiny-oci-archive.tar"));
        var reference = ImageReference.Parse("test/tiny:tiny");

        await using var same = containerd.Connect();
        await using var other = ContainerdStore.Connect(containerd.Socket, "somewhere-else");
        await using var kubelets = ContainerdStore.Connect(containerd.Socket);

        Assert.NotNull(await same.ResolveAsync(reference, CancellationToken.None));
        Assert.Null(await other.ResolveAsync(reference, CancellationToken.None));
        Assert.Equal("k8s.io", kubelets.Connection.Namespace);
        Assert.Empty(await kubelets.ListImagesAsync(null, CancellationToken.None));
    }
}
