using MusicML.Core;
using MusicML.Mir.Chroma;
using MusicML.Mir.Key;

namespace MusicML.Mir.Chords;

/// <summary>One chord segment.</summary>
/// <param name="Start">Start time in seconds.</param>
/// <param name="End">End time in seconds.</param>
/// <param name="Label">Harte label (<c>G:7</c>) or <c>N</c>.</param>
public readonly record struct ChordSegment(double Start, double End, string Label);

/// <summary>Settings of <see cref="ChordEstimator"/>, validated when used.</summary>
public sealed record ChordOptions
{
    /// <summary>Defaults: full vocabulary, decoded with the HMM described on <see cref="ChordEstimator"/>.</summary>
    public static ChordOptions Default { get; } = new();

    /// <summary>Qualities to choose from (default <see cref="ChordVocabulary.Full"/>).</summary>
    public ChordVocabulary Vocabulary { get; init; } = ChordVocabulary.Full;

    /// <summary>Probability that the chord changes from one second to the next (default 0.3, i.e. a chord lasts about 3 s on average).</summary>
    public double ChangeRatePerSecond { get; init; } = 0.3;

    /// <summary>Weight of the bass-register evidence for the root against the treble template match (default 0.25).</summary>
    public double BassWeight { get; init; } = 0.25;

    /// <summary>Number of partials (1 = fundamental only) each chord tone contributes to its template (default 6, so the major third of every tone is in its template).</summary>
    public int TemplateHarmonics { get; init; } = 6;

    /// <summary>Sharpness κ of the emission model <c>exp(κ · score)</c> (default 8).</summary>
    public double Sharpness { get; init; } = 8.0;

    /// <summary>Frames quieter than this fraction of the loudest frame's chroma energy are taken as silence, N (default 0.05).</summary>
    public double SilenceRatio { get; init; } = 0.05;

    /// <summary>
    /// The key of the piece, when known: chords diatonic to it get <see cref="DiatonicBonus"/> added to their log prior
    /// (musical context as in Mauch &amp; Dixon, IEEE TASLP 2010). Null (default) lets <see cref="KeyContext"/> decide.
    /// </summary>
    public KeyEstimate? Key { get; init; }

    /// <summary>
    /// When no <see cref="Key"/> is given: decode once without context, take the key from those chords
    /// (<see cref="KeyEstimator.EstimateFromChords"/>), and decode again favouring its diatonic chords (default true).
    /// </summary>
    public bool KeyContext { get; init; } = true;

    /// <summary>
    /// Log-prior bonus of chords diatonic to the key (default 0.5, i.e. e^0.5 ≈ 1.6 times as likely a priori; of 0.5,
    /// 1 and 2 tried on the synth set, 0.5 scored best by less than 0.005 on every metric).
    /// </summary>
    public double DiatonicBonus { get; init; } = 0.5;

    /// <summary>
    /// Label inversions from the bass chroma (default true): a major, minor or seventh chord whose segment's mean bass
    /// chroma peaks on its third or fifth, at least <see cref="InversionRatio"/> times the root's, is written with that
    /// bass in Harte's notation (<c>C:maj/3</c>, <c>C:maj/5</c>, <c>A:min/b3</c>). The chord itself is unchanged, so
    /// root, majmin, mirex and sevenths scores are too; only the <c>_inv</c> scores read the bass.
    /// </summary>
    public bool Inversions { get; init; } = true;

    /// <summary>How much more bass energy the third or fifth needs than the root to be called the bass (log-compressed chroma units).</summary>
    public double InversionRatio { get; init; } = 1.5;

    /// <summary>
    /// With <see cref="Inversions"/>, a bass on the chord's third or fifth supports the chord with this fraction of the
    /// weight a bass on its root has (default 0.7), so that C/E is not read as E minor for want of its root in the bass.
    /// </summary>
    public double InversionBassWeight { get; init; } = 0.7;

