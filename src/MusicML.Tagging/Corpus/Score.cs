namespace MusicML.Tagging.Corpus;

/// <summary>One note of a score, in MIDI ticks.</summary>
/// <param name="Tick">Note-on time in ticks from the start of the file.</param>
/// <param name="Duration">Length in ticks (at least 1).</param>
/// <param name="Channel">MIDI channel, 0-based (9 = drums).</param>
/// <param name="Pitch">MIDI note number.</param>
/// <param name="Velocity">Note-on velocity, 1–127.</param>
public readonly record struct ScoreNote(long Tick, int Duration, int Channel, int Pitch, int Velocity)
{
    /// <summary>The note-off time in ticks.</summary>
    public long OffTick => Tick + Duration;

    /// <summary>Whether the note is on the GM drum channel (10, 0-based 9).</summary>
    public bool IsDrum => Channel == ScoreComposer.DrumChannel;
}

/// <summary>A labelled chord segment in ticks, <c>[StartTick, EndTick)</c>.</summary>
/// <param name="StartTick">Where the chord starts.</param>
/// <param name="EndTick">Where it ends.</param>
/// <param name="Chord">The chord.</param>
public readonly record struct ChordSegment(long StartTick, long EndTick, ChordSymbol Chord);

/// <summary>
/// The notes of one clip and the symbolic facts the labels come from: the exact beat grid, the chord segments and
/// where the file ends. Times are MIDI ticks at <see cref="TicksPerQuarter"/> and one constant tempo.
/// </summary>
public sealed class Score
{
    /// <summary>MIDI resolution (as the evaluation set's files): fine enough that ±5 ms of jitter are many ticks even at 60 BPM.</summary>
    public const int TicksPerQuarter = 960;

    internal Score(ClipSpec spec, long musicStartTick, IReadOnlyList<ScoreNote> notes, IReadOnlyList<ChordSegment> chords, long endTick)
    {
        Spec = spec;
        MusicStartTick = musicStartTick;
        Notes = notes;
        Chords = chords;
        EndTick = endTick;
    }

    /// <summary>The clip's parameters.</summary>
    public ClipSpec Spec { get; }

    /// <summary>The first beat, in ticks (after the lead-in).</summary>
    public long MusicStartTick { get; }

    /// <summary>All notes, sorted by time, then channel, then pitch.</summary>
    public IReadOnlyList<ScoreNote> Notes { get; }

    /// <summary>The chord segments from the first beat to the final hit's last note-off.</summary>
    public IReadOnlyList<ChordSegment> Chords { get; }

    /// <summary>End of the file (last note-off plus the release tail), in ticks.</summary>
    public long EndTick { get; }

    /// <summary>Beats in the clip: the full bars and the final hit.</summary>
    public int BeatCount => Spec.Bars * Spec.BeatsPerBar + 1;

    /// <summary>The tick of beat <paramref name="beat"/> (0 = the first beat).</summary>
    public long BeatTick(int beat) => MusicStartTick + (long)beat * TicksPerQuarter;

    /// <summary>Converts ticks to seconds at the clip's tempo (no render shift).</summary>
    public double Seconds(long tick) => tick * (double)Spec.MicrosecondsPerQuarter / (TicksPerQuarter * 1e6);

    /// <summary>Converts seconds to the nearest tick at the clip's tempo.</summary>
    public long Ticks(double seconds) => (long)Math.Round(seconds * TicksPerQuarter * 1e6 / Spec.MicrosecondsPerQuarter);
}
