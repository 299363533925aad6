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

    private readonly double[] _beatSeconds;
    private readonly double[] _beatLengths;

    internal Score(ClipSpec spec, long musicStartTick, IReadOnlyList<ScoreNote> notes, IReadOnlyList<ChordSegment> chords, long endTick)
    {
        Spec = spec;
        MusicStartTick = musicStartTick;
        Notes = notes;
        Chords = chords;
        EndTick = endTick;
        // Beat b lasts _beatLengths[b] seconds and starts at _beatSeconds[b]; the lead-in runs at the first beat's tempo
        // and anything after the last listed beat at the last one's (the MIDI file's tempo map says the same).
        var lengths = spec.Timing?.MicrosecondsPerBeat ?? [spec.MicrosecondsPerQuarter];
        _beatLengths = lengths.Select(us => us / 1e6).ToArray();
        _beatSeconds = new double[_beatLengths.Length];
        _beatSeconds[0] = musicStartTick * _beatLengths[0] / TicksPerQuarter;
        for (int b = 1; b < _beatSeconds.Length; b++) _beatSeconds[b] = _beatSeconds[b - 1] + _beatLengths[b - 1];
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

    /// <summary>The clip's tempo map: the tick at which each beat length of <see cref="ClipSpec.Timing"/> starts, and that length in microseconds.</summary>
    public IEnumerable<(long Tick, int Microseconds)> TempoMap =>
        (Spec.Timing?.MicrosecondsPerBeat ?? [Spec.MicrosecondsPerQuarter]).Select((us, b) => (b == 0 ? 0L : BeatTick(b), us));

    /// <summary>Converts ticks to seconds along the clip's tempo map (no render shift).</summary>
    public double Seconds(long tick)
    {
        // One tempo: the plain product, bit for bit what the tagging corpus has always been labelled with.
        if (Spec.Timing is null) return tick * (double)Spec.MicrosecondsPerQuarter / (TicksPerQuarter * 1e6);
        double beat = (tick - MusicStartTick) / (double)TicksPerQuarter;
        int b = Math.Clamp((int)Math.Floor(beat), 0, _beatSeconds.Length - 1);
        return _beatSeconds[b] + (beat - b) * _beatLengths[b];
    }

    /// <summary>Converts seconds to the nearest tick along the clip's tempo map.</summary>
    public long Ticks(double seconds)
    {
        int b = Array.BinarySearch(_beatSeconds, seconds);
        if (b < 0) b = Math.Max(0, ~b - 1);
        return MusicStartTick + (long)Math.Round((b + (seconds - _beatSeconds[b]) / _beatLengths[b]) * TicksPerQuarter);
    }
}
