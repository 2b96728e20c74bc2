using Grpc.Core;
using Xpkg.ContainerdClient.Api.Content;
using Xpkg.ContainerdClient.Api.Images;
using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.ContainerdClient;

/// <summary>
/// containerd's image and content services as a copy-engine end: a source (resolve a name, read blobs) and a
/// target (write blobs that are missing, then name the image as the kubelet looks it up). Written content is
/// held by a lease until <see cref="DisposeAsync"/>, by which time the image record keeps it. Blobs are read
/// from containerd's content directory when this process can read it (see <see cref="ContainerdContentFiles"/>),
/// else over the Read API.
/// </summary>
public sealed class ContainerdStore : IContentSource, IContentTarget, IAsyncDisposable
{
    /// <summary>Set to 0 to read content over the Read API even where containerd's content files are readable.</summary>
    public const string ContentFilesVariable = "XPKG_CONTAINERD_CONTENT_FILES";

    private readonly ContainerdConnection _connection;
    private readonly Content.ContentClient _content;
    private readonly Images.ImagesClient _images;
    private readonly SemaphoreSlim _leaseLock = new(1, 1);
    private readonly Lock _filesRootLock = new();
    private ContainerdLease? _lease;
    private Task<FilesRootChoice>? _filesRoot;

    public ContainerdStore(ContainerdConnection connection)
    {
        _connection = connection;
        _content = new Content.ContentClient(connection.Channel);
        _images = new Images.ImagesClient(connection.Channel);
    }

    /// <summary>Opens a connection to the socket (default <see cref="ContainerdConnection.DefaultSocket"/>) in a namespace (default k8s.io).</summary>
    public static ContainerdStore Connect(string? socketPath, string? @namespace = null)
        => new(ContainerdConnection.Open(socketPath, @namespace)) { OwnsConnection = true };

    public ContainerdConnection Connection => _connection;

    public string Description => _connection.Description;

    public int MaxParallelWrites => 4;

    private bool OwnsConnection { get; init; }

    /// <summary>Whether blobs are read from containerd's content directory when it is readable here (default: yes, unless <see cref="ContentFilesVariable"/> is 0).</summary>
    public bool ReadContentFiles { get; init; } = Environment.GetEnvironmentVariable(ContentFilesVariable) != "0";

    /// <summary>
    /// Where this process sees containerd's content directory when not at the path containerd reports (a containerd
    /// in a container, its root mounted elsewhere); null: the path containerd reports.
    /// </summary>
    public string? ContentFilesRoot { get; init; }

    /// <summary>
    /// How long after a failed introspection call blobs are read over the Read API before containerd is asked again:
    /// a long-running server must not stay on the slower path for its whole life because containerd was restarting once.
    /// </summary>
    public TimeSpan DiscoveryRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Receives the decisions taken while reading (for <c>--explain</c>); may be null.</summary>
    public Action<string>? Explain { get; set; }

