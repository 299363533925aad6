using MusicML.Core;

namespace MusicML.Dsp;

public static partial class Features
{
    private const float Tiny = 1.17549435e-38f; // numpy's finfo(float32).tiny, librosa's util.tiny threshold

    /// <summary>
    /// Spectral centroid per frame in Hz (librosa.feature.spectral_centroid): the magnitude-weighted mean
    /// frequency, Σ f·|X(f)| / Σ |X(f)| (Klapuri &amp; Davy, "Signal Processing Methods for Music Transcription", 2006).
    /// Shape <c>[1, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512 whatever nFft is, as librosa.feature).</param>
    /// <param name="winLength">Window length in samples; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="center">Centre frames by padding nFft/2 samples at each end.</param>
    /// <param name="padMode">Padding used when centring.</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix SpectralCentroid(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 2048, int hopLength = 512,
        int? winLength = null, WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant, DspOptions? options = null)
    {
        var s = MagnitudeFrames(y, nFft, hopLength, winLength, window, center, padMode, options, out int frames);
        return CentroidFrames(s, nFft / 2 + 1, frames, sampleRate);
    }

    /// <summary>Spectral centroid (Hz) of a precomputed magnitude spectrogram <c>[1 + nFft/2, frames]</c>.</summary>
    /// <param name="s">Magnitude spectrogram.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <exception cref="MusicMLException">An empty, negative or non-finite spectrogram.</exception>
    public static FloatMatrix SpectralCentroid(FloatMatrix s, int sampleRate = 22050) =>
        CentroidFrames(FrameMajorMagnitude(s), s.Rows, s.Columns, sampleRate);

    /// <summary>
    /// Spectral bandwidth per frame in Hz (librosa.feature.spectral_bandwidth): the order-<paramref name="p"/>
    /// deviation around the centroid, (Σ w(f)·|f − centroid|^p)^(1/p), with w the magnitudes normalised to sum 1
    /// when <paramref name="norm"/> (Klapuri &amp; Davy 2006). Shape <c>[1, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512 whatever nFft is, as librosa.feature).</param>
    /// <param name="winLength">Window length in samples; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="center">Centre frames by padding nFft/2 samples at each end.</param>
    /// <param name="padMode">Padding used when centring.</param>
    /// <param name="norm">Normalise each frame's magnitudes to sum 1 (default true).</param>
    /// <param name="p">Order of the deviation (default 2).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix SpectralBandwidth(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 2048, int hopLength = 512,
        int? winLength = null, WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant,
        bool norm = true, double p = 2.0, DspOptions? options = null)
    {
        InputGuard.Positive(p, "p");
        var s = MagnitudeFrames(y, nFft, hopLength, winLength, window, center, padMode, options, out int frames);
        return BandwidthFrames(s, nFft / 2 + 1, frames, sampleRate, norm, p);
    }

    /// <summary>Spectral bandwidth (Hz) of a precomputed magnitude spectrogram <c>[1 + nFft/2, frames]</c>.</summary>
    /// <param name="s">Magnitude spectrogram.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="norm">Normalise each frame's magnitudes to sum 1 (default true).</param>
    /// <param name="p">Order of the deviation (default 2).</param>
    /// <exception cref="MusicMLException">An empty, negative or non-finite spectrogram, or an invalid parameter.</exception>
    public static FloatMatrix SpectralBandwidth(FloatMatrix s, int sampleRate = 22050, bool norm = true, double p = 2.0)
    {
        InputGuard.Positive(p, "p");
        return BandwidthFrames(FrameMajorMagnitude(s), s.Rows, s.Columns, sampleRate, norm, p);
    }

    /// <summary>
    /// Spectral roll-off per frame in Hz (librosa.feature.spectral_rolloff): the lowest bin centre frequency below
    /// which at least <paramref name="rollPercent"/> of the frame's magnitude lies. Shape <c>[1, frames]</c>.
    /// The STFT is taken in double precision like librosa's (then rounded to complex64), because the chosen bin flips
    /// when a running float32 sum moves by one ulp; this path is slower than the float32 FFT used elsewhere.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512 whatever nFft is, as librosa.feature).</param>
    /// <param name="winLength">Window length in samples; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="center">Centre frames by padding nFft/2 samples at each end.</param>
    /// <param name="padMode">Padding used when centring.</param>
    /// <param name="rollPercent">Fraction of the total in (0, 1) (default 0.85).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix SpectralRolloff(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 2048, int hopLength = 512,
        int? winLength = null, WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant,
        double rollPercent = 0.85, DspOptions? options = null)
    {
        ValidateRollPercent(rollPercent);
        var s = FramePipeline.PreciseMagnitudeFrames(y, nFft, hopLength, winLength, window, center, padMode, options, out int frames);
        return RolloffFrames(s, nFft / 2 + 1, frames, sampleRate, rollPercent);
    }

    /// <summary>Spectral roll-off (Hz) of a precomputed magnitude spectrogram <c>[1 + nFft/2, frames]</c>.</summary>
    /// <param name="s">Magnitude spectrogram.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="rollPercent">Fraction of the total in (0, 1) (default 0.85).</param>
    /// <exception cref="MusicMLException">An empty, negative or non-finite spectrogram, or an invalid parameter.</exception>
    public static FloatMatrix SpectralRolloff(FloatMatrix s, int sampleRate = 22050, double rollPercent = 0.85)
    {
        ValidateRollPercent(rollPercent);
        return RolloffFrames(FrameMajorMagnitude(s), s.Rows, s.Columns, sampleRate, rollPercent);
    }

    /// <summary>
    /// Spectral flatness per frame (librosa.feature.spectral_flatness): geometric over arithmetic mean of
    /// max(amin, |X|^power), between 0 (tonal) and 1 (white noise) (Dubnov, "Generalization of spectral flatness
    /// measure for non-Gaussian linear processes", IEEE SPL 11(8), 2004). Shape <c>[1, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples.</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512 whatever nFft is, as librosa.feature).</param>
    /// <param name="winLength">Window length in samples; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="center">Centre frames by padding nFft/2 samples at each end.</param>
    /// <param name="padMode">Padding used when centring.</param>
    /// <param name="amin">Floor on |X|^power (default 1e-10).</param>
    /// <param name="power">Exponent applied to the magnitudes (default 2).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix SpectralFlatness(ReadOnlySpan<float> y, int nFft = 2048, int hopLength = 512, int? winLength = null,
        WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant, double amin = 1e-10,
        double power = 2.0, DspOptions? options = null)
    {
        InputGuard.Positive(amin, "amin");
        InputGuard.Positive(power, "power");
        var s = MagnitudeFrames(y, nFft, hopLength, winLength, window, center, padMode, options, out int frames);
        return FlatnessFrames(s, nFft / 2 + 1, frames, amin, power);
    }

    /// <summary>Spectral flatness of a precomputed magnitude spectrogram <c>[bins, frames]</c>.</summary>
    /// <param name="s">Magnitude spectrogram.</param>
    /// <param name="amin">Floor on |X|^power (default 1e-10).</param>
    /// <param name="power">Exponent applied to the magnitudes (default 2).</param>
    /// <exception cref="MusicMLException">An empty, negative or non-finite spectrogram, or an invalid parameter.</exception>
    public static FloatMatrix SpectralFlatness(FloatMatrix s, double amin = 1e-10, double power = 2.0)
    {
        InputGuard.Positive(amin, "amin");
        InputGuard.Positive(power, "power");
        return FlatnessFrames(FrameMajorMagnitude(s), s.Rows, s.Columns, amin, power);
    }

    /// <summary>
    /// Spectral contrast per octave band in dB (librosa.feature.spectral_contrast; Jiang et al., "Music type
    /// classification by spectral contrast feature", ICME 2002): for each of <paramref name="nBands"/> octave bands
    /// above <paramref name="fMin"/> plus the band below it, the difference between the mean of the top and the bottom
    /// <paramref name="quantile"/> of the band's magnitudes. Shape <c>[nBands + 1, frames]</c>.
    /// The STFT is taken in double precision like librosa's: valleys are the quietest bins of each band (near an
    /// anti-aliasing stopband they sit 140 dB below the peak), where a float32 FFT's rounding noise would dominate.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512 whatever nFft is, as librosa.feature).</param>
    /// <param name="winLength">Window length in samples; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="center">Centre frames by padding nFft/2 samples at each end.</param>
    /// <param name="padMode">Padding used when centring.</param>
    /// <param name="fMin">Upper edge of the lowest band in Hz (default 200).</param>
    /// <param name="nBands">Number of octave bands (default 6).</param>
    /// <param name="quantile">Fraction of each band taken as peak and valley (default 0.02).</param>
    /// <param name="linear">Return peak − valley in linear magnitude instead of the dB difference.</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or bands that do not fit below the Nyquist frequency.</exception>
    public static FloatMatrix SpectralContrast(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 2048, int hopLength = 512,
        int? winLength = null, WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant,
        double fMin = 200.0, int nBands = 6, double quantile = 0.02, bool linear = false, DspOptions? options = null)
    {
        var s = FramePipeline.PreciseMagnitudeFrames(y, nFft, hopLength, winLength, window, center, padMode, options, out int frames);
        return ContrastFrames(s, nFft / 2 + 1, frames, sampleRate, fMin, nBands, quantile, linear);
    }

    /// <summary>Spectral contrast of a precomputed magnitude spectrogram <c>[1 + nFft/2, frames]</c>.</summary>
    /// <param name="s">Magnitude spectrogram.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="fMin">Upper edge of the lowest band in Hz (default 200).</param>
    /// <param name="nBands">Number of octave bands (default 6).</param>
    /// <param name="quantile">Fraction of each band taken as peak and valley (default 0.02).</param>
    /// <param name="linear">Return peak − valley in linear magnitude instead of the dB difference.</param>
    /// <param name="topDb">
    /// The dB floor of peaks and valleys below the loudest of the whole spectrogram (librosa's power_to_db default 80);
    /// null for none, which makes every frame depend on its own spectrum only, so blocks of a stream give the
    /// whole-file values.
    /// </param>
    /// <exception cref="MusicMLException">An empty, negative or non-finite spectrogram, or invalid bands.</exception>
    public static FloatMatrix SpectralContrast(FloatMatrix s, int sampleRate = 22050, double fMin = 200.0, int nBands = 6,
        double quantile = 0.02, bool linear = false, double? topDb = 80.0) =>
        ContrastFrames(FrameMajorMagnitude(s), s.Rows, s.Columns, sampleRate, fMin, nBands, quantile, linear, topDb);

    private static float[] MagnitudeFrames(ReadOnlySpan<float> y, int nFft, int? hopLength, int? winLength, WindowType window,
        bool center, PadMode padMode, DspOptions? options, out int frames) =>
        FramePipeline.FrameMajorSpectrogram(y, nFft, hopLength, winLength, window, center, padMode, 1.0, options, out frames);

    private static float[] FrameMajorMagnitude(FloatMatrix s)
    {
        Validation.NotEmpty(s, nameof(s));
        InputGuard.Finite(s.Data, nameof(s));
        if (s.Rows < 2) throw new MusicMLException($"A spectrogram needs at least 2 frequency rows; got {s.Rows}.");
        foreach (var v in s.Data)
            if (v < 0) throw new MusicMLException($"'s' must be a non-negative magnitude spectrogram; found {v}.");
        return FramePipeline.ToFrameMajor(s);
    }

    private static FloatMatrix CentroidFrames(float[] s, int bins, int frames, int sampleRate)
    {
        var freq = Frequencies.Fft(sampleRate, 2 * (bins - 1));
        var result = new FloatMatrix(1, frames);
        for (int t = 0; t < frames; t++)
            result.Data[t] = (float)Centroid(s.AsSpan(t * bins, bins), freq);
        return result;
    }

    private static double Centroid(ReadOnlySpan<float> frame, double[] freq)
    {
        double total = 0;
        foreach (var v in frame) total += v;
        double scale = total < Tiny ? 1 : total;
        double centroid = 0;
        for (int k = 0; k < frame.Length; k++) centroid += freq[k] * (frame[k] / scale);
        return centroid;
    }

    private static FloatMatrix BandwidthFrames(float[] s, int bins, int frames, int sampleRate, bool norm, double p)
    {
        var freq = Frequencies.Fft(sampleRate, 2 * (bins - 1));
        var result = new FloatMatrix(1, frames);
        for (int t = 0; t < frames; t++)
        {
            var frame = s.AsSpan(t * bins, bins);
            double centroid = Centroid(frame, freq);
            double total = 0;
            foreach (var v in frame) total += v;
            double scale = !norm || total < Tiny ? 1 : total;
            double sum = 0;
            for (int k = 0; k < bins; k++)
            {
                double deviation = Math.Abs(freq[k] - centroid);
                sum += frame[k] / scale * (p == 2.0 ? deviation * deviation : Math.Pow(deviation, p));
            }
            result.Data[t] = (float)Math.Pow(sum, 1.0 / p);
        }
        return result;
    }

    private static void ValidateRollPercent(double rollPercent)
    {
        if (!(rollPercent > 0 && rollPercent < 1)) throw new MusicMLException($"rollPercent must be in (0, 1); got {rollPercent}.");
    }

    private static FloatMatrix RolloffFrames(float[] s, int bins, int frames, int sampleRate, double rollPercent)
    {
        var freq = Frequencies.Fft(sampleRate, 2 * (bins - 1));
        var result = new FloatMatrix(1, frames);
        float percent = (float)rollPercent;
        for (int t = 0; t < frames; t++)
        {
            var frame = s.AsSpan(t * bins, bins);
            // numpy's cumsum runs sequentially in float32 and the threshold is a float32 product; the first bin whose
            // running total reaches it is sensitive to that rounding, so it is reproduced here.
            float total = 0;
            foreach (var v in frame) total += v;
            float threshold = percent * total;
            float running = 0;
            double rolloff = double.NaN;
            for (int k = 0; k < bins; k++)
            {
                running += frame[k];
                if (!(running < threshold))
                {
                    rolloff = freq[k];
                    break;
                }
            }
            result.Data[t] = (float)rolloff;
        }
        return result;
    }

    private static FloatMatrix FlatnessFrames(float[] s, int bins, int frames, double amin, double power)
    {
        var result = new FloatMatrix(1, frames);
        float amin32 = (float)amin;
        for (int t = 0; t < frames; t++)
        {
            var frame = s.AsSpan(t * bins, bins);
            double logSum = 0, sum = 0;
            foreach (var v in frame)
            {
                float x = MathF.Max(amin32, power == 2.0 ? v * v : (float)Math.Pow(v, power));
                logSum += Math.Log(x);
                sum += x;
            }
            result.Data[t] = (float)(Math.Exp(logSum / bins) / (sum / bins));
        }
        return result;
    }

    private static FloatMatrix ContrastFrames(float[] s, int bins, int frames, int sampleRate, double fMin, int nBands, double quantile, bool linear,
        double? topDb = 80.0)
    {
        var bands = ContrastBands(s, bins, frames, sampleRate, fMin, nBands, quantile);
        if (linear)
        {
            var result = new FloatMatrix(nBands + 1, frames);
            for (int i = 0; i < bands.Peak.Length; i++) result.Data[i] = (float)(bands.Peak[i] - bands.Valley[i]);
            return result;
        }
        return ContrastDb(bands, MaxDb(bands.Peak), MaxDb(bands.Valley), topDb);
    }

    /// <summary>
    /// The per-band peaks and valleys of spectral contrast for the frames of <paramref name="y"/>, before their dB
    /// conversion (whose floor is relative to the loudest of the whole recording): the first half of
    /// <see cref="SpectralContrast(ReadOnlySpan{float}, int, int, int, int?, WindowType, bool, PadMode, double, int, double, bool, DspOptions?)"/>,
    /// so a stream can take the loudest values over a first pass and <see cref="ContrastDb"/> each block in a second.
    /// </summary>
    internal static ContrastPeaksValleys SpectralContrastBands(ReadOnlySpan<float> y, int sampleRate, int nFft, int hopLength, double fMin,
        int nBands = 6, double quantile = 0.02)
    {
        var s = FramePipeline.PreciseMagnitudeFrames(y, nFft, hopLength, null, WindowType.Hann, true, PadMode.Constant, null, out int frames);
        return ContrastBands(s, nFft / 2 + 1, frames, sampleRate, fMin, nBands, quantile);
    }

    /// <summary>The loudest 10·log10(max(1e-10, v)) of <paramref name="power"/> (librosa's power_to_db reference for top_db).</summary>
    internal static double MaxDb(ReadOnlySpan<double> power)
    {
        double max = double.NegativeInfinity;
        foreach (var v in power) max = Math.Max(max, PowerDb(v));
        return max;
    }

    /// <summary>librosa's power_to_db of one value in double, ref 1, amin 1e-10, unfloored.</summary>
    private static double PowerDb(double power) => 10.0 * Math.Log10(Math.Max(1e-10, power));

    /// <summary>
    /// power_to_db(peak) − power_to_db(valley) with librosa's defaults (ref 1, amin 1e-10), each floored
    /// <paramref name="topDb"/> below its own loudest value — given, so that blocks of a stream use the whole recording's.
    /// </summary>
    internal static FloatMatrix ContrastDb(ContrastPeaksValleys bands, double peakMaxDb, double valleyMaxDb, double? topDb = 80.0)
    {
        var result = new FloatMatrix(bands.Rows, bands.Frames);
        double peakFloor = topDb is { } r ? peakMaxDb - r : double.NegativeInfinity;
        double valleyFloor = topDb is { } v ? valleyMaxDb - v : double.NegativeInfinity;
        for (int i = 0; i < bands.Peak.Length; i++)
        {
            double peak = Math.Max(PowerDb(bands.Peak[i]), peakFloor);
            double valley = Math.Max(PowerDb(bands.Valley[i]), valleyFloor);
            result.Data[i] = (float)(peak - valley);
        }
        return result;
    }

    private static ContrastPeaksValleys ContrastBands(float[] s, int bins, int frames, int sampleRate, double fMin, int nBands, double quantile)
    {
        InputGuard.Positive(fMin, "fMin");
        InputGuard.Positive(nBands, "nBands");
        if (!(quantile > 0 && quantile < 1)) throw new MusicMLException($"quantile must be in (0, 1); got {quantile}.");
        if (fMin * Math.Pow(2, nBands) > sampleRate / 2.0 * 2)
            throw new MusicMLException($"fMin = {fMin} Hz with nBands = {nBands} exceeds the Nyquist frequency ({sampleRate / 2.0} Hz).");
        var freq = Frequencies.Fft(sampleRate, 2 * (bins - 1));
        var octaves = new double[nBands + 2];
        for (int i = 1; i < octaves.Length; i++) octaves[i] = fMin * Math.Pow(2.0, i - 1);

        // Band layout as librosa builds it: each band above the first also takes the bin just below its lower edge,
        // the top band takes everything above, and every band but the top drops its highest bin.
        var bandStart = new int[nBands + 1];
        var bandLength = new int[nBands + 1];
        var bandCount = new int[nBands + 1];
        for (int b = 0; b <= nBands; b++)
        {
            int first = -1, last = -1;
            for (int k = 0; k < bins; k++)
                if (freq[k] >= octaves[b] && freq[k] <= octaves[b + 1])
                {
                    if (first < 0) first = k;
                    last = k;
                }
            if (first < 0) throw new MusicMLException($"Spectral contrast band {b} ({octaves[b]}–{octaves[b + 1]} Hz) contains no FFT bin; lower nBands or fMin.");
            if (b > 0 && first > 0) first--;
            if (b == nBands) last = bins - 1;
            int selected = last - first + 1;
            bandStart[b] = first;
            bandCount[b] = Math.Max(1, (int)Math.Round(quantile * selected, MidpointRounding.ToEven));
            bandLength[b] = b < nBands ? selected - 1 : selected;
        }

        var peak = new double[(nBands + 1) * frames];
        var valley = new double[(nBands + 1) * frames];
        var sorted = new float[bins];
        for (int t = 0; t < frames; t++)
        {
            var frame = s.AsSpan(t * bins, bins);
            for (int b = 0; b <= nBands; b++)
            {
                var band = sorted.AsSpan(0, bandLength[b]);
                frame.Slice(bandStart[b], bandLength[b]).CopyTo(band);
                band.Sort();
                int count = Math.Min(bandCount[b], band.Length);
                // np.mean of float32 accumulates in float32 (pairwise); for a handful of values that is a plain sum.
                float low = 0, high = 0;
                for (int i = 0; i < count; i++)
                {
                    low += band[i];
                    high += band[band.Length - 1 - i];
                }
                valley[b * frames + t] = low / count;
                peak[b * frames + t] = high / count;
            }
        }
        return new ContrastPeaksValleys(peak, valley, nBands + 1, frames);
    }

    /// <summary>
    /// Root-mean-square energy per frame of the raw (unwindowed) signal (librosa.feature.rms): sqrt(mean(x²)) over
    /// <paramref name="frameLength"/> samples every <paramref name="hopLength"/>. Shape <c>[1, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples.</param>
    /// <param name="frameLength">Frame length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512).</param>
    /// <param name="center">Pad frameLength/2 samples at each end so frames are centred (default true).</param>
    /// <param name="padMode">Padding used when centring (default zeros).</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix Rms(ReadOnlySpan<float> y, int frameLength = 2048, int hopLength = 512, bool center = true, PadMode padMode = PadMode.Constant)
    {
        InputGuard.Positive(frameLength, "frameLength");
        InputGuard.Positive(hopLength, "hopLength");
        InputGuard.Audio(y);
        int frames = FramePipeline.FrameCount(y.Length, frameLength, hopLength, center);
        var source = new FrameSource(y, frameLength, hopLength, center, padMode);
        var scratch = new float[frameLength];
        var result = new FloatMatrix(1, frames);
        for (int t = 0; t < frames; t++)
        {
            var frame = source.Frame(t, scratch);
            double sum = 0;
            foreach (var v in frame) sum += (double)v * v;
            result.Data[t] = (float)Math.Sqrt(sum / frameLength);
        }
        return result;
    }

    /// <summary>
    /// RMS per frame from a magnitude spectrogram (librosa.feature.rms with <c>S=</c>), by Parseval's theorem with the
    /// DC and Nyquist bins counted once: sqrt(2·Σ|X|² / frameLength²).
    /// </summary>
    /// <param name="s">Magnitude spectrogram <c>[frameLength/2 + 1, frames]</c>.</param>
    /// <param name="frameLength">The FFT length that produced <paramref name="s"/> (default 2048).</param>
    /// <exception cref="MusicMLException">The row count does not match frameLength, or the input is empty or non-finite.</exception>
    public static FloatMatrix Rms(FloatMatrix s, int frameLength = 2048)
    {
        Validation.NotEmpty(s, nameof(s));
        InputGuard.Finite(s.Data, nameof(s));
        if (s.Rows != frameLength / 2 + 1)
            throw new MusicMLException($"A spectrogram with {s.Rows} rows does not come from frameLength = {frameLength} (expected {frameLength / 2 + 1} rows).");
        var result = new FloatMatrix(1, s.Columns);
        var sums = new double[s.Columns];
        for (int k = 0; k < s.Rows; k++)
        {
            double weight = k == 0 || (k == s.Rows - 1 && frameLength % 2 == 0) ? 0.5 : 1.0;
            var row = s.Row(k);
            for (int t = 0; t < s.Columns; t++) sums[t] += weight * row[t] * row[t];
        }
        for (int t = 0; t < s.Columns; t++) result.Data[t] = (float)Math.Sqrt(2 * sums[t] / ((double)frameLength * frameLength));
        return result;
    }

    /// <summary>
    /// Zero-crossing rate per frame (librosa.feature.zero_crossing_rate): the fraction of adjacent sample pairs in
    /// each frame whose sign bits differ, after values with |x| ≤ <paramref name="threshold"/> are set to +0.
    /// Frames are centred with edge padding, as librosa does. Shape <c>[1, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples.</param>
    /// <param name="frameLength">Frame length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512).</param>
    /// <param name="center">Pad frameLength/2 samples (repeating the edge samples) at each end (default true).</param>
    /// <param name="threshold">Magnitudes at or below this count as zero (default 1e-10).</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix ZeroCrossingRate(ReadOnlySpan<float> y, int frameLength = 2048, int hopLength = 512, bool center = true, double threshold = 1e-10)
    {
        InputGuard.Positive(frameLength, "frameLength");
        InputGuard.Positive(hopLength, "hopLength");
        if (!(threshold >= 0)) throw new MusicMLException($"threshold must be non-negative; got {threshold}.");
        InputGuard.Audio(y);
        var padded = Padding.Pad(y, center ? frameLength / 2 : 0, PadMode.Edge);
        // One sign bit per sample, computed once; frames then count differences over their span.
        var negative = new bool[padded.Length];
        for (int i = 0; i < padded.Length; i++) negative[i] = Math.Abs(padded[i]) > threshold && float.IsNegative(padded[i]);
        var crossing = new int[padded.Length + 1];
        for (int i = 1; i < padded.Length; i++) crossing[i + 1] = crossing[i] + (negative[i] != negative[i - 1] ? 1 : 0);
        int frames = FramePipeline.FrameCount(y.Length, frameLength, hopLength, center);
        var result = new FloatMatrix(1, frames);
        for (int t = 0; t < frames; t++)
        {
            int start = t * hopLength;
            // Crossings between samples start..start+frameLength−1 (the first sample of a frame has no predecessor).
            int count = crossing[start + frameLength] - crossing[start + 1];
            result.Data[t] = (float)count / frameLength;
        }
        return result;
    }
}

/// <summary>Spectral contrast's band peaks and valleys <c>[rows, frames]</c> (row-major), before the dB conversion.</summary>
internal sealed record ContrastPeaksValleys(double[] Peak, double[] Valley, int Rows, int Frames);
