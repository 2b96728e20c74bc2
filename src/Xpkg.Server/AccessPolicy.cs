using System.Text;

namespace Xpkg.Server;

/// <summary>
/// Who may do what: Basic authentication against an htpasswd file (anonymous pulls allowed unless told
/// otherwise, pushes and deletes always need a user) and the read-only switch.
/// </summary>
internal sealed class AccessPolicy(Htpasswd? users, bool authenticatePulls, bool readOnly)
{
    public const string UserItem = "xpkg.user";
    private const string Realm = "xpkg";

    /// <summary>The error to answer instead of serving the request, or null to go ahead.</summary>
    public RegistryError? Check(HttpContext context, RegistryRoute route)
    {
        bool write = !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method));
        if (users is not null)
        {
            var (present, user) = Authenticate(context.Request);
            if (user is not null)
            {
                context.Items[UserItem] = user;
            }
            else if (present || write || authenticatePulls || route.Kind == RouteKind.Base)
            {
                // /v2/ challenges anonymous callers so clients with credentials learn to send them;
                // anonymous pullers go on without, as they do with other registries.
                context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\"";
                return RegistryError.Unauthorized();
            }
        }

        if (write && readOnly)
        {
            return RegistryError.Unsupported("this registry is read-only");
        }

        return null;
    }

    /// <summary>Whether an Authorization header was sent, and the user when its credentials are right.</summary>
    private (bool Present, string? User) Authenticate(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return (false, null);
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return (true, null);
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return (true, null);
        }

        int colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon == 0)
        {
            // Some clients (containers/image) answer a Basic challenge with empty credentials: that is anonymous.
            return (false, null);
        }

        if (colon < 0)
        {
            return (true, null);
        }

        string user = decoded[..colon];
        return (true, users!.Verify(user, decoded[(colon + 1)..]) ? user : null);
    }
}
