using System.Text.Json;
using System.Text.Json.Nodes;
using MusicML.Core;

namespace MusicML.Evaluation.Annotations;

/// <summary>One JAMS observation: a time span, a namespace-specific value and an optional confidence.</summary>
/// <param name="Time">Start time in seconds.</param>
/// <param name="Duration">Duration in seconds (0 for events).</param>
/// <param name="Value">The value as JSON (a number, a label string, or an object such as a pitch contour point); null when absent.</param>
/// <param name="Confidence">Confidence or weight, when given.</param>
public readonly record struct JamsObservation(double Time, double Duration, JsonNode? Value, double? Confidence);

/// <summary>One JAMS annotation: a namespace (<c>beat</c>, <c>chord</c>, <c>key_mode</c>, ...) and its observations.</summary>
/// <param name="Namespace">The JAMS namespace.</param>
/// <param name="Data">Observations in file order.</param>
public sealed record JamsAnnotation(string Namespace, IReadOnlyList<JamsObservation> Data)
{
    /// <summary>Observation times in seconds (onsets, beats).</summary>
    public double[] ToEvents() => Data.Select(o => o.Time).ToArray();

    /// <summary>Times of beats whose value (the position in the bar) is 1: the downbeats.</summary>
    public double[] ToDownbeats()
    {
        if (Data.Count > 0 && Data.All(o => o.Value is null))
            throw new AnnotationException($"JAMS '{Namespace}' annotation has no beat positions, so downbeats cannot be told apart.");
        return Data.Where(o => o.Value is JsonValue v && v.TryGetValue<double>(out var position) && position == 1).Select(o => o.Time).ToArray();
    }

    /// <summary>[time, time + duration) spans with the value as label (chords, segments).</summary>
    public LabeledIntervals ToLabeledIntervals() => new(
        Data.Select(o => new TimeInterval(o.Time, o.Time + o.Duration)).ToArray(),
        Data.Select(o => Text(o.Value)).ToArray());

    /// <summary>
    /// A melody as times and frequencies in Hz: <c>pitch_contour</c> values <c>{frequency, voiced}</c> (unvoiced frames
    /// become −|frequency|, mir_eval's convention) or plain numbers (<c>pitch_hz</c>, negative = unvoiced).
    /// </summary>
    public TimeSeries ToTimeSeries()
    {
        var values = new double[Data.Count];
        for (int i = 0; i < values.Length; i++)
        {
            switch (Data[i].Value)
            {
                case JsonObject point:
                    double f = point["frequency"]?.GetValue<double>() ?? 0;
                    bool voiced = point["voiced"]?.GetValue<bool>() ?? f > 0;
                    values[i] = voiced ? Math.Abs(f) : -Math.Abs(f);
                    break;
                case JsonValue number when number.TryGetValue<double>(out var hz):
                    values[i] = hz;
                    break;
                default:
                    throw new AnnotationException($"JAMS '{Namespace}' observation {i} has no frequency.");
            }
        }
        return new TimeSeries(Data.Select(o => o.Time).ToArray(), values);
    }

    /// <summary>The key of a <c>key_mode</c> annotation (<c>C:minor</c> → <c>C minor</c>; <c>N</c> → <c>X</c>).</summary>
    public string ToKey()
    {
        if (Data.Count == 0) throw new AnnotationException($"JAMS '{Namespace}' annotation is empty; no key.");
        var text = Text(Data[0].Value).Trim();
        var key = text == "N" ? "X" : text.Replace(':', ' ');
        KeyEvaluation.Validate(key);
        return key;
    }

    /// <summary>
    /// A tempo annotation from a <c>tempo</c> annotation: one observation gives (t, t, 1); two give (t1, t2) with the
    /// first one's confidence as weight.
    /// </summary>
    public TempoAnnotation ToTempo()
    {
        double Bpm(int i) => Data[i].Value is JsonValue v && v.TryGetValue<double>(out var bpm) ? bpm
            : throw new AnnotationException($"JAMS tempo observation {i} is not a number.");
        var tempo = Data.Count switch
        {
            1 => new TempoAnnotation(Bpm(0), Bpm(0), 1.0),
            2 => new TempoAnnotation(Bpm(0), Bpm(1), Data[0].Confidence ?? 0.5),
            _ => throw new AnnotationException($"JAMS tempo annotation has {Data.Count} observations; expected 1 or 2."),
        };
        TempoEvaluation.Validate(tempo, isReference: false);
        return tempo;
    }

    /// <summary>Tags (the values) with their confidences (1 when absent), e.g. from <c>tag_open</c>.</summary>
    public TagAnnotation ToTags() => new(Data.Select(o => Text(o.Value)).ToArray(), Data.Select(o => o.Confidence ?? 1.0).ToArray());

