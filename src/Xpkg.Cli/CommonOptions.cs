using System.CommandLine;
using Xpkg.Oci;
using Xpkg.Transfer;

namespace Xpkg.Cli;

/// <summary>Options several commands share, each added to the commands that take it.</summary>
internal static class CommonOptions
{
    public static readonly Option<bool> Explain = new("--explain") { Description = "print every decision: reference, policy, endpoint, TLS, auth, digest" };

    public static readonly Option<string> Policy = new("--policy")
    {
        Description = "IfNotPresent (default: the cache answers with no network), Always or Never",
        DefaultValueFactory = _ => "IfNotPresent",
    };

    public static readonly Option<string?> Platform = new("--platform") { Description = "OS/ARCH[/VARIANT] to keep from an index (default linux/amd64)" };

    public static readonly Option<bool> AllPlatforms = new("--all-platforms") { Description = "keep every platform of an index" };

    public static readonly Option<int> Jobs = new("--jobs", "-j") { Description = "blobs moved at once", DefaultValueFactory = _ => 4 };

    /// <summary>Referrers of referrers are followed this deep (a signature of an SBOM of an image is depth 2).</summary>
    public const int ReferrersDepth = 8;

    public static readonly Option<bool> Referrers = new("--referrers")
    {
        Description = $"also copy referrers (signatures, SBOMs: manifests whose subject is a copied manifest), theirs too, {ReferrersDepth} levels deep",
    };

    static CommonOptions()
    {
        Policy.AcceptOnlyFromAmong("IfNotPresent", "Always", "Never");
    }

    public static CopyOptions CopyOptions(CliContext ctx, ICopyObserver observer, bool platformOptions = true)
    {
        Platform? platform = null;
        if (platformOptions && !(ctx.Parse.GetResult(AllPlatforms) is not null && ctx.Get(AllPlatforms)))
        {
            platform = ctx.Parse.GetResult(Platform) is not null && ctx.Get(Platform) is { } p ? Oci.Platform.Parse(p) : Oci.Platform.Default;
        }

        int jobs = ctx.Parse.GetResult(Jobs) is not null ? ctx.Get(Jobs) : 4;
        if (jobs is < 1 or > 64)
        {
            throw new InvalidInputException($"--jobs {jobs}: give 1 to 64");
        }

        bool referrers = ctx.Parse.GetResult(Referrers) is not null && ctx.Get(Referrers);
        return new CopyOptions { Platforms = platform is null ? null : [platform], Jobs = jobs, Observer = observer, ReferrersDepth = referrers ? ReferrersDepth : 0 };
    }
}
