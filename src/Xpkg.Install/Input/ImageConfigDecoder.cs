using Xpkg.Oci;

namespace Xpkg.Install.Input;

/// <summary>A <c>pkg.crossplane.io/v1beta1</c> ImageConfig: prefixes, pull secret, rewrite, verification, runtime.</summary>
internal static class ImageConfigDecoder
{
    public static ImageConfigSpec Decode(FieldReader metadata, FieldReader? spec)
    {
        var (name, _, _) = ManifestDecoder.ReadMetadata(metadata);
        if (spec is null)
        {
            throw new InvalidInputException("spec.matchImages: required");
        }

        var prefixes = new List<string>();
        foreach (var match in spec.MappingList("matchImages"))
        {
            string type = match.String("type") ?? "Prefix";
            if (type != "Prefix")
            {
                throw new InvalidInputException($"{match.Path}.type: \"{type}\" is not supported", "Prefix is the only match type");
            }

            prefixes.Add(match.RequiredString("prefix"));
            match.RejectUnknown();
        }

        if (prefixes.Count == 0)
        {
            throw new InvalidInputException("spec.matchImages: at least one prefix is required");
        }

        string? secret = null;
        if (spec.Mapping("registry") is { } registry)
        {
            if (registry.Mapping("authentication") is { } auth)
            {
                secret = auth.Mapping("pullSecretRef")?.RequiredString("name");
                auth.RejectUnknown();
            }

            registry.RejectUnknown();
        }

        string? rewrite = null;
        if (spec.Mapping("rewriteImage") is { } rewriteImage)
        {
            rewrite = rewriteImage.String("prefix") is { Length: > 0 } p ? p : throw new InvalidInputException("spec.rewriteImage.prefix: rewrite prefix is missing");
            rewriteImage.RejectUnknown();
        }

        string? runtime = null;
        if (spec.Mapping("runtime") is { } runtimeSection)
        {
            runtime = runtimeSection.Mapping("configRef")?.RequiredString("name");
            runtimeSection.RejectUnknown();
        }

        var result = new ImageConfigSpec
        {
            Name = name,
            Prefixes = prefixes,
            PullSecretName = secret,
            RewritePrefix = rewrite,
            HasVerification = spec.Raw("verification") is not null,
            RuntimeConfigName = runtime,
        };
        spec.RejectUnknown();
        return result;
    }
}