    /// <summary>Notes of a <c>note_hz</c> annotation: [time, time + duration) with the value as pitch in Hz.</summary>
    public NoteAnnotation ToNotes() => new(
        Data.Select(o => new TimeInterval(o.Time, o.Time + o.Duration)).ToArray(),
        Data.Select((o, i) => o.Value is JsonValue v && v.TryGetValue<double>(out var hz) ? hz
            : throw new AnnotationException($"JAMS '{Namespace}' observation {i} has no pitch in Hz.")).ToArray());

    /// <summary>An event annotation (<c>onset</c>, or <c>beat</c> without positions).</summary>
    public static JamsAnnotation FromEvents(string jamsNamespace, ReadOnlySpan<double> times)
    {
        var data = new List<JamsObservation>(times.Length);
        foreach (var t in times) data.Add(new JamsObservation(t, 0, null, null));
        return new JamsAnnotation(jamsNamespace, data);
    }

    /// <summary>A labelled-interval annotation (<c>chord</c>, <c>segment_open</c>).</summary>
    public static JamsAnnotation FromLabeledIntervals(string jamsNamespace, LabeledIntervals intervals)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        return new JamsAnnotation(jamsNamespace, intervals.Intervals.Select((iv, i) =>
            new JamsObservation(iv.Start, iv.End - iv.Start, JsonValue.Create(intervals.Labels[i]), null)).ToList());
    }

    /// <summary>A <c>pitch_contour</c> annotation from times and frequencies in Hz (≤ 0 = unvoiced).</summary>
    public static JamsAnnotation FromTimeSeries(TimeSeries melody)
    {
        ArgumentNullException.ThrowIfNull(melody);
        return new JamsAnnotation("pitch_contour", melody.Times.Select((t, i) => new JamsObservation(t, 0,
            new JsonObject { ["index"] = 0, ["frequency"] = Math.Abs(melody.Values[i]), ["voiced"] = melody.Values[i] > 0 }, null)).ToList());
    }

    /// <summary>A <c>key_mode</c> annotation (<c>C minor</c> is written <c>C:minor</c>).</summary>
    public static JamsAnnotation FromKey(string key, double duration)
    {
        KeyEvaluation.Validate(key);
        var value = key.Trim().Equals("x", StringComparison.OrdinalIgnoreCase) ? "N" : string.Join(':', key.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return new JamsAnnotation("key_mode", [new JamsObservation(0, duration, JsonValue.Create(value), null)]);
    }

    /// <summary>A <c>tempo</c> annotation with two observations, the first carrying the weight as confidence.</summary>
    public static JamsAnnotation FromTempo(TempoAnnotation tempo, double duration) => new("tempo",
    [
        new JamsObservation(0, duration, JsonValue.Create(tempo.Tempo1), tempo.Weight),
        new JamsObservation(0, duration, JsonValue.Create(tempo.Tempo2), 1 - tempo.Weight),
    ]);

    /// <summary>A <c>tag_open</c> annotation with the scores as confidences.</summary>
    public static JamsAnnotation FromTags(TagAnnotation tags, double duration)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return new JamsAnnotation("tag_open", tags.Tags.Select((t, i) => new JamsObservation(0, duration, JsonValue.Create(t), tags.Values[i])).ToList());
    }

    private static string Text(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };
}

/// <summary>
/// A JAMS file (Humphrey et al., "JAMS: A JSON Annotated Music Specification for Reproducible MIR Research", ISMIR
/// 2014): the track's duration and its annotations. Reads both the current list-of-observations layout and the older
/// column layout (<c>data: {time: [...], duration: [...], ...}</c>); writes the current one.
/// </summary>
public sealed class JamsDocument
{
    /// <summary>The track duration in seconds, when known.</summary>
    public double? Duration { get; set; }

    /// <summary>The annotations, in file order.</summary>
    public List<JamsAnnotation> Annotations { get; } = [];

    /// <summary>
    /// The first annotation whose namespace is one of <paramref name="namespaces"/> (a name ending in <c>*</c> matches
    /// by prefix, e.g. <c>segment_*</c>); raises naming the file when there is none.
    /// </summary>
    public JamsAnnotation Find(string path, params string[] namespaces)
    {
        foreach (var annotation in Annotations)
            foreach (var ns in namespaces)
                if (ns.EndsWith('*') ? annotation.Namespace.StartsWith(ns[..^1], StringComparison.Ordinal) : annotation.Namespace == ns)
                    return annotation;
        throw new AnnotationException(path, 0,
            $"no annotation in namespace {string.Join(" or ", namespaces)} (found: {string.Join(", ", Annotations.Select(a => a.Namespace).DefaultIfEmpty("none"))}).");
    }

