using System.Globalization;
using System.Text;
using MusicML.Core;

namespace MusicML.Tagging.Corpus;

/// <summary>A labelled chord segment in seconds; <c>N</c> marks no chord.</summary>
/// <param name="Start">Start in seconds.</param>
/// <param name="End">End in seconds.</param>
/// <param name="Label">Harte label or <c>N</c>.</param>
public readonly record struct ChordLabel(double Start, double End, string Label);

/// <summary>
/// The exact ground truth of one clip, in the evaluation set's conventions (<c>../shared/eval/README.md</c>): times
/// in seconds from the first sample of the WAV, every annotation shifted by the renderer's latency, onsets merged
/// within 30 ms (earliest kept), beats and downbeats on the exact tempo grid, and <c>N</c> over the lead-in and tail.
/// </summary>
public sealed record ClipLabels
{
    /// <summary>Onsets closer than this (seconds) are merged, keeping the earliest.</summary>
    public const double OnsetMergeSeconds = 0.030;

    /// <summary>The render shift added to every time, in seconds.</summary>
    public required double RenderOffsetSeconds { get; init; }

    /// <summary>Clip length in seconds.</summary>
    public required double Duration { get; init; }

    /// <summary>Note onsets of all instruments, drums included, sorted and merged.</summary>
    public required double[] Onsets { get; init; }

    /// <summary>Beat (quarter-note) times.</summary>
    public required double[] Beats { get; init; }

    /// <summary>The first beat of each bar (a subset of <see cref="Beats"/>).</summary>
    public required double[] Downbeats { get; init; }

    /// <summary>The exact tempo in BPM.</summary>
    public required double Tempo { get; init; }

    /// <summary>The key, e.g. <c>Eb major</c>.</summary>
    public required string Key { get; init; }

    /// <summary>Chord segments covering the whole clip.</summary>
    public required IReadOnlyList<ChordLabel> Chords { get; init; }

    /// <summary>The tags, in vocabulary order.</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>Derives the labels of <paramref name="score"/> rendered with <paramref name="renderOffsetSeconds"/> of latency into <paramref name="duration"/> seconds.</summary>
    public static ClipLabels From(Score score, double renderOffsetSeconds, double duration)
    {
        ArgumentNullException.ThrowIfNull(score);
        double Time(long tick) => score.Seconds(tick) + renderOffsetSeconds;
        var onsets = new List<double>();
        foreach (double t in score.Notes.Select(n => Time(n.Tick)).Order())
            if (onsets.Count == 0 || t - onsets[^1] >= OnsetMergeSeconds) onsets.Add(t);
        int bpb = score.Spec.BeatsPerBar;
        var beats = Enumerable.Range(0, score.BeatCount).Select(b => Time(score.BeatTick(b))).ToArray();
        var downbeats = Enumerable.Range(0, score.BeatCount).Where(b => b % bpb == 0).Select(b => beats[b]).ToArray();
        var chords = new List<ChordLabel> { new(0, Time(score.Chords[0].StartTick), "N") };
        chords.AddRange(score.Chords.Select(c => new ChordLabel(Time(c.StartTick), Time(c.EndTick), c.Chord.Label)));
        chords.Add(new ChordLabel(chords[^1].End, duration, "N"));
        return new ClipLabels
        {
            RenderOffsetSeconds = renderOffsetSeconds, Duration = duration, Onsets = [.. onsets], Beats = beats, Downbeats = downbeats,
            Tempo = score.Spec.Tempo, Key = score.Spec.Key.Label, Chords = chords, Tags = score.Spec.Tags,
        };
    }

    /// <summary>
    /// The chord segments in which some chord tone never sounds (a note of a pitched part overlapping the segment),
    /// as "<c>start–end label: missing pitch classes</c>" lines; empty when every tone sounds in every segment, the
    /// check the evaluation set's generator made against its MIDI.
    /// </summary>
    public static IReadOnlyList<string> CheckChordTones(IReadOnlyList<ScoreNote> notes, IReadOnlyList<ChordSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(notes);
        ArgumentNullException.ThrowIfNull(segments);
        var problems = new List<string>();
        foreach (var segment in segments)
        {
            var sounding = notes.Where(n => !n.IsDrum && n.Tick < segment.EndTick && n.OffTick > segment.StartTick).Select(n => n.Pitch % 12).ToHashSet();
            var missing = segment.Chord.PitchClasses.Where(pc => !sounding.Contains(pc)).ToArray();
            if (missing.Length > 0) problems.Add($"{segment.StartTick}-{segment.EndTick} {segment.Chord.Label}: missing pitch classes {string.Join(",", missing)}");
        }
        return problems;
    }

    /// <summary>
    /// Writes <c>ID.onsets</c>, <c>.beats</c>, <c>.downbeats</c>, <c>.tempo</c>, <c>.key</c>, <c>.chords.lab</c> and
    /// <c>.tags</c> into <paramref name="folder"/>, each atomically, in the evaluation set's formats (<c>%.6f</c> times, one per line).
    /// </summary>
    /// <exception cref="MusicMLException">A file cannot be written.</exception>
    public void Write(string folder, string id)
    {
        string Path(string extension) => System.IO.Path.Combine(folder, id + extension);
        AtomicFile.WriteAllText(Path(".onsets"), Lines(Onsets.Select(Seconds)));
        AtomicFile.WriteAllText(Path(".beats"), Lines(Beats.Select(Seconds)));
        AtomicFile.WriteAllText(Path(".downbeats"), Lines(Downbeats.Select(Seconds)));
        AtomicFile.WriteAllText(Path(".tempo"), Lines([TempoText]));
        AtomicFile.WriteAllText(Path(".key"), Lines([Key]));
        AtomicFile.WriteAllText(Path(".chords.lab"), Lines(Chords.Select(c => $"{Seconds(c.Start)} {Seconds(c.End)} {c.Label}")));
        AtomicFile.WriteAllText(Path(".tags"), Lines(Tags));
    }

    /// <summary>The label files <see cref="Write"/> produces, by extension.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".onsets", ".beats", ".downbeats", ".tempo", ".key", ".chords.lab", ".tags"];

    /// <summary>The tempo as the <c>.tempo</c> file and the manifest write it (four decimals).</summary>
    public string TempoText => Tempo.ToString("F4", CultureInfo.InvariantCulture);

    private static string Seconds(double t) => t.ToString("F6", CultureInfo.InvariantCulture);

    private static string Lines(IEnumerable<string> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines) text.Append(line).Append('\n');
        return text.ToString();
    }
}
