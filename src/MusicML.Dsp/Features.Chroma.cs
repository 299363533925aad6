using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MusicML.Core;

namespace MusicML.Dsp;

public static partial class Features
{
    // Keyed on the tuning among others, so bounded: a catalogue brings a new tuning with nearly every file.
    private static readonly BoundedCache<(int, int, int, double), FloatMatrix> ChromaBanks = new(16);

    /// <summary>
    /// Chromagram from a power spectrogram (librosa.feature.chroma_stft): the STFT power projected onto
    /// <paramref name="nChroma"/> pitch classes with <see cref="Filters.Chroma"/>, each frame scaled so its largest
    /// value is 1 (Ellis, "Chroma feature analysis and synthesis", 2007; Müller, "Information Retrieval for Music and
    /// Motion", 2007). When <paramref name="tuning"/> is null it is estimated with <see cref="Tuning.EstimateTuning(FloatMatrix, int, double, int)"/>
    /// as librosa does. Shape <c>[nChroma, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512 whatever nFft is, as librosa.feature).</param>
    /// <param name="winLength">Window length in samples; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="center">Centre frames by padding nFft/2 samples at each end.</param>
    /// <param name="padMode">Padding used when centring.</param>
    /// <param name="tuning">Tuning deviation in fractions of a chroma bin; null estimates it.</param>
    /// <param name="nChroma">Number of chroma bins (default 12).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix ChromaStft(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 2048, int hopLength = 512,
        int? winLength = null, WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant,
        double? tuning = null, int nChroma = 12, DspOptions? options = null)
    {
        InputGuard.SampleRate(sampleRate);
        InputGuard.Positive(nChroma, "nChroma");
        var power = FramePipeline.FrameMajorSpectrogram(y, nFft, hopLength, winLength, window, center, padMode, 2.0, options, out int frames);
        return ChromaFromFrameMajor(power, nFft / 2 + 1, frames, sampleRate, tuning, nChroma, options);
    }

    /// <summary>
    /// Chromagram of a precomputed power spectrogram <paramref name="s"/> <c>[1 + nFft/2, frames]</c> (librosa's <c>S=</c>).
    /// </summary>
    /// <param name="s">Power spectrogram.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="tuning">Tuning deviation in fractions of a chroma bin; null estimates it.</param>
    /// <param name="nChroma">Number of chroma bins (default 12).</param>
    /// <exception cref="MusicMLException">An empty or non-finite spectrogram, or an invalid parameter.</exception>
    public static FloatMatrix ChromaStft(FloatMatrix s, int sampleRate = 22050, double? tuning = null, int nChroma = 12)
    {
        Validation.NotEmpty(s, nameof(s));
        InputGuard.Finite(s.Data, nameof(s));
        InputGuard.SampleRate(sampleRate);
        InputGuard.Positive(nChroma, "nChroma");
        return ChromaFromFrameMajor(FramePipeline.ToFrameMajor(s), s.Rows, s.Columns, sampleRate, tuning, nChroma, null);
    }

    private static FloatMatrix ChromaFromFrameMajor(float[] power, int bins, int frames, int sampleRate, double? tuning, int nChroma, DspOptions? options)
    {
        options ??= DspOptions.Default;
        double tune = tuning ?? Tuning.EstimateTuningFrameMajor(power, bins, frames, sampleRate, 0.01, nChroma);
        int nFft = 2 * (bins - 1);
        var bank = ChromaBanks.GetOrAdd((sampleRate, nFft, nChroma, tune), key => Filters.Chroma(key.Item1, key.Item2, key.Item3, key.Item4));
        var result = new FloatMatrix(nChroma, frames);
        var output = result.Data;
        options.ForChunks(frames, (start, end) => ChromaFrames(power, bins, bank, output, frames, start, end));
        return result;
    }

    /// <summary>Chroma of frames start .. end − 1 of a frame-major power spectrogram, normalised per frame.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ChromaFrames(float[] power, int bins, FloatMatrix bank, float[] output, int frames, int start, int end)
    {
        int nChroma = bank.Rows;
        Span<float> column = stackalloc float[nChroma];
        Span<float> next = stackalloc float[nChroma];
        for (int t = start; t < end; t++)
        {
            var spectrum = power.AsSpan(t * bins, bins);
            // Two frames at a time halve the passes over the 49 KB filter matrix, which does not fit in L1 with a spectrum.
            // A last, unpaired frame goes through the same kernel paired with itself; the twin's sums are dropped.
            bool pair = t + 1 < end;
            var nextSpectrum = pair ? power.AsSpan((t + 1) * bins, bins) : spectrum;
            int c = 0;
            for (; c <= nChroma - 4; c += 4) Dot4x2(bank, c, spectrum, nextSpectrum, column, next);
            for (int c1 = c; c1 < nChroma; c1++)
            {
                column[c1] = FramePipeline.Dot(bank.Row(c1), spectrum);
                if (pair) next[c1] = FramePipeline.Dot(bank.Row(c1), nextSpectrum);
            }
            Normalize(column, output, frames, t);
            if (!pair) continue;
            Normalize(next, output, frames, t + 1);
            t++;
        }
    }

    /// <summary>util.normalize(norm=inf) of one chroma column into column <paramref name="t"/> of the output.</summary>
    private static void Normalize(Span<float> column, float[] output, int frames, int t)
    {
        float max = 0;
        for (int c = 0; c < column.Length; c++) max = MathF.Max(max, MathF.Abs(column[c]));
        // Frames whose peak is below the smallest normal float stay unscaled.
        float scale = max < 1.17549435e-38f ? 1f : max;
        for (int c = 0; c < column.Length; c++) output[c * frames + t] = column[c] / scale;
    }

    /// <summary>
    /// <see cref="FramePipeline.Dot"/> of filter rows c .. c + 3 with two spectra, each result bit for bit (same lanes,
    /// same order), loading each filter vector once for both spectra and each spectrum vector once for four filters.
    /// </summary>
    private static void Dot4x2(FloatMatrix bank, int c, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> toX, Span<float> toY)
    {
        int n = x.Length, width = Vector<float>.Count, i = 0;
        var r0 = bank.Row(c)[..n];
        var r1 = bank.Row(c + 1)[..n];
        var r2 = bank.Row(c + 2)[..n];
        var r3 = bank.Row(c + 3)[..n];
        y = y[..n];
        float x0 = 0, x1 = 0, x2 = 0, x3 = 0, y0 = 0, y1 = 0, y2 = 0, y3 = 0;
        if (Vector.IsHardwareAccelerated && n >= width)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector<float> b0 = default, b1 = default, b2 = default, b3 = default;
            ref float sx = ref MemoryMarshal.GetReference(x);
            ref float sy = ref MemoryMarshal.GetReference(y);
            ref float w0 = ref MemoryMarshal.GetReference(r0);
            ref float w1 = ref MemoryMarshal.GetReference(r1);
            ref float w2 = ref MemoryMarshal.GetReference(r2);
            ref float w3 = ref MemoryMarshal.GetReference(r3);
            for (; i <= n - width; i += width)
            {
                var u = Vector.LoadUnsafe(ref sx, (nuint)i);
                var v = Vector.LoadUnsafe(ref sy, (nuint)i);
                var f0 = Vector.LoadUnsafe(ref w0, (nuint)i);
                var f1 = Vector.LoadUnsafe(ref w1, (nuint)i);
                var f2 = Vector.LoadUnsafe(ref w2, (nuint)i);
                var f3 = Vector.LoadUnsafe(ref w3, (nuint)i);
                a0 += f0 * u;
                a1 += f1 * u;
                a2 += f2 * u;
                a3 += f3 * u;
                b0 += f0 * v;
                b1 += f1 * v;
                b2 += f2 * v;
                b3 += f3 * v;
            }
            x0 = Vector.Sum(a0);
            x1 = Vector.Sum(a1);
            x2 = Vector.Sum(a2);
            x3 = Vector.Sum(a3);
            y0 = Vector.Sum(b0);
            y1 = Vector.Sum(b1);
            y2 = Vector.Sum(b2);
            y3 = Vector.Sum(b3);
        }
        for (; i < n; i++)
        {
            x0 += r0[i] * x[i];
            x1 += r1[i] * x[i];
            x2 += r2[i] * x[i];
            x3 += r3[i] * x[i];
            y0 += r0[i] * y[i];
            y1 += r1[i] * y[i];
            y2 += r2[i] * y[i];
            y3 += r3[i] * y[i];
        }
        toX[c] = x0;
        toX[c + 1] = x1;
        toX[c + 2] = x2;
        toX[c + 3] = x3;
        toY[c] = y0;
        toY[c + 1] = y1;
        toY[c + 2] = y2;
        toY[c + 3] = y3;
    }
}
