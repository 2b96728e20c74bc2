using System.Text.Json;

namespace Xpkg.Server;

/// <summary>end-8a/8b (tags of a repository) and <c>/v2/_catalog</c> (the repositories), both paginated.</summary>
internal sealed class ListingEndpoints(RepositoryMap repositories)
{
    public async Task TagsAsync(HttpContext context, RegistryRoute route)
    {
        var tags = await repositories.TagsAsync(route.Name, context.RequestAborted).ConfigureAwait(false);
        if (tags is null)
        {
            await RegistryError.NameUnknown(route.Name).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        await WritePageAsync(context, tags, "/v2/" + route.Name + "/tags/list", "tags", route.Name).ConfigureAwait(false);
    }

    public async Task CatalogAsync(HttpContext context)
    {
        var names = await repositories.RepositoriesAsync(context.RequestAborted).ConfigureAwait(false);
        await WritePageAsync(context, names, "/v2/_catalog", "repositories", null).ConfigureAwait(false);
    }

    internal static async Task WritePageAsync(HttpContext context, IReadOnlyList<string> sorted, string path, string property, string? name)
    {
        var page = Page.Take(sorted, context.Request, path);
        if (page is null)
        {
            await new RegistryError(400, "PAGINATION_NUMBER_INVALID", "invalid number of results requested", context.Request.Query["n"]).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (page.NextLink is not null)
        {
            ResponseHeaders.Set(context.Response, "Link", page.NextLink);
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (name is not null)
            {
                json.WriteString("name", name);
            }

            json.WriteStartArray(property);
            foreach (var item in page.Items)
            {
                json.WriteStringValue(item);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }
}
