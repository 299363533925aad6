using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>How <see cref="Onset.PeakPick"/>'s mean window treats the ends of the signal.</summary>
public enum PeakPickEdges
{
    /// <summary>Windows clipped to the signal (librosa.util.peak_pick).</summary>
    Clipped,
    /// <summary>Whole windows with zeros outside the signal, positive values only (madmom's offline peak picking).</summary>
    ZeroPadded,
}

public static partial class Onset
{
    /// <summary>
    /// Onset frames of a signal (librosa.onset.onset_detect with its defaults): the onset strength envelope scaled to
    /// [0, 1], then <see cref="PeakPick"/> with windows of 30 ms (pre-max), 0 ms (post-max, plus the frame itself),
    /// 100 ms (averages) and a 30 ms wait, delta 0.07 — the settings librosa found by large-scale search, after
    /// Böck, Krebs &amp; Schedl, "Evaluating the online capabilities of onset detection methods", ISMIR 2012.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="hopLength">Samples between frames (default 512).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <returns>Frame indices of detected onsets, increasing (time = frame · hopLength / sampleRate seconds).</returns>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static int[] OnsetDetect(ReadOnlySpan<float> y, int sampleRate = 22050, int hopLength = 512, DspOptions? options = null)
    {
        var envelope = OnsetStrength(y, sampleRate, hopLength: hopLength, options: options);
        return OnsetDetectFromEnvelope(envelope, sampleRate, hopLength);
    }

    /// <summary>Onset frames from a precomputed onset strength envelope (librosa's <c>onset_envelope=</c>), as <see cref="OnsetDetect"/>.</summary>
    /// <param name="onsetEnvelope">Onset strength per frame.</param>
    /// <param name="sampleRate">Sample rate in Hz, used to turn the millisecond windows into frames (default 22050).</param>
    /// <param name="hopLength">Samples between frames (default 512).</param>
    /// <exception cref="MusicMLException">A non-finite envelope or an invalid parameter.</exception>
    public static int[] OnsetDetectFromEnvelope(ReadOnlySpan<float> onsetEnvelope, int sampleRate = 22050, int hopLength = 512)
    {
        InputGuard.SampleRate(sampleRate);
        InputGuard.Positive(hopLength, "hopLength");
        InputGuard.Finite(onsetEnvelope, "onsetEnvelope");
        if (onsetEnvelope.IsEmpty) return [];
        var x = onsetEnvelope.ToArray();
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in x) min = MathF.Min(min, v);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] -= min;
            max = MathF.Max(max, x[i]);
        }
        float scale = max + 1.17549435e-38f;
        bool any = false;
        for (int i = 0; i < x.Length; i++)
        {
            x[i] /= scale;
            any |= x[i] != 0;
        }
        if (!any) return [];
        // librosa: 0.03·sr // hop etc., floor-divided in floating point and then rounded up to integers.
        int Frames(double seconds, int plus = 0) => (int)Math.Ceiling(Math.Floor(seconds * sampleRate / hopLength) + plus);
        return PeakPick(x, preMax: Frames(0.03), postMax: Frames(0.0, 1), preAvg: Frames(0.10), postAvg: Frames(0.10, 1),
            delta: 0.07, wait: Frames(0.03));
    }

    /// <summary>
    /// Peak picking (librosa.util.peak_pick; Böck, Krebs &amp; Schedl, ISMIR 2012): x[n] is a peak when it is the
    /// maximum of x[n − preMax .. n + postMax), at least delta above the mean of x[n − preAvg .. n + postAvg), and at
    /// least <paramref name="wait"/> samples after the previous peak. With <see cref="PeakPickEdges.Clipped"/>
    /// (librosa) the windows are clipped at the ends; with <see cref="PeakPickEdges.ZeroPadded"/> (madmom's offline
    /// picker, which averages with scipy's <c>uniform_filter(mode='constant')</c>) the mean is over the whole window
    /// with zeros outside the signal and only positive values can be peaks. The one peak picker of MusicML: Mir's
    /// onset detector picks through it too.
    /// </summary>
    /// <param name="x">The signal, e.g. a normalised onset envelope.</param>
    /// <param name="preMax">Samples before n in the maximum window.</param>
    /// <param name="postMax">Samples from n on in the maximum window (≥ 1, n included).</param>
    /// <param name="preAvg">Samples before n in the mean window.</param>
    /// <param name="postAvg">Samples from n on in the mean window (≥ 1).</param>
    /// <param name="delta">Threshold above the local mean.</param>
    /// <param name="wait">Samples to skip after a peak.</param>
    /// <param name="edges">How the mean window treats the ends (default librosa's clipping).</param>
    /// <returns>Indices of the peaks, increasing.</returns>
    /// <exception cref="MusicMLException">A negative window, postMax or postAvg below 1, or a negative wait.</exception>
    public static int[] PeakPick(ReadOnlySpan<float> x, int preMax, int postMax, int preAvg, int postAvg, double delta, int wait,
        PeakPickEdges edges = PeakPickEdges.Clipped)
    {
        if (preMax < 0 || preAvg < 0) throw new MusicMLException($"preMax and preAvg must be non-negative; got {preMax}, {preAvg}.");
        if (postMax < 1 || postAvg < 1) throw new MusicMLException($"postMax and postAvg must be at least 1; got {postMax}, {postAvg}.");
        if (wait < 0) throw new MusicMLException($"wait must be non-negative; got {wait}.");
        var peaks = new List<int>();
        int length = x.Length;
        if (length == 0) return [];
        bool zeroPadded = edges == PeakPickEdges.ZeroPadded;
        // Prefix sums make the zero-padded mean O(1) per sample; outside the signal counts as zero.
        double[] prefix = [];
        if (zeroPadded)
        {
            prefix = new double[length + 1];
            for (int t = 0; t < length; t++) prefix[t + 1] = prefix[t] + x[t];
        }
        int n = 0;
        while (n < length)
        {
            if (zeroPadded && x[n] <= 0)
            {
                n++;
                continue;
            }
            float localMax = Max(x[Math.Max(0, n - preMax)..Math.Min(n + postMax, length)]);
            double mean = zeroPadded
                ? (prefix[Math.Min(length, n + postAvg)] - prefix[Math.Max(0, n - preAvg)]) / (preAvg + postAvg)
                : Mean(x[Math.Max(0, n - preAvg)..Math.Min(n + postAvg, length)]);
            if (x[n] != localMax || !(x[n] >= mean + delta))
            {
                n++;
                continue;
            }
            peaks.Add(n);
            n += wait + 1;
        }
        return peaks.ToArray();
    }

    private static float Max(ReadOnlySpan<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (var v in values) max = MathF.Max(max, v);
        return max;
    }

    private static double Mean(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        return sum / values.Length;
    }
}
