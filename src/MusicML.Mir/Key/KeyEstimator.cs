using MusicML.Core;
using MusicML.Dsp;
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
/// How clearly the key won, in [0, 1]: (r₁ − r₂) / (1 − r₂) with r₁ and r₂ the best and second-best profile
/// correlations, so 0 is a tie and 1 a perfect match with no rival.
/// </param>
/// <param name="Correlations">Pearson correlation with each of the 24 keys: index tonic for major, 12 + tonic for minor.</param>
public sealed record KeyEstimate(int Tonic, KeyMode Mode, double Confidence, IReadOnlyList<double> Correlations)
{
    /// <summary>The key as mir_eval writes it, e.g. <c>A minor</c>, <c>Eb major</c>.</summary>
    public string Label => KeyNames.Format(Tonic, Mode);

    /// <inheritdoc />
    public override string ToString() => Label;
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
/// Profile-correlation key finding (Krumhansl, "Cognitive Foundations of Musical Pitch", 1990, the
/// Krumhansl–Schmuckler algorithm; on audio chroma as in Gómez, "Tonal Description of Music Audio Signals", PhD thesis
/// 2006): the piece's pitch-class distribution — the time-averaged, frame-normalised chroma — is correlated with the
/// profile rotated to each of the 24 keys, and the best correlation wins.
/// </summary>
public static class KeyEstimator
{
    /// <summary>
    /// Estimates the key of a signal with <see cref="BassTrebleChroma"/> and <paramref name="profile"/>. The chroma
    /// uses a 372 ms window (nFft = 8192 at 22050 Hz, <see cref="KeyChromaWindowSeconds"/>): a key needs no time
    /// detail, and the finer frequency resolution keeps bass notes on their own pitch class.
    /// </summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="profile">Key profile; null for <see cref="KeyProfiles.Learned"/>.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or audio with no pitched content.</exception>
    public static KeyEstimate Estimate(ReadOnlySpan<float> y, int sampleRate = 22050, KeyProfile? profile = null)
    {
        if (sampleRate <= 0) throw new MusicMLException($"sampleRate must be positive; got {sampleRate}.");
        int nFft = 1 << (int)Math.Round(Math.Log2(KeyChromaWindowSeconds * sampleRate));
        return Estimate(BassTrebleChroma.Compute(y, sampleRate, nFft, nFft / 4), profile);
    }

    /// <summary>Analysis window of the chroma <see cref="Estimate(ReadOnlySpan{float}, int, KeyProfile?)"/> computes, in seconds (rounded to a power-of-two nFft).</summary>
    public const double KeyChromaWindowSeconds = 0.37;

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
        int best = 0, second = -1;
        for (int k = 1; k < 24; k++) if (correlations[k] > correlations[best]) best = k;
        for (int k = 0; k < 24; k++) if (k != best && (second < 0 || correlations[k] > correlations[second])) second = k;
        double r1 = correlations[best], r2 = correlations[second];
        double confidence = r2 >= 1 ? 0 : Math.Clamp((r1 - r2) / (1 - r2), 0, 1);
        return new KeyEstimate(best % 12, best < 12 ? KeyMode.Major : KeyMode.Minor, confidence, correlations);
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
