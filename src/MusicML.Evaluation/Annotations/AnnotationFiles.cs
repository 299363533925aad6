using System.Globalization;
using System.Text;
using MusicML.Core;

namespace MusicML.Evaluation.Annotations;

/// <summary>
/// Reads and writes the plain-text annotation formats researchers keep on disk: MIREX-style text (one event time per
/// line; <c>start end label</c>; <c>time value</c>), .lab files and CSV. Columns are separated by whitespace, or by
/// commas when a line contains one (so CSV and tab-separated files read alike); lines starting with <c>#</c> and blank
/// lines are skipped, as mir_eval's <c>io.load_delimited</c> does. A malformed line raises an
/// <see cref="AnnotationException"/> naming the file and its 1-based line number. Writers replace a file atomically
/// (<see cref="AtomicFile"/>), so a crash or a full disk never leaves half an annotation.
/// </summary>
public static class AnnotationFiles
{
    /// <summary>
    /// Event times in seconds (onsets, beats) from the first column of each row, as mir_eval's <c>io.load_events</c>;
    /// extra columns (e.g. a beat's position in the bar) are ignored. Times must be finite; like mir_eval's
    /// <c>validate_events</c>, a negative time is accepted (an onset at −0.01 s is matched like any other; beats before
    /// 5 s are trimmed anyway), and the order is checked when the events are scored.
    /// </summary>
    public static double[] ReadEvents(string path)
    {
        var times = new List<double>();
        foreach (var row in ReadRows(path))
            times.Add(row.Number(0));
        return [.. times];
    }

    /// <summary>
    /// Downbeat times in seconds: rows whose second column (the beat's position in the bar) is 1 when the file has
    /// two columns (madmom's and the JAMS <c>beat</c> convention), every row otherwise (a file of downbeats only).
    /// </summary>
    public static double[] ReadDownbeats(string path)
    {
        var rows = ReadRows(path).ToList();
        if (rows.Count > 0 && rows.All(r => r.Fields.Length >= 2))
            return rows.Where(r => r.Number(1) == 1).Select(r => r.Number(0)).ToArray();
        return rows.Select(r => r.Number(0)).ToArray();
    }

    /// <summary>
    /// <c>start end label</c> rows (chords, segments; .lab files), as mir_eval's <c>io.load_labeled_intervals</c>.
    /// The label is the rest of the row. Every interval must have finite times and start ≤ end. A negative time is read
    /// as given: mir_eval clips an estimate to the reference's span (and a segment reference to 0 s) before scoring, and
    /// refuses a negative time only where nothing clips it (a chord reference), which the scoring then reports.
    /// </summary>
    public static LabeledIntervals ReadLabeledIntervals(string path)
    {
        var intervals = new List<TimeInterval>();
        var labels = new List<string>();
        foreach (var row in ReadRows(path))
        {
            if (row.Fields.Length < 3) throw row.Error($"expected 'start end label', got {row.Fields.Length} column(s)");
            double start = row.Number(0), end = row.Number(1);
            if (end < start) throw row.Error($"interval ends ({end.ToString(CultureInfo.InvariantCulture)} s) before it starts ({start.ToString(CultureInfo.InvariantCulture)} s)");
            intervals.Add(new TimeInterval(start, end));
            labels.Add(string.Join(' ', row.Fields[2..]));
        }
        return new LabeledIntervals([.. intervals], [.. labels]);
    }

    /// <summary>
    /// <c>onset offset pitch_hz</c> rows (note transcriptions), as mir_eval's <c>io.load_valued_intervals</c>. Offsets
    /// must not precede onsets and pitches must be positive.
    /// </summary>
    public static NoteAnnotation ReadNotes(string path)
    {
        var intervals = new List<TimeInterval>();
        var pitches = new List<double>();
        foreach (var row in ReadRows(path))
        {
            if (row.Fields.Length != 3) throw row.Error($"expected 'onset offset pitch_hz', got {row.Fields.Length} column(s)");
            double onset = row.Time(0), offset = row.Time(1), pitch = row.Number(2);
            if (offset < onset) throw row.Error($"note ends ({row.Fields[1]} s) before it starts ({row.Fields[0]} s)");
            if (pitch <= 0) throw row.Error($"pitch {row.Fields[2]} Hz is not positive");
            intervals.Add(new TimeInterval(onset, offset));
            pitches.Add(pitch);
        }
        return new NoteAnnotation([.. intervals], [.. pitches]);
    }

