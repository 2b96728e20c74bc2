using System.Text;
using Xpkg.Oci;

namespace Xpkg.Install.State;

/// <summary>
/// Brings the state directory to a set of files: a file whose content is unchanged is not touched (a re-run
/// leaves every file as it was), a changed one is replaced by rename, and files in the managed directories
/// that are not in the set are removed, except those the install asked to keep.
/// </summary>
public sealed class StateWriter
{
    private readonly string _root;

    public StateWriter(string root)
    {
        _root = Path.GetFullPath(root);
    }

    /// <returns>The relative paths that were written or removed.</returns>
    public async Task<IReadOnlyList<string>> ApplyAsync(IReadOnlyDictionary<string, string> files, IReadOnlySet<string> keep, CancellationToken cancellationToken)
    {
        var changed = new List<string>();
        foreach (var (relative, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            string path = Path.Combine(_root, relative);
            byte[] bytes = Encoding.UTF8.GetBytes(content);
            if (File.Exists(path) && (await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(bytes))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temp = path + ".tmp-" + Environment.ProcessId;
            await File.WriteAllBytesAsync(temp, bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
            changed.Add(relative);
        }

        foreach (string directory in StateLayout.ManagedDirectories)
        {
            string full = Path.Combine(_root, directory);
            if (!Directory.Exists(full))
            {
                continue;
            }

            foreach (string path in Directory.EnumerateFiles(full).Order(StringComparer.Ordinal).ToList())
            {
                string relative = directory + "/" + Path.GetFileName(path);
                if (!files.ContainsKey(relative) && !keep.Contains(relative))
                {
                    File.Delete(path);
                    changed.Add(relative);
                }
            }
        }

        return changed;
    }

    /// <summary>Refuses a state directory that is a file, before any work is done.</summary>
    public void CheckUsable()
    {
        if (File.Exists(_root))
        {
            throw new InvalidInputException($"--state-dir {_root} is a file", "choose a directory; it is created when missing");
        }
    }
}