    /// <summary>Reads a .jams file; malformed JSON or observations raise an <see cref="AnnotationException"/> naming the file.</summary>
    public static JamsDocument Read(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (FileNotFoundException) { throw new AnnotationException(path, 0, "file not found."); }
        catch (DirectoryNotFoundException) { throw new AnnotationException(path, 0, "file not found."); }
        catch (JsonException e) { throw new AnnotationException(path, (int)(e.LineNumber ?? -1) + 1, $"not valid JSON ({e.Message})."); }
        catch (IOException e) { throw new AnnotationException(path, 0, $"cannot be read ({e.Message})."); }
        if (root is not JsonObject obj) throw new AnnotationException(path, 0, "a JAMS file must hold a JSON object.");
        var document = new JamsDocument();
        try
        {
            if (obj["file_metadata"]?["duration"] is JsonValue d && d.TryGetValue<double>(out var duration)) document.Duration = duration;
            if (obj["annotations"] is not JsonArray annotations) throw new AnnotationException(path, 0, "no 'annotations' list.");
            foreach (var node in annotations)
            {
                var ns = node?["namespace"]?.GetValue<string>() ?? throw new AnnotationException(path, 0, "an annotation has no namespace.");
                document.Annotations.Add(new JamsAnnotation(ns, ReadData(path, ns, node["data"])));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new AnnotationException(path, 0, $"malformed JAMS ({e.Message}).");
        }
        return document;
    }

    /// <summary>Writes the document as JAMS 0.3 JSON (observations as a list of objects).</summary>
    public void Write(string path)
    {
        var annotations = new JsonArray();
        foreach (var annotation in Annotations)
        {
            var data = new JsonArray();
            foreach (var o in annotation.Data)
                data.Add(new JsonObject
                {
                    ["time"] = o.Time,
                    ["duration"] = o.Duration,
                    ["value"] = o.Value?.DeepClone(),
                    ["confidence"] = o.Confidence is double c ? JsonValue.Create(c) : null,
                });
            annotations.Add(new JsonObject
            {
                ["annotation_metadata"] = new JsonObject { ["annotator"] = new JsonObject(), ["data_source"] = "MusicML" },
                ["namespace"] = annotation.Namespace,
                ["data"] = data,
                ["sandbox"] = new JsonObject(),
                ["time"] = 0,
                ["duration"] = Duration is double d ? JsonValue.Create(d) : null,
            });
        }
        var root = new JsonObject
        {
            ["annotations"] = annotations,
            ["file_metadata"] = new JsonObject
            {
                ["title"] = "", ["artist"] = "", ["release"] = "",
                ["duration"] = Duration is double duration ? JsonValue.Create(duration) : null,
                ["identifiers"] = new JsonObject(), ["jams_version"] = "0.3.4",
            },
            ["sandbox"] = new JsonObject(),
        };
        AtomicFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static List<JamsObservation> ReadData(string path, string ns, JsonNode? data)
    {
        var result = new List<JamsObservation>();
        switch (data)
        {
            case JsonArray list:
                for (int i = 0; i < list.Count; i++)
                {
                    var o = list[i] as JsonObject ?? throw new AnnotationException(path, 0, $"'{ns}' observation {i} is not an object.");
                    result.Add(Observation(path, ns, i, o["time"], o["duration"], o["value"], o["confidence"]));
                }
                break;
            case JsonObject columns:
                var times = columns["time"] as JsonArray ?? throw new AnnotationException(path, 0, $"'{ns}' data has no 'time' column.");
                for (int i = 0; i < times.Count; i++)
                    result.Add(Observation(path, ns, i, times[i], (columns["duration"] as JsonArray)?[i], (columns["value"] as JsonArray)?[i], (columns["confidence"] as JsonArray)?[i]));
                break;
            case null:
                break;
            default:
                throw new AnnotationException(path, 0, $"'{ns}' data is neither a list nor columns.");
        }
        return result;
    }

    private static JamsObservation Observation(string path, string ns, int index, JsonNode? time, JsonNode? duration, JsonNode? value, JsonNode? confidence)
    {
        double Number(JsonNode? node, string field, double fallback)
        {
            if (node is null) return fallback;
            if (node is JsonValue v && v.TryGetValue<double>(out var x) && double.IsFinite(x)) return x;
            throw new AnnotationException(path, 0, $"'{ns}' observation {index}: {field} '{node.ToJsonString()}' is not a finite number.");
        }
        double t = Number(time, "time", double.NaN);
        if (double.IsNaN(t) || t < 0) throw new AnnotationException(path, 0, $"'{ns}' observation {index} has no valid time.");
        double d = Number(duration, "duration", 0);
        double? c = confidence is JsonValue cv && cv.TryGetValue<double>(out var conf) ? conf : null;
        return new JamsObservation(t, d, value?.DeepClone(), c);
    }
}
