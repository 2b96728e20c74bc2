using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Xpkg.Oci;

namespace Xpkg.Server;

/// <summary>
/// Users from an htpasswd file with bcrypt entries (<c>user:$2y$…</c>, as <c>htpasswd -B</c> writes).
/// bcrypt is slow on purpose, so a successful check is remembered as a salted hash of the password for
/// a few minutes; passwords themselves are never kept.
/// </summary>
public sealed class Htpasswd
{
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);
    private readonly IReadOnlyDictionary<string, string> _hashes;
    private readonly ConcurrentDictionary<string, (byte[] Proof, DateTime Until)> _recent = new(StringComparer.Ordinal);
    private readonly byte[] _salt = RandomNumberGenerator.GetBytes(32);

    private Htpasswd(IReadOnlyDictionary<string, string> hashes) => _hashes = hashes;

    public int Count => _hashes.Count;

    public static Htpasswd Load(string path)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string hash = colon > 0 ? line[(colon + 1)..] : "";
            if (!hash.StartsWith("$2", StringComparison.Ordinal))
            {
                throw new InvalidInputException($"{path} line {lineNumber} is not a bcrypt entry",
                    "create entries with: htpasswd -Bbn USER PASSWORD >> FILE");
            }

            hashes[line[..colon]] = hash;
        }

        if (hashes.Count == 0)
        {
            throw new InvalidInputException($"{path} has no users", "create one with: htpasswd -Bbn USER PASSWORD > FILE");
        }

        return new Htpasswd(hashes);
    }

    public bool Verify(string user, string password)
    {
        if (!_hashes.TryGetValue(user, out string? hash))
        {
            // Spend the same bcrypt time as for a known user, so timing does not tell which users exist.
            _ = SafeVerify(password, _hashes.Values.First());
            return false;
        }

        byte[] proof = HMACSHA256.HashData(_salt, Encoding.UTF8.GetBytes(user + "\0" + password));
        if (_recent.TryGetValue(user, out var known) && known.Until > DateTime.UtcNow && CryptographicOperations.FixedTimeEquals(known.Proof, proof))
        {
            return true;
        }

        bool ok = SafeVerify(password, hash);
        if (ok)
        {
            _recent[user] = (proof, DateTime.UtcNow + RememberFor);
        }

        return ok;
    }

    private static bool SafeVerify(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }
}
