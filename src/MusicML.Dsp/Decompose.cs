using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>Spectrogram decompositions (librosa.decompose).</summary>
public static partial class Decompose
{
    /// <summary>
    /// Harmonic–percussive source separation by median filtering (librosa.decompose.hpss; Fitzgerald, "Harmonic/
    /// percussive separation using median filtering", DAFx 2010, with the margin of Driedger, Müller &amp; Disch,
    /// "Extending harmonic-percussive separation of audio signals", ISMIR 2014). Harmonic energy is smooth in time,
    /// percussive energy smooth in frequency: median filters of <paramref name="kernelSize"/> along each axis give
    /// the two estimates, and soft masks (ratio of powers <paramref name="power"/>) split <paramref name="s"/>.
    /// </summary>
    /// <param name="s">Magnitude (or power) spectrogram <c>[bins, frames]</c>.</param>
    /// <param name="kernelSize">Median filter length in frames (harmonic) and bins (percussive); default 31.</param>
    /// <param name="power">Soft-mask exponent (default 2).</param>
    /// <param name="margin">Separation margin ≥ 1; larger values leave more in neither component (default 1).</param>
    /// <returns>Harmonic and percussive spectrograms, each the shape of <paramref name="s"/>; with margin 1 they sum to it.</returns>
    /// <exception cref="MusicMLException">An empty, negative or non-finite spectrogram, or an invalid parameter.</exception>
    public static (FloatMatrix Harmonic, FloatMatrix Percussive) Hpss(FloatMatrix s, int kernelSize = 31, double power = 2.0, double margin = 1.0)
    {
        var (maskHarmonic, maskPercussive) = HpssMasks(s, kernelSize, power, margin);
        var harmonic = new FloatMatrix(s.Rows, s.Columns);
        var percussive = new FloatMatrix(s.Rows, s.Columns);
        for (int i = 0; i < s.Data.Length; i++)
        {
            harmonic.Data[i] = s.Data[i] * maskHarmonic.Data[i];
            percussive.Data[i] = s.Data[i] * maskPercussive.Data[i];
        }
        return (harmonic, percussive);
    }

    /// <summary>
    /// HPSS of a complex STFT: the masks from its magnitude applied to the complex values (keeping the phase), so
    /// each component can be inverted with <see cref="Spectral.Istft"/>.
    /// </summary>
    /// <param name="stft">Complex spectrogram <c>[bins, frames]</c>.</param>
    /// <param name="kernelSize">Median filter length (default 31).</param>
    /// <param name="power">Soft-mask exponent (default 2).</param>
    /// <param name="margin">Separation margin ≥ 1 (default 1).</param>
    /// <exception cref="MusicMLException">An empty or non-finite STFT, or an invalid parameter.</exception>
    public static (ComplexMatrix Harmonic, ComplexMatrix Percussive) Hpss(ComplexMatrix stft, int kernelSize = 31, double power = 2.0, double margin = 1.0)
    {
        ArgumentNullException.ThrowIfNull(stft);
        var (maskHarmonic, maskPercussive) = HpssMasks(stft.Magnitude(), kernelSize, power, margin);
        var harmonic = new ComplexMatrix(stft.Rows, stft.Columns);
        var percussive = new ComplexMatrix(stft.Rows, stft.Columns);
        for (int i = 0; i < maskHarmonic.Data.Length; i++)
        {
            harmonic.Data[2 * i] = stft.Data[2 * i] * maskHarmonic.Data[i];
            harmonic.Data[2 * i + 1] = stft.Data[2 * i + 1] * maskHarmonic.Data[i];
            percussive.Data[2 * i] = stft.Data[2 * i] * maskPercussive.Data[i];
            percussive.Data[2 * i + 1] = stft.Data[2 * i + 1] * maskPercussive.Data[i];
        }
        return (harmonic, percussive);
    }

