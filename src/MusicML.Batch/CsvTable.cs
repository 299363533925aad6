using System.Globalization;
using CsvHelper;

namespace MusicML.Batch;

/// <summary>
/// The one CSV writer of the commands that write per-track tables (<c>analyze --format csv</c>, <c>tag --format csv</c>,
/// <c>features summary</c>, <c>batch</c>'s results and errors): CsvHelper, RFC 4180 quoting (only where a field
/// needs it), invariant culture, <c>\n</c> line ends.
/// </summary>
public sealed class CsvTable : IDisposable
{
    private readonly CsvWriter _csv;
    private readonly int _columns;

    /// <summary>Starts a table on <paramref name="writer"/> (left open) and writes its header.</summary>
    public CsvTable(TextWriter writer, IReadOnlyList<string> columns)
    {
        _csv = CsvWriter.Create(writer, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true);
        _columns = columns.Count;
        WriteRow(columns);
    }

    /// <summary>Writes one row; it must have as many fields as the header.</summary>
    /// <exception cref="ArgumentException">A different number of fields.</exception>
    public void WriteRow(IReadOnlyList<string> fields)
    {
        if (fields.Count != _columns) throw new ArgumentException($"a row of {fields.Count} fields in a table of {_columns} columns", nameof(fields));
        foreach (var field in fields) _csv.WriteField(field);
        _csv.EndRecord();
    }

    /// <summary>Writes the rows so far through to the writer (for output that streams, one record per track).</summary>
    public void Flush() => _csv.Flush();

    /// <summary>The text of a whole table.</summary>
    public static string ToText(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var table = new CsvTable(text, columns))
            foreach (var row in rows) table.WriteRow(row);
        return text.ToString();
    }

    /// <summary>Flushes the rows to the writer.</summary>
    public void Dispose()
    {
        _csv.Flush();
        _csv.Dispose();
    }
}
