using MusicML.Core;

namespace MusicML.Dsp;

public static partial class Features
{
    /// <summary>
    /// Autocorrelation tempogram of a signal (librosa.feature.tempogram): the local autocorrelation of the onset
    /// strength envelope over <paramref name="winLength"/> frames, per frame (Grosche, Müller &amp; Kurth, "Cyclic
    /// tempogram — a mid-level tempo representation for music signals", ICASSP 2010). Row l is lag l frames
    /// (tempo 60·sampleRate / (hopLength·l) BPM). Shape <c>[winLength, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="hopLength">Samples between onset frames (default 512).</param>
    /// <param name="winLength">Autocorrelation window in frames (default 384, about 8.9 s at the defaults).</param>
    /// <param name="center">Centre windows on frames, padding the envelope with linear ramps to zero (default true).</param>
    /// <param name="normalize">Scale each frame so its largest |value| is 1 (librosa's norm=np.inf; default true).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix Tempogram(ReadOnlySpan<float> y, int sampleRate = 22050, int hopLength = 512, int winLength = 384,
        bool center = true, bool normalize = true, DspOptions? options = null)
    {
        var envelope = Onset.OnsetStrength(y, sampleRate, hopLength: hopLength, options: options);
        return TempogramFromEnvelope(envelope, winLength, center, normalize, options);
    }

    /// <summary>Autocorrelation tempogram of a precomputed onset strength envelope (librosa's <c>onset_envelope=</c>).</summary>
    /// <param name="onsetEnvelope">Onset strength, one value per frame.</param>
    /// <param name="winLength">Autocorrelation window in frames (default 384).</param>
    /// <param name="center">Centre windows on frames (default true).</param>
    /// <param name="normalize">Scale each frame to a peak |value| of 1 (default true).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">An empty or non-finite envelope, or an invalid window length.</exception>
    public static FloatMatrix TempogramFromEnvelope(ReadOnlySpan<float> onsetEnvelope, int winLength = 384, bool center = true, bool normalize = true,
        DspOptions? options = null)
    {
        options ??= DspOptions.Default;
        InputGuard.Audio(onsetEnvelope, "onsetEnvelope");
        InputGuard.Positive(winLength, "winLength");
        int n = onsetEnvelope.Length;
        int half = center ? winLength / 2 : 0;
        // numpy.pad mode='linear_ramp' with end values 0: ramps from 0 at the outer edge to the edge sample.
        var padded = new float[n + 2 * half];
        onsetEnvelope.CopyTo(padded.AsSpan(half));
        if (half > 0)
        {
            double first = onsetEnvelope[0], last = onsetEnvelope[n - 1];
            for (int i = 0; i < half; i++)
            {
                padded[i] = (float)(i * (first / half));
                padded[half + n + i] = (float)((half - 1 - i) * (last / half));
            }
        }
        if (padded.Length < winLength)
            throw new MusicMLException($"The onset envelope has {n} frames, fewer than winLength = {winLength} (center = false).");
        int frames = center ? n : 1 + padded.Length - winLength;
        var window = Windows.Get(WindowType.Hann, winLength);
        // Linear autocorrelation of lags < winLength needs an FFT of at least 2·winLength − 1; a power of two is exact too.
        int fftLength = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(2 * winLength - 1));
        var fft = RealFft.Create(fftLength, options.Backend);
        var result = new FloatMatrix(winLength, frames);
        var output = result.Data;
        options.ForChunks(frames, (start, end) =>
        {
            var frame = new AlignedBuffer(fftLength);
            var spectrum = new AlignedBuffer(2 * fft.Bins);
            var lagValues = new AlignedBuffer(fftLength);
            for (int t = start; t < end; t++)
            {
                var f = frame.Span;
                Spectral.Multiply(padded.AsSpan(t, winLength), window, f);
                f[winLength..].Clear();
                fft.Forward(f, spectrum.Span);
                var s = spectrum.Span;
                for (int k = 0; k < fft.Bins; k++)
                {
                    s[2 * k] = s[2 * k] * s[2 * k] + s[2 * k + 1] * s[2 * k + 1];
                    s[2 * k + 1] = 0;
                }
                fft.Inverse(s, lagValues.Span);
                var ac = lagValues.Span;
                float scale = 1f;
                if (normalize)
                {
                    float max = 0;
                    for (int l = 0; l < winLength; l++) max = MathF.Max(max, MathF.Abs(ac[l]));
                    scale = max < Tiny ? 1f : max;
                }
                for (int l = 0; l < winLength; l++) output[l * frames + t] = ac[l] / scale;
            }
        });
        return result;
    }
}
