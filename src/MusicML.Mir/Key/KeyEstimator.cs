using MusicML.Core;
using MusicML.Dsp;
using MusicML.Mir.Chords;
using MusicML.Mir.Chroma;

namespace MusicML.Mir.Key;

/// <summary>Major or minor.</summary>
public enum KeyMode
{
    /// <summary>A major key.</summary>
    Major,
    /// <summary>A (natural/harmonic) minor key.</summary>
    Minor,
}

/// <summary>An estimated key.</summary>
/// <param name="Tonic">Pitch class of the tonic, 0 = C … 11 = B.</param>
/// <param name="Mode">Major or minor.</param>
/// <param name="Confidence">
/// How clearly the key won, in [0, 1]: (s₁ − s₂) / (s_max − s₂) with s₁ and s₂ the best and second-best scores and
/// s_max the best score possible, so 0 is a tie and 1 a perfect match with no rival.
/// </param>
/// <param name="Scores">
/// Score of each of the 24 keys (index tonic for major, 12 + tonic for minor): the Pearson correlation with the
/// profile (<see cref="KeyMethod.Profile"/>), the chord fit scaled to a best of 1 (<see cref="KeyMethod.Chords"/>), or
/// their sum (<see cref="KeyMethod.Combined"/>).
/// </param>
public sealed record KeyEstimate(int Tonic, KeyMode Mode, double Confidence, IReadOnlyList<double> Scores)
{
    /// <summary>The key as mir_eval writes it, e.g. <c>A minor</c>, <c>Eb major</c>.</summary>
    public string Label => KeyNames.Format(Tonic, Mode);

    /// <inheritdoc />
    public override string ToString() => Label;
}

/// <summary>What evidence a key estimate rests on.</summary>
public enum KeyMethod
{
    /// <summary>Profile correlation plus chord fit (the default; 1.000 weighted on the synth set against 0.950 and 1.000 alone).</summary>
    Combined,
    /// <summary>Correlation of the pitch-class distribution with a key profile only.</summary>
    Profile,
    /// <summary>Fit of the estimated chord sequence to each key's diatonic triads only.</summary>
    Chords,
}

/// <summary>Key names as mir_eval parses them.</summary>
public static class KeyNames
{
    // The spelling with the fewer accidentals in its key signature (F# major over Gb major is a tie; F# is used).
    private static readonly string[] MajorTonics = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
    private static readonly string[] MinorTonics = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"];

    /// <summary>E.g. <c>Format(9, KeyMode.Minor)</c> is <c>A minor</c>.</summary>
    /// <exception cref="MusicMLException">The tonic is not a pitch class 0–11.</exception>
    public static string Format(int tonic, KeyMode mode)
    {
        if ((uint)tonic > 11) throw new MusicMLException($"A tonic pitch class must be 0–11; got {tonic}.");
        return mode == KeyMode.Major ? $"{MajorTonics[tonic]} major" : $"{MinorTonics[tonic]} minor";
    }
}

/// <summary>
/// Key finding. By default two kinds of evidence are added: profile correlation and the fit of the estimated chords
/// (<see cref="EstimateFromChords"/>). Profile-correlation key finding (Krumhansl, "Cognitive Foundations of Musical Pitch", 1990, the
/// Krumhansl–Schmuckler algorithm; on audio chroma as in Gómez, "Tonal Description of Music Audio Signals", PhD thesis
/// 2006): the piece's pitch-class distribution — the time-averaged, frame-normalised chroma — is correlated with the
/// profile rotated to each of the 24 keys, and the best correlation wins.
/// </summary>
public static class KeyEstimator
{
    /// <summary>
    /// Estimates the key of a signal from its tuning-corrected constant-Q chroma (<see cref="CqtChroma"/>): the
    /// profile correlation reads the full-range chroma, and the chord fit reads chords decoded from the same chroma.
    /// </summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="profile">Key profile; null for <see cref="KeyProfiles.Learned"/>.</param>
    /// <param name="method">Evidence to use (default <see cref="KeyMethod.Combined"/>: profile and chords).</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or audio with no pitched content.</exception>
    public static KeyEstimate Estimate(ReadOnlySpan<float> y, int sampleRate = 22050, KeyProfile? profile = null, KeyMethod method = KeyMethod.Combined)
    {
        InputGuard.SampleRate(sampleRate);
        var chroma = CqtChroma.Compute(y, sampleRate);
        if (method == KeyMethod.Profile) return Estimate(chroma, profile);
        // The chord fit reads chords decoded without key context, or the key would only echo itself.
        var contextFree = ChordOptions.Default with { KeyContext = false };
        var chords = ChordEstimator.Estimate(chroma, (double)y.Length / sampleRate, options: contextFree);
        if (method == KeyMethod.Chords) return EstimateFromChords(chords);
        var fromProfile = Estimate(chroma, profile);
        // Percussion-only or very short audio may give no triad at all; the profile alone then decides.
        return chords.Any(c => IsKeyEvidence(c.Label)) ? Combine(fromProfile, EstimateFromChords(chords)) : fromProfile;
    }