    /// <summary>
    /// <c>time f1 f2 ...</c> rows with any number of frequencies in Hz (multi-f0), as mir_eval's
    /// <c>io.load_ragged_time_series</c>.
    /// </summary>
    public static MultipitchAnnotation ReadMultipitch(string path)
    {
        var times = new List<double>();
        var frequencies = new List<double[]>();
        foreach (var row in ReadRows(path))
        {
            times.Add(row.Time(0));
            var frame = new double[row.Fields.Length - 1];
            for (int k = 0; k < frame.Length; k++) frame[k] = row.Number(k + 1);
            frequencies.Add(frame);
        }
        return new MultipitchAnnotation([.. times], [.. frequencies]);
    }

    /// <summary><c>time value</c> rows (a melody's f0 in Hz per frame), as mir_eval's <c>io.load_time_series</c>.</summary>
    public static TimeSeries ReadTimeSeries(string path)
    {
        var times = new List<double>();
        var values = new List<double>();
        foreach (var row in ReadRows(path))
        {
            if (row.Fields.Length != 2) throw row.Error($"expected 'time value', got {row.Fields.Length} column(s)");
            times.Add(row.Time(0));
            values.Add(row.Number(1));
        }
        return new TimeSeries([.. times], [.. values]);
    }

    /// <summary>
    /// A key as mir_eval writes it, <c>tonic mode</c> (e.g. <c>C# minor</c>; <c>X</c> for no key); the JAMS
    /// <c>key_mode</c> spelling <c>C#:minor</c> is accepted too. The first non-comment row is the key.
    /// </summary>
    public static string ReadKey(string path)
    {
        foreach (var row in ReadRows(path, splitOnColon: true))
        {
            var key = string.Join(' ', row.Fields);
            try { KeyEvaluation.Validate(key); }
            catch (AnnotationException e) { throw row.Error(e.Message); }
            return key;
        }
        throw new AnnotationException(path, 0, "no key found (expected a line such as 'C major').");
    }

    /// <summary>
    /// A tempo annotation: MIREX's <c>t1 t2 weight</c> on one line, or a single tempo in BPM (read as
    /// <c>(t, t, 1.0)</c>). More than one row, a negative tempo or a weight outside [0, 1] raise, as in mir_eval.
    /// </summary>
    public static TempoAnnotation ReadTempo(string path)
    {
        var rows = ReadRows(path).ToList();
        if (rows.Count == 0) throw new AnnotationException(path, 0, "no tempo found (expected 't1 t2 weight' or one tempo in BPM).");
        if (rows.Count > 1) throw rows[1].Error("a tempo annotation has one row ('t1 t2 weight'); found another");
        var row = rows[0];
        TempoAnnotation tempo = row.Fields.Length switch
        {
            1 => new TempoAnnotation(row.Number(0), row.Number(0), 1.0),
            3 => new TempoAnnotation(row.Number(0), row.Number(1), row.Number(2)),
            _ => throw row.Error($"expected 't1 t2 weight' or one tempo, got {row.Fields.Length} column(s)"),
        };
        try { TempoEvaluation.Validate(tempo, isReference: false); }
        catch (AnnotationException e) { throw row.Error(e.Message); }
        return tempo;
    }

    /// <summary>
    /// Tags of one track: one tag per row, optionally followed by a score (<c>rock 0.83</c> or <c>rock,0.83</c>);
    /// tags without a score count as 1.
    /// </summary>
    public static TagAnnotation ReadTags(string path)
    {
        var tags = new List<string>();
        var values = new List<double>();
        foreach (var row in ReadRows(path))
        {
            var last = row.Fields[^1];
            if (row.Fields.Length >= 2 && double.TryParse(last, NumberStyles.Float, CultureInfo.InvariantCulture, out var score))
            {
                if (!double.IsFinite(score)) throw row.Error($"tag score '{last}' is not a finite number");
                tags.Add(string.Join(' ', row.Fields[..^1]));
                values.Add(score);
            }
            else
            {
                tags.Add(string.Join(' ', row.Fields));
                values.Add(1.0);
            }
        }
        return new TagAnnotation([.. tags], [.. values]);
    }

