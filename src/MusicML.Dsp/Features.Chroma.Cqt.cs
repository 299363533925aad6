using MusicML.Core;

namespace MusicML.Dsp;

public static partial class Features
{
    // Energy quantisation of CENS (Müller et al. 2005): each step a value exceeds adds a quarter.
    private static readonly float[] CensSteps = [0.4f, 0.2f, 0.1f, 0.05f];

    /// <summary>
    /// Constant-Q chromagram (librosa.feature.chroma_cqt): the magnitude of a <paramref name="nOctaves"/>-octave
    /// <see cref="Spectral.Cqt"/> with <paramref name="binsPerOctave"/> bins per octave, folded onto
    /// <paramref name="nChroma"/> pitch classes with <see cref="Filters.CqToChroma"/>, values below
    /// <paramref name="threshold"/> zeroed, each frame normalised by <paramref name="norm"/> (Müller, "Information
    /// Retrieval for Music and Motion", Springer 2007, ch. 3; Ellis, "Chroma feature analysis and synthesis", 2007).
    /// When <paramref name="tuning"/> is null it is estimated from the signal with binsPerOctave resolution, as librosa
    /// does. Shape <c>[nChroma, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="hopLength">Samples between frames (default 512).</param>
    /// <param name="fMin">Frequency of the lowest CQT bin in Hz; default C1 ≈ 32.70 Hz.</param>
    /// <param name="norm">Per-frame norm (default ∞: the peak becomes 1; 1, 2 or any p &gt; 0); null leaves frames unscaled.</param>
    /// <param name="threshold">Chroma values below this are set to 0 (default 0).</param>
    /// <param name="tuning">Tuning deviation in fractions of a CQT bin; null (the default) estimates it.</param>
    /// <param name="nChroma">Number of chroma bins (default 12).</param>
    /// <param name="nOctaves">Octaves the CQT spans (default 7).</param>
    /// <param name="binsPerOctave">CQT bins per octave, a multiple of nChroma (default 36).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix ChromaCqt(ReadOnlySpan<float> y, int sampleRate = 22050, int hopLength = 512, double? fMin = null,
        double? norm = double.PositiveInfinity, double threshold = 0.0, double? tuning = null, int nChroma = 12, int nOctaves = 7,
        int binsPerOctave = 36, DspOptions? options = null)
    {
        ValidateChromaCqt(nChroma, nOctaves, binsPerOctave, norm, threshold);
        var c = Spectral.Cqt(y, sampleRate, hopLength, fMin, nOctaves * binsPerOctave, binsPerOctave, tuning, options: options).Magnitude();
        return ChromaCqt(c, fMin, norm, threshold, nChroma, binsPerOctave);
    }

    /// <summary>
    /// Constant-Q chromagram of a precomputed CQT magnitude <paramref name="c"/> <c>[bins, frames]</c> (librosa's
    /// <c>C=</c>); see <see cref="ChromaCqt(ReadOnlySpan{float}, int, int, double?, double?, double, double?, int, int, int, DspOptions?)"/>.
    /// </summary>
    /// <param name="c">CQT magnitudes, e.g. <c>Spectral.Cqt(y, nBins: 252, binsPerOctave: 36).Magnitude()</c>.</param>
    /// <param name="fMin">Frequency of the first CQT bin in Hz (untuned; default C1), which sets the pitch class of row 0.</param>
    /// <param name="norm">Per-frame norm (default ∞); null leaves frames unscaled.</param>
    /// <param name="threshold">Chroma values below this are set to 0 (default 0).</param>
    /// <param name="nChroma">Number of chroma bins (default 12).</param>
    /// <param name="binsPerOctave">CQT bins per octave of <paramref name="c"/> (default 36).</param>
    /// <exception cref="MusicMLException">An empty or non-finite CQT, or an invalid parameter.</exception>
    public static FloatMatrix ChromaCqt(FloatMatrix c, double? fMin = null, double? norm = double.PositiveInfinity,
        double threshold = 0.0, int nChroma = 12, int binsPerOctave = 36)
    {
        Validation.NotEmpty(c, nameof(c));
        InputGuard.Finite(c.Data, nameof(c));
        ValidateChromaCqt(nChroma, 1, binsPerOctave, norm, threshold);
        var fold = Filters.CqToChroma(c.Rows, binsPerOctave, nChroma, fMin);
        int frames = c.Columns;
        var chroma = new FloatMatrix(nChroma, frames);
        // Each CQT row belongs to exactly one pitch class, so the fold is a sum of rows, SIMD over frames.
        for (int k = 0; k < c.Rows; k++)
        {
            int row = 0;
            while (row < nChroma && fold[row, k] == 0) row++;
            if (row == nChroma) continue;
            AddInto(chroma.Row(row), c.Row(k));
        }
        var data = chroma.Data;
        float limit = (float)threshold;
        for (int i = 0; i < data.Length; i++) if (data[i] < limit) data[i] = 0f;
        NormalizeColumns(chroma, norm);
        return chroma;
    }

    /// <summary>
    /// Chroma Energy Normalized Statistics (librosa.feature.chroma_cens; Müller, Kurth &amp; Clausen, "Audio matching via
    /// chroma-based statistical features", ISMIR 2005): the unnormalised <see cref="ChromaCqt(ReadOnlySpan{float}, int, int, double?, double?, double, double?, int, int, int, DspOptions?)"/>
    /// L1-normalised per frame, quantised (a quarter for each of 0.4, 0.2, 0.1, 0.05 a value exceeds), smoothed over
    /// <paramref name="winLenSmooth"/> frames with a Hann window, and normalised per frame by <paramref name="norm"/>.
    /// Robust to dynamics and timbre; meant for audio matching. Shape <c>[nChroma, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="hopLength">Samples between frames (default 512).</param>
    /// <param name="fMin">Frequency of the lowest CQT bin in Hz; default C1.</param>
    /// <param name="tuning">Tuning deviation in fractions of a CQT bin; null (the default) estimates it.</param>
    /// <param name="nChroma">Number of chroma bins (default 12).</param>
    /// <param name="nOctaves">Octaves the CQT spans (default 7).</param>
    /// <param name="binsPerOctave">CQT bins per octave (default 36).</param>
    /// <param name="norm">Final per-frame norm (default 2); null leaves frames unscaled.</param>
    /// <param name="winLenSmooth">Length of the temporal smoothing in frames (default 41); null disables smoothing.</param>
    /// <param name="smoothingWindow">Shape of the smoothing window (default Hann, symmetric).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix ChromaCens(ReadOnlySpan<float> y, int sampleRate = 22050, int hopLength = 512, double? fMin = null,
        double? tuning = null, int nChroma = 12, int nOctaves = 7, int binsPerOctave = 36, double? norm = 2.0,
        int? winLenSmooth = 41, WindowType smoothingWindow = WindowType.Hann, DspOptions? options = null)
    {
        ValidateCens(winLenSmooth, norm);
        var chroma = ChromaCqt(y, sampleRate, hopLength, fMin, null, 0.0, tuning, nChroma, nOctaves, binsPerOctave, options);
        return CensFromChroma(chroma, norm, winLenSmooth, smoothingWindow);
    }

    /// <summary>
    /// CENS of a precomputed CQT magnitude <paramref name="c"/> (librosa's <c>C=</c>); see
    /// <see cref="ChromaCens(ReadOnlySpan{float}, int, int, double?, double?, int, int, int, double?, int?, WindowType, DspOptions?)"/>.
    /// </summary>
    /// <param name="c">CQT magnitudes <c>[bins, frames]</c>.</param>
    /// <param name="fMin">Frequency of the first CQT bin in Hz (untuned; default C1).</param>
    /// <param name="nChroma">Number of chroma bins (default 12).</param>
    /// <param name="binsPerOctave">CQT bins per octave of <paramref name="c"/> (default 36).</param>
    /// <param name="norm">Final per-frame norm (default 2); null leaves frames unscaled.</param>
    /// <param name="winLenSmooth">Length of the temporal smoothing in frames (default 41); null disables smoothing.</param>
    /// <param name="smoothingWindow">Shape of the smoothing window (default Hann, symmetric).</param>
    /// <exception cref="MusicMLException">An empty or non-finite CQT, or an invalid parameter.</exception>
    public static FloatMatrix ChromaCens(FloatMatrix c, double? fMin = null, int nChroma = 12, int binsPerOctave = 36,
        double? norm = 2.0, int? winLenSmooth = 41, WindowType smoothingWindow = WindowType.Hann)
    {
        ValidateCens(winLenSmooth, norm);
        var chroma = ChromaCqt(c, fMin, null, 0.0, nChroma, binsPerOctave);
        return CensFromChroma(chroma, norm, winLenSmooth, smoothingWindow);
    }

    private static FloatMatrix CensFromChroma(FloatMatrix chroma, double? norm, int? winLenSmooth, WindowType smoothingWindow)
    {
        NormalizeColumns(chroma, 1.0);
        var quantised = new FloatMatrix(chroma.Rows, chroma.Columns);
        var source = chroma.Data;
        var q = quantised.Data;
        for (int i = 0; i < source.Length; i++)
        {
            float v = source[i], sum = 0f;
            foreach (var step in CensSteps) if (v > step) sum += 0.25f;
            q[i] = sum;
        }
        var result = quantised;
        if (winLenSmooth is int length)
        {
            // librosa smooths with get_window(window, length + 2, fftbins=False), whose zero end points drop out.
            var window = Windows.Get(smoothingWindow, length + 2, periodic: false);
            double total = 0;
            foreach (var w in window) total += w;
            var kernel = new double[window.Length];
            for (int i = 0; i < kernel.Length; i++) kernel[i] = window[i] / total;
            result = new FloatMatrix(chroma.Rows, chroma.Columns);
            int frames = chroma.Columns, centre = kernel.Length / 2;
            for (int r = 0; r < chroma.Rows; r++)
            {
                var input = quantised.Row(r);
                var output = result.Row(r);
                // scipy.ndimage.convolve, mode='constant': zeros beyond the ends, kernel centred on index length / 2.
                for (int t = 0; t < frames; t++)
                {
                    double acc = 0;
                    int from = Math.Max(0, t - centre), to = Math.Min(frames - 1, t + (kernel.Length - 1 - centre));
                    for (int u = from; u <= to; u++) acc += input[u] * kernel[centre + t - u];
                    output[t] = (float)acc;
                }
            }
        }
        NormalizeColumns(result, norm);
        return result;
    }

    /// <summary>
    /// librosa.util.normalize along the feature axis: each column divided by its p-norm (peak for ∞), in double, and
    /// left unscaled when that norm is below the smallest normal float32.
    /// </summary>
    internal static void NormalizeColumns(FloatMatrix matrix, double? norm)
    {
        if (norm is not double p) return;
        int rows = matrix.Rows, frames = matrix.Columns;
        var data = matrix.Data;
        var lengths = new double[frames];
        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Row(r);
            for (int t = 0; t < frames; t++)
            {
                double m = Math.Abs((double)row[t]);
                if (double.IsPositiveInfinity(p)) lengths[t] = Math.Max(lengths[t], m);
                else lengths[t] += p == 1 ? m : p == 2 ? m * m : Math.Pow(m, p);
            }
        }
        for (int t = 0; t < frames; t++)
        {
            if (!double.IsPositiveInfinity(p) && p != 1) lengths[t] = p == 2 ? Math.Sqrt(lengths[t]) : Math.Pow(lengths[t], 1.0 / p);
            if (lengths[t] < 1.17549435e-38) lengths[t] = 1.0;
        }
        for (int r = 0; r < rows; r++)
        {
            var row = data.AsSpan(r * frames, frames);
            for (int t = 0; t < frames; t++) row[t] = (float)(row[t] / lengths[t]);
        }
    }

    private static void AddInto(Span<float> destination, ReadOnlySpan<float> values)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int width = System.Numerics.Vector<float>.Count;
            for (; i <= values.Length - width; i += width)
                (new System.Numerics.Vector<float>(destination[i..]) + new System.Numerics.Vector<float>(values[i..])).CopyTo(destination[i..]);
        }
        for (; i < values.Length; i++) destination[i] += values[i];
    }

    private static void ValidateChromaCqt(int nChroma, int nOctaves, int binsPerOctave, double? norm, double threshold)
    {
        InputGuard.Positive(nChroma, "nChroma");
        InputGuard.Positive(nOctaves, "nOctaves");
        InputGuard.Positive(binsPerOctave, "binsPerOctave");
        if (binsPerOctave % nChroma != 0)
            throw new MusicMLException($"binsPerOctave = {binsPerOctave} must be a multiple of nChroma = {nChroma}.");
        if (norm is double p && !(p > 0)) throw new MusicMLException($"norm must be positive (or null for none); got {p}.");
        if (double.IsNaN(threshold)) throw new MusicMLException("threshold must be a number; got NaN.");
    }

    private static void ValidateCens(int? winLenSmooth, double? norm)
    {
        if (winLenSmooth is int w && w <= 0)
            throw new MusicMLException($"winLenSmooth must be a positive number of frames (or null for none); got {w}.");
        if (norm is double p && !(p > 0)) throw new MusicMLException($"norm must be positive (or null for none); got {p}.");
    }
}