    /// <summary>The soft masks of <see cref="Hpss(FloatMatrix, int, double, double)"/> (librosa's <c>mask=True</c>), values in [0, 1].</summary>
    /// <param name="s">Magnitude spectrogram <c>[bins, frames]</c>.</param>
    /// <param name="kernelSize">Median filter length (default 31).</param>
    /// <param name="power">Soft-mask exponent (default 2).</param>
    /// <param name="margin">Separation margin ≥ 1 (default 1).</param>
    /// <exception cref="MusicMLException">An empty, negative or non-finite spectrogram, or an invalid parameter.</exception>
    public static (FloatMatrix Harmonic, FloatMatrix Percussive) HpssMasks(FloatMatrix s, int kernelSize = 31, double power = 2.0, double margin = 1.0)
    {
        Validation.NotEmpty(s, nameof(s));
        InputGuard.Finite(s.Data, nameof(s));
        foreach (var v in s.Data)
            if (v < 0) throw new MusicMLException($"HPSS needs a non-negative magnitude spectrogram; found {v}.");
        InputGuard.Positive(kernelSize, "kernelSize");
        InputGuard.Positive(power, "power");
        if (!(margin >= 1) || double.IsInfinity(margin)) throw new MusicMLException($"margin must be at least 1; got {margin}.");

        int rows = s.Rows, columns = s.Columns;
        var harmonic = new FloatMatrix(rows, columns);
        for (int r = 0; r < rows; r++) MedianFilter(s.Row(r), harmonic.Row(r), kernelSize);
        // Percussive: the same filter along frequency, run on the transpose so each line is contiguous.
        var transposed = FramePipeline.ToFrameMajor(s);
        var filtered = new float[transposed.Length];
        for (int c = 0; c < columns; c++) MedianFilter(transposed.AsSpan(c * rows, rows), filtered.AsSpan(c * rows, rows), kernelSize);
        var percussive = new FloatMatrix(rows, columns);
        FramePipeline.Transpose(filtered, columns, rows, percussive.Data);

        bool splitZeros = margin == 1.0;
        var maskHarmonic = new FloatMatrix(rows, columns);
        var maskPercussive = new FloatMatrix(rows, columns);
        float m = (float)margin;
        for (int i = 0; i < s.Data.Length; i++)
        {
            float h = harmonic.Data[i], p = percussive.Data[i];
            maskHarmonic.Data[i] = SoftMask(h, p * m, power, splitZeros);
            maskPercussive.Data[i] = SoftMask(p, h * m, power, splitZeros);
        }
        return (maskHarmonic, maskPercussive);
    }

    /// <summary>librosa.util.softmask for one element, in float32 like numpy: (x/z)^p / ((x/z)^p + (ref/z)^p), z = max(x, ref).</summary>
    private static float SoftMask(float x, float reference, double power, bool splitZeros)
    {
        float z = MathF.Max(x, reference);
        if (z < 1.17549435e-38f) return splitZeros ? 0.5f : 0f;
        float mask, refMask;
        if (power == 2.0)
        {
            float a = x / z, b = reference / z;
            mask = a * a;
            refMask = b * b;
        }
        else
        {
            mask = (float)Math.Pow(x / z, power);
            refMask = (float)Math.Pow(reference / z, power);
        }
        return mask / (mask + refMask);
    }

    /// <summary>
    /// scipy.ndimage.median_filter along one line with mode 'reflect' (d c b a | a b c d | d c b a): a sorted window
    /// updated by one removal and one insertion per output, O(size) per sample without allocation.
    /// </summary>
    internal static void MedianFilter(ReadOnlySpan<float> input, Span<float> output, int size)
    {
        int n = input.Length;
        int before = size / 2;
        Span<float> window = size <= 256 ? stackalloc float[size] : new float[size];
        for (int j = 0; j < size; j++) window[j] = input[SymmetricIndex(-before + j, n)];
        window.Sort();
        int rank = size / 2;
        for (int i = 0; i < n; i++)
        {
            output[i] = window[rank];
            if (i == n - 1) break;
            float leaving = input[SymmetricIndex(i - before, n)];
            float entering = input[SymmetricIndex(i - before + size, n)];
            int at = window.BinarySearch(leaving);
            if (at < 0) at = ~at; // cannot happen for values taken from the window; kept total for NaN-free input
            // Replace the leaving value by the entering one and restore order by shifting neighbours.
            while (at > 0 && entering < window[at - 1])
            {
                window[at] = window[at - 1];
                at--;
            }
            while (at < size - 1 && entering > window[at + 1])
            {
                window[at] = window[at + 1];
                at++;
            }
            window[at] = entering;
        }
    }

    /// <summary>Index into [0, n) for scipy's 'reflect' mode (numpy's 'symmetric'): the edge sample is repeated.</summary>
    internal static int SymmetricIndex(int i, int n)
    {
        int period = 2 * n;
        int m = ((i % period) + period) % period;
        return m < n ? m : period - 1 - m;
    }
}
