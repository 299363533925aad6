using System.Globalization;
using System.Text;
using MusicML.Mir.Chords;
using MusicML.Mir.Key;
using MusicML.Mir.Pitch;
using MusicML.Mir.Segmentation;
using MusicML.Mir.Tempo;

namespace MusicML.Cli.Infrastructure;

/// <summary>
/// The text of an estimate file, one writer per kind of estimate, shared by the task commands
/// (<c>musicml onsets|beats|downbeats|tempo|key|chords|pitch|segments</c>) and <c>musicml experiment</c> so that an
/// experiment's estimates are byte for byte what the task command prints. Every format is one the evaluation
/// registry reads back (MIREX / mir_eval text), with invariant culture and '\n' line ends.
/// </summary>
internal static class EstimateText
{
    /// <summary>Event times (onsets, beats, downbeats): one time per line in seconds with millisecond precision.</summary>
    public static string Times(IEnumerable<double> times)
    {
        var text = new StringBuilder();
        foreach (var t in times) text.Append(t.ToString("F3", CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// A tempo in BPM: the MIREX row <c>T1 T2 S</c> (two tempi and the relative strength of the first, which the
    /// tempo P-score needs) when <paramref name="mirex"/> is set, otherwise <c>T1</c> alone.
    /// </summary>
    public static string Tempo(TempoEstimate tempo, bool mirex) => mirex
        ? string.Create(CultureInfo.InvariantCulture, $"{tempo.Tempo1:F2} {tempo.Tempo2:F2} {tempo.Strength:F3}\n")
        : string.Create(CultureInfo.InvariantCulture, $"{tempo.Tempo1:F2}\n");

    /// <summary>A key as mir_eval writes it, e.g. <c>A minor</c>.</summary>
    public static string Key(KeyEstimate key) => key.Label + "\n";

    /// <summary>Chords as a .lab file: <c>start end label</c> per segment, times in seconds, Harte labels.</summary>
    public static string Chords(IEnumerable<ChordSegment> chords) => LabelledIntervals(chords.Select(c => (c.Start, c.End, c.Label)));

    /// <summary>Structural sections as a .lab file: <c>start end label</c> per segment, times in seconds.</summary>
    public static string Segments(IEnumerable<StructureSegment> segments) => LabelledIntervals(segments.Select(s => (s.Start, s.End, s.Label)));

    /// <summary>A pitch track: <c>time f0</c> per frame, seconds and Hz, 0 Hz where unvoiced.</summary>
    public static string Pitch(PitchTrack track)
    {
        var text = new StringBuilder();
        for (int t = 0; t < track.Count; t++)
            text.Append(CultureInfo.InvariantCulture, $"{track.Times[t]:F6} {track.Frequencies[t]:F3}\n");
        return text.ToString();
    }

    // Chords and sections share the .lab layout, so one writer keeps the two from drifting apart.
    private static string LabelledIntervals(IEnumerable<(double Start, double End, string Label)> intervals)
    {
        var text = new StringBuilder();
        foreach (var (start, end, label) in intervals)
            text.Append(CultureInfo.InvariantCulture, $"{start:F6} {end:F6} {label}\n");
        return text.ToString();
    }
}
