using System.Text.Json;

namespace Xpkg.Server;

/// <summary>An error response of the distribution spec: a status and <c>{"errors":[{code,message,detail}]}</c>.</summary>
public sealed record RegistryError(int Status, string Code, string Message, string? Detail = null)
{
    public static RegistryError BlobUnknown(string? detail = null) => new(404, "BLOB_UNKNOWN", "blob unknown to registry", detail);

    public static RegistryError BlobUploadInvalid(string detail) => new(400, "BLOB_UPLOAD_INVALID", "blob upload invalid", detail);

    public static RegistryError BlobUploadUnknown() => new(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");

    public static RegistryError DigestInvalid(string detail) => new(400, "DIGEST_INVALID", "provided digest did not match uploaded content", detail);

    public static RegistryError ManifestInvalid(string detail) => new(400, "MANIFEST_INVALID", "manifest invalid", detail);

    public static RegistryError ManifestUnknown(string? detail = null) => new(404, "MANIFEST_UNKNOWN", "manifest unknown to registry", detail);

    public static RegistryError NameInvalid(string detail) => new(400, "NAME_INVALID", "invalid repository name", detail);

    public static RegistryError NameUnknown(string name) => new(404, "NAME_UNKNOWN", "repository name not known to registry", name);

    public static RegistryError SizeInvalid(string detail) => new(400, "SIZE_INVALID", "provided length did not match content length", detail);

    public static RegistryError Unauthorized() => new(401, "UNAUTHORIZED", "authentication required");

    public static RegistryError Denied(string detail) => new(403, "DENIED", "requested access to the resource is denied", detail);

    public static RegistryError Unsupported(string detail) => new(405, "UNSUPPORTED", "the operation is unsupported", detail);

    public static RegistryError TooLarge(string detail) => new(413, "SIZE_INVALID", "provided length did not match content length", detail);

    public static RegistryError RangeInvalid(string detail) => new(416, "BLOB_UPLOAD_INVALID", "blob upload invalid", detail);

    public async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("errors");
            json.WriteStartObject();
            json.WriteString("code", Code);
            json.WriteString("message", Message);
            if (Detail is null)
            {
                json.WriteNull("detail");
            }
            else
            {
                json.WriteString("detail", Detail);
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
        }
    }
}
