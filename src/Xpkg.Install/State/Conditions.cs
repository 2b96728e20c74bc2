namespace Xpkg.Install.State;

/// <summary>
/// Status conditions with Crossplane's types and reasons. <c>lastTransitionTime</c> is left out so that a
/// re-run writes identical files; Kubernetes fills it in when the status is applied.
/// </summary>
internal static class Conditions
{
    public static Dictionary<string, object?> Make(string type, string status, string reason, string? message = null)
    {
        var c = new Dictionary<string, object?>(StringComparer.Ordinal) { ["type"] = type, ["status"] = status, ["reason"] = reason };
        if (message is not null)
        {
            c["message"] = message;
        }

        return c;
    }
}
