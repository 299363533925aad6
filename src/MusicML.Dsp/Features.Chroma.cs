using System.Collections.Concurrent;
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
        options.ForChunks(frames, (start, end) =>
        {
            Span<float> column = stackalloc float[nChroma];
            for (int t = start; t < end; t++)
            {
                var spectrum = power.AsSpan(t * bins, bins);
                float max = 0;
                for (int c = 0; c < nChroma; c++)
                {
                    column[c] = FramePipeline.Dot(bank.Row(c), spectrum);
                    max = MathF.Max(max, MathF.Abs(column[c]));
                }
                // util.normalize(norm=inf): frames whose peak is below the smallest normal float stay unscaled.
                float scale = max < 1.17549435e-38f ? 1f : max;
                for (int c = 0; c < nChroma; c++) output[c * frames + t] = column[c] / scale;
            }
        });
        return result;
    }
}
