using MusicML.Core;
using MusicML.Mir.Chroma;

namespace MusicML.Mir.Key;

/// <summary>
/// Learns a key profile from audio it synthesises itself, so the profile reflects what an audio chroma of tonal
/// music looks like (partials, bass, leading-tone use) without touching any evaluation data: the approach of learning
/// profiles from pitch-class statistics of labelled material (Temperley, "Music and Probability", 2007, ch. 4;
/// Faraldo et al., ECIR 2016, on audio) with a labelled corpus we generate.
/// </summary>
public static class KeyProfileLearner
{
    private const int SampleRate = 11025;
    private const double ChordSeconds = 0.6;

    // Diatonic triads as (degree offset in semitones, intervals). Minor uses the harmonic-minor V and vii° and the
    // natural-minor III, VI and iv, as common-practice minor harmony does.
    private static readonly (int Root, int[] Intervals)[] MajorChords =
        [(0, [0, 4, 7]), (2, [0, 3, 7]), (4, [0, 3, 7]), (5, [0, 4, 7]), (7, [0, 4, 7]), (9, [0, 3, 7]), (11, [0, 3, 6]), (7, [0, 4, 7, 10])];
    private static readonly (int Root, int[] Intervals)[] MinorChords =
        [(0, [0, 3, 7]), (2, [0, 3, 6]), (3, [0, 4, 7]), (5, [0, 3, 7]), (7, [0, 4, 7]), (8, [0, 4, 7]), (11, [0, 3, 6]), (7, [0, 4, 7, 10])];

    // Functional successors (indices into the chord lists): tonic → anything, predominant → dominant, dominant → tonic.
    private static readonly int[][] Successors =
        [[1, 2, 3, 4, 5, 6, 7], [4, 6, 7], [3, 5], [1, 4, 7, 0], [0, 5], [1, 3], [0], [0]];

    /// <summary>
    /// Renders <paramref name="progressionsPerMode"/> progressions per mode (tonics cycling through all 12 pitch
    /// classes; 8–12 chords from a functional Markov chain starting on I/i and ending V(7)–I; root in the bass, the
    /// chord in the middle register, each note with 6 decaying partials), computes each progression's <see cref="CqtChroma"/>
    /// (the chroma <see cref="KeyEstimator"/> reads) and its pitch-class distribution with
    /// <see cref="KeyEstimator.PitchClassDistribution"/>, rotates it to a C tonic, normalises it to
    /// unit sum and averages per mode. The result is scaled so the tonic weight is 1.
    /// </summary>
    /// <param name="seed">Seed of the progression and voicing choices.</param>
    /// <param name="progressionsPerMode">Number of progressions per mode (at least 12, so every tonic occurs).</param>
    /// <exception cref="MusicMLException"><paramref name="progressionsPerMode"/> is below 12.</exception>
    public static KeyProfile Learn(int seed = 2026, int progressionsPerMode = 48)
    {
        if (progressionsPerMode < 12) throw new MusicMLException($"progressionsPerMode must be at least 12; got {progressionsPerMode}.");
        var random = new Random(seed);
        var profiles = new double[2][];
        for (int mode = 0; mode < 2; mode++)
        {
            var sum = new double[12];
            var chords = mode == 0 ? MajorChords : MinorChords;
            for (int p = 0; p < progressionsPerMode; p++)
            {
                int tonic = p % 12;
                var audio = RenderProgression(random, tonic, chords);
                // The estimator's chroma: CqtChroma's default 46 ms hop (1024 samples at 22050 Hz), exactly in tune.
                var chroma = CqtChroma.Compute(audio, SampleRate, hopLength: 512, tuning: 0);
                var distribution = KeyEstimator.PitchClassDistribution(chroma.Full);
                double total = distribution.Sum();
                for (int pc = 0; pc < 12; pc++) sum[pc] += distribution[(pc + tonic) % 12] / total;
            }
            double tonicWeight = sum[0];
            profiles[mode] = sum.Select(v => Math.Round(v / tonicWeight, 4)).ToArray();
        }
        return new KeyProfile("learned", profiles[0], profiles[1]);
    }

    private static float[] RenderProgression(Random random, int tonic, (int Root, int[] Intervals)[] chords)
    {
        int count = random.Next(8, 13);
        var sequence = new List<int> { 0 };
        while (sequence.Count < count - 2)
        {
            var options = Successors[sequence[^1]];
            sequence.Add(options[random.Next(options.Length)]);
        }
        sequence.Add(random.Next(2) == 0 ? 4 : 7);
        sequence.Add(0);

        int chordSamples = (int)(ChordSeconds * SampleRate);
        var audio = new float[sequence.Count * chordSamples];
        for (int c = 0; c < sequence.Count; c++)
        {
            var (degree, intervals) = chords[sequence[c]];
            int root = (tonic + degree) % 12;
            var span = audio.AsSpan(c * chordSamples, chordSamples);
            AddNote(span, 36 + root, 1.0f);                               // bass: root in octave 2
            int register = 55 + random.Next(0, 7);                         // chord voiced from G3–C#4 upwards
            foreach (var interval in intervals)
            {
                int note = 48 + (root + interval) % 12;
                while (note < register) note += 12;
                AddNote(span, note, 0.6f + 0.2f * (float)random.NextDouble());
            }
        }
        return audio;
    }

    private static void AddNote(Span<float> destination, int midiNote, float amplitude)
    {
        double frequency = 440 * Math.Pow(2, (midiNote - 69) / 12.0);
        for (int h = 1; h <= 6; h++)
        {
            double partial = frequency * h;
            if (partial >= SampleRate / 2.0) break;
            double step = 2 * Math.PI * partial / SampleRate;
            float weight = amplitude / h;
            // Phase recursion instead of Math.Sin per sample: a rotating unit vector.
            double c = Math.Cos(step), s = Math.Sin(step), re = 1, im = 0;
            for (int i = 0; i < destination.Length; i++)
            {
                float envelope = MathF.Exp(-2.5f * i / SampleRate);
                destination[i] += weight * envelope * (float)im;
                (re, im) = (re * c - im * s, re * s + im * c);
            }
        }
    }
}
