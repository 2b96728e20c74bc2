using System.Text;
using Xpkg.Oci;
using Xpkg.Packages.Linting;
using Xpkg.Packages.Locating;

namespace Xpkg.Packages.Building;

/// <summary>
/// Builds a package image as <c>crossplane xpkg build</c> does: read the YAML under the package root, require
/// one meta object, lint with the linter for its kind (any failure aborts), write <c>package.yaml</c> as one
/// layer and the examples as another, label both in the config, and append them to the runtime image or
/// to nothing. The same inputs give the same digest.
/// </summary>
public static class PackageBuilder
{
    private static readonly byte[] FileBreak = "\n...\n\n---\n"u8.ToArray();
    private static readonly byte[] Separator = "---\n"u8.ToArray();

    public static async Task<BuiltPackage> BuildAsync(PackageBuildOptions options, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(options.PackageRoot);
        if (!Directory.Exists(root))
        {
            throw new InvalidInputException($"package root {root} is not a directory", "pass the directory holding crossplane.yaml with --package-root");
        }

        string examples = Path.GetFullPath(options.ExamplesRoot ?? "examples");
        var package = await ParseRootAsync(root, options.Ignore, examples, cancellationToken).ConfigureAwait(false);
        if (package.Metas.Count != 1)
        {
            string where = package.Metas.Count > 1 ? $", the second at {package.Metas[1].Position}" : "";
            throw new InvalidInputException($"failed to build package: {PackageLinter.NotExactlyOneMeta} (found {package.Metas.Count} in {root}{where})",
                "a package root holds exactly one meta.pkg.crossplane.io Provider, Configuration or Function, usually in crossplane.yaml");
        }

        if (PackageLinter.For(package.Metas[0].PackageKind).Lint(package) is { } lintError)
        {
            throw lintError.ToException("failed to lint package");
        }

        string temp = options.TempDirectory is null
            ? Directory.CreateTempSubdirectory("xpkg-build-").FullName
            : Directory.CreateDirectory(Path.Join(options.TempDirectory, "xpkg-build-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            return await AssembleAsync(temp, package, examples, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    private static async Task<ParsedPackage> ParseRootAsync(string root, IReadOnlyList<string> ignore, string examples, CancellationToken cancellationToken)
    {
        var metas = new List<PackageMeta>();
        var objects = new List<PackageObject>();
        foreach (string file in PackageSourceFiles.Find(root, ignore, examples))
        {
            await using var stream = File.OpenRead(file);
            var parsed = await PackageParser.ParseAsync(stream, Path.GetRelativePath(root, file), cancellationToken).ConfigureAwait(false);
            metas.AddRange(parsed.Metas);
            objects.AddRange(parsed.Objects);
        }

        return new ParsedPackage(metas, objects);
    }

    private static async Task<BuiltPackage> AssembleAsync(string temp, ParsedPackage package, string examples, PackageBuildOptions options, CancellationToken cancellationToken)
    {
        var runtime = options.Runtime is null ? null : ParsedManifest.Parse(options.Runtime.ManifestBytes.Span, options.Runtime.Manifest.MediaType);
        if (runtime is { IsIndex: true })
        {
            throw new InvalidInputException($"runtime image {options.Runtime!.Manifest.Digest} is an index", "embed a single-platform image, e.g. one built with --platform linux/amd64");
        }

        bool oci = runtime?.MediaType == MediaTypes.OciManifest;
        string layerType = oci ? MediaTypes.OciLayerGzip : MediaTypes.DockerLayerGzip;
        var layers = new List<PackageLayer>();

        string streamPath = Path.Join(temp, "package.yaml");
        await WritePackageStreamAsync(package, streamPath, cancellationToken).ConfigureAwait(false);
        await using (var stream = File.OpenRead(streamPath))
        {
            layers.Add(await PackageLayer.WriteAsync(PackageNames.StreamFile, stream, PackageNames.PackageAnnotation, Path.Join(temp, "layer-base"), layerType, cancellationToken).ConfigureAwait(false));
        }

        if (Directory.Exists(examples))
        {
            string examplesPath = Path.Join(temp, "examples.yaml");
            await WriteExamplesStreamAsync(examples, options.Ignore, examplesPath, cancellationToken).ConfigureAwait(false);
            await using var stream = File.OpenRead(examplesPath);
            layers.Add(await PackageLayer.WriteAsync(PackageNames.ExamplesFile, stream, PackageNames.ExamplesAnnotation, Path.Join(temp, "layer-examples"), layerType, cancellationToken).ConfigureAwait(false));
        }

        byte[] config;
        string configType;
        var allLayers = new List<Descriptor>();
        if (runtime is null)
        {
            config = PackageImageDocuments.EmptyBaseConfig(layers);
            configType = MediaTypes.DockerConfig;
        }
        else
        {
            byte[] runtimeConfig = await ReadRuntimeConfigAsync(options.Runtime!, runtime, cancellationToken).ConfigureAwait(false);
            config = PackageImageDocuments.RuntimeBaseConfig(runtimeConfig, layers);
            configType = runtime.Config!.MediaType;
            allLayers.AddRange(runtime.Layers);
        }

        allLayers.AddRange(layers.Select(l => l.Descriptor));
        var configDescriptor = Descriptor.For(configType, config);
        string manifestType = oci ? MediaTypes.OciManifest : MediaTypes.DockerManifest;
        byte[] manifest = PackageImageDocuments.Manifest(manifestType, configDescriptor, allLayers);
        return new BuiltPackage(temp, package, manifest, Descriptor.For(manifestType, manifest), config, configDescriptor, allLayers, layers, options.Runtime?.Source);
    }

    // Crossplane re-encodes every object; the text as written is kept here instead (comments included),
    // framed the same way: "---", the meta object, "---", then each object followed by "---".
    private static async Task WritePackageStreamAsync(ParsedPackage package, string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await file.WriteAsync(Separator, cancellationToken).ConfigureAwait(false);
        foreach (var o in package.Metas.Cast<PackageObject>().Concat(package.Objects))
        {
            await file.WriteAsync(Encoding.UTF8.GetBytes(o.RawYaml), cancellationToken).ConfigureAwait(false);
            await file.WriteAsync(Separator, cancellationToken).ConfigureAwait(false);
            if (file.Length > PackageParser.MaxStreamBytes)
            {
                throw new InvalidInputException($"package.yaml would be larger than the {PackageParser.MaxStreamBytes >> 20} MiB Crossplane reads",
                    "split the package: Crossplane truncates package.yaml at 200 MiB");
            }
        }
    }

    // The examples layer holds the files as Crossplane's file reader concatenates them, unparsed.
    private static async Task WriteExamplesStreamAsync(string examples, IReadOnlyList<string> ignore, string path, CancellationToken cancellationToken)
    {
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        foreach (string file in PackageSourceFiles.Find(examples, ignore, excludeContaining: null))
        {
            string name = Path.GetRelativePath(examples, file);
            await ExamplesValidator.ValidateAsync(file, name, cancellationToken).ConfigureAwait(false);
            await using (var input = File.OpenRead(file))
            {
                await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }

            await output.WriteAsync(FileBreak, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<byte[]> ReadRuntimeConfigAsync(RuntimeImage runtime, ParsedManifest manifest, CancellationToken cancellationToken)
    {
        var descriptor = manifest.Config ?? throw new InvalidInputException($"runtime image {runtime.Manifest.Digest} has no config");
        if (descriptor.Size > ImageConfigLabels.MaxConfigBytes)
        {
            throw new InvalidInputException($"runtime image config {descriptor.Digest} is {descriptor.Size} bytes, over the {ImageConfigLabels.MaxConfigBytes} byte limit");
        }

        byte[] bytes = new byte[descriptor.Size];
        await using var raw = await runtime.Source.OpenAsync(descriptor, cancellationToken).ConfigureAwait(false);
        await using var verified = new VerifyingStream(raw, descriptor.Digest, descriptor.Size, leaveOpen: true);
        await verified.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        await verified.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        return bytes;
    }
}
