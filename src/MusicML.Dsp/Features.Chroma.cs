using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MusicML.Core;

namespace MusicML.Dsp;

public static partial class Features
{
    private static readonly ConcurrentDictionary<(int, int, int, double), FloatMatrix> ChromaBanks = new();

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
    /// <param name="hopLength">Samples between frames; default winLength / 4.</param>
    /// <param name="winLength">Window length in samples; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="center">Centre frames by padding nFft/2 samples at each end.</param>
    /// <param name="padMode">Padding used when centring.</param>
    /// <param name="tuning">Tuning deviation in fractions of a chroma bin; null estimates it.</param>
    /// <param name="nChroma">Number of chroma bins (default 12).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix ChromaStft(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 2048, int? hopLength = null,
        int? winLength = null, WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant,
        double? tuning = null, int nChroma = 12, DspOptions? options = null)
    {
        Validation.Positive(sampleRate, "sampleRate");
        Validation.Positive(nChroma, "nChroma");
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
        Validation.Finite(s.Data, nameof(s));
        Validation.Positive(sampleRate, "sampleRate");
        Validation.Positive(nChroma, "nChroma");
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
        for (int t = start; t < end; t++)
        {
            var spectrum = power.AsSpan(t * bins, bins);
            int c = 0;
            for (; c <= nChroma - 4; c += 4) Dot4(bank, c, spectrum, column);
            for (; c < nChroma; c++) column[c] = FramePipeline.Dot(bank.Row(c), spectrum);
            float max = 0;
            for (c = 0; c < nChroma; c++) max = MathF.Max(max, MathF.Abs(column[c]));
            // util.normalize(norm=inf): frames whose peak is below the smallest normal float stay unscaled.
            float scale = max < 1.17549435e-38f ? 1f : max;
            for (c = 0; c < nChroma; c++) output[c * frames + t] = column[c] / scale;
        }
    }

    /// <summary>
    /// <see cref="FramePipeline.Dot"/> of filter rows c .. c + 3 with one spectrum, bit for bit (same lanes, same
    /// order), but loading each spectrum vector once for four filters instead of once per filter.
    /// </summary>
    private static void Dot4(FloatMatrix bank, int c, ReadOnlySpan<float> spectrum, Span<float> destination)
    {
        int n = spectrum.Length, width = Vector<float>.Count, i = 0;
        var r0 = bank.Row(c)[..n];
        var r1 = bank.Row(c + 1)[..n];
        var r2 = bank.Row(c + 2)[..n];
        var r3 = bank.Row(c + 3)[..n];
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        if (Vector.IsHardwareAccelerated && n >= width)
        {
            var a0 = Vector<float>.Zero;
            var a1 = Vector<float>.Zero;
            var a2 = Vector<float>.Zero;
            var a3 = Vector<float>.Zero;
            ref float x = ref MemoryMarshal.GetReference(spectrum);
            ref float w0 = ref MemoryMarshal.GetReference(r0);
            ref float w1 = ref MemoryMarshal.GetReference(r1);
            ref float w2 = ref MemoryMarshal.GetReference(r2);
            ref float w3 = ref MemoryMarshal.GetReference(r3);
            for (; i <= n - width; i += width)
            {
                var v = Vector.LoadUnsafe(ref x, (nuint)i);
                a0 += Vector.LoadUnsafe(ref w0, (nuint)i) * v;
                a1 += Vector.LoadUnsafe(ref w1, (nuint)i) * v;
                a2 += Vector.LoadUnsafe(ref w2, (nuint)i) * v;
                a3 += Vector.LoadUnsafe(ref w3, (nuint)i) * v;
            }
            s0 = Vector.Sum(a0);
            s1 = Vector.Sum(a1);
            s2 = Vector.Sum(a2);
            s3 = Vector.Sum(a3);
        }
        for (; i < n; i++)
        {
            s0 += r0[i] * spectrum[i];
            s1 += r1[i] * spectrum[i];
            s2 += r2[i] * spectrum[i];
            s3 += r3[i] * spectrum[i];
        }
        destination[c] = s0;
        destination[c + 1] = s1;
        destination[c + 2] = s2;
        destination[c + 3] = s3;
    }
}
