namespace MusicML.Tagging.Corpus;

/// <summary>What a pitched part does in a clip.</summary>
public enum PartRole
{
    /// <summary>Block or arpeggiated chords; always present.</summary>
    Harmony,
    /// <summary>The chord roots in a low register.</summary>
    Bass,
    /// <summary>An optional scale melody (chord tones on strong beats).</summary>
    Melody,
    /// <summary>An optional sustained chord pad.</summary>
    Pad,
}

/// <summary>One pitched part of a clip: its instrument, pattern and mix.</summary>
/// <param name="Role">What the part plays.</param>
/// <param name="Channel">MIDI channel, 0-based (the drums use 9).</param>
/// <param name="Program">GM program, 0-based.</param>
/// <param name="Family">The program's tag family.</param>
/// <param name="Pattern">The rhythmic pattern, e.g. <c>arp-updown-8</c>.</param>
/// <param name="Velocity">Mean note-on velocity before humanisation.</param>
/// <param name="Articulation">Sounding length as a fraction of each note's slot (0.45 staccato to 0.98 legato).</param>
/// <param name="Volume">Channel volume (CC 7).</param>
/// <param name="Pan">Pan (CC 10, 64 = centre).</param>
/// <param name="Reverb">Reverb send (CC 91).</param>
/// <param name="Chorus">Chorus send (CC 93).</param>
public sealed record PartSpec(PartRole Role, int Channel, int Program, InstrumentFamily Family, string Pattern,
    int Velocity, double Articulation, int Volume, int Pan, int Reverb, int Chorus);

/// <summary>The drum part (GM channel 10) of a clip.</summary>
/// <param name="Kit">GM drum-kit program (bank 128), one of <see cref="SynthVocabulary.DrumKits"/>.</param>
/// <param name="Groove">The groove: <c>rock</c>, <c>half-time</c>, <c>shuffle</c>, <c>four-on-the-floor</c> (4/4) or <c>waltz</c>, <c>rock</c>, <c>shuffle</c> (3/4).</param>
/// <param name="Timekeeper">The GM note keeping time: 42 closed hi-hat, 44 pedal hi-hat or 51 ride.</param>
/// <param name="FillEvery">A fill ends every this many bars (and always the bar before the final hit).</param>
/// <param name="Velocity">Mean velocity before humanisation.</param>
/// <param name="Volume">Channel volume (CC 7).</param>
/// <param name="Reverb">Reverb send (CC 91).</param>
public sealed record DrumSpec(int Kit, string Groove, int Timekeeper, int FillEvery, int Velocity, int Volume, int Reverb);

/// <summary>FluidSynth settings for one clip, varied so the corpus is not tied to one rendering.</summary>
/// <param name="Gain">FluidSynth's master gain (<c>-g</c>).</param>
/// <param name="Reverb">Whether FluidSynth's reverb is on.</param>
/// <param name="Chorus">Whether FluidSynth's chorus is on.</param>
public sealed record RenderSpec(double Gain, bool Reverb, bool Chorus);

/// <summary>
/// Expressive timing of a clip, as a player rather than a sequencer would give it: a tempo that changes from beat to
/// beat, swung eighths, looser note timing and parts that sit ahead of or behind the beat. The beat and downbeat
/// labels follow the tempo curve exactly (they are the metrical grid the notes are placed on).
/// </summary>
/// <param name="MicrosecondsPerBeat">Length of every beat, the final hit's included, in microseconds.</param>
/// <param name="Shape">How the tempo moves: <c>steady</c>, <c>drift</c> (a random walk), <c>ramp</c> (a gradual
/// accelerando or ritardando) or <c>rubato</c> (slow swells), each with a ritardando into the final hit half the time.</param>
/// <param name="Swing">Delay of every off-beat eighth, in beats (0 straight, 1/6 triplet swing).</param>
/// <param name="JitterSeconds">Note-on jitter, uniform within ± this.</param>
/// <param name="DrumOffsetSeconds">Where the drums sit against the grid (negative: ahead).</param>
/// <param name="BassOffsetSeconds">Where the bass sits against the grid.</param>
public sealed record TimingSpec(IReadOnlyList<int> MicrosecondsPerBeat, string Shape, double Swing, double JitterSeconds,
    double DrumOffsetSeconds, double BassOffsetSeconds);