    /// <summary>Validates every setting, naming the bad one (<see cref="ChordEstimator"/> calls it before decoding).</summary>
    /// <exception cref="MusicMLException">A rate, weight, ratio, harmonic count, sharpness or bonus out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Vocabulary);
        if (!(DiatonicBonus >= 0) || double.IsInfinity(DiatonicBonus)) throw new MusicMLException($"DiatonicBonus must be non-negative and finite; got {DiatonicBonus}.");
        if (!(ChangeRatePerSecond > 0 && ChangeRatePerSecond < 1)) throw new MusicMLException($"ChangeRatePerSecond must be in (0, 1); got {ChangeRatePerSecond}.");
        if (!(BassWeight >= 0) || double.IsInfinity(BassWeight)) throw new MusicMLException($"BassWeight must be non-negative and finite; got {BassWeight}.");
        if (TemplateHarmonics < 1 || TemplateHarmonics > 16) throw new MusicMLException($"TemplateHarmonics must be 1–16; got {TemplateHarmonics}.");
        if (!(Sharpness > 0) || double.IsInfinity(Sharpness)) throw new MusicMLException($"Sharpness must be positive and finite; got {Sharpness}.");
        if (!(SilenceRatio >= 0 && SilenceRatio < 1)) throw new MusicMLException($"SilenceRatio must be in [0, 1); got {SilenceRatio}.");
        if (!(InversionRatio >= 1 && InversionRatio <= 100)) throw new MusicMLException($"InversionRatio must be in [1, 100]; got {InversionRatio}.");
        if (!(InversionBassWeight >= 0 && InversionBassWeight <= 1)) throw new MusicMLException($"InversionBassWeight must be in [0, 1]; got {InversionBassWeight}.");
    }
}

/// <summary>
/// Template-matching chord recognition with HMM smoothing. Each frame's treble chroma is compared (cosine) with
/// chord templates whose tones carry their first partials (Gómez 2006; harmonic templates after Papadopoulos &amp;
/// Peeters, "Large-scale study of chord estimation algorithms based on chroma representation and HMM", CBMI 2007),
/// the bass chroma adds evidence for the root (Mauch &amp; Dixon, IEEE TASLP 2010), and a hidden Markov model with a
/// self-transition prior (Sheh &amp; Ellis, "Chord segmentation and recognition using EM-trained hidden Markov models",
/// ISMIR 2003) is decoded with Viterbi so the chord changes only where the evidence outweighs the change penalty.
/// With segment boundaries (for example beat times) the chord may change only at those boundaries: each segment's
/// evidence is the sum of its frames' evidence.
/// </summary>
public static class ChordEstimator
{
    /// <summary>
    /// Estimates chords of a signal frame-wise (or between <paramref name="boundaries"/> when given) from its
    /// tuning-corrected constant-Q chroma (<see cref="CqtChroma"/>, 46 ms frames at 22050 Hz).
    /// </summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="boundaries">Times in seconds where a chord may change (e.g. beats); null to decide per frame.</param>
    /// <param name="options">Settings; null for <see cref="ChordOptions.Default"/>.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or invalid options or boundaries.</exception>
    public static IReadOnlyList<ChordSegment> Estimate(ReadOnlySpan<float> y, int sampleRate = 22050,
        IReadOnlyList<double>? boundaries = null, ChordOptions? options = null)
    {
        InputGuard.SampleRate(sampleRate);
        var chroma = CqtChroma.Compute(y, sampleRate);
        return Estimate(chroma, (double)y.Length / sampleRate, boundaries, options);
    }

    /// <summary>Estimates chords from precomputed chroma.</summary>
    /// <param name="chroma">Bass and treble chroma (<see cref="CqtChroma"/>, or <see cref="BassTrebleChroma"/> from an STFT).</param>
    /// <param name="duration">Length of the audio in seconds (the last segment ends here).</param>
    /// <param name="boundaries">Times in seconds where a chord may change; null to decide per frame.</param>
    /// <param name="options">Settings; null for <see cref="ChordOptions.Default"/>.</param>
    /// <exception cref="MusicMLException">Invalid options, duration or boundaries.</exception>
    public static IReadOnlyList<ChordSegment> Estimate(ChromaFrames chroma, double duration,
        IReadOnlyList<double>? boundaries = null, ChordOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chroma);
        options ??= ChordOptions.Default;
        options.Validate();
        if (!(duration > 0) || double.IsInfinity(duration)) throw new MusicMLException($"duration must be positive and finite; got {duration} s.");
        if (options.Key is null && options.KeyContext)
        {
            var withoutContext = Estimate(chroma, duration, boundaries, options with { KeyContext = false });
            if (!withoutContext.Any(c => KeyEstimator.IsKeyEvidence(c.Label))) return withoutContext;
            options = options with { Key = KeyEstimator.EstimateFromChords(withoutContext) };
        }
        var vocabulary = options.Vocabulary;
        var frameScores = FrameLogLikelihoods(chroma, options);
        int frames = chroma.FrameCount, states = vocabulary.StateCount;

