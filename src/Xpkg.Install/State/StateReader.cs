using Xpkg.Oci;
using Xpkg.Packages;
using YamlDotNet.Core;

namespace Xpkg.Install.State;

/// <summary>
/// Reads back what a previous install wrote: packages (for the versions of installed dependencies) and
/// revisions (for numbering, activation and history). Files the installer did not write are an error,
/// because guessing at them could renumber or prune revisions wrongly.
/// </summary>
public static class StateReader
{
    public static async Task<InstalledState> ReadAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var packages = new List<InstalledPackage>();
        var revisions = new List<InstalledRevision>();
        foreach (var (path, doc) in await ReadDirectoryAsync(Path.Combine(stateDirectory, StateLayout.PackagesDirectory), cancellationToken).ConfigureAwait(false))
        {
            var kind = ParseKind(path, Get(doc, "kind"), "");
            packages.Add(new InstalledPackage(kind, Required(path, doc, "metadata", "name"), Required(path, doc, "spec", "package"), Get(doc, "status", "currentRevision")));
        }

        foreach (var (path, doc) in await ReadDirectoryAsync(Path.Combine(stateDirectory, StateLayout.RevisionsDirectory), cancellationToken).ConfigureAwait(false))
        {
            var kind = ParseKind(path, Get(doc, "kind"), "Revision");
            string packageName = Get(doc, "metadata", "labels", RevisionDocument.PackageLabel) ?? throw Broken(path, $"metadata.labels.{RevisionDocument.PackageLabel}");
            long number = Dig(doc, "spec", "revision") is long n ? n : throw Broken(path, "spec.revision");
            revisions.Add(new InstalledRevision(kind, Required(path, doc, "metadata", "name"), packageName, number, Get(doc, "spec", "desiredState") == "Active"));
        }

        return new InstalledState(packages, revisions);
    }

    /// <summary>The parsed documents of a directory, in name order.</summary>
    internal static async Task<List<(string Path, Dictionary<string, object?> Document)>> ReadDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        var result = new List<(string, Dictionary<string, object?>)>();
        if (!Directory.Exists(directory))
        {
            return result;
        }

        foreach (string path in Directory.EnumerateFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            string text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            try
            {
                result.Add((path, YamlTree.Parse(text) ?? throw Broken(path, "a Kubernetes object")));
            }
            catch (YamlException e)
            {
                throw new XpkgException($"{path}: not valid YAML: {e.Message}", "the state directory is written by xpkg install; restore the file or remove the state directory and install again");
            }
        }

        return result;
    }

    private static PackageKind ParseKind(string path, string? kind, string suffix)
    {
        foreach (var k in Enum.GetValues<PackageKind>())
        {
            if (kind == k + suffix)
            {
                return k;
            }
        }

        throw Broken(path, "kind");
    }

    private static string Required(string path, Dictionary<string, object?> doc, params string[] keys)
        => Get(doc, keys) ?? throw Broken(path, string.Join(".", keys));

    private static string? Get(Dictionary<string, object?> doc, params string[] keys) => Dig(doc, keys) as string;

    private static object? Dig(Dictionary<string, object?> doc, params string[] keys)
    {
        object? current = doc;
        foreach (string key in keys)
        {
            current = current is Dictionary<string, object?> m && m.TryGetValue(key, out var v) ? v : null;
        }

        return current;
    }

    private static XpkgException Broken(string path, string what)
        => new($"{path}: {what} is missing or invalid", "the state directory is written by xpkg install; restore the file or remove the state directory and install again");
}
