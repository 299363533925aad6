using System.Globalization;
using MusicML.Mir.Analysis;

namespace MusicML.Batch;

/// <summary>How a results column is typed in SQLite and Parquet (CSV holds the same text).</summary>
public enum ColumnKind
{
    /// <summary>Text.</summary>
    Text,
    /// <summary>A whole number (counts, sample rate, channels).</summary>
    Integer,
    /// <summary>A real number (seconds, BPM, cents, feature values).</summary>
    Real,
}

/// <summary>
/// The columns of a catalogue run's results table, one row per track: the analysis record's
/// (<see cref="AnalysisRecords.CsvColumns"/>, with the track id and channel count after <c>file</c>), the tagger's
/// name and weights hash, the MusicML version, and the summary features when that task runs.
/// </summary>
public static class BatchColumns
{
    private static readonly HashSet<string> Integers = new(StringComparer.Ordinal) { "sample_rate", "channels", "n_onsets", "n_beats", "n_downbeats", "n_chords" };
    private static readonly HashSet<string> Reals = new(StringComparer.Ordinal)
        { "duration", "tempo", "tempo2", "tempo_strength", "key_confidence", "tuning_cents", "first_downbeat" };

    /// <summary>The columns for a run of <paramref name="tasks"/>, in order.</summary>
    public static IReadOnlyList<string> For(BatchTasks tasks)
    {
        var analysis = AnalysisRecords.CsvColumns;
        var columns = new List<string> { analysis[0], "track" };
        columns.AddRange(analysis.Skip(1).Take(2));
        columns.Add("channels");
        columns.AddRange(analysis.Skip(3));
        columns.AddRange(["model", "model_sha256", "musicml_version"]);
        if (tasks.FeaturesSummary) columns.AddRange(TrackSummarizer.Names);
        return columns;
    }

    /// <summary>
    /// A results field as its column's type, the one reading of the row's text every typed format writes: null when
    /// empty, a <see cref="long"/> or <see cref="double"/> for integer and real columns, otherwise (text columns, and
    /// a number column whose text is not a number) the text.
    /// </summary>
    public static object? Value(string column, string text) =>
        text.Length == 0 ? null : KindOf(column) switch
        {
            ColumnKind.Integer when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
            ColumnKind.Real when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => text,
        };

    /// <summary>The type of column <paramref name="name"/> (summary features are real).</summary>
    public static ColumnKind KindOf(string name) =>
        Integers.Contains(name) ? ColumnKind.Integer : Reals.Contains(name) || TrackSummarizer.Names.Contains(name) ? ColumnKind.Real : ColumnKind.Text;
}
