namespace Xpkg.Cli;

/// <summary>A plain aligned table, as <c>docker images</c> prints; cheap enough for thousands of rows.</summary>
internal static class TextTable
{
    public static void Write(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var output = new System.Text.StringBuilder();
        Append(output, headers, widths);
        foreach (var row in rows)
        {
            Append(output, row, widths);
        }

        Console.Out.Write(output.ToString());
    }

    private static void Append(System.Text.StringBuilder output, IReadOnlyList<string> cells, int[] widths)
    {
        for (int i = 0; i < cells.Count; i++)
        {
            output.Append(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i] + 3));
        }

        output.Append('\n');
    }
}
