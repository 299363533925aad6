using System.Runtime.CompilerServices;
using MusicML.Audio;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// Pitch tracking by parabolic interpolation of spectral peaks and tuning estimation from the tracked pitches
/// (librosa.piptrack, librosa.estimate_tuning, librosa.pitch_tuning). Interpolation after Smith, "Spectral Audio
/// Signal Processing", W3K 2011, §"Quadratic interpolation of spectral peaks".
/// </summary>
public static partial class Tuning
{
    /// <summary>
    /// Per-frame spectral peaks with parabolically interpolated frequency and magnitude (librosa.piptrack on
    /// <c>S=</c>). A bin is a peak when it exceeds <paramref name="threshold"/> × the frame's maximum and is a local
    /// maximum over frequency, with fMin ≤ f &lt; fMax. Both outputs are <c>[bins, frames]</c> and zero elsewhere.
    /// </summary>
    /// <param name="s">Magnitude or power spectrogram <c>[1 + nFft/2, frames]</c>; nFft is 2·(rows − 1).</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="fMin">Lowest pitch in Hz (default 150).</param>
    /// <param name="fMax">Upper pitch limit in Hz, exclusive (default 4000; capped at sampleRate / 2).</param>
    /// <param name="threshold">Fraction of each frame's maximum a peak must exceed (default 0.1).</param>
    /// <returns>Instantaneous frequencies (Hz) and interpolated magnitudes at the peaks.</returns>
    /// <exception cref="MusicMLException">An empty or non-finite spectrogram, or an invalid parameter.</exception>
    public static (FloatMatrix Pitches, FloatMatrix Magnitudes) Piptrack(FloatMatrix s, int sampleRate = 22050,
        double fMin = 150.0, double fMax = 4000.0, double threshold = 0.1)
    {
        Validation.NotEmpty(s, nameof(s));
        InputGuard.Finite(s.Data, nameof(s));
        InputGuard.SampleRate(sampleRate);
        int bins = s.Rows, frames = s.Columns;
        var pitches = new FloatMatrix(bins, frames);
        var magnitudes = new FloatMatrix(bins, frames);
        var frameMajor = FramePipeline.ToFrameMajor(s);
        var range = PeakRange(sampleRate, 2 * (bins - 1), fMin, fMax);
        for (int t = 0; t < frames; t++)
        {
            int frame = t;
            FramePeaks(frameMajor.AsSpan(t * bins, bins), range, sampleRate, threshold, (k, pitch, magnitude) =>
            {
                pitches[k, frame] = pitch;
                magnitudes[k, frame] = magnitude;
            });
        }
        return (pitches, magnitudes);
    }

