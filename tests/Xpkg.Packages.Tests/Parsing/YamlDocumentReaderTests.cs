using Xpkg.Oci;
using Xpkg.Packages.Parsing;

namespace Xpkg.Packages.Tests.Parsing;

public class YamlDocumentReaderTests
{
    private static async Task<List<RawYamlDocument>> Split(string text)
    {
        var reader = new YamlDocumentReader(new StringReader(text), "s.yaml");
        var docs = new List<RawYamlDocument>();
        while (await reader.ReadAsync(CancellationToken.None) is { } d)
        {
            docs.Add(d);
        }

        return docs;
    }

    [Fact]
    public async Task Splits_on_separator_lines_only()
    {
        var docs = await Split("a: 1\n---\nb: |\n  ---not a separator\n  x\n---   \nc: 3");
        Assert.Equal(["a: 1\n", "b: |\n  ---not a separator\n  x\n", "c: 3\n"], docs.Select(d => d.Text));
        Assert.Equal([1, 3, 7], docs.Select(d => d.Line));
        Assert.Equal([1, 2, 3], docs.Select(d => d.Index));
    }

    [Fact]
    public async Task Leading_separators_open_documents_and_a_trailing_one_adds_nothing()
    {
        var docs = await Split("---\n---\na: 1\n---\n");
        var doc = Assert.Single(docs);
        Assert.Equal("a: 1\n", doc.Text);
        Assert.Equal(3, doc.Line);
    }

    [Fact]
    public async Task Crlf_is_normalised_and_a_final_line_without_newline_is_kept()
    {
        var docs = await Split("a: 1\r\nb: 2");
        Assert.Equal("a: 1\nb: 2\n", Assert.Single(docs).Text);
    }

    [Theory]
    [InlineData("# only a comment\n", true)]
    [InlineData("  \n\t\n...\n", true)]
    [InlineData("#!/bin/shebang\n", true)]
    [InlineData("a: 1\n", false)]
    [InlineData("  # indented comment\n  x: 1\n", false)]
    public async Task Emptiness_follows_crossplane(string text, bool empty)
        => Assert.Equal(empty, Assert.Single(await Split(text)).IsEmpty);

    [Fact]
    public async Task Long_lines_span_buffer_refills()
    {
        string value = new('x', 100_000);
        var doc = Assert.Single(await Split($"a: {value}\nb: 2\n"));
        Assert.Equal($"a: {value}\nb: 2\n", doc.Text);
    }

    [Fact]
    public async Task Content_after_a_separator_is_an_error()
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Split("a: 1\n---a: 2\n"));
        Assert.Equal("s.yaml: line 2: invalid YAML document separator: a: 2", e.Message);
    }
}
