using MusicML.Core;
using MusicML.Mir.Onsets;

namespace MusicML.Mir.Beats;

/// <summary>Downbeats and meter: the bar position of every beat.</summary>
/// <param name="Beats">Beat times in seconds.</param>
/// <param name="Positions">Position of each beat in its bar, 1 for a downbeat.</param>
/// <param name="BeatsPerBar">The meter's beats per bar (3 or 4 with the default tracker), the most frequent along the path.</param>
public sealed record BarTracking(double[] Beats, int[] Positions, int BeatsPerBar)
{
    /// <summary>Times of the beats at position 1, in seconds.</summary>
    public double[] Downbeats => Beats.Where((_, i) => Positions[i] == 1).ToArray();
}

/// <summary>
/// Downbeat and meter tracking over beat-synchronous features with an HMM in the spirit of madmom's
/// DBNBarTrackingProcessor (Krebs, Böck, Dorfer &amp; Widmer, "Downbeat tracking using beat-synchronous features and
/// recurrent neural networks", ISMIR 2016): states are (beats per bar, position in bar), the position advances by one
/// beat per beat, a meter may change only at a bar line and rarely, and Viterbi decoding picks the path whose downbeats
/// carry the most evidence. The evidence for a downbeat is a bass onset (kick drum, bass note) at the beat and a change
/// of harmony from the previous beat to this one (chords change on bar lines; Goto &amp; Muraoka 1999, Papadopoulos &amp;
/// Peeters 2011), each standardised over the piece so that neither dominates by scale.
/// </summary>
public sealed record BarTracker
{
    /// <summary>Meters considered, as beats per bar.</summary>
    public IReadOnlyList<int> BeatsPerBar { get; init; } = [3, 4];

    /// <summary>Probability of switching meter at a bar line.</summary>
    public double MeterChangeProbability { get; init; } = 1e-4;

    /// <summary>Upper edge in Hz of the bands whose flux counts as a bass onset.</summary>
    public double BassMaxHz { get; init; } = 150.0;

    /// <summary>Weight of the harmonic-change evidence relative to the bass-onset evidence.</summary>
    public double HarmonyWeight { get; init; } = 1.0;

    /// <summary>Validates every setting, naming the bad one.</summary>
    public void Validate()
    {
        if (BeatsPerBar.Count == 0 || BeatsPerBar.Any(b => b < 2 || b > 16))
            throw new MusicMLException($"BeatsPerBar must list meters of 2–16 beats; got [{string.Join(", ", BeatsPerBar)}].");
        if (!(MeterChangeProbability > 0 && MeterChangeProbability < 1))
            throw new MusicMLException($"MeterChangeProbability must lie in (0, 1); got {MeterChangeProbability}.");
        InputGuard.Positive(BassMaxHz, nameof(BassMaxHz));
        MirValidation.NonNegative(HarmonyWeight, nameof(HarmonyWeight));
    }

