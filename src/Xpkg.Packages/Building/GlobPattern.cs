using System.Text;
using System.Text.RegularExpressions;
using Xpkg.Oci;

namespace Xpkg.Packages.Building;

/// <summary>
/// A file pattern with Go's <c>filepath.Match</c> syntax (what <c>crossplane xpkg build --ignore</c> uses):
/// <c>*</c> and <c>?</c> never cross a <c>/</c>, <c>[...]</c> and <c>[^...]</c> are character classes, and
/// <c>\</c> escapes. The whole path must match.
/// </summary>
internal sealed class GlobPattern
{
    private readonly Regex _regex;

    private GlobPattern(string pattern, Regex regex)
    {
        Pattern = pattern;
        _regex = regex;
    }

    public string Pattern { get; }

    public bool IsMatch(string path) => _regex.IsMatch(path);

    public static GlobPattern Parse(string pattern)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*':
                    sb.Append("[^/]*");
                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '\\' when i + 1 < pattern.Length:
                    sb.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '[':
                    i = AppendClass(pattern, i, sb);
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        sb.Append("\\z");
        return new GlobPattern(pattern, new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking));
    }

    private static int AppendClass(string pattern, int start, StringBuilder sb)
    {
        int i = start + 1;
        var cls = new StringBuilder("[");
        if (i < pattern.Length && pattern[i] == '^')
        {
            cls.Append('^');
            i++;
        }

        bool any = false;
        for (; i < pattern.Length && (pattern[i] != ']' || !any); i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                c = pattern[++i];
            }

            cls.Append(c is '\\' or ']' or '[' or '^' ? "\\" + c : c.ToString());
            any = true;
        }

        if (i >= pattern.Length)
        {
            throw new InvalidInputException($"invalid pattern \"{pattern}\": unterminated character class", "patterns use Go's filepath.Match syntax, e.g. \"*.tmp.yaml\" or \"crds/[a-c]*\"");
        }

        // A class never matches the separator, as in Go: excluded from a negated class, subtracted from others.
        sb.Append(cls).Append(cls[1] == '^' ? "/]" : "-[/]]");
        return i;
    }
}