        // Observation units: single frames, or runs of frames between consecutive boundaries.
        var unitStarts = UnitStarts(chroma, frames, boundaries);
        int units = unitStarts.Length - 1;
        // Frame-wise decoding observes the frame scores themselves; only beat-synchronous units sum runs of them.
        var unitScores = boundaries is null ? frameScores : new float[units * states];
        if (boundaries is not null)
            for (int u = 0; u < units; u++)
                for (int t = unitStarts[u]; t < unitStarts[u + 1]; t++)
                    VectorMath.Add(unitScores.AsSpan(u * states, states), frameScores.AsSpan(t * states, states));

        double meanUnitSeconds = duration / units;
        double change = Math.Min(0.95, 1 - Math.Pow(1 - options.ChangeRatePerSecond, meanUnitSeconds));
        var path = Viterbi(unitScores, units, states, change);

        var segments = new List<ChordSegment>();
        for (int u = 0; u < units; u++)
        {
            double start = u == 0 ? 0 : UnitBoundaryTime(chroma, unitStarts[u], duration);
            double end = u == units - 1 ? duration : UnitBoundaryTime(chroma, unitStarts[u + 1], duration);
            if (end <= start) continue;
            var label = vocabulary.Label(path[u]);
            if (segments.Count > 0 && segments[^1].Label == label) segments[^1] = segments[^1] with { End = end };
            else segments.Add(new ChordSegment(start, end, label));
        }
        return options.Inversions ? WithInversions(segments, chroma, options.InversionRatio) : segments;
    }

    /// <summary>
    /// Frames (about 1 s at the default hop) of majority vote on the bass tone: a one-beat walking or passing note
    /// (the fifth on beat 4) does not make an inversion; a bass that holds the third or fifth for a second or more does.
    /// </summary>
    private const int BassRunFrames = 22;

    /// <summary>
    /// The segments with the inversions their bass chroma shows (<see cref="ChordOptions.Inversions"/>). Within one
    /// chord the bass may move (C, then C/E), so each chord segment is cut where the strongest of its root, third and
    /// fifth in the bass changes (a majority over <see cref="BassRunFrames"/> frames, so a passing note does not cut
    /// it), each piece is labelled by its mean bass chroma, and equal neighbours are joined again.
    /// </summary>
    private static List<ChordSegment> WithInversions(List<ChordSegment> segments, ChromaFrames chroma, double ratio)
    {
        var result = new List<ChordSegment>(segments.Count);
        foreach (var segment in segments)
        {
            foreach (var piece in InvertedPieces(segment, chroma, ratio))
            {
                if (result.Count > 0 && result[^1].Label == piece.Label && Math.Abs(result[^1].End - piece.Start) < 1e-9) result[^1] = result[^1] with { End = piece.End };
                else result.Add(piece);
            }
        }
        return result;
    }

    private static IEnumerable<ChordSegment> InvertedPieces(ChordSegment segment, ChromaFrames chroma, double ratio)
    {
        int colon = segment.Label.IndexOf(':');
        (int Third, string Name)? third = colon <= 0 ? null : segment.Label[(colon + 1)..] switch
        {
            "maj" or "7" or "maj7" => (4, "3"),
            "min" or "min7" => (3, "b3"),
            _ => null,
        };
        int root = colon <= 0 ? -1 : Array.IndexOf(ChordVocabulary.RootNames, segment.Label[..colon]);
        int first = Math.Max(0, (int)Math.Ceiling(segment.Start / chroma.FrameDuration));
        int end = Math.Min(chroma.FrameCount, (int)Math.Ceiling(segment.End / chroma.FrameDuration));
        if (third is not var (thirdInterval, thirdName) || root < 0 || end <= first)
        {
            yield return segment;
            yield break;
        }
        int[] tones = [root, (root + thirdInterval) % 12, (root + 7) % 12];
        // The strongest chord tone in the bass per frame, then the majority over a centred window.
        var strongest = new int[end - first];
        for (int t = first; t < end; t++)
        {
            int best = 0;
            for (int k = 1; k < 3; k++) if (chroma.Bass[tones[k], t] > chroma.Bass[tones[best], t]) best = k;
            strongest[t - first] = best;
        }
        var smoothed = new int[strongest.Length];
        Span<int> votes = stackalloc int[3];
        for (int i = 0; i < strongest.Length; i++)
        {
            votes.Clear();
            for (int j = Math.Max(0, i - BassRunFrames / 2); j <= Math.Min(strongest.Length - 1, i + BassRunFrames / 2); j++) votes[strongest[j]]++;
            smoothed[i] = votes[0] >= votes[1] && votes[0] >= votes[2] ? 0 : votes[1] >= votes[2] ? 1 : 2;
        }
        // A run on the third or fifth shorter than BassRunFrames is a passing note: the chord stays in root position there.
        for (int a = 0; a < smoothed.Length;)
        {
            int b = a;
            while (b < smoothed.Length && smoothed[b] == smoothed[a]) b++;
            if (smoothed[a] != 0 && b - a < BassRunFrames) smoothed.AsSpan(a, b - a).Clear();
            a = b;
        }
        var bass = new double[12];
        int runStart = 0;
        for (int i = 1; i <= smoothed.Length; i++)
        {
            if (i < smoothed.Length && smoothed[i] == smoothed[runStart]) continue;
            double start = runStart == 0 ? segment.Start : Math.Max(segment.Start, (first + runStart - 0.5) * chroma.FrameDuration);
            double stop = i == smoothed.Length ? segment.End : Math.Min(segment.End, (first + i - 0.5) * chroma.FrameDuration);
            string label = segment.Label;
            int tone = smoothed[runStart];
            if (tone > 0)
            {
                Array.Clear(bass);
                for (int t = first + runStart; t < first + i; t++)
                    for (int pc = 0; pc < 12; pc++) bass[pc] += chroma.Bass[pc, t];
                // The inverted bass must outweigh the root by the ratio and be the strongest pitch class of the bass
                // over the run, not only the strongest chord tone.
                if (bass[tones[tone]] >= ratio * bass[root] && bass[tones[tone]] >= bass.Max())
                    label = $"{segment.Label}/{(tone == 1 ? thirdName : "5")}";
            }
            if (stop > start) yield return new ChordSegment(start, stop, label);
            runStart = i;
        }
    }

    // A frame covers the half hop on each side of its centre; a unit boundary lies half a hop before its first frame.
    private static double UnitBoundaryTime(ChromaFrames chroma, int frame, double duration)
        => Math.Clamp((frame - 0.5) * chroma.FrameDuration, 0, duration);

    private static int[] UnitStarts(ChromaFrames chroma, int frames, IReadOnlyList<double>? boundaries)
    {
        if (boundaries is null) return Enumerable.Range(0, frames + 1).ToArray();
        var starts = new List<int> { 0 };
        double previous = double.NegativeInfinity;
        foreach (var time in boundaries)
        {
            if (!double.IsFinite(time) || time < 0) throw new MusicMLException($"Chord boundaries must be finite, non-negative times; got {time}.");
            if (time < previous) throw new MusicMLException($"Chord boundaries must be sorted; {time} s follows {previous} s.");
            previous = time;
            int frame = (int)Math.Round(time / chroma.FrameDuration + 0.5);
            if (frame > starts[^1] && frame < frames) starts.Add(frame);
        }
        starts.Add(frames);
        return starts.ToArray();
    }

    /// <summary>
    /// Log emission score of every state in every frame, <c>[frames, states]</c> frame-major:
    /// κ·(cos(treble, template) + w·bass[root]) + log prior(quality); N scores a fixed similarity, and silent frames
    /// are N with certainty.
    /// </summary>
    internal static float[] FrameLogLikelihoods(ChromaFrames chroma, ChordOptions options)
    {
        var vocabulary = options.Vocabulary;
        int frames = chroma.FrameCount, states = vocabulary.StateCount, qualities = vocabulary.Qualities.Count;
        var templates = Templates(vocabulary, options.TemplateHarmonics);
        var logPriors = new float[states];
        double priorSum = vocabulary.Qualities.Sum(q => q.Prior) * 12 + 1;
        for (int s = 0; s < states - 1; s++)
        {
            logPriors[s] = (float)Math.Log(vocabulary.QualityOf(s)!.Prior / priorSum);
            if (options.Key is { } key && KeyEstimator.IsDiatonic(key.Tonic, key.Mode, vocabulary.RootOf(s), vocabulary.QualityOf(s)!.Shorthand))
                logPriors[s] += (float)options.DiatonicBonus;
        }
        logPriors[states - 1] = (float)Math.Log(1 / priorSum);

        var energy = new float[frames];
        float maxEnergy = 0;
        for (int t = 0; t < frames; t++)
        {
            float e = 0;
            for (int pc = 0; pc < 12; pc++) e += chroma.Treble[pc, t] + chroma.Bass[pc, t];
            energy[t] = e;
            maxEnergy = Math.Max(maxEnergy, e);
        }

        var scores = new float[frames * states];
        Span<float> treble = stackalloc float[12];
        Span<float> bass = stackalloc float[12];
        float kappa = (float)options.Sharpness, bassWeight = (float)options.BassWeight;
        float inversionWeight = options.Inversions ? (float)options.InversionBassWeight : 0;
        // N's similarity: what a chord template scores against a flat, featureless chroma.
        float noChordSimilarity = 0.7f;
        for (int t = 0; t < frames; t++)
        {
            var row = scores.AsSpan(t * states, states);
            if (!(energy[t] > options.SilenceRatio * maxEnergy))
            {
                row.Fill(-1e4f);
                row[states - 1] = 0;
                continue;
            }
            chroma.Treble.CopyColumn(t, treble);
            chroma.Bass.CopyColumn(t, bass);
            Normalize(treble);
            float bassMax = VectorMath.Max(bass);
            if (bassMax > 0) for (int pc = 0; pc < 12; pc++) bass[pc] /= bassMax;
            for (int s = 0; s < states - 1; s++)
            {
                float similarity = VectorMath.Dot(treble, templates.AsSpan(s * 12, 12));
                float bassEvidence = bassMax > 0 ? BassEvidence(bass, s / qualities, vocabulary.QualityOf(s)!, inversionWeight) : 0;
                row[s] = kappa * (similarity + bassWeight * bassEvidence) + logPriors[s];
            }
            row[states - 1] = kappa * (noChordSimilarity + bassWeight * 0.5f) + logPriors[states - 1];
        }
        return scores;
    }

    /// <summary>
    /// The bass's support for a chord: its root's bass chroma, or, scaled by <paramref name="inversionWeight"/>, the
    /// strongest of its other triad tones (an inverted chord's bass), whichever is larger.
    /// </summary>
    private static float BassEvidence(ReadOnlySpan<float> bass, int root, ChordQuality quality, float inversionWeight)
    {
        float evidence = bass[root];
        if (inversionWeight <= 0) return evidence;
        for (int i = 1; i < Math.Min(3, quality.Intervals.Count); i++)
            evidence = Math.Max(evidence, inversionWeight * bass[(root + quality.Intervals[i]) % 12]);
        return evidence;
    }

    private static void Normalize(Span<float> values)
    {
        float norm = MathF.Sqrt(VectorMath.Dot(values, values));
        if (norm > 0) for (int i = 0; i < values.Length; i++) values[i] /= norm;
    }

    /// <summary>Unit-norm templates <c>[states − 1, 12]</c>: each chord tone adds partials h = 1…H with weight 0.6^(h−1).</summary>
    internal static float[] Templates(ChordVocabulary vocabulary, int harmonics)
    {
        int chords = vocabulary.StateCount - 1;
        var templates = new float[chords * 12];
        for (int s = 0; s < chords; s++)
        {
            var template = templates.AsSpan(s * 12, 12);
            int root = vocabulary.RootOf(s);
            foreach (var interval in vocabulary.QualityOf(s)!.Intervals)
                for (int h = 1; h <= harmonics; h++)
                {
                    int pc = (root + interval + (int)Math.Round(12 * Math.Log2(h))) % 12;
                    template[pc] += MathF.Pow(0.6f, h - 1);
                }
            Normalize(template);
        }
        return templates;
    }

    /// <summary>
    /// Viterbi decoding of an HMM whose transition matrix is <c>1 − change</c> on the diagonal and uniform elsewhere,
    /// in O(units · states): the best predecessor of any state is either itself or the overall best state.
    /// </summary>
    internal static int[] Viterbi(float[] logLikelihoods, int units, int states, double change)
    {
        float stay = (float)Math.Log(1 - change), move = (float)Math.Log(change / (states - 1));
        var delta = new float[states];
        var next = new float[states];
        // The best predecessor is the state itself or the unit's overall best, so one bit per (unit, state) and one
        // best state per unit hold every back-pointer: 4 MB instead of 100 MB for two hours of frames and 169 states.
        var moved = new System.Collections.BitArray(checked(units * states));
        var bestOf = new int[units];
        logLikelihoods.AsSpan(0, states).CopyTo(delta);
        for (int u = 1; u < units; u++)
        {
            int best = 0;
            for (int s = 1; s < states; s++) if (delta[s] > delta[best]) best = s;
            float bestMove = delta[best] + move;
            bestOf[u] = best;
            var row = logLikelihoods.AsSpan(u * states, states);
            for (int s = 0; s < states; s++)
            {
                float stayScore = delta[s] + stay;
                if (stayScore >= bestMove) next[s] = stayScore + row[s];
                else { next[s] = bestMove + row[s]; moved[u * states + s] = true; }
            }
            (delta, next) = (next, delta);
        }
        var path = new int[units];
        int last = 0;
        for (int s = 1; s < states; s++) if (delta[s] > delta[last]) last = s;
        path[units - 1] = last;
        for (int u = units - 1; u > 0; u--) path[u - 1] = moved[u * states + path[u]] ? bestOf[u] : path[u];
        return path;
    }
}
