using MusicML.Batch;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MusicML.Core;
using MusicML.Tagging;

namespace MusicML.Cli.Commands;

/// <summary>
/// Writes <c>musicml tag</c>'s results one track at a time as they arrive (so a catalogue is never held in memory),
/// in one of three formats:
/// <list type="bullet">
/// <item>tsv: one line per track, <c>PATH&lt;TAB&gt;TAG:PROB&lt;TAB&gt;TAG:PROB…</c>, the kept tags best first (split a
/// field at its last colon);
/// probabilities with 6 decimals; tab, CR, LF and backslash in the path written as <c>\t</c>, <c>\r</c>, <c>\n</c>,
/// <c>\\</c>. A track with no tag kept is its path alone.</item>
/// <item>csv: a header <c>path,TAG,TAG,…</c> (every tag in the model's output order) and one row per track with every
/// probability (6 decimals); RFC 4180 quoting.</item>
/// <item>json: an array with one object per track on its own line, <c>{"path":…,"tags":[{"tag":…,"probability":…}]}</c>,
/// the kept tags best first, probabilities as the shortest float32 round-trip.</item>
/// </list>
/// Top-k and threshold choose the kept tags for tsv and json; csv always has them all.
/// </summary>
internal sealed class TagOutput
{
    private readonly TextWriter _writer;
    private readonly string _format;
    private readonly int _topK;
    private readonly double _threshold;
    private readonly CsvTable? _csv;
    private int _written;

    /// <summary>Starts writing <paramref name="format"/> (tsv, csv or json) to <paramref name="writer"/>; csv writes its header now.</summary>
    public TagOutput(TextWriter writer, string format, IReadOnlyList<string> tags, int topK, double threshold)
    {
        (_writer, _format, _topK, _threshold) = (writer, format, topK, threshold);
        if (format == "csv") _csv = new CsvTable(writer, [.. tags.Prepend("path")]);
        else if (format == "json") _writer.Write("[");
    }

    /// <summary>The tags a tsv or json record keeps: the <c>topK</c> most probable at or above the threshold, best first.</summary>
    public IEnumerable<(string Tag, float Probability)> Kept(TrackTags tags) => tags.Top(_topK).Where(t => t.Probability >= _threshold);

    /// <summary>Writes one track's line or record.</summary>
    public void Write(string path, TrackTags tags)
    {
        switch (_format)
        {
            case "tsv":
                var line = new StringBuilder(EscapeTsv(path));
                foreach (var (tag, p) in Kept(tags)) line.Append('\t').Append(EscapeTsv(tag)).Append(':').Append(Fixed(p));
                _writer.Write(line.Append('\n').ToString());
                break;
            case "csv":
                _csv!.WriteRow([.. tags.Probabilities.Select(Fixed).Prepend(path)]);
                _csv.Flush();
                break;
            default:
                _writer.Write((_written == 0 ? "\n" : ",\n") + JsonRecord(path, Kept(tags)));
                break;
        }
        _written++;
        _writer.Flush();
    }

    /// <summary>Ends the output (closes the json array).</summary>
    public void Finish()
    {
        if (_format == "json") _writer.Write(_written == 0 ? "]\n" : "\n]\n");
        _csv?.Dispose();
        _writer.Flush();
    }

    private static string JsonRecord(string path, IEnumerable<(string Tag, float Probability)> kept)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps non-ASCII paths and tags readable; the output is a data file, never embedded in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("path", path);
            json.WriteStartArray("tags");
            foreach (var (tag, p) in kept)
            {
                json.WriteStartObject();
                json.WriteString("tag", tag);
                json.WriteNumber("probability", p);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Fixed(float p) => p.ToString("F6", CultureInfo.InvariantCulture);

    /// <summary>Backslash escapes for the characters that would break a TSV line or field (and for the backslash itself).</summary>
    internal static string EscapeTsv(string field) =>
        field.AsSpan().IndexOfAny("\t\n\r\\") < 0
            ? field
            : field.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)
                .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
