using System.Text;

namespace Xpkg.Testing;

/// <summary>What the fake server answers; it can also lie: cut the body short or stall in the middle of it.</summary>
public sealed class FakeResponse
{
    public int Status { get; init; } = 200;

    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public byte[] Body { get; init; } = [];

    /// <summary>Send only this many body bytes (Content-Length still says all), then close.</summary>
    public int? CutAfter { get; init; }

    /// <summary>After <see cref="CutAfter"/> bytes, wait this long before closing (a stall).</summary>
    public TimeSpan Stall { get; init; }

    /// <summary>After <see cref="CutAfter"/> bytes, wait until this completes, then send the rest (a stall the test ends).</summary>
    public Task? ResumeWhen { get; init; }

    public static FakeResponse Json(string json, int status = 200, string contentType = "application/json")
        => new() { Status = status, Body = Encoding.UTF8.GetBytes(json), Headers = { ["Content-Type"] = contentType } };

    public static FakeResponse Status_(int status) => new() { Status = status };
}