    /// <summary>Writes event times in seconds, one per line (MIREX / mir_eval <c>load_events</c> format).</summary>
    public static void WriteEvents(string path, ReadOnlySpan<double> times)
    {
        var text = new StringBuilder();
        foreach (var t in times) text.Append(Format(t)).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Writes <c>start end label</c> rows: tab-separated (.lab, .txt), or comma-separated with quoting when the path ends in .csv.</summary>
    public static void WriteLabeledIntervals(string path, LabeledIntervals annotation)
    {
        bool csv = IsCsv(path);
        ArgumentNullException.ThrowIfNull(annotation);
        if (annotation.Intervals.Length != annotation.Labels.Length)
            throw new AnnotationException($"{path}: {annotation.Intervals.Length} intervals but {annotation.Labels.Length} labels.");
        var text = new StringBuilder();
        for (int i = 0; i < annotation.Count; i++)
        {
            var (start, end) = (annotation.Intervals[i].Start, annotation.Intervals[i].End);
            if (csv) text.Append(Format(start)).Append(',').Append(Format(end)).Append(',').Append(CsvLine.Quote(annotation.Labels[i])).Append('\n');
            else text.Append(Format(start)).Append('\t').Append(Format(end)).Append('\t').Append(annotation.Labels[i]).Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Writes <c>time value</c> rows (a melody's f0 in Hz per frame time in seconds), tab- or, for .csv, comma-separated.</summary>
    public static void WriteTimeSeries(string path, TimeSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Times.Length != series.Values.Length)
            throw new AnnotationException($"{path}: {series.Times.Length} times but {series.Values.Length} values.");
        var text = new StringBuilder();
        for (int i = 0; i < series.Times.Length; i++)
            text.Append(Format(series.Times[i])).Append(Separator(path)).Append(Format(series.Values[i])).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Writes a key as <c>tonic mode</c> (e.g. <c>Eb major</c>), after checking it.</summary>
    public static void WriteKey(string path, string key)
    {
        KeyEvaluation.Validate(key);
        AtomicFile.WriteAllText(path, key + "\n");
    }

    /// <summary>Writes a tempo annotation as one <c>t1 t2 weight</c> row, tab- or, for .csv, comma-separated.</summary>
    public static void WriteTempo(string path, TempoAnnotation tempo)
    {
        var separator = Separator(path);
        AtomicFile.WriteAllText(path, $"{Format(tempo.Tempo1)}{separator}{Format(tempo.Tempo2)}{separator}{Format(tempo.Weight)}\n");
    }

    /// <summary>Writes tags, one per line, each followed by its score (tab-separated, or comma-separated with quoting for .csv).</summary>
    public static void WriteTags(string path, TagAnnotation tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var text = new StringBuilder();
        bool csv = IsCsv(path);
        for (int i = 0; i < tags.Tags.Length; i++)
            text.Append(csv ? CsvLine.Quote(tags.Tags[i]) : tags.Tags[i]).Append(Separator(path)).Append(Format(tags.Values[i])).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    // "R" keeps every bit so that a written file reads back to the same doubles.
    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static bool IsCsv(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    private static char Separator(string path) => IsCsv(path) ? ',' : '\t';

    internal static IEnumerable<Row> ReadRows(string path, bool splitOnColon = false)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (FileNotFoundException) { throw new AnnotationException(path, 0, "file not found."); }
        catch (DirectoryNotFoundException) { throw new AnnotationException(path, 0, "file not found."); }
        catch (IOException e) { throw new AnnotationException(path, 0, $"cannot be read ({e.Message})."); }
        catch (UnauthorizedAccessException e) { throw new AnnotationException(path, 0, $"cannot be read ({e.Message})."); }
        return Rows(path, lines, IsCsv(path), splitOnColon);
    }

    private static IEnumerable<Row> Rows(string path, string[] lines, bool csv, bool splitOnColon)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim().TrimStart('\uFEFF');
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = csv ? SplitCsv(line) : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (splitOnColon && fields.Length == 1 && fields[0].Contains(':')) fields = fields[0].Split(':');
            yield return new Row(path, i + 1, fields);
        }
    }

    private static string[] SplitCsv(string line) => [.. CsvLine.Split(line).Select(field => field.Trim())];

    /// <summary>One non-comment line of an annotation file, split into fields.</summary>
    internal readonly record struct Row(string Path, int LineNumber, string[] Fields)
    {
        public AnnotationException Error(string message) => new(Path, LineNumber, message + ".");

        public double Number(int column)
        {
            if (column >= Fields.Length) throw Error($"expected at least {column + 1} column(s), got {Fields.Length}");
            var text = Fields[column];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw Error($"'{text}' in column {column + 1} is not a number");
            if (!double.IsFinite(value)) throw Error($"'{text}' in column {column + 1} is not a finite number");
            return value;
        }

        public double Time(int column)
        {
            var value = Number(column);
            if (value < 0) throw Error($"time {Fields[column]} s in column {column + 1} is negative");
            return value;
        }
    }
}
