using System.Text;
using System.Text.Json;
using Xpkg.Oci;

namespace Xpkg.Install.Input;

/// <summary>A <c>v1</c> Secret: only <c>kubernetes.io/dockerconfigjson</c> ones, whose Docker config must parse.</summary>
internal static class PullSecretDecoder
{
    public static PullSecret Decode(FieldReader metadata, FieldReader top)
    {
        string? ns = metadata.String("namespace");
        var (name, _, _) = ManifestDecoder.ReadMetadata(metadata);
        string type = top.String("type") ?? "Opaque";
        if (type != ManifestDecoder.DockerConfigJsonType)
        {
            throw new InvalidInputException($"type: Secret {name} is of type {type}", $"xpkg install reads only {ManifestDecoder.DockerConfigJsonType} Secrets (pull secrets)");
        }

        _ = top.Bool("immutable");
        var data = top.StringMap("data");
        var stringData = top.StringMap("stringData");
        string json;
        if (stringData.TryGetValue(ManifestDecoder.DockerConfigJsonKey, out var plain))
        {
            json = plain;
        }
        else if (data.TryGetValue(ManifestDecoder.DockerConfigJsonKey, out var encoded))
        {
            try
            {
                json = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                throw new InvalidInputException($"data.{ManifestDecoder.DockerConfigJsonKey}: not base64", "encode it with base64 -w0, or put the JSON under stringData");
            }
        }
        else
        {
            throw new InvalidInputException($"data.{ManifestDecoder.DockerConfigJsonKey}: required for a {ManifestDecoder.DockerConfigJsonType} Secret");
        }

        return new PullSecret(name, ns, json, ReadRegistries(json));
    }

    private static List<string> ReadRegistries(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            {
                return auths.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
            }
        }
        catch (JsonException)
        {
        }

        throw new InvalidInputException($"data.{ManifestDecoder.DockerConfigJsonKey}: not a Docker config (expected JSON with an \"auths\" object)",
            "create it with kubectl create secret docker-registry NAME --docker-server=... --dry-run=client -o yaml");
    }
}
