using System.Text;
using Xpkg.Oci;
using Xpkg.Packages;
using Xpkg.Packages.Parsing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Xpkg.Install.Input;

/// <summary>
/// Reads the <c>-f</c> inputs of <c>xpkg install</c>: files, <c>-</c> for standard input, or directories
/// (every <c>.yaml</c>/<c>.yml</c> file in them, in name order, not recursive, as <c>kubectl apply -f DIR</c>).
/// Errors name the file and the document.
/// </summary>
public sealed class ManifestReader
{
    private readonly TextReader _stdin;
    private readonly List<(object Value, DocumentPosition Position)> _objects = [];

    public ManifestReader(TextReader? stdin = null)
    {
        _stdin = stdin ?? Console.In;
    }

    public static Task<ManifestSet> ReadAsync(IEnumerable<string> paths, CancellationToken cancellationToken, TextReader? stdin = null)
        => new ManifestReader(stdin).ReadAllAsync(paths, cancellationToken);

    /// <summary>Reads manifests from a string, e.g. in tests; <paramref name="sourceName"/> names it in errors.</summary>
    public static Task<ManifestSet> ParseAsync(string yaml, string sourceName, CancellationToken cancellationToken)
    {
        var reader = new ManifestReader(TextReader.Null);
        return reader.ReadTextAndBuildAsync(new StringReader(yaml), sourceName, cancellationToken);
    }

    private async Task<ManifestSet> ReadTextAndBuildAsync(TextReader text, string sourceName, CancellationToken cancellationToken)
    {
        await ReadStreamAsync(text, sourceName, cancellationToken).ConfigureAwait(false);
        return Build();
    }

    public async Task<ManifestSet> ReadAllAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        foreach (string path in paths)
        {
            if (path == "-")
            {
                await ReadStreamAsync(_stdin, "<stdin>", cancellationToken).ConfigureAwait(false);
            }
            else if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path)
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0)
                {
                    throw new InvalidInputException($"{path}: no .yaml or .yml files in the directory");
                }

                foreach (string file in files)
                {
                    await ReadFileAsync(file, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (File.Exists(path))
            {
                await ReadFileAsync(path, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw new InvalidInputException($"{path}: no such file or directory", "-f takes a file, a directory of YAML files, or - for standard input");
            }
        }

        return Build();
    }

    private async Task ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        await ReadStreamAsync(text, path, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadStreamAsync(TextReader text, string sourceName, CancellationToken cancellationToken)
    {
        var reader = new YamlDocumentReader(text, sourceName);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } doc)
        {
            if (doc.IsEmpty)
            {
                continue;
            }

            var position = new DocumentPosition(sourceName, doc.Index, doc.Line);
            try
            {
                _objects.Add((ManifestDecoder.Decode(Load(doc)), position));
            }
            catch (InvalidInputException e) when (e is not DigestMismatchException)
            {
                throw new InvalidInputException($"{position}: {e.Message}", e.Hint, e);
            }
        }
    }

    private static YamlMappingNode Load(RawYamlDocument doc)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(doc.Text));
        }
        catch (YamlException e)
        {
            throw new InvalidInputException($"invalid YAML at line {doc.Line + e.Start.Line - 1}, column {e.Start.Column}", inner: e);
        }

        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode m
            ? m
            : throw new InvalidInputException("expected a Kubernetes object (a YAML mapping)");
    }

    private ManifestSet Build()
    {
        var packages = new List<PackageRequest>();
        var seen = new Dictionary<string, DocumentPosition>(StringComparer.Ordinal);
        foreach (var (value, position) in _objects)
        {
            string key = value switch
            {
                PackageRequest p => p.Kind + "/" + p.Name,
                ImageConfigSpec c => "ImageConfig/" + c.Name,
                PullSecret s => "Secret/" + s.Name,
                RuntimeConfig r => "DeploymentRuntimeConfig/" + r.Name,
                _ => throw new InvalidOperationException("unexpected manifest object"),
            };
            if (seen.TryGetValue(key, out var first))
            {
                throw new InvalidInputException($"{position}: {key} is also defined at {first}", "each object may appear once across the -f inputs");
            }

            seen[key] = position;
            if (value is PackageRequest request)
            {
                packages.Add(request with { Position = position });
            }
        }

        return new ManifestSet
        {
            Packages = packages,
            ImageConfigs = _objects.Select(o => o.Value).OfType<ImageConfigSpec>().ToList(),
            Secrets = _objects.Select(o => o.Value).OfType<PullSecret>().ToList(),
            RuntimeConfigs = _objects.Select(o => o.Value).OfType<RuntimeConfig>().ToList(),
        };
    }
}
