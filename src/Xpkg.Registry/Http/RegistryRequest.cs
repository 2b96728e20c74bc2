using Xpkg.Registry.Auth;

namespace Xpkg.Registry.Http;

/// <summary>
/// A request described rather than built, because a retry, a redirect or an auth round trip needs a fresh
/// <see cref="HttpRequestMessage"/> (and a fresh body) each time.
/// </summary>
internal sealed record RegistryRequest
{
    public required HttpMethod Method { get; init; }

    /// <summary>Path below the endpoint root (<c>…/v2/</c>), e.g. <c>library/alpine/manifests/latest</c>.</summary>
    public string? Path { get; init; }

    /// <summary>A URL the registry gave us (an upload Location, a Link), used instead of <see cref="Path"/>.</summary>
    public Uri? AbsoluteUri { get; init; }

    /// <summary>Extra query parameters, already escaped, without <c>?</c>.</summary>
    public string? Query { get; init; }

    public IReadOnlyList<string> Accept { get; init; } = [];

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Builds the body for one attempt; null for no body.</summary>
    public Func<HttpContent?>? Content { get; init; }

    /// <summary>False when the body is a one-shot stream: no retry, no redirect with a body.</summary>
    public bool CanResend { get; init; } = true;

    /// <summary>For a one-shot body: true while not a byte of it was read, so sending it again is still safe.</summary>
    public Func<bool>? BodyUntouched { get; init; }

    public bool MaySendAgain => CanResend || BodyUntouched?.Invoke() == true;

    /// <summary>
    /// False for uploads: their response comes only after the whole body went out, so the response
    /// timeout would cut off a large, slow but healthy upload.
    /// </summary>
    public bool ResponseTimeout { get; init; } = true;

    /// <summary>
    /// The repository whose login the request is sent with (a login may be for <c>host/ns</c> only); null for the
    /// registry as a whole (the <c>/v2/</c> ping), which uses the bare host's login. Required, so no request
    /// falls back to the host's login by omission.
    /// </summary>
    public required string? Repository { get; init; }

    public required ScopeSet Scopes { get; init; }

    /// <summary>What the request is for, in messages: "manifest test/tiny:latest".</summary>
    public required string What { get; init; }
}
