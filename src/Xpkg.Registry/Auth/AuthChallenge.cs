using System.Text;

namespace Xpkg.Registry.Auth;

/// <summary>One challenge of a <c>WWW-Authenticate</c> header (RFC 9110 §11.6.1): a scheme and its parameters.</summary>
public sealed class AuthChallenge
{
    private AuthChallenge(string scheme, IReadOnlyDictionary<string, string> parameters)
    {
        Scheme = scheme;
        Parameters = parameters;
    }

    public string Scheme { get; }

    public IReadOnlyDictionary<string, string> Parameters { get; }

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? Realm => Parameters.TryGetValue("realm", out string? r) ? r : null;

    public string? Service => Parameters.TryGetValue("service", out string? s) ? s : null;

    /// <summary>Scopes the server asked for (space-separated in one parameter).</summary>
    public IReadOnlyList<string> Scopes
        => Parameters.TryGetValue("scope", out string? s) ? s.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];

    /// <summary>Parses every challenge of every header value; a value may hold several, separated by commas.</summary>
    public static IReadOnlyList<AuthChallenge> Parse(IEnumerable<string> headerValues)
    {
        var result = new List<AuthChallenge>();
        foreach (string value in headerValues)
        {
            ParseOne(value, result);
        }

        return result;
    }

    private static void ParseOne(string s, List<AuthChallenge> into)
    {
        int i = 0;
        string? scheme = null;
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (i < s.Length)
        {
            SkipSeparators(s, ref i);
            int start = i;
            while (i < s.Length && IsTokenChar(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                i++; // garbage: skip a character rather than loop forever
                continue;
            }

            string token = s[start..i];
            int afterToken = i;
            SkipSpaces(s, ref i);
            if (i < s.Length && s[i] == '=' && scheme is not null)
            {
                i++;
                SkipSpaces(s, ref i);
                parameters[token] = ReadValue(s, ref i);
                continue;
            }

            // A token not followed by '=' starts a new challenge.
            if (scheme is not null)
            {
                into.Add(new AuthChallenge(scheme, parameters));
                parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            }

            scheme = token;
            i = afterToken;
        }

        if (scheme is not null)
        {
            into.Add(new AuthChallenge(scheme, parameters));
        }
    }

    private static string ReadValue(string s, ref int i)
    {
        if (i < s.Length && s[i] == '"')
        {
            var sb = new StringBuilder();
            i++;
            while (i < s.Length && s[i] != '"')
            {
                if (s[i] == '\\' && i + 1 < s.Length)
                {
                    i++;
                }

                sb.Append(s[i]);
                i++;
            }

            i++; // closing quote
            return sb.ToString();
        }

        int start = i;
        while (i < s.Length && s[i] != ',' && s[i] != ' ')
        {
            i++;
        }

        return s[start..i];
    }

    private static void SkipSeparators(string s, ref int i)
    {
        while (i < s.Length && (s[i] == ',' || char.IsWhiteSpace(s[i])))
        {
            i++;
        }
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && s[i] == ' ')
        {
            i++;
        }
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
