using System.Text;

namespace MusicML.Core;

/// <summary>One line of a comma-separated file, as RFC 4180 reads it.</summary>
public static class CsvLine
{
    /// <summary>
    /// One field as RFC 4180 writes it: double-quoted, with each <c>"</c> doubled, when it holds a comma, a quote, a
    /// line feed or a carriage return; as it is otherwise.
    /// </summary>
    public static string Quote(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }

    /// <summary>
    /// Splits <paramref name="line"/> into its fields: a field may be double-quoted, <c>""</c> is a quote inside one,
    /// and commas inside quotes do not split. Fields are returned as written (not trimmed).
    /// </summary>
    public static string[] Split(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return [.. fields];
    }
}
