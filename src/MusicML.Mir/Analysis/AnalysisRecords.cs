using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MusicML.Mir.Analysis;

/// <summary>
/// The records of an analysis result, as <c>musicml analyze</c>, <c>musicml batch</c> and a library user all write them:
/// one JSON object per file (every list in full) and one flat CSV row per file (the headline figures; lists reduced
/// to counts and the most heard chords). Writing the CSV text itself is MusicML.Batch's (<c>CsvTable</c>); the row's
/// columns and fields are defined here, once.
/// </summary>
/// <remarks>Numbers are written in the invariant culture, times rounded to microseconds, so records are the same on every machine.</remarks>
public static class AnalysisRecords
{
    /// <summary>The CSV columns of <see cref="CsvFields"/>, in order.</summary>
    public static IReadOnlyList<string> CsvColumns { get; } =
    [
        "file", "duration", "sample_rate", "tempo", "tempo2", "tempo_strength", "meter", "key", "key_confidence",
        "tuning_cents", "n_onsets", "n_beats", "n_downbeats", "first_downbeat", "n_chords", "main_chords", "sections", "tags", "no_estimate",
    ];

    /// <summary>
    /// The CSV row of one file, in <see cref="CsvColumns"/> order: empty fields for tasks not run, tempo in BPM to
    /// 0.01, tuning in cents to 0.1, times in seconds to 1 ms, <c>tags</c> as <see cref="TagsField"/>.
    /// </summary>
    /// <param name="file">The file as the caller names it.</param>
    /// <param name="result">Its analysis.</param>
    /// <param name="tags">Its top tags, most probable first, or null when it was not tagged.</param>
    public static string[] CsvFields(string file, AnalysisResult result, IReadOnlyList<(string Tag, float Probability)>? tags)
    {
        var r = result;
        return
        [
            file, F(r.Duration, "F3"), r.SampleRate.ToString(CultureInfo.InvariantCulture),
            F(r.Tempo?.Tempo1, "F2"), F(r.Tempo?.Tempo2, "F2"), F(r.Tempo?.Strength, "F3"),
            r.Meter ?? "", r.Key?.Label ?? "", F(r.Key?.Confidence, "F3"), F(r.TuningCents, "F1"),
            Count(AnalysisTasks.Onsets, r.Onsets.Count), Count(AnalysisTasks.Beats, r.Beats.Count),
            Count(AnalysisTasks.Downbeats, r.Downbeats.Count), r.Downbeats.Count > 0 ? F(r.Downbeats[0], "F3") : "",
            Count(AnalysisTasks.Chords, r.Chords.Count(c => c.Label != "N")), string.Join(' ', MainChords(r)),
            string.Join(' ', r.Segments.Select(segment => segment.Label)), TagsField(tags), r.NoEstimate ?? "",
        ];

        static string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "";
        string Count(AnalysisTasks task, int count) => r.Tasks.HasFlag(task) ? count.ToString(CultureInfo.InvariantCulture) : "";
    }

    /// <summary>The CSV <c>tags</c> field: <c>tag:probability</c> pairs (3 decimals), most probable first, space-separated; empty without tags.</summary>
    public static string TagsField(IReadOnlyList<(string Tag, float Probability)>? tags) =>
        tags is null ? "" : string.Join(' ', tags.Select(t => t.Tag + ":" + t.Probability.ToString("F3", CultureInfo.InvariantCulture)));

    /// <summary>Up to four chord labels covering the most time (N excluded), longest first, ties by label.</summary>
    public static IEnumerable<string> MainChords(AnalysisResult result) =>
        result.Chords.Where(c => c.Label != "N").GroupBy(c => c.Label)
            .Select(g => (Label: g.Key, Seconds: g.Sum(c => c.End - c.Start)))
            .OrderByDescending(g => g.Seconds).ThenBy(g => g.Label, StringComparer.Ordinal).Take(4).Select(g => g.Label);