    /// <summary>Assigns bar positions to <paramref name="beats"/> (seconds) using the features of <paramref name="spectrogram"/>.</summary>
    /// <exception cref="MusicMLException">Invalid settings, or beats that are not increasing and finite.</exception>
    public BarTracking Track(RhythmSpectrogram spectrogram, double[] beats)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        int bassBands = Math.Max(1, spectrogram.Filterbank.CentreFrequencies.Count(f => f <= BassMaxHz));
        var bassFlux = OnsetActivation.SuperFlux(spectrogram.LogSpectrogram, spectrogram.DiffFrames, 1, 0, bassBands);
        var harmony = RhythmFeatures.FoldPitchClasses(spectrogram, RhythmFeatures.HarmonyMinHz, RhythmFeatures.HarmonyMaxHz);
        return Track(bassFlux, harmony, spectrogram.FrameRate, beats);
    }

    /// <summary>
    /// Assigns bar positions to <paramref name="beats"/> (seconds) using precomputed (e.g. streamed) rhythm features,
    /// whose bass flux must have been computed for this tracker's <see cref="BassMaxHz"/> (<see cref="RhythmFeatures.Compute"/> does).
    /// </summary>
    /// <exception cref="MusicMLException">Invalid settings, or beats that are not increasing and finite.</exception>
    public BarTracking Track(RhythmFeatures features, double[] beats)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Track(features.BassFlux, features.HarmonyPitchClasses, features.FrameRate, beats);
    }

    /// <summary>
    /// <see cref="Track(RhythmFeatures, double[])"/> with more evidence: <paramref name="extraEvidence"/> (one value
    /// per beat, on the standardised scale of the bass and harmony cues, e.g. a learned downbeat activation at each beat)
    /// is added to theirs before decoding.
    /// </summary>
    /// <exception cref="MusicMLException">Invalid settings, bad beats, or evidence of another length than the beats.</exception>
    public BarTracking Track(RhythmFeatures features, double[] beats, ReadOnlySpan<double> extraEvidence)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(beats);
        if (extraEvidence.Length != beats.Length) throw new MusicMLException($"{extraEvidence.Length} evidence values for {beats.Length} beats.");
        Validate();
        if (beats.Length == 0) return new BarTracking(beats, [], BeatsPerBar.Max());
        var evidence = DownbeatEvidence(features.BassFlux, features.HarmonyPitchClasses, features.FrameRate, beats);
        for (int i = 0; i < evidence.Length; i++) evidence[i] += extraEvidence[i];
        return Decode(beats, evidence);
    }

    private BarTracking Track(float[] bassFlux, float[] harmonyPitchClasses, double frameRate, double[] beats)
    {
        ArgumentNullException.ThrowIfNull(beats);
        Validate();
        for (int i = 0; i < beats.Length; i++)
            if (!double.IsFinite(beats[i]) || (i > 0 && beats[i] <= beats[i - 1]))
                throw new MusicMLException($"Beat {i} at {beats[i]} s is not finite or not after the previous beat.");
        int meterFallback = BeatsPerBar.Max();
        if (beats.Length == 0) return new BarTracking(beats, [], meterFallback);
        var evidence = DownbeatEvidence(bassFlux, harmonyPitchClasses, frameRate, beats);
        return Decode(beats, evidence);
    }

    /// <summary>Viterbi over (meter, position) states given the per-beat downbeat evidence (log-likelihood ratios).</summary>
    internal BarTracking Decode(double[] beats, double[] evidence)
    {
        var meters = BeatsPerBar.Distinct().Order().ToArray();
        int stateCount = meters.Sum();
        var meterOf = new int[stateCount];
        var positionOf = new int[stateCount];
        for (int m = 0, s = 0; m < meters.Length; m++)
            for (int k = 0; k < meters[m]; k++, s++) { meterOf[s] = m; positionOf[s] = k; }
        var first = new int[meters.Length];
        for (int m = 1; m < meters.Length; m++) first[m] = first[m - 1] + meters[m - 1];

        double stay = Math.Log(1 - MeterChangeProbability), change = meters.Length > 1 ? Math.Log(MeterChangeProbability / (meters.Length - 1)) : double.NegativeInfinity;
        int n = beats.Length;
        var score = new double[stateCount];
        var next = new double[stateCount];
        var back = new int[n * stateCount];
        for (int s = 0; s < stateCount; s++) score[s] = positionOf[s] == 0 ? evidence[0] : 0;
        for (int i = 1; i < n; i++)
        {
            for (int s = 0; s < stateCount; s++)
            {
                int m = meterOf[s], k = positionOf[s];
                double best;
                int argBest;
                if (k > 0)
                {
                    argBest = s - 1;
                    best = score[argBest];
                }
                else
                {
                    // A bar starts after the last position of any meter; switching meter costs log(p_change).
                    best = double.NegativeInfinity;
                    argBest = s;
                    for (int from = 0; from < meters.Length; from++)
                    {
                        int lastState = first[from] + meters[from] - 1;
                        double v = score[lastState] + (from == m ? stay : change);
                        if (v > best) { best = v; argBest = lastState; }
                    }
                }
                next[s] = best + (k == 0 ? evidence[i] : 0);
                back[i * stateCount + s] = argBest;
            }
            (score, next) = (next, score);
        }
        int state = 0;
        for (int s = 1; s < stateCount; s++) if (score[s] > score[state]) state = s;
        var positions = new int[n];
        var meterCounts = new int[meters.Length];
        for (int i = n - 1; i >= 0; i--)
        {
            positions[i] = positionOf[state] + 1;
            meterCounts[meterOf[state]]++;
            if (i > 0) state = back[i * stateCount + state];
        }
        int meter = meters[Array.IndexOf(meterCounts, meterCounts.Max())];
        return new BarTracking(beats, positions, meter);
    }

    /// <summary>Standardised bass-onset strength plus weighted standardised harmonic change at every beat.</summary>
    internal double[] DownbeatEvidence(float[] bassFlux, float[] harmonyPitchClasses, double fps, double[] beats)
    {
        int n = beats.Length, frames = bassFlux.Length;
        var beatFrames = beats.Select(b => Math.Clamp((int)Math.Round(b * fps), 0, frames - 1)).ToArray();

        var bass = new double[n];
        int reach = Math.Max(1, (int)Math.Round(0.03 * fps)); // onsets within ±30 ms belong to the beat
        for (int i = 0; i < n; i++)
            for (int t = Math.Max(0, beatFrames[i] - reach); t <= Math.Min(frames - 1, beatFrames[i] + reach); t++)
                bass[i] = Math.Max(bass[i], bassFlux[t]);

        var chroma = BeatChroma(harmonyPitchClasses, beatFrames);
        var harmony = new double[n];
        for (int i = 1; i < n; i++)
        {
            double dot = 0, a = 0, b = 0;
            for (int c = 0; c < 12; c++)
            {
                dot += chroma[i, c] * chroma[i - 1, c];
                a += chroma[i, c] * chroma[i, c];
                b += chroma[i - 1, c] * chroma[i - 1, c];
            }
            harmony[i] = a > 0 && b > 0 ? 1 - dot / Math.Sqrt(a * b) : 0;
        }
        if (n > 1) harmony[0] = harmony[1];
        Standardise(bass);
        Standardise(harmony);
        var evidence = new double[n];
        for (int i = 0; i < n; i++) evidence[i] = bass[i] + HarmonyWeight * harmony[i];
        return evidence;
    }

    /// <summary>
    /// Chroma of the log-filtered spectrogram (bands centred 60 Hz–2.1 kHz folded onto 12 pitch classes,
    /// <see cref="RhythmFeatures.HarmonyPitchClasses"/>) averaged from each beat to the next; the bands are already
    /// log-compressed, so no per-frame logarithm is needed here.
    /// </summary>
    internal static double[,] BeatChroma(float[] harmonyPitchClasses, int[] beatFrames)
    {
        int n = beatFrames.Length, frames = harmonyPitchClasses.Length / 12;
        var chroma = new double[n, 12];
        for (int i = 0; i < n; i++)
        {
            int start = beatFrames[i], end = i + 1 < n ? beatFrames[i + 1] : Math.Min(frames, start + (i > 0 ? start - beatFrames[i - 1] : 1));
            if (end <= start) continue;
            for (int pc = 0; pc < 12; pc++)
            {
                double sum = 0;
                for (int t = start; t < end; t++) sum += harmonyPitchClasses[t * 12 + pc];
                chroma[i, pc] = sum / (end - start);
            }
        }
        return chroma;
    }

    private static void Standardise(double[] values)
    {
        if (values.Length == 0) return;
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        for (int i = 0; i < values.Length; i++) values[i] = std > 1e-12 ? (values[i] - mean) / std : 0;
    }
}
