using System.Globalization;

namespace Xpkg.Cli;

internal static class Humanize
{
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    public static string ShortDigest(Xpkg.Oci.Digest digest) => digest.Algorithm + ":" + digest.Encoded[..12];
}