    // Diatonic triads (semitones above the tonic, triad class) and their weight: tonic 2, dominant 1.5, others 1 —
    // the tonic and dominant functions define a key (Schoenberg, "Structural Functions of Harmony", 1954). Minor uses
    // harmonic-minor ii°, V and vii° with natural-minor III, iv and VI, as common-practice minor harmony does.
    private static readonly (int Degree, char Triad, double Weight)[] MajorTriads =
        [(0, 'M', 2.0), (2, 'm', 1), (4, 'm', 1), (5, 'M', 1), (7, 'M', 1.5), (9, 'm', 1), (11, 'd', 1)];
    private static readonly (int Degree, char Triad, double Weight)[] MinorTriads =
        [(0, 'm', 2.0), (2, 'd', 1), (3, 'M', 1), (5, 'm', 1), (7, 'M', 1.5), (8, 'M', 1), (11, 'd', 1)];

    /// <summary>
    /// Key from a chord sequence (functional key finding after Temperley, "The Cognition of Basic Musical Structures",
    /// 2001, ch. 7, on chord labels): each key scores the duration of the chords whose triad (sevenths reduced to their
    /// triad) is diatonic to it, weighted by function; the scores are scaled so the best key has 1.
    /// </summary>
    /// <param name="chords">Estimated chords (Harte labels; N and sus/aug chords carry no key evidence).</param>
    /// <exception cref="MusicMLException">No chord carries key evidence.</exception>
    public static KeyEstimate EstimateFromChords(IReadOnlyList<ChordSegment> chords)
    {
        ArgumentNullException.ThrowIfNull(chords);
        var scores = new double[24];
        foreach (var chord in chords)
        {
            if (!TryParseTriad(chord.Label, out int root, out char triad)) continue;
            double duration = chord.End - chord.Start;
            if (!(duration > 0)) continue;
            for (int key = 0; key < 24; key++)
                foreach (var (degree, keyTriad, weight) in key < 12 ? MajorTriads : MinorTriads)
                    if ((key % 12 + degree) % 12 == root && keyTriad == triad) scores[key] += duration * weight;
        }
        double max = scores.Max();
        if (!(max > 0)) throw new MusicMLException("No chord with key evidence was found (only N, sus or aug chords), so no key can be estimated from chords.");
        for (int k = 0; k < 24; k++) scores[k] /= max;
        return FromScores(scores, 1.0);
    }

    /// <summary>Adds the scores of a profile estimate and a chord estimate and picks the best key of the sum.</summary>
    public static KeyEstimate Combine(KeyEstimate fromProfile, KeyEstimate fromChords)
    {
        ArgumentNullException.ThrowIfNull(fromProfile);
        ArgumentNullException.ThrowIfNull(fromChords);
        var sum = new double[24];
        for (int k = 0; k < 24; k++) sum[k] = fromProfile.Scores[k] + fromChords.Scores[k];
        return FromScores(sum, 2.0);
    }

    /// <summary>True when a Harte label carries key evidence (a root with a major, minor or diminished triad).</summary>
    internal static bool IsKeyEvidence(string label) => TryParseTriad(label, out _, out _);

    /// <summary>True when the chord (root pitch class, Harte quality shorthand) reduces to a triad diatonic to the key.</summary>
    internal static bool IsDiatonic(int tonic, KeyMode mode, int root, string quality)
    {
        char triad = TriadClass(quality);
        if (triad == ' ') return false;
        foreach (var (degree, keyTriad, _) in mode == KeyMode.Major ? MajorTriads : MinorTriads)
            if ((tonic + degree) % 12 == root && keyTriad == triad) return true;
        return false;
    }

    private static char TriadClass(string quality) => quality switch
    {
        "maj" or "7" or "maj7" => 'M',
        "min" or "min7" => 'm',
        "dim" or "hdim7" or "dim7" => 'd',
        _ => ' ',
    };

