// PackageParseBench PACKAGE_YAML [WARMUP] [RUNS]: times Xpkg.Packages.PackageParser.ParseAsync on one
// package.yaml held in memory. Prints first_ms (the first, cold call), median_ms, p99_ms, min_ms and the
// number of objects parsed, one "name value" pair a line.
using System.Diagnostics;
using System.Globalization;
using Xpkg.Packages;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: PackageParseBench PACKAGE_YAML [WARMUP] [RUNS]");
    return 2;
}

var bytes = await File.ReadAllBytesAsync(args[0]).ConfigureAwait(false);
var warmup = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;

var sw = Stopwatch.StartNew();
var first = await ParseOnce(bytes).ConfigureAwait(false);
var firstMs = sw.Elapsed.TotalMilliseconds;

for (var i = 0; i < warmup; i++)
{
    await ParseOnce(bytes).ConfigureAwait(false);
}

var times = new double[runs];
for (var i = 0; i < runs; i++)
{
    var start = Stopwatch.GetTimestamp();
    await ParseOnce(bytes).ConfigureAwait(false);
    times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}

Array.Sort(times);
var inv = CultureInfo.InvariantCulture;
Console.WriteLine(string.Create(inv, $"bytes {bytes.Length}"));
Console.WriteLine(string.Create(inv, $"metas {first.Metas.Count}"));
Console.WriteLine(string.Create(inv, $"objects {first.Objects.Count}"));
Console.WriteLine(string.Create(inv, $"first_ms {firstMs:F3}"));
Console.WriteLine(string.Create(inv, $"median_ms {times[runs / 2]:F3}"));
Console.WriteLine(string.Create(inv, $"p99_ms {times[Math.Min(runs - 1, (int)Math.Ceiling(runs * 0.99) - 1)]:F3}"));
Console.WriteLine(string.Create(inv, $"min_ms {times[0]:F3}"));
return 0;

static async Task<ParsedPackage> ParseOnce(byte[] bytes)
{
    using var stream = new MemoryStream(bytes, writable: false);
    return await PackageParser.ParseAsync(stream, "package.yaml", CancellationToken.None).ConfigureAwait(false);
}
