using System.Text.Json;

namespace Xpkg.Server.ClusterConfig;

/// <summary>Quoting for the generated TOML, YAML and shell text.</summary>
internal static class ConfigText
{
    /// <summary>
    /// A double-quoted string: JSON's escapes (<c>\"</c>, <c>\\</c>, <c>\uXXXX</c>) mean the same in TOML basic strings
    /// and YAML double-quoted scalars, so one quoting serves both.
    /// </summary>
    public static string Quote(string value) => JsonSerializer.Serialize(value);

    /// <summary>A word for a POSIX shell: as is when it has nothing the shell would interpret, single-quoted otherwise.</summary>
    public static string ShellWord(string value)
        => value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "/._-:=+@,".Contains(c, StringComparison.Ordinal))
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
