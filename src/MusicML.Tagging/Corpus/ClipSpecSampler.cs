using MusicML.Core;

namespace MusicML.Tagging.Corpus;

/// <summary>
/// Draws a <see cref="ClipSpec"/> from a seed (<c>new Random(seed)</c>, nothing else random), following the recipe of
/// the evaluation set's generator (<c>../shared/eval/README.md</c>, "synth/: how it was made") but with far more
/// variety: every program of each GM family, eight drum kits, five grooves with fills, arpeggio styles, velocity
/// levels, articulation, mix levels and FluidSynth settings.
/// </summary>
public sealed record ClipSpecSampler
{
    /// <summary>Shortest clip in seconds (lead-in and release tail included).</summary>
    public double MinSeconds { get; init; } = 20;

    /// <summary>Longest clip in seconds.</summary>
    public double MaxSeconds { get; init; } = 30;

    /// <summary>Slowest tempo in BPM; tempos are log-uniform between the two bounds.</summary>
    public double MinBpm { get; init; } = 60;

    /// <summary>Fastest tempo in BPM.</summary>
    public double MaxBpm { get; init; } = 180;

    /// <summary>
    /// Draw expressive timing (<see cref="TimingSpec"/>: tempo curves, swing, looser timing, laid-back parts) for every
    /// clip (default false). The draws come from a second generator seeded from the clip's seed, so a seed's clip is the
    /// same with or without them apart from its timing, and the tagging corpus (without) is unchanged.
    /// </summary>
    public bool Expressive { get; init; }

