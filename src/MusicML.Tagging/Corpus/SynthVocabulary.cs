namespace MusicML.Tagging.Corpus;

/// <summary>The nine instrument families the synthetic tag vocabulary names (one tag each).</summary>
public enum InstrumentFamily
{
    /// <summary><c>piano</c>: GM programs 0–7 (the whole GM piano group, harpsichord and clavinet included).</summary>
    Piano,
    /// <summary><c>organ</c>: GM programs 16–23 (the GM organ group, accordions and harmonica included).</summary>
    Organ,
    /// <summary><c>guitar</c>: GM programs 24–31.</summary>
    Guitar,
    /// <summary><c>bass</c>: GM programs 32–39.</summary>
    Bass,
    /// <summary><c>strings</c>: GM programs 40–46 and 48–51 (solo strings, harp, string and synth-string ensembles).</summary>
    Strings,
    /// <summary><c>brass</c>: GM programs 56–63.</summary>
    Brass,
    /// <summary><c>reed</c>: GM programs 64–71.</summary>
    Reed,
    /// <summary><c>synth-lead</c>: GM programs 80–87.</summary>
    SynthLead,
    /// <summary><c>synth-pad</c>: GM programs 88–95.</summary>
    SynthPad,
}

/// <summary>
/// The tag vocabulary of the evaluation set <c>../shared/eval/synth</c> and the definitions behind it: which GM
/// programs make each family, the drum kits, and the tempo classes. The corpus applies the same definitions so a
/// tagger trained on it predicts the evaluation set's tags, but it draws from every program of each GM group (the
/// evaluation set uses two or three per family), because the model is also scored on material rendered differently.
/// </summary>
public static class SynthVocabulary
{
    /// <summary>All 16 tags in the order the evaluation set lists them in a clip's <c>.tags</c>.</summary>
    public static IReadOnlyList<string> Tags { get; } =
    [
        "piano", "organ", "guitar", "bass", "strings", "brass", "reed", "synth-lead", "synth-pad",
        "drums", "no-drums", "major", "minor", "slow", "medium", "fast",
    ];

    /// <summary>Tempos below this many BPM are <c>slow</c>.</summary>
    public const double SlowBelowBpm = 90.0;

    /// <summary>Tempos at or above this many BPM are <c>fast</c>; between the two, <c>medium</c>.</summary>
    public const double FastFromBpm = 130.0;

    /// <summary>
    /// GM drum-kit programs (bank 128) the corpus plays: Standard, Room, Power, Electronic, TR-808, Jazz, Brush and
    /// Orchestra, all present in FluidR3_GM.sf2 (checked with FluidSynth's <c>inst</c> command).
    /// </summary>
    public static IReadOnlyList<int> DrumKits { get; } = [0, 8, 16, 24, 25, 32, 40, 48];

    private static readonly int[][] ProgramsByFamily =
    [
        Range(0, 8), Range(16, 8), Range(24, 8), Range(32, 8),
        // Timpani (47), choirs and voices (52–54) and the orchestra hit (55) are no string sound a listener would tag
        // "strings", so they stay out, as do the chromatic-percussion, pipe, synth-effect and ethnic groups, which no tag names.
        [.. Range(40, 7), .. Range(48, 4)],
        Range(56, 8), Range(64, 8), Range(80, 8), Range(88, 8),
    ];

    private static int[] Range(int first, int count) => Enumerable.Range(first, count).ToArray();

    /// <summary>The tag of <paramref name="family"/>, e.g. <c>synth-lead</c>.</summary>
    public static string Tag(InstrumentFamily family) => Tags[(int)family];

    /// <summary>The GM programs (0-based) that belong to <paramref name="family"/>.</summary>
    public static IReadOnlyList<int> Programs(InstrumentFamily family) => ProgramsByFamily[(int)family];

    /// <summary>The family of GM program <paramref name="program"/> (0-based), or null when no tag names it.</summary>
    public static InstrumentFamily? FamilyOf(int program)
    {
        for (int f = 0; f < ProgramsByFamily.Length; f++)
            if (Array.IndexOf(ProgramsByFamily[f], program) >= 0) return (InstrumentFamily)f;
        return null;
    }

    /// <summary>The tempo class tag of <paramref name="bpm"/>: <c>slow</c>, <c>medium</c> or <c>fast</c>.</summary>
    public static string TempoClass(double bpm) => bpm < SlowBelowBpm ? "slow" : bpm >= FastFromBpm ? "fast" : "medium";
}
