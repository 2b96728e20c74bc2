using System.Globalization;
using Grpc.Core;
using Xpkg.ContainerdClient.Api.Leases;

namespace Xpkg.ContainerdClient;

/// <summary>
/// A containerd lease that holds what we write until an image record points at it. Without one, the
/// garbage collector may take freshly written layers before their manifest exists. The lease expires
/// by itself if we die before deleting it.
/// </summary>
internal sealed class ContainerdLease
{
    private static readonly TimeSpan Expiry = TimeSpan.FromHours(1);

    private ContainerdLease(string id)
    {
        Id = id;
    }

    public string Id { get; }

    public static async Task<ContainerdLease> CreateAsync(ContainerdConnection connection, CancellationToken cancellationToken)
    {
        var client = new Leases.LeasesClient(connection.Channel);
        var request = new CreateRequest { Id = "xpkg-" + Guid.NewGuid().ToString("N") };
        request.Labels["containerd.io/gc.expire"] = DateTimeOffset.UtcNow.Add(Expiry).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        try
        {
            var response = await client.CreateAsync(request, connection.Headers(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return new ContainerdLease(response.Lease.Id);
        }
        catch (RpcException e)
        {
            throw ContainerdErrors.Translate(e, connection, "to create a lease");
        }
    }

    public async Task DeleteAsync(ContainerdConnection connection)
    {
        var client = new Leases.LeasesClient(connection.Channel);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.DeleteAsync(new DeleteRequest { Id = Id }, connection.Headers(), cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            // It expires on its own; holding content a little longer is harmless.
        }
    }
}
