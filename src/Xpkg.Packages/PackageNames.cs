using System.Text;
using Xpkg.Oci;

namespace Xpkg.Packages;

/// <summary>
/// Crossplane's naming helpers (crossplane-runtime <c>pkg/xpkg/name.go</c>), byte for byte: revision names,
/// cache keys, dependency package names and the package source of a reference are all derived with these,
/// so any difference would make us disagree with a cluster about what is installed.
/// </summary>
public static class PackageNames
{
    /// <summary>The conventional name of the package metadata file in a package root.</summary>
    public const string MetaFile = "crossplane.yaml";

    /// <summary>The name of the package stream inside the base layer.</summary>
    public const string StreamFile = "package.yaml";

    /// <summary>The examples stream inside the examples layer.</summary>
    public const string ExamplesFile = ".up/examples.yaml";

    public const string Extension = ".xpkg";

    /// <summary>The layer annotation key, and the prefix of the config labels that stand in for it.</summary>
    public const string AnnotationKey = "io.crossplane.xpkg";

    /// <summary>The annotation value of the layer holding <c>package.yaml</c>.</summary>
    public const string PackageAnnotation = "base";

    /// <summary>The annotation value of the examples layer (the name is kept for compatibility).</summary>
    public const string ExamplesAnnotation = "upbound";

    private const int MaxLabelIndex = 62;

    /// <summary>
    /// Makes a DNS label the way Crossplane does: keeps <c>a-z0-9</c>, turns <c>. / : -</c> into <c>-</c>
    /// except at the first, 63rd and last position, drops everything else (uppercase included), looks at
    /// no more than 63 characters, then trims <c>-</c> from both ends.
    /// </summary>
    public static string ToDnsLabel(string s) => ToDnsLabel(Encoding.UTF8.GetBytes(s));

    /// <summary>
    /// <c>ToDNSLabel(name[:50] + "-" + hash[:12])</c>, with the cuts made in UTF-8 bytes as Go slices strings.
    /// Revision names are <c>FriendlyID(package name, digest hex)</c>; cache keys use the whole
    /// <c>sha256:…</c> digest, which keeps only five hex digits.
    /// </summary>
    public static string FriendlyId(string name, string hash)
    {
        byte[] n = Encoding.UTF8.GetBytes(name);
        byte[] h = Encoding.UTF8.GetBytes(hash);
        var joined = new byte[Math.Min(n.Length, 50) + 1 + Math.Min(h.Length, 12)];
        n.AsSpan(0, Math.Min(n.Length, 50)).CopyTo(joined);
        joined[Math.Min(n.Length, 50)] = (byte)'-';
        h.AsSpan(0, Math.Min(h.Length, 12)).CopyTo(joined.AsSpan(Math.Min(n.Length, 50) + 1));
        return ToDnsLabel(joined);
    }

    /// <summary>
    /// The package source: the reference as written with its tag or digest removed and trailing
    /// <c>:</c>/<c>@</c> trimmed. The registry is not normalised (<c>docker.io/x/y:v1</c> stays
    /// <c>docker.io/x/y</c>), because dependencies are compared with what the user wrote.
    /// </summary>
    public static string PackageSource(ImageReference reference)
    {
        string s = reference.Original;
        string identifier = reference.Identifier;
        if (s.EndsWith(identifier, StringComparison.Ordinal))
        {
            s = s[..^identifier.Length];
        }

        return s.TrimEnd(':', '@');
    }

    /// <summary>The package source of a reference string; see <see cref="PackageSource(ImageReference)"/>.</summary>
    public static string PackageSource(string reference) => PackageSource(ImageReference.Parse(reference));

    /// <summary>
    /// Joins <paramref name="directory"/> and <paramref name="name"/> and replaces the last extension with
    /// <paramref name="extension"/>, as Crossplane's <c>BuildPath</c> does.
    /// </summary>
    public static string BuildPath(string directory, string name, string extension)
        => ReplaceExtension(name.Length == 0 ? directory : Path.Join(directory, name), extension);

    /// <summary>Replaces the part after the last dot of the file name (<c>archive.tar.gz</c> → <c>archive.tar.zip</c>).</summary>
    public static string ReplaceExtension(string path, string extension)
    {
        string ext = Path.GetExtension(path);
        return path[..^ext.Length] + extension;
    }

    // Go ranges over a string by rune start offsets; invalid UTF-8 advances one byte at a time.
    private static string ToDnsLabel(ReadOnlySpan<byte> s)
    {
        var cut = new StringBuilder(Math.Min(s.Length, MaxLabelIndex + 1));
        int i = 0;
        while (i < s.Length)
        {
            byte b = s[i];
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9'))
            {
                cut.Append((char)b);
            }

            if (b is (byte)'.' or (byte)'/' or (byte)':' or (byte)'-' && i != 0 && i != MaxLabelIndex && i != s.Length - 1)
            {
                cut.Append('-');
            }

            if (i == MaxLabelIndex)
            {
                break;
            }

            i += System.Text.Rune.DecodeFromUtf8(s[i..], out _, out int consumed) == System.Buffers.OperationStatus.Done ? consumed : 1;
        }

        return cut.ToString().Trim('-');
    }
}