    /// <summary>
    /// The JSON text of one file's record, or of an array of records when <paramref name="asArray"/> is set or there
    /// is not exactly one (indented, UTF-8).
    /// </summary>
    public static string ToJson(IReadOnlyList<(string File, AnalysisResult Result, IReadOnlyList<(string Tag, float Probability)>? Tags)> items, bool asArray = false)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            bool array = asArray || items.Count != 1;
            if (array) json.WriteStartArray();
            foreach (var (file, result, tags) in items) WriteJson(json, file, result, tags);
            if (array) json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Writes one file's record as a JSON object: <c>file</c>, <c>duration</c> (s), <c>sample_rate</c> (Hz),
    /// <c>tempo</c> {t1, t2 (BPM), s}, <c>meter</c>, <c>key</c> {label, confidence}, <c>tuning_cents</c>,
    /// <c>no_estimate</c>, then the lists (<see cref="WriteEvents"/>) and <c>tags</c> [{tag, probability}] (null when not tagged).
    /// </summary>
    public static void WriteJson(Utf8JsonWriter json, string file, AnalysisResult result, IReadOnlyList<(string Tag, float Probability)>? tags)
    {
        var r = result;
        json.WriteStartObject();
        json.WriteString("file", file);
        json.WriteNumber("duration", Math.Round(r.Duration, 6));
        json.WriteNumber("sample_rate", r.SampleRate);
        if (r.Tempo is { } tempo)
        {
            json.WriteStartObject("tempo");
            json.WriteNumber("t1", Math.Round(tempo.Tempo1, 2));
            json.WriteNumber("t2", Math.Round(tempo.Tempo2, 2));
            json.WriteNumber("s", Math.Round(tempo.Strength, 4));
            json.WriteEndObject();
        }
        else json.WriteNull("tempo");
        if (r.Meter is { } meter) json.WriteString("meter", meter); else json.WriteNull("meter");
        if (r.Key is { } key)
        {
            json.WriteStartObject("key");
            json.WriteString("label", key.Label);
            json.WriteNumber("confidence", Math.Round(key.Confidence, 4));
            json.WriteEndObject();
        }
        else json.WriteNull("key");
        if (r.TuningCents is { } cents) json.WriteNumber("tuning_cents", Math.Round(cents, 2)); else json.WriteNull("tuning_cents");
        if (r.NoEstimate is { } why) json.WriteString("no_estimate", why); else json.WriteNull("no_estimate");
        WriteEvents(json, r);
        if (tags is null) json.WriteNull("tags");
        else
        {
            json.WriteStartArray("tags");
            foreach (var (tag, probability) in tags)
            {
                json.WriteStartObject();
                json.WriteString("tag", tag);
                json.WriteNumber("probability", Math.Round(probability, 4));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// Writes the result's lists as properties of the open JSON object: <c>onsets</c>, <c>beats</c>, <c>downbeats</c>
    /// (seconds) and <c>chords</c>, <c>segments</c> ([{start, end, label}], seconds).
    /// </summary>
    public static void WriteEvents(Utf8JsonWriter json, AnalysisResult result)
    {
        WriteTimes(json, "onsets", result.Onsets);
        WriteTimes(json, "beats", result.Beats);
        WriteTimes(json, "downbeats", result.Downbeats);
        WriteIntervals(json, "chords", result.Chords.Select(c => (c.Start, c.End, c.Label)));
        WriteIntervals(json, "segments", result.Segments.Select(x => (x.Start, x.End, x.Label)));
    }

    private static void WriteIntervals(Utf8JsonWriter json, string name, IEnumerable<(double Start, double End, string Label)> intervals)
    {
        json.WriteStartArray(name);
        foreach (var (start, end, label) in intervals)
        {
            json.WriteStartObject();
            json.WriteNumber("start", Math.Round(start, 6));
            json.WriteNumber("end", Math.Round(end, 6));
            json.WriteString("label", label);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteTimes(Utf8JsonWriter json, string name, IReadOnlyList<double> times)
    {
        json.WriteStartArray(name);
        foreach (var t in times) json.WriteNumberValue(Math.Round(t, 6));
        json.WriteEndArray();
    }
}