    private static bool TryParseTriad(string label, out int root, out char triad)
    {
        root = -1;
        triad = ' ';
        int colon = label.IndexOf(':');
        if (colon <= 0) return false;
        root = Array.IndexOf(ChordVocabulary.RootNames, label[..colon]);
        if (root < 0) return false;
        // An inversion (C:maj/3) names the bass, not the chord: the triad is the same.
        var quality = label[(colon + 1)..];
        int slash = quality.IndexOf('/');
        triad = TriadClass(slash >= 0 ? quality[..slash] : quality);
        return triad != ' ';
    }

    private static KeyEstimate FromScores(double[] scores, double bestPossible)
    {
        int best = 0, second = -1;
        for (int k = 1; k < 24; k++) if (scores[k] > scores[best]) best = k;
        for (int k = 0; k < 24; k++) if (k != best && (second < 0 || scores[k] > scores[second])) second = k;
        double s1 = scores[best], s2 = scores[second];
        double confidence = s2 >= bestPossible ? 0 : Math.Clamp((s1 - s2) / (bestPossible - s2), 0, 1);
        return new KeyEstimate(best % 12, best < 12 ? KeyMode.Major : KeyMode.Minor, confidence, scores);
    }

    /// <summary>Estimates the key from precomputed chroma (its <see cref="ChromaFrames.Full"/> register).</summary>
    /// <exception cref="MusicMLException">The chroma has no energy.</exception>
    public static KeyEstimate Estimate(ChromaFrames chroma, KeyProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(chroma);
        return Estimate(PitchClassDistribution(chroma.Full), profile);
    }

    /// <summary>Estimates the key from a 12-value pitch-class distribution (index 0 = C).</summary>
    /// <exception cref="MusicMLException">The distribution does not have 12 finite values, or is constant.</exception>
    public static KeyEstimate Estimate(ReadOnlySpan<double> pitchClassDistribution, KeyProfile? profile = null)
    {
        profile ??= KeyProfiles.Learned;
        if (pitchClassDistribution.Length != 12)
            throw new MusicMLException($"A pitch-class distribution needs 12 values; got {pitchClassDistribution.Length}.");
        foreach (var v in pitchClassDistribution)
            if (!double.IsFinite(v)) throw new MusicMLException($"The pitch-class distribution contains a non-finite value ({v}).");
        double min = double.MaxValue, max = double.MinValue;
        foreach (var v in pitchClassDistribution) { min = Math.Min(min, v); max = Math.Max(max, v); }
        if (max == min) throw new MusicMLException("The audio has no pitched content to estimate a key from (flat pitch-class distribution).");

        var correlations = new double[24];
        var rotated = new double[12];
        for (int mode = 0; mode < 2; mode++)
        {
            var weights = mode == 0 ? profile.Major : profile.Minor;
            for (int tonic = 0; tonic < 12; tonic++)
            {
                for (int pc = 0; pc < 12; pc++) rotated[pc] = weights[(pc - tonic + 12) % 12];
                correlations[mode * 12 + tonic] = Pearson(pitchClassDistribution, rotated);
            }
        }
        return FromScores(correlations, 1.0);
    }

    /// <summary>
    /// The time-averaged chroma with each frame first scaled to unit sum, so every sounding moment counts equally
    /// whatever its loudness; frames with no energy are skipped.
    /// </summary>
    public static double[] PitchClassDistribution(FloatMatrix chroma)
    {
        ArgumentNullException.ThrowIfNull(chroma);
        if (chroma.Rows != 12) throw new MusicMLException($"Chroma must have 12 rows; got {chroma.Rows}.");
        var distribution = new double[12];
        int frames = chroma.Columns;
        var data = chroma.Data;
        for (int t = 0; t < frames; t++)
        {
            double sum = 0;
            for (int pc = 0; pc < 12; pc++) sum += data[pc * frames + t];
            if (!(sum > 1e-6)) continue;
            for (int pc = 0; pc < 12; pc++) distribution[pc] += data[pc * frames + t] / sum;
        }
        return distribution;
    }

    private static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double meanA = 0, meanB = 0;
        for (int i = 0; i < 12; i++) { meanA += a[i]; meanB += b[i]; }
        meanA /= 12; meanB /= 12;
        double cov = 0, varA = 0, varB = 0;
        for (int i = 0; i < 12; i++)
        {
            double da = a[i] - meanA, db = b[i] - meanB;
            cov += da * db; varA += da * da; varB += db * db;
        }
        return cov / Math.Sqrt(varA * varB);
    }
}