    /// <summary>
    /// The root descriptor containerd has under the reference's normalised name (<c>docker.io/library/…</c>),
    /// or null when it has no such image. For <c>name@digest</c>, any record with that target serves.
    /// </summary>
    public async Task<Descriptor?> ResolveAsync(ImageReference reference, CancellationToken cancellationToken)
    {
        var image = await GetImageAsync(reference.ToString(), cancellationToken).ConfigureAwait(false);
        if (image is null && reference.Digest is { } digest)
        {
            image = await GetImageAsync(reference.WithoutTag().ToString(), cancellationToken).ConfigureAwait(false)
                ?? (await ListImagesAsync($"target.digest=={digest}", cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }

        if (image is null)
        {
            return null;
        }

        if (reference.Digest is { } wanted && image.Target.Digest != wanted)
        {
            return null;
        }

        return image.Target with { Annotations = null };
    }

    public async Task<ContainerdImage?> GetImageAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _images.GetAsync(new GetImageRequest { Name = name }, _connection.Headers(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Image is null ? null : ContainerdImage.From(response.Image);
        }
        catch (RpcException e) when (ContainerdErrors.IsNotFound(e))
        {
            return null;
        }
        catch (RpcException e)
        {
            throw ContainerdErrors.Translate(e, _connection, $"to look up image {name}");
        }
    }

    /// <summary>Image records, optionally filtered with containerd's filter syntax (e.g. <c>name~="^docker.io/"</c>).</summary>
    public async Task<IReadOnlyList<ContainerdImage>> ListImagesAsync(string? filter, CancellationToken cancellationToken)
    {
        var request = new ListImagesRequest();
        if (filter is not null)
        {
            request.Filters.Add(filter);
        }

        try
        {
            var response = await _images.ListAsync(request, _connection.Headers(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Images.Select(ContainerdImage.From).ToList();
        }
        catch (RpcException e)
        {
            throw ContainerdErrors.Translate(e, _connection, "to list images");
        }
    }

    public Task<Stream> OpenAsync(Descriptor descriptor, CancellationToken cancellationToken) => OpenAsync(descriptor, 0, cancellationToken);

    /// <summary>
    /// The blob from <paramref name="offset"/> on, unverified (callers reading it whole wrap it in a <see cref="VerifyingStream"/>).
    /// containerd numbers the chunks of a read from 0 whatever the offset, so the stream checks them the same way.
    /// </summary>
    public async Task<Stream> OpenAsync(Descriptor descriptor, long offset, CancellationToken cancellationToken)
    {
        if (await FilesRootAsync().ConfigureAwait(false) is { } root)
        {
            // The files are shared by all namespaces: ask first, as the Read API would, whether this one has the blob.
            if (await InfoAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new ContentNotFoundException(descriptor.Digest, Description);
            }

            if (ContainerdContentFiles.Open(root, descriptor, offset) is { } file)
            {
                return file;
            }

            Explain?.Invoke($"{descriptor.Digest} is not readable under {root}; reading it over the Read API");
        }

        var call = _content.Read(new ReadContentRequest { Digest = descriptor.Digest.ToString(), Offset = offset }, _connection.Headers(), cancellationToken: cancellationToken);
        return await ContainerdReadStream.OpenAsync(call, e => ContainerdErrors.IsNotFound(e)
            ? new ContentNotFoundException(descriptor.Digest, Description)
            : ContainerdErrors.Translate(e, _connection, $"to read {descriptor.Digest}"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The content directory blobs are read from, or null when they are read over the Read API; decided once per store,
    /// except that a failed introspection call is tried again after <see cref="DiscoveryRetryDelay"/>.
    /// </summary>
    public async Task<string?> FilesRootAsync()
    {
        Task<FilesRootChoice> choice;
        lock (_filesRootLock)
        {
            if (_filesRoot is { IsCompletedSuccessfully: true } chosen && chosen.Result.AskAgainAt is { } at && DateTimeOffset.UtcNow >= at)
            {
                _filesRoot = null;
            }

            choice = _filesRoot ??= ChooseFilesRootAsync();
        }

        return (await choice.ConfigureAwait(false)).Root;
    }

    private async Task<FilesRootChoice> ChooseFilesRootAsync()
    {
        if (!ReadContentFiles)
        {
            Explain?.Invoke($"reading content over the Read API ({ContentFilesVariable}=0)");
            return new FilesRootChoice(null, null);
        }

        string? root;
        try
        {
            root = ContentFilesRoot ?? await _connection.ContentRootAsync().ConfigureAwait(false);
        }
        catch (XpkgException e)
        {
            Explain?.Invoke($"reading content over the Read API for now: {e.Message}; asking again in {DiscoveryRetryDelay.TotalSeconds:0.#}s");
            return new FilesRootChoice(null, DateTimeOffset.UtcNow + DiscoveryRetryDelay);
        }

        if (root is null)
        {
            Explain?.Invoke("reading content over the Read API: containerd reports no content directory");
            return new FilesRootChoice(null, null);
        }

        if (!ContainerdContentFiles.IsReadable(root))
        {
            Explain?.Invoke($"reading content over the Read API: its content directory {root} is not readable here");
            return new FilesRootChoice(null, null);
        }

        Explain?.Invoke($"reading content files under {root} (verified by digest; the Read API for a blob not there)");
        return new FilesRootChoice(root, null);
    }

    /// <summary>Where blobs are read from (null: the Read API), and when to ask containerd again (null: never, the answer stands).</summary>
    private sealed record FilesRootChoice(string? Root, DateTimeOffset? AskAgainAt);

    public async Task<bool> ExistsAsync(Descriptor descriptor, CancellationToken cancellationToken)
        => await InfoAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false) == descriptor.Size;

    /// <summary>The size of a blob in the content store, or null when containerd does not have it.</summary>
    public async Task<long?> InfoAsync(Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _content.InfoAsync(new InfoRequest { Digest = digest.ToString() }, _connection.Headers(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Info?.Size;
        }
        catch (RpcException e) when (ContainerdErrors.IsNotFound(e))
        {
            return null;
        }
        catch (RpcException e)
        {
            throw ContainerdErrors.Translate(e, _connection, $"to look up {digest}");
        }
    }

    public async Task WriteAsync(Descriptor descriptor, Stream content, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string> labels = new Dictionary<string, string>();
        if (MediaTypes.IsManifest(descriptor.MediaType) && descriptor.Size <= ParsedManifest.MaxBytes)
        {
            // A manifest names its children in GC labels, so it is read whole (it is small) before it is written.
            byte[] bytes = await ReadVerifiedAsync(descriptor, content, cancellationToken).ConfigureAwait(false);
            labels = GcReferenceLabels.For(ParsedManifest.Parse(bytes, descriptor.MediaType));
            content = new MemoryStream(bytes, writable: false);
        }

        var lease = await LeaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ContainerdBlobWriter.WriteAsync(_content, _connection.Headers(lease.Id), descriptor, content, labels, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw ContainerdErrors.Translate(e, _connection, $"to write {descriptor.Digest}");
        }
    }

    /// <summary>
    /// Creates or moves the image record named by the normalised reference (<c>alpine</c> becomes
    /// <c>docker.io/library/alpine:latest</c>, the name the kubelet asks containerd for).
    /// </summary>
    public async Task TagAsync(string? reference, Descriptor root, string source, CancellationToken cancellationToken)
    {
        if (reference is null)
        {
            throw new InvalidInputException($"containerd keeps images only by name, and image {root.Digest} has none", "name it with --tag NAME");
        }

        var image = new Image { Name = ImageReference.Parse(reference).ToString(), Target = DescriptorMapping.ToContainerd(root with { Annotations = null }) };
        image.Labels["io.xpkg.source"] = source;
        var headers = _connection.Headers();
        try
        {
            try
            {
                await _images.CreateAsync(new CreateImageRequest { Image = image }, headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                var update = new UpdateImageRequest { Image = image, UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask() };
                update.UpdateMask.Paths.Add("target");
                update.UpdateMask.Paths.Add("labels.io.xpkg.source");
                await _images.UpdateAsync(update, headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RpcException e)
        {
            throw ContainerdErrors.Translate(e, _connection, $"to name image {image.Name}");
        }
    }

    private async Task<ContainerdLease> LeaseAsync(CancellationToken cancellationToken)
    {
        await _leaseLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _lease ??= await ContainerdLease.CreateAsync(_connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _leaseLock.Release();
        }
    }

    private static async Task<byte[]> ReadVerifiedAsync(Descriptor descriptor, Stream content, CancellationToken cancellationToken)
    {
        var bytes = new byte[descriptor.Size];
        var verifying = new VerifyingStream(content, descriptor.Digest, descriptor.Size, leaveOpen: true);
        await using (verifying.ConfigureAwait(false))
        {
            try
            {
                await verifying.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException)
            {
                throw new DigestMismatchException($"content of {descriptor.Digest} is truncated");
            }

            _ = await verifying.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false);
        }

        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        if (_lease is not null)
        {
            await _lease.DeleteAsync(_connection).ConfigureAwait(false);
            _lease = null;
        }

        _leaseLock.Dispose();
        if (OwnsConnection)
        {
            _connection.Dispose();
        }
    }
}
