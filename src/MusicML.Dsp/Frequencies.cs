using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>Frequency-scale conversions with librosa's definitions (librosa.core.convert).</summary>
public static partial class Frequencies
{
    private const double SlaneyLinearStep = 200.0 / 3;      // Hz per mel below 1 kHz
    private const double SlaneyLogStart = 1000.0;           // Hz where the log region starts
    private const double SlaneyLogStartMel = 15.0;          // = 1000 / (200/3)
    private static readonly double SlaneyLogStep = Math.Log(6.4) / 27.0;

    /// <summary>
    /// Hz to mels (librosa.hz_to_mel): Slaney's Auditory Toolbox scale (linear below 1 kHz, logarithmic above) or,
    /// with <paramref name="htk"/>, 2595·log10(1 + f/700) (O'Shaughnessy, "Speech Communication", 1987).
    /// </summary>
    public static double HzToMel(double frequency, bool htk = false)
    {
        if (htk) return 2595.0 * Math.Log10(1.0 + frequency / 700.0);
        return frequency >= SlaneyLogStart
            ? SlaneyLogStartMel + Math.Log(frequency / SlaneyLogStart) / SlaneyLogStep
            : frequency / SlaneyLinearStep;
    }

    /// <summary>Mels to Hz (librosa.mel_to_hz), the inverse of <see cref="HzToMel"/>.</summary>
    public static double MelToHz(double mel, bool htk = false)
    {
        if (htk) return 700.0 * (Math.Pow(10.0, mel / 2595.0) - 1.0);
        return mel >= SlaneyLogStartMel
            ? SlaneyLogStart * Math.Exp(SlaneyLogStep * (mel - SlaneyLogStartMel))
            : SlaneyLinearStep * mel;
    }

    /// <summary><paramref name="nMels"/> frequencies (Hz) equally spaced in mels from <paramref name="fMin"/> to <paramref name="fMax"/> inclusive (librosa.mel_frequencies).</summary>
    public static double[] Mel(int nMels = 128, double fMin = 0.0, double fMax = 11025.0, bool htk = false)
    {
        InputGuard.Positive(nMels, "nMels");
        double min = HzToMel(fMin, htk), max = HzToMel(fMax, htk);
        var result = new double[nMels];
        // numpy.linspace: start + i·step, with the last point set exactly to stop.
        double step = nMels > 1 ? (max - min) / (nMels - 1) : 0;
        for (int i = 0; i < nMels; i++) result[i] = MelToHz(i == nMels - 1 && nMels > 1 ? max : min + i * step, htk);
        return result;
    }

    /// <summary>Centre frequency (Hz) of each of the nFft/2 + 1 FFT bins (librosa.fft_frequencies, numpy.fft.rfftfreq).</summary>
    public static double[] Fft(int sampleRate = 22050, int nFft = 2048)
    {
        InputGuard.SampleRate(sampleRate);
        InputGuard.Positive(nFft, "nFft");
        var result = new double[nFft / 2 + 1];
        double binWidth = 1.0 / (nFft * (1.0 / sampleRate));
        for (int k = 0; k < result.Length; k++) result[k] = k * binWidth;
        return result;
    }

    /// <summary>
    /// Hz to octaves relative to C0 (librosa.hz_to_octs): log2(f / (A440/16)), where A440 is shifted by
    /// <paramref name="tuning"/> fractions of a bin of <paramref name="binsPerOctave"/>.
    /// </summary>
    public static double HzToOctaves(double frequency, double tuning = 0.0, int binsPerOctave = 12)
    {
        double a440 = 440.0 * Math.Pow(2.0, tuning / binsPerOctave);
        return Math.Log2(frequency / (a440 / 16));
    }
}
