using Grpc.Core;
using Xpkg.ContainerdClient.Api.Introspection;
using Xpkg.Oci;
using Xpkg.Oci.Archives;

namespace Xpkg.ContainerdClient;

/// <summary>
/// containerd's content directory, read directly when this process can see it: containerd's Read API spends
/// more CPU, on both ends, than the bytes are worth on the same machine. The directory is the one containerd
/// reports (the content plugin exports its root through the introspection API); blobs are at
/// <c>ROOT/blobs/ALG/HEX</c>, written once and renamed into place, so a file that is there is complete.
/// Nothing read here is trusted more than the API's bytes: the target verifies every digest.
/// </summary>
internal static class ContainerdContentFiles
{
    private const string ContentPluginType = "io.containerd.content.v1";
    private const string ContentPluginId = "content";

    /// <summary>
    /// The content plugin's root as containerd reports it, or null when it reports none (an older or proxied store);
    /// an <see cref="XpkgException"/> when the call fails (containerd down, restarting, or without the introspection service).
    /// </summary>
    public static async Task<string?> DiscoverRootAsync(ContainerdConnection connection, CancellationToken cancellationToken)
    {
        var client = new Introspection.IntrospectionClient(connection.Channel);
        var request = new PluginsRequest();
        request.Filters.Add($"type=={ContentPluginType},id=={ContentPluginId}");
        try
        {
            var response = await client.PluginsAsync(request, connection.Headers(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return response.Plugins
                .Where(p => p.Type == ContentPluginType && p.Id == ContentPluginId)
                .Select(p => p.Exports.TryGetValue("root", out var root) && Path.IsPathFullyQualified(root) ? root : null)
                .FirstOrDefault(root => root is not null);
        }
        catch (RpcException e) when (e.StatusCode is not StatusCode.Cancelled)
        {
            throw ContainerdErrors.Translate(e, connection, "to name its content directory (introspection)");
        }
    }

    /// <summary>True when this process can list <paramref name="root"/> (containerd may run in another mount namespace).</summary>
    public static bool IsReadable(string root)
    {
        try
        {
            _ = Directory.EnumerateFileSystemEntries(root).FirstOrDefault();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The blob's file from <paramref name="offset"/> on, as a file region the cache can copy inside the kernel;
    /// null when the file is not there, not readable, or not the size the descriptor says.
    /// </summary>
    public static Stream? Open(string root, Descriptor descriptor, long offset)
    {
        string path = Path.Combine(root, "blobs", descriptor.Digest.Algorithm, descriptor.Digest.Encoded);
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists || file.Length != descriptor.Size || offset > file.Length)
            {
                return null;
            }

            return new RangeStream(path, offset, file.Length - offset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
