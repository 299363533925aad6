using MusicML.Core;
using MusicML.Mir.Onsets;

namespace MusicML.Mir.Tempo;

/// <summary>
/// Decides whether tracked beats are a subdivision (eighth notes) rather than the beat, from the harmonic rhythm:
/// chords, and with them the bass note, change on bar lines (Goto, "An audio-based real-time beat tracking system for
/// music with or without drum-sounds", JNMR 2001, who uses chord changes to place the half-note and bar levels over
/// the quarter-note level). At the beat level the beat-to-beat change of the bass pitch class therefore repeats every
/// bar, 3 or 4 beats; at the eighth-note level the same bar spans 6 or 8 tracked beats, and at 3 or 4 tracked beats
/// (half a bar) the changes do not repeat. The bass register is used because a bass line plays the chord root, so its
/// pitch class stays put inside a chord however the harmony instrument arpeggiates (Klapuri, Eronen &amp; Astola, IEEE
/// TASLP 2006, likewise give the low band the weight in choosing the metrical level). The decision is a sign test and
/// has no fitted threshold: a subdivision is declared when no bar length of 3 or 4 tracked beats correlates
/// positively while a bar of 6 or 8 does, by more than the 2/√n band within which the autocorrelation of n values of
/// white noise stays 95 % of the time (Box &amp; Jenkins, "Time series analysis", 1970), so that a bass line without
/// a regular harmonic rhythm is not read as one.
/// </summary>
public static class HarmonicRhythm
{
    /// <summary>Upper band centre in Hz of the bass register (G3, about 196 Hz, rounded).</summary>
    public const double BassMaxHz = 200.0;

    /// <summary>Lower band centre in Hz of the bass register (the filterbank's 30 Hz floor).</summary>
    public const double BassMinHz = 30.0;

    /// <summary>
    /// The fewest beat-to-beat changes the test needs: three spans of the longest lag (8), so that every lag is averaged
    /// over at least 16 pairs.
    /// </summary>
    public const int MinimumChanges = 24;

    /// <summary>
    /// True when the beats at <paramref name="beatFrames"/> behave as subdivisions of the beat: the beat-synchronous bass
    /// pitch-class change is not positively autocorrelated at 3 or 4 beats but is at 6 or 8, beyond the white-noise
    /// band 2/√n of its n values. False when there are too few beats (fewer than <see cref="MinimumChanges"/> + 2) or
    /// no bass to judge by.
    /// </summary>
    /// <param name="spectrogram">The rhythm spectrogram the beats were tracked on.</param>
    /// <param name="beatFrames">Beat positions in frames of <paramref name="spectrogram"/>, increasing.</param>
    /// <exception cref="MusicMLException">Beat frames outside the spectrogram or not increasing.</exception>
    public static bool IsSubdivision(RhythmSpectrogram spectrogram, ReadOnlySpan<int> beatFrames)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        return IsSubdivision(RhythmFeatures.FoldPitchClasses(spectrogram, BassMinHz, BassMaxHz), beatFrames);
    }

    /// <summary>
    /// <see cref="IsSubdivision(RhythmSpectrogram, ReadOnlySpan{int})"/> on the bass fold of precomputed (e.g. streamed)
    /// <see cref="RhythmFeatures"/>.
    /// </summary>
    /// <exception cref="MusicMLException">Beat frames outside the features or not increasing.</exception>
    public static bool IsSubdivision(RhythmFeatures features, ReadOnlySpan<int> beatFrames)
    {
        ArgumentNullException.ThrowIfNull(features);
        return IsSubdivision(features.BassPitchClasses, beatFrames);
    }

    private static bool IsSubdivision(float[] bassPitchClasses, ReadOnlySpan<int> beatFrames)
    {
        var changes = BassChanges(bassPitchClasses, beatFrames);
        if (changes.Length < MinimumChanges) return false;
        var acf = Autocorrelation(changes, 8);
        if (acf is null) return false;
        double bar = Math.Max(acf[3], acf[4]), twoBars = Math.Max(acf[6], acf[8]);
        return bar <= 0 && twoBars > 2 / Math.Sqrt(changes.Length);
    }

    /// <summary>
    /// The change of the bass pitch-class profile from each beat to the next: 1 − cosine similarity of the mean
    /// log-filtered bass bands (<see cref="BassMinHz"/>–<see cref="BassMaxHz"/>) folded onto 12 pitch classes, over the
    /// frames from one beat to the next. One value per pair of consecutive beat intervals (beats − 2 values).
    /// </summary>
    /// <exception cref="MusicMLException">Beat frames outside the spectrogram or not increasing.</exception>
    public static double[] BassChanges(RhythmSpectrogram spectrogram, ReadOnlySpan<int> beatFrames)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        return BassChanges(RhythmFeatures.FoldPitchClasses(spectrogram, BassMinHz, BassMaxHz), beatFrames);
    }

    /// <summary>The same on a per-frame bass fold <c>[frame · 12 + pitchClass]</c> (<see cref="RhythmFeatures.BassPitchClasses"/>).</summary>
    private static double[] BassChanges(float[] bassPitchClasses, ReadOnlySpan<int> beatFrames)
    {
        int n = beatFrames.Length, frames = bassPitchClasses.Length / 12;
        for (int i = 0; i < n; i++)
            if (beatFrames[i] < 0 || beatFrames[i] >= frames || (i > 0 && beatFrames[i] <= beatFrames[i - 1]))
                throw new MusicMLException($"Beat frame {beatFrames[i]} (beat {i}) lies outside 0..{frames - 1} or is not after the previous beat.");
        int intervals = n - 1;
        if (intervals < 2) return [];
        var chroma = new double[intervals * 12];
        for (int i = 0; i < intervals; i++)
        {
            int start = beatFrames[i], end = beatFrames[i + 1];
            for (int pc = 0; pc < 12; pc++)
            {
                double sum = 0;
                for (int t = start; t < end; t++) sum += bassPitchClasses[t * 12 + pc];
                chroma[i * 12 + pc] = sum / (end - start);
            }
        }
        var changes = new double[intervals - 1];
        for (int i = 1; i < intervals; i++)
        {
            var previous = chroma.AsSpan((i - 1) * 12, 12);
            var current = chroma.AsSpan(i * 12, 12);
            double dot = 0, a = 0, c = 0;
            for (int k = 0; k < 12; k++)
            {
                dot += previous[k] * current[k];
                a += previous[k] * previous[k];
                c += current[k] * current[k];
            }
            changes[i - 1] = a > 0 && c > 0 ? 1 - dot / Math.Sqrt(a * c) : 0;
        }
        return changes;
    }

    /// <summary>Autocorrelation of the mean-removed series at lags 0..maxLag (unbiased, 1 at lag 0); null when the series is constant.</summary>
    private static double[]? Autocorrelation(double[] values, int maxLag)
    {
        int n = values.Length;
        double mean = values.Average();
        double variance = 0;
        foreach (var v in values) variance += (v - mean) * (v - mean);
        variance /= n;
        if (!(variance > 1e-12)) return null;
        var acf = new double[maxLag + 1];
        for (int lag = 0; lag <= maxLag; lag++)
        {
            double sum = 0;
            for (int t = 0; t + lag < n; t++) sum += (values[t] - mean) * (values[t + lag] - mean);
            acf[lag] = sum / (n - lag) / variance;
        }
        return acf;
    }
}
