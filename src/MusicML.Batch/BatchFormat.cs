namespace MusicML.Batch;

/// <summary>The output formats of a catalogue run (<c>--format</c>).</summary>
public enum BatchFormat
{
    /// <summary><c>results.csv</c> (CsvHelper) and <c>events.jsonl</c>.</summary>
    Csv,
    /// <summary><c>results.jsonl</c>: one JSON object per track, row fields, events and every tag.</summary>
    Jsonl,
    /// <summary><c>results.sqlite</c>: tables tracks, events, tags, errors.</summary>
    Sqlite,
    /// <summary><c>tracks.parquet</c>, <c>events.parquet</c>, <c>tags.parquet</c>, <c>errors.parquet</c>.</summary>
    Parquet,
}

/// <summary>Names of <see cref="BatchFormat"/>.</summary>
public static class BatchFormatNames
{
    /// <summary>The names, as <c>--format</c> accepts them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["csv", "jsonl", "sqlite", "parquet"];

    /// <summary>Parses a name.</summary>
    /// <exception cref="BatchUsageException">Unknown.</exception>
    public static BatchFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "csv" => BatchFormat.Csv,
        "jsonl" => BatchFormat.Jsonl,
        "sqlite" => BatchFormat.Sqlite,
        "parquet" => BatchFormat.Parquet,
        _ => throw new BatchUsageException($"--format: unknown format '{name}'; choose from {string.Join(", ", Names)}."),
    };
}