    /// <summary>Validates every setting, naming the bad one.</summary>
    /// <exception cref="MusicMLException">A length or tempo range that is empty, not finite or out of bounds.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (!(MinSeconds >= 4 && MinSeconds <= 600)) errors.Add($"MinSeconds must lie in 4..600; got {MinSeconds}.");
        if (!(MaxSeconds >= MinSeconds && MaxSeconds <= 600)) errors.Add($"MaxSeconds must lie in MinSeconds..600; got {MaxSeconds}.");
        if (!(MinBpm >= 30 && MinBpm <= 300)) errors.Add($"MinBpm must lie in 30..300; got {MinBpm}.");
        if (!(MaxBpm >= MinBpm && MaxBpm <= 300)) errors.Add($"MaxBpm must lie in MinBpm..300; got {MaxBpm}.");
        if (errors.Count > 0) throw new MusicMLException(string.Join(" ", errors));
    }

    // Functional Markov chain over scale degrees (0 = I): tonic → predominant/dominant, predominant → dominant, dominant → tonic.
    private static readonly double[][] Transitions =
    [
        [0, 2, 1, 3, 3, 3, 0.5], // I
        [0.5, 0, 0, 1, 4, 0, 1], // ii
        [0, 1, 0, 2, 0, 3, 0],   // iii
        [2, 1, 0, 0, 3, 0, 1],   // IV
        [4, 0, 0, 0.5, 0, 2, 0], // V
        [0, 3, 0.5, 3, 1, 0, 0], // vi
        [4, 0, 0.5, 0, 0, 0, 0], // vii°
    ];

    private static readonly InstrumentFamily[] HarmonyFamilies =
        [InstrumentFamily.Piano, InstrumentFamily.Piano, InstrumentFamily.Organ, InstrumentFamily.Guitar, InstrumentFamily.Guitar,
         InstrumentFamily.Strings, InstrumentFamily.Brass, InstrumentFamily.Reed, InstrumentFamily.SynthLead, InstrumentFamily.SynthPad];

    private static readonly InstrumentFamily[] MelodyFamilies =
        [InstrumentFamily.Piano, InstrumentFamily.Organ, InstrumentFamily.Guitar, InstrumentFamily.Strings, InstrumentFamily.Brass,
         InstrumentFamily.Reed, InstrumentFamily.SynthLead, InstrumentFamily.SynthLead];

    private static readonly InstrumentFamily[] PadFamilies =
        [InstrumentFamily.Strings, InstrumentFamily.SynthPad, InstrumentFamily.SynthPad, InstrumentFamily.Organ, InstrumentFamily.Brass, InstrumentFamily.Reed];

    /// <summary>Harmony patterns; <c>-4</c> arpeggios need chords of at least four beats, so they are offered only then.</summary>
    private static readonly string[] HarmonyPatterns =
        ["block-whole", "block-halfbar", "block-beats", "block-offbeats", "strum-beats", "arp-up-8", "arp-down-8", "arp-updown-8",
         "arp-random-8", "arp-up-16", "arp-updown-16", "arp-up-triplet"];

    private static readonly string[] BassPatterns = ["whole", "beats", "eighths", "octaves", "root-fifth", "syncopated"];
    private static readonly string[] MelodyPatterns = ["melody-quarters", "melody-eighths", "melody-mixed"];

    /// <summary>Draws the clip of <paramref name="seed"/>.</summary>
    /// <exception cref="MusicMLException">Invalid settings.</exception>
    public ClipSpec Sample(int seed)
    {
        Validate();
        var random = new Random(seed);
        int beatsPerBar = random.Chance(0.75) ? 4 : 3;
        int us = (int)Math.Round(60e6 / random.LogUniform(MinBpm, MaxBpm));
        double beatSeconds = us / 1e6;
        var key = new MusicalKey(random.Next(12), random.Chance(0.5));
        double leadIn = random.Uniform(0.25, 1.0);
        const double tail = 1.5;
        // Whole bars only, so draw the bar count among those whose clip length (lead-in, bars, final hit, tail) lies
        // in MinSeconds..MaxSeconds; when no count fits (a slow 3/4 bar is longer than a narrow range), the shortest above MinSeconds.
        double fixedSeconds = leadIn + beatSeconds + tail, barSeconds = beatsPerBar * beatSeconds;
        int fewest = Math.Max(2, (int)Math.Ceiling((MinSeconds - fixedSeconds) / barSeconds));
        int most = Math.Max(fewest, (int)Math.Floor((MaxSeconds - fixedSeconds) / barSeconds));
        int bars = random.Next(fewest, most + 1);

        // Harmonic rhythm: 3/4 changes on bar lines; 4/4 on bar lines, half-bars, or a mix of both.
        string rhythm = beatsPerBar == 3 ? "bar" : random.Pick(["bar", "halfbar", "mixed"]);
        var spans = Progression(random, key, bars, beatsPerBar, rhythm);
        int shortest = spans.Min(s => s.Beats);

        var parts = new List<PartSpec>();
        PartSpec Part(PartRole role, int channel, InstrumentFamily family, string pattern, int? program = null) => new(
            role, channel, program ?? random.Pick(SynthVocabulary.Programs(family)), family, pattern,
            Velocity: random.Next(55, 116), Articulation: random.Uniform(0.45, 0.98),
            Volume: random.Next(70, 128), Pan: random.Next(24, 105), Reverb: random.Next(0, 90), Chorus: random.Next(0, 60));

        var harmonyFamily = random.Pick(HarmonyFamilies);
        var harmonyPatterns = shortest >= 4 ? [.. HarmonyPatterns, "arp-up-4", "arp-updown-4"] : HarmonyPatterns;
        var harmony = Part(PartRole.Harmony, 0, harmonyFamily, random.Pick(harmonyPatterns));
        parts.Add(harmony);
        // About one clip in five doubles the bass line on the harmony instrument in a low register instead of a
        // bass-family instrument, so "no bass tag" does not mean "no low notes" (as in the evaluation set).
        bool doubled = random.Chance(0.2);
        parts.Add(doubled
            ? Part(PartRole.Bass, 1, harmonyFamily, random.Pick(BassPatterns), harmony.Program)
            : Part(PartRole.Bass, 1, InstrumentFamily.Bass, random.Pick(BassPatterns)));
        if (random.Chance(0.6)) parts.Add(Part(PartRole.Melody, 2, random.Pick(MelodyFamilies), random.Pick(MelodyPatterns)));
        if (random.Chance(0.35)) parts.Add(Part(PartRole.Pad, 3, random.Pick(PadFamilies), "sustain"));

        DrumSpec? drums = null;
        if (random.Chance(0.7))
        {
            string groove = beatsPerBar == 4
                ? random.Pick(["rock", "rock", "half-time", "shuffle", "four-on-the-floor"])
                : random.Pick(["waltz", "waltz", "rock", "shuffle"]);
            drums = new DrumSpec(random.Pick(SynthVocabulary.DrumKits), groove, random.Pick([42, 42, 44, 51]),
                FillEvery: random.Pick([2, 4, 4, 8]), Velocity: random.Next(70, 121), Volume: random.Next(80, 128), Reverb: random.Next(0, 70));
        }
        var render = new RenderSpec(Gain: random.Uniform(0.2, 0.6), Reverb: random.Chance(0.8), Chorus: random.Chance(0.5));
        return new ClipSpec
        {
            Seed = seed, BeatsPerBar = beatsPerBar, MicrosecondsPerQuarter = us, Key = key, LeadInSeconds = leadIn,
            Bars = bars, Chords = spans, Parts = parts, Drums = drums, Render = render, TailSeconds = tail,
            Timing = Expressive ? DrawTiming(new Random(unchecked(seed * 7919 + 3)), us, bars * beatsPerBar + 1, beatsPerBar) : null,
        };
    }

    /// <summary>
    /// Expressive timing for <paramref name="beats"/> beats around <paramref name="us"/> µs per beat: a steady tempo
    /// (±0.5 % wander), a random walk (0.4 % per beat, within ±6 %), a ramp to ±8 % by the end, or rubato swells of
    /// ±5 % over 2–4 bars; half the clips slow by 10–25 % over their last bar. A third swing their eighths (by 0.08–1/6
    /// beat); jitter 3–15 ms; drums −10…+10 ms and bass −5…+15 ms off the grid.
    /// </summary>
    private static TimingSpec DrawTiming(Random random, int us, int beats, int beatsPerBar)
    {
        string shape = random.Weighted([0.3, 0.3, 0.2, 0.2]) switch { 0 => "steady", 1 => "drift", 2 => "ramp", _ => "rubato" };
        double ramp = random.Uniform(-0.08, 0.08), swell = random.Uniform(0.02, 0.05), period = random.Next(2, 5) * beatsPerBar;
        double phase = random.Uniform(0, 2 * Math.PI), walk = 0;
        bool ritardando = random.Chance(0.5);
        double slowBy = random.Uniform(0.10, 0.25);
        var lengths = new int[beats];
        for (int b = 0; b < beats; b++)
        {
            walk = Math.Clamp(walk + random.Gaussian() * 0.004, -0.06, 0.06);
            double change = shape switch
            {
                "steady" => 0.005 * Math.Sin(2 * Math.PI * b / Math.Max(beats, 1) + phase),
                "drift" => walk,
                "ramp" => ramp * b / Math.Max(beats - 1, 1),
                _ => swell * Math.Sin(2 * Math.PI * b / period + phase),
            };
            // A ritardando stretches the beats of the last bar progressively, up to slowBy before the final hit.
            int fromEnd = beats - 1 - b;
            if (ritardando && fromEnd < beatsPerBar) change -= slowBy * (beatsPerBar - fromEnd) / beatsPerBar;
            lengths[b] = (int)Math.Round(us / (1 + change)); // faster tempo, shorter beat
        }
        lengths[0] = us; // the lead-in and the first beat keep the drawn tempo
        double swing = random.Chance(1.0 / 3) ? random.Uniform(0.08, 1.0 / 6) : 0;
        return new TimingSpec(lengths, shape, swing, JitterSeconds: random.Uniform(0.003, 0.015),
            DrumOffsetSeconds: random.Uniform(-0.010, 0.010), BassOffsetSeconds: random.Uniform(-0.005, 0.015));
    }

    /// <summary>
    /// A diatonic progression that starts on I/i, moves through the functional chain, reaches V(7) at the last chord
    /// of the last bar and ends on a one-beat I/i hit. About a quarter of the chords carry a seventh; the dominant half the time.
    /// </summary>
    private static List<ChordSpan> Progression(Random random, MusicalKey key, int bars, int beatsPerBar, string rhythm)
    {
        var lengths = new List<int>();
        for (int bar = 0; bar < bars; bar++)
        {
            bool split = rhythm == "halfbar" || (rhythm == "mixed" && random.Chance(0.5));
            if (split) lengths.AddRange([2, 2]);
            else lengths.Add(beatsPerBar);
        }
        var spans = new List<ChordSpan>();
        int degree = 0, beat = 0;
        for (int i = 0; i < lengths.Count; i++)
        {
            if (i == lengths.Count - 1) degree = 4;
            else if (i > 0) degree = random.Weighted(Transitions[degree]);
            bool seventh = random.Chance(degree == 4 ? 0.5 : 0.2) && i > 0;
            spans.Add(new ChordSpan(beat, lengths[i], key.Chord(degree, seventh)));
            beat += lengths[i];
        }
        spans.Add(new ChordSpan(beat, 1, key.Chord(0, seventh: false)));
        return spans;
    }
}
