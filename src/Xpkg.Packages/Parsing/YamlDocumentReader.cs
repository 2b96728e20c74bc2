using System.Text;
using Xpkg.Oci;

namespace Xpkg.Packages.Parsing;

/// <summary>
/// Splits a YAML stream into documents the way Kubernetes' <c>yaml.NewYAMLReader</c> does (which Crossplane
/// uses): a line starting with <c>---</c> ends the current document; only spaces or a comment may follow
/// the marker. Lines end at <c>\n</c> (a preceding <c>\r</c> is dropped). Reads incrementally, so only one
/// document is in memory at a time.
/// </summary>
internal sealed class YamlDocumentReader
{
    private const string Separator = "---";

    private readonly TextReader _reader;
    private readonly string _sourceName;
    private readonly StringBuilder _line = new();
    private readonly char[] _chars = new char[16 * 1024];
    private int _position;
    private int _length;
    private int _lineNumber;
    private int _documentIndex;
    private bool _eof;

    public YamlDocumentReader(TextReader reader, string sourceName)
    {
        _reader = reader;
        _sourceName = sourceName;
    }

    /// <summary>The next document, or null at the end of the stream.</summary>
    public async Task<RawYamlDocument?> ReadAsync(CancellationToken cancellationToken)
    {
        var buffer = new StringBuilder();
        int startLine = _lineNumber + 1;
        while (true)
        {
            string? line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                return buffer.Length > 0 ? Next(buffer, startLine) : null;
            }

            if (line.StartsWith(Separator, StringComparison.Ordinal))
            {
                string rest = line[Separator.Length..].Trim();
                if (rest.Length > 0 && rest[0] != '#')
                {
                    throw new InvalidInputException(
                        $"{_sourceName}: line {_lineNumber}: invalid YAML document separator: {rest}",
                        "a document separator line may only be followed by spaces or a comment");
                }

                if (buffer.Length > 0)
                {
                    return Next(buffer, startLine);
                }

                // A separator before any content opens the document; it is not part of it.
                startLine = _lineNumber + 1;
                continue;
            }

            buffer.Append(line).Append('\n');
        }
    }

    private RawYamlDocument Next(StringBuilder buffer, int startLine)
        => new(buffer.ToString(), ++_documentIndex, startLine);

    // A reader that rejects invalid bytes (every caller that reads packages or manifests) throws mid-read.
    private async Task<int> FillAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _reader.ReadAsync(_chars.AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidInputException($"{_sourceName}: not UTF-8 text", inner: e);
        }
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.Clear();
        while (true)
        {
            if (_position == _length)
            {
                _length = _eof ? 0 : await FillAsync(cancellationToken).ConfigureAwait(false);
                _position = 0;
                if (_length == 0)
                {
                    _eof = true;
                    break;
                }
            }

            int newline = Array.IndexOf(_chars, '\n', _position, _length - _position);
            if (newline < 0)
            {
                _line.Append(_chars, _position, _length - _position);
                _position = _length;
                continue;
            }

            _line.Append(_chars, _position, newline - _position);
            _position = newline + 1;
            _lineNumber++;
            if (_line.Length > 0 && _line[^1] == '\r')
            {
                _line.Length--;
            }

            return _line.ToString();
        }

        if (_line.Length == 0)
        {
            return null;
        }

        _lineNumber++;
        return _line.ToString();
    }
}