    /// <summary>
    /// Pitch tracking of a signal (librosa.piptrack with <c>y=</c>): <see cref="Piptrack(FloatMatrix, int, double, double, double)"/>
    /// on its magnitude STFT.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames; default nFft / 4.</param>
    /// <param name="fMin">Lowest pitch in Hz (default 150).</param>
    /// <param name="fMax">Upper pitch limit in Hz, exclusive (default 4000).</param>
    /// <param name="threshold">Fraction of each frame's maximum a peak must exceed (default 0.1).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <returns>Instantaneous frequencies (Hz) and magnitudes, <c>[1 + nFft/2, frames]</c>, zero off the peaks.</returns>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static (FloatMatrix Pitches, FloatMatrix Magnitudes) Piptrack(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 2048,
        int? hopLength = null, double fMin = 150.0, double fMax = 4000.0, double threshold = 0.1, DspOptions? options = null) =>
        Piptrack(Spectral.Spectrogram(y, nFft, hopLength, options: options), sampleRate, fMin, fMax, threshold);

    /// <summary>
    /// Estimates the tuning deviation of a spectrogram from A440, in fractions of a bin of
    /// <paramref name="binsPerOctave"/> (librosa.estimate_tuning on <c>S=</c>): piptrack peaks at least as strong as
    /// their median vote in a histogram of residuals with <paramref name="resolution"/>; the fullest bin wins.
    /// </summary>
    /// <param name="s">Magnitude or power spectrogram <c>[1 + nFft/2, frames]</c>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="resolution">Histogram resolution in fractions of a bin (default 0.01, i.e. cents for 12 bins per octave).</param>
    /// <param name="binsPerOctave">Bins per octave (default 12).</param>
    /// <returns>Tuning in [−0.5, 0.5) bins; 0 when no pitch is found.</returns>
    /// <exception cref="MusicMLException">An empty or non-finite spectrogram, or an invalid parameter.</exception>
    public static double EstimateTuning(FloatMatrix s, int sampleRate = 22050, double resolution = 0.01, int binsPerOctave = 12)
    {
        Validation.NotEmpty(s, nameof(s));
        InputGuard.Finite(s.Data, nameof(s));
        return EstimateTuningFrameMajor(FramePipeline.ToFrameMajor(s), s.Rows, s.Columns, sampleRate, resolution, binsPerOctave);
    }

    /// <summary>
    /// Estimates the tuning of a signal (librosa.estimate_tuning with <c>y=</c>): piptrack on its magnitude STFT.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames; default nFft / 4.</param>
    /// <param name="resolution">Histogram resolution in fractions of a bin (default 0.01).</param>
    /// <param name="binsPerOctave">Bins per octave (default 12).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static double EstimateTuning(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 2048, int? hopLength = null,
        double resolution = 0.01, int binsPerOctave = 12, DspOptions? options = null)
    {
        var magnitude = FramePipeline.FrameMajorSpectrogram(y, nFft, hopLength, null, WindowType.Hann, true, PadMode.Constant, 1.0, options, out int frames);
        return EstimateTuningFrameMajor(magnitude, nFft / 2 + 1, frames, sampleRate, resolution, binsPerOctave);
    }

    /// <summary>
    /// <see cref="EstimateTuning(ReadOnlySpan{float}, int, int, int?, double, int, DspOptions?)"/> of an audio file,
    /// decoded to mono at <paramref name="sampleRate"/> and analysed in overlapping blocks (<see cref="OverlappingBlocks"/>)
    /// whose frames are cut where each block owns them, so memory stays at one block (about 3 minutes) on any length
    /// and the estimate equals the whole-signal one: the piptrack peaks of every frame feed one
    /// <see cref="TuningAccumulator"/>, whose median threshold and histogram are those of the whole recording.
    /// </summary>
    /// <param name="path">The audio file (any format <see cref="AudioFile"/> reads).</param>
    /// <param name="sampleRate">Rate to analyse at, in Hz (default 22050; the audio is resampled).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames; default nFft / 4.</param>
    /// <param name="resolution">Histogram resolution in fractions of a bin (default 0.01).</param>
    /// <param name="binsPerOctave">Bins per octave (default 12).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <returns>The tuning in fractions of a bin, in [−0.5, 0.5).</returns>
    /// <exception cref="MusicMLException">The file cannot be decoded or holds no samples, or a parameter is invalid.</exception>
    public static double EstimateTuning(string path, int sampleRate = 22050, int nFft = 2048, int? hopLength = null,
        double resolution = 0.01, int binsPerOctave = 12, DspOptions? options = null) =>
        EstimateTuning(path, sampleRate, nFft, hopLength, resolution, binsPerOctave, options, blockFrames: 8192);

    /// <summary>The file overload with <paramref name="blockFrames"/> frames per block (tests cut short clips with small blocks).</summary>
    internal static double EstimateTuning(string path, int sampleRate, int nFft, int? hopLength, double resolution, int binsPerOctave,
        DspOptions? options, int blockFrames)
    {
        ArgumentNullException.ThrowIfNull(path);
        InputGuard.Positive(nFft, nameof(nFft));
        int hop = hopLength ?? nFft / 4;
        InputGuard.Positive(hop, nameof(hopLength));
        var accumulator = new TuningAccumulator(sampleRate, resolution, binsPerOctave);
        using var reader = new AudioStreamReader(path, sampleRate, mono: true);
        // Half a frame of context either side, rounded up to whole hops, plus one hop to spare.
        int contextHops = (nFft / 2 + hop - 1) / hop + 1;
        var blocks = new OverlappingBlocks(reader, OverlappingBlocks.RoundUp((long)blockFrames * hop, hop), OverlappingBlocks.RoundUp((long)contextHops * hop, hop));
        bool any = false;
        while (blocks.Next())
        {
            var magnitude = Spectral.Spectrogram(blocks.Window, nFft, hop, options: options);
            var (first, count) = blocks.OwnedFrames(hop);
            accumulator.Add(magnitude, first, count);
            any = true;
        }
        if (!any) throw AudioFormatException.NoSamples(path);
        return accumulator.Estimate();
    }

    /// <summary>
    /// Tuning offset of a set of frequencies relative to A440 (librosa.pitch_tuning): each frequency's distance to the
    /// nearest bin of <paramref name="binsPerOctave"/>, histogrammed with <paramref name="resolution"/>; returns the
    /// left edge of the fullest histogram bin, in [−0.5, 0.5).
    /// </summary>
    /// <param name="frequencies">Frequencies in Hz; non-positive values are ignored.</param>
    /// <param name="resolution">Histogram resolution in fractions of a bin (default 0.01).</param>
    /// <param name="binsPerOctave">Bins per octave (default 12).</param>
    /// <returns>The tuning in bins; 0 when no positive frequency is given.</returns>
    /// <exception cref="MusicMLException"><paramref name="resolution"/> is not in (0, 1) or binsPerOctave is not positive.</exception>
    public static double PitchTuning(ReadOnlySpan<float> frequencies, double resolution = 0.01, int binsPerOctave = 12)
    {
        if (!(resolution > 0 && resolution < 1)) throw new MusicMLException($"resolution must be in (0, 1); got {resolution}.");
        InputGuard.Positive(binsPerOctave, "binsPerOctave");
        int nBins = (int)Math.Ceiling(1.0 / resolution);
        var edges = new double[nBins + 1];
        double step = 1.0 / nBins;
        for (int i = 0; i < nBins; i++) edges[i] = i * step - 0.5;
        edges[nBins] = 0.5;
        var counts = new int[nBins];
        bool any = false;
        foreach (var f in frequencies)
        {
            if (!(f > 0)) continue;
            any = true;
            // numpy evaluates this chain in float32 (float32 array, Python scalars), so the residuals here do too.
            float octaves = MathF.Log2(f / 27.5f);
            float scaled = binsPerOctave * octaves;
            float residual = scaled - MathF.Floor(scaled);
            if (residual >= 0.5f) residual -= 1.0f;
            double v = residual;
            if (v < edges[0] || v > edges[nBins]) continue;
            int bin = Math.Min(nBins - 1, (int)((v - edges[0]) * nBins));
            while (bin > 0 && v < edges[bin]) bin--;
            while (bin < nBins - 1 && v >= edges[bin + 1]) bin++;
            counts[bin]++;
        }
        if (!any) return 0.0;
        int best = 0;
        for (int i = 1; i < nBins; i++) if (counts[i] > counts[best]) best = i;
        return edges[best];
    }

    /// <summary>
    /// Tuning offset of a set of frequencies on the circle of pitch residuals: each frequency's position within its
    /// bin of <paramref name="binsPerOctave"/> (relative to A440) votes in a circular histogram of
    /// <paramref name="resolution"/>-wide cells, smoothed over ±2 cells; the fullest cell is refined to the mean
    /// residual within ±0.1 bin of it. Unlike <see cref="PitchTuning"/> (librosa's, which keeps the ends of
    /// [−0.5, 0.5) apart and reports a cell's left edge), a tuning of +0.49 bin whose peaks straddle the wrap is found
    /// at +0.49, not at −0.50: the two ends are one cell apart.
    /// </summary>
    /// <param name="frequencies">Frequencies in Hz; non-positive values are ignored.</param>
    /// <param name="resolution">Histogram cell width in fractions of a bin (default 0.01).</param>
    /// <param name="binsPerOctave">Bins per octave (default 12).</param>
    /// <returns>The tuning in bins, in [−0.5, 0.5); 0 when no positive frequency is given.</returns>
    /// <exception cref="MusicMLException"><paramref name="resolution"/> is not in (0, 0.1] or binsPerOctave is not positive.</exception>
    public static double PitchTuningCircular(ReadOnlySpan<float> frequencies, double resolution = 0.01, int binsPerOctave = 12)
    {
        if (!(resolution > 0 && resolution <= 0.1)) throw new MusicMLException($"resolution must be in (0, 0.1]; got {resolution}.");
        InputGuard.Positive(binsPerOctave, "binsPerOctave");
        int cells = (int)Math.Ceiling(1.0 / resolution);
        var counts = new double[cells];
        var residuals = new double[frequencies.Length];
        int n = 0;
        foreach (var f in frequencies)
        {
            if (!(f > 0)) continue;
            double scaled = binsPerOctave * Math.Log2(f / 27.5);
            double residual = scaled - Math.Floor(scaled);
            residuals[n++] = residual;
            counts[Math.Min(cells - 1, (int)(residual * cells))]++;
        }
        if (n == 0) return 0.0;
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < cells; c++)
        {
            // Triangular smoothing over ±2 cells, wrapping round the circle.
            double score = 0;
            for (int d = -2; d <= 2; d++) score += (3 - Math.Abs(d)) * counts[((c + d) % cells + cells) % cells];
            if (score > bestScore) (best, bestScore) = (c, score);
        }
        double centre = (best + 0.5) / cells, sum = 0;
        int near = 0;
        for (int i = 0; i < n; i++)
        {
            double offset = residuals[i] - centre;
            offset -= Math.Round(offset); // signed circular distance in [−0.5, 0.5]
            if (Math.Abs(offset) > 0.1) continue;
            sum += offset;
            near++;
        }
        double tuning = centre + sum / near;
        return tuning - Math.Floor(tuning + 0.5);
    }

    internal delegate void PeakHandler(int bin, float pitch, float magnitude);

    internal static (int First, int End) PeakRange(int sampleRate, int nFft, double fMin, double fMax)
    {
        double low = Math.Max(fMin, 0), high = Math.Min(fMax, sampleRate / 2.0);
        var frequencies = Frequencies.Fft(sampleRate, nFft);
        int first = 0;
        while (first < frequencies.Length && frequencies[first] < low) first++;
        int end = first;
        while (end < frequencies.Length && frequencies[end] < high) end++;
        return (first, end);
    }

    /// <summary>piptrack on one frame (float32 arithmetic in numpy's order).</summary>
    internal static void FramePeaks(ReadOnlySpan<float> x, (int First, int End) range, int sampleRate, double threshold, PeakHandler handler)
    {
        int bins = x.Length;
        int nFft = 2 * (bins - 1);
        float max = MaxAbs(x);
        float reference = (float)threshold * max;
        for (int k = Math.Max(range.First, 1); k < range.End && k < bins - 1; k++)
        {
            // A bin at or below the threshold is masked to 0 and cannot exceed its left neighbour: skip it cheaply.
            if (!(MathF.Abs(x[k]) > reference)) continue;
            float current = Masked(x[k], reference);
            // util.localmax: strictly above the left neighbour, at least the right one.
            if (!(current > Masked(x[k - 1], reference) && current >= Masked(x[k + 1], reference))) continue;
            float avg = 0.5f * (x[k + 1] - x[k - 1]);
            float curvature = 2 * x[k] - x[k + 1] - x[k - 1];
            float shift = avg / (curvature + (MathF.Abs(curvature) < 1.17549435e-38f ? 1f : 0f));
            float pitch = (float)((k + (double)shift) * sampleRate / nFft);
            float magnitude = x[k] + 0.5f * avg * shift;
            handler(k, pitch, magnitude);
        }
    }

    private static float MaxAbs(ReadOnlySpan<float> x)
    {
        int i = 0;
        float max = float.NegativeInfinity;
        if (System.Numerics.Vector.IsHardwareAccelerated && x.Length >= System.Numerics.Vector<float>.Count)
        {
            int width = System.Numerics.Vector<float>.Count;
            var vmax = new System.Numerics.Vector<float>(float.NegativeInfinity);
            for (; i <= x.Length - width; i += width)
                vmax = System.Numerics.Vector.Max(vmax, System.Numerics.Vector.Abs(new System.Numerics.Vector<float>(x[i..])));
            for (int j = 0; j < width; j++) max = MathF.Max(max, vmax[j]);
        }
        for (; i < x.Length; i++) max = MathF.Max(max, MathF.Abs(x[i]));
        return max;
    }

    private static float Masked(float v, float reference) => MathF.Abs(v) > reference ? MathF.Abs(v) : 0f;

    internal static double EstimateTuningFrameMajor(float[] frameMajor, int bins, int frames, int sampleRate, double resolution, int binsPerOctave)
    {
        InputGuard.SampleRate(sampleRate);
        // One path for whole files and streamed blocks: the accumulator's peaks and median are librosa's estimate_tuning.
        var accumulator = new TuningAccumulator(sampleRate, resolution, binsPerOctave);
        accumulator.AddFrameMajor(frameMajor, bins, 0, frames);
        return accumulator.Estimate();
    }

    internal static float Median(float[] values)
    {
        int n = values.Length;
        int upper = n / 2;
        float high = Select(values, upper);
        if (n % 2 == 1) return high;
        // After selection everything left of `upper` is ≤ values[upper]; the lower middle is their maximum.
        float low = float.NegativeInfinity;
        for (int i = 0; i < upper; i++) low = MathF.Max(low, values[i]);
        return (low + high) / 2f;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Select(float[] a, int k)
    {
        int left = 0, right = a.Length - 1;
        while (left < right)
        {
            int middle = left + (right - left) / 2;
            // Median of three as pivot keeps sorted and constant runs from degrading to quadratic time.
            if (a[middle] < a[left]) (a[middle], a[left]) = (a[left], a[middle]);
            if (a[right] < a[left]) (a[right], a[left]) = (a[left], a[right]);
            if (a[right] < a[middle]) (a[right], a[middle]) = (a[middle], a[right]);
            float pivot = a[middle];
            int i = left, j = right;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else return a[k];
        }
        return a[k];
    }
}