/// <summary>One chord of the progression, in beats from the start of the music.</summary>
/// <param name="StartBeat">First beat of the chord.</param>
/// <param name="Beats">How many beats it lasts.</param>
/// <param name="Chord">The chord.</param>
public sealed record ChordSpan(int StartBeat, int Beats, ChordSymbol Chord);

/// <summary>
/// Every musical decision of one clip, drawn from its seed by <see cref="ClipSpecSampler"/>: meter, tempo, key,
/// progression, parts, drums, mix and rendering. The notes themselves come from <see cref="ScoreComposer"/>.
/// </summary>
public sealed record ClipSpec
{
    /// <summary>The seed the clip was drawn from; the same seed gives the same clip.</summary>
    public required int Seed { get; init; }

    /// <summary>Quarter-note beats per bar: 4 (4/4) or 3 (3/4).</summary>
    public required int BeatsPerBar { get; init; }

    /// <summary>The MIDI tempo, microseconds per quarter note.</summary>
    public required int MicrosecondsPerQuarter { get; init; }

    /// <summary>
    /// The tempo in BPM: 60e6 / <see cref="MicrosecondsPerQuarter"/>, or with a tempo curve
    /// (<see cref="Timing"/>) 60 over the median beat length, the tempo a listener would tap.
    /// </summary>
    public double Tempo
    {
        get
        {
            if (Timing is null) return 60e6 / MicrosecondsPerQuarter;
            var sorted = Timing.MicrosecondsPerBeat.Order().ToArray();
            int m = sorted.Length / 2;
            double median = sorted.Length % 2 == 1 ? sorted[m] : 0.5 * ((double)sorted[m - 1] + sorted[m]);
            return 60e6 / median;
        }
    }

    /// <summary>
    /// Expressive timing, or null for a sequencer's: one tempo (<see cref="MicrosecondsPerQuarter"/>), straight
    /// eighths and ±5 ms of jitter (the tagging corpus and the evaluation set).
    /// </summary>
    public TimingSpec? Timing { get; init; }

    /// <summary>The meter as written in the manifest, e.g. <c>4/4</c>.</summary>
    public string Meter => $"{BeatsPerBar}/4";

    /// <summary>The key.</summary>
    public required MusicalKey Key { get; init; }

    /// <summary>Digital silence before the first beat, in seconds.</summary>
    public required double LeadInSeconds { get; init; }

    /// <summary>Full bars before the one-beat final hit.</summary>
    public required int Bars { get; init; }

    /// <summary>The progression, final hit included.</summary>
    public required IReadOnlyList<ChordSpan> Chords { get; init; }

    /// <summary>The pitched parts.</summary>
    public required IReadOnlyList<PartSpec> Parts { get; init; }

    /// <summary>The drum part, or null for a clip without drums.</summary>
    public required DrumSpec? Drums { get; init; }

    /// <summary>How the clip is rendered.</summary>
    public required RenderSpec Render { get; init; }

    /// <summary>Release tail after the last note-off, in seconds.</summary>
    public double TailSeconds { get; init; } = 1.5;

    /// <summary>
    /// The clip's tags: the families present (vocabulary order), <c>drums</c>/<c>no-drums</c>, <c>major</c>/<c>minor</c>,
    /// then the tempo class.
    /// </summary>
    public IReadOnlyList<string> Tags
    {
        get
        {
            var families = Parts.Select(p => p.Family).Distinct().OrderBy(f => f).Select(SynthVocabulary.Tag);
            return [.. families, Drums is null ? "no-drums" : "drums", Key.IsMinor ? "minor" : "major", SynthVocabulary.TempoClass(Tempo)];
        }
    }
}
