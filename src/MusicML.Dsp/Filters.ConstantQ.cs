using MusicML.Core;

namespace MusicML.Dsp;

public static partial class Frequencies
{
    /// <summary>
    /// Centre frequencies (Hz) of a constant-Q transform (librosa.cqt_frequencies):
    /// fMin · 2^(tuning / binsPerOctave) · 2^(k / binsPerOctave) for k = 0 … nBins − 1.
    /// </summary>
    /// <param name="nBins">Number of bins.</param>
    /// <param name="fMin">Frequency of the lowest bin in Hz, before tuning.</param>
    /// <param name="binsPerOctave">Bins per octave (default 12).</param>
    /// <param name="tuning">Tuning deviation from A440 in fractions of a bin.</param>
    /// <exception cref="MusicMLException">A non-positive count or frequency, or a non-finite tuning.</exception>
    public static double[] Cqt(int nBins, double fMin, int binsPerOctave = 12, double tuning = 0.0)
    {
        InputGuard.Positive(nBins, "nBins");
        InputGuard.Positive(fMin, "fMin");
        InputGuard.Positive(binsPerOctave, "binsPerOctave");
        if (!double.IsFinite(tuning)) throw new MusicMLException($"tuning must be finite; got {tuning}.");
        double correction = Math.Pow(2.0, tuning / binsPerOctave);
        var result = new double[nBins];
        for (int k = 0; k < nBins; k++) result[k] = correction * fMin * Math.Pow(2.0, (double)k / binsPerOctave);
        return result;
    }

    /// <summary>Hz to MIDI note numbers (librosa.hz_to_midi): 12·log2(f / 440) + 69.</summary>
    public static double HzToMidi(double frequency) => 12.0 * (Math.Log2(frequency) - Math.Log2(440.0)) + 69.0;

    /// <summary>MIDI note numbers to Hz (librosa.midi_to_hz): 440 · 2^((m − 69) / 12).</summary>
    public static double MidiToHz(double midi) => 440.0 * Math.Pow(2.0, (midi - 69.0) / 12.0);
}

public static partial class Filters
{
    /// <summary>librosa's default lowest CQT frequency, C1 (MIDI 24) ≈ 32.70 Hz.</summary>
    public static readonly double C1Hz = Frequencies.MidiToHz(24);

    /// <summary>
    /// Equivalent noise bandwidth of a window in FFT bins (librosa.filters.window_bandwidth), the value librosa
    /// tabulates for each window; it sets how far above its centre a constant-Q filter reaches.
    /// </summary>
    /// <exception cref="MusicMLException">An unknown window.</exception>
    public static double WindowBandwidth(WindowType window) => window switch
    {
        WindowType.Hann => 1.50018310546875,
        WindowType.Hamming => 1.3629455320350348,
        WindowType.Blackman => 1.7269681554262326,
        WindowType.BlackmanHarris => 2.0045975283585014,
        WindowType.Ones => 1.0,
        _ => throw new MusicMLException($"Unknown window type {window}."),
    };

    /// <summary>
    /// Relative bandwidth α of equal-tempered constant-Q filters (librosa's <c>__bpo_to_alpha</c>): with
    /// r = 2^(1/binsPerOctave), α = (r² − 1) / (r² + 1), so a filter's −3 dB band meets its neighbours'.
    /// </summary>
    /// <exception cref="MusicMLException"><paramref name="binsPerOctave"/> is not positive.</exception>
    public static double ConstantQAlpha(int binsPerOctave)
    {
        InputGuard.Positive(binsPerOctave, "binsPerOctave");
        double r2 = Math.Pow(2.0, 2.0 / binsPerOctave);
        return (r2 - 1) / (r2 + 1);
    }

    /// <summary>
    /// Lengths in samples of constant-Q / variable-Q wavelets (librosa.filters.wavelet_lengths): with Q = filterScale / α,
    /// length = Q · sampleRate / (f + γ / α) (fractional; the filters use ⌈length⌉ samples), and the highest frequency any
    /// filter reaches, max f · (1 + ½ · bandwidth(window) / Q) + γ / 2 (Schörkhuber &amp; Klapuri, "Constant-Q transform
    /// toolbox for music processing", SMC 2010; Schörkhuber et al., "A Matlab toolbox for efficient perfect reconstruction
    /// time-frequency transforms with log-frequency resolution", AES 53rd Conf. 2014, for γ).
    /// </summary>
    /// <param name="frequencies">Centre frequencies in Hz, ascending.</param>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="alpha">Relative bandwidth α, e.g. <see cref="ConstantQAlpha"/>.</param>
    /// <param name="window">Window shape of the wavelets (default Hann).</param>
    /// <param name="filterScale">Scale factor on the lengths (default 1).</param>
    /// <param name="gamma">Bandwidth offset γ in Hz (0 for a constant-Q transform).</param>
    /// <returns>The lengths (samples) and the cutoff frequency (Hz).</returns>
    /// <exception cref="MusicMLException">Non-positive or unsorted frequencies, or an invalid parameter.</exception>
    public static (double[] Lengths, double Cutoff) WaveletLengths(ReadOnlySpan<double> frequencies, double sampleRate, double alpha,
        WindowType window = WindowType.Hann, double filterScale = 1.0, double gamma = 0.0)
    {
        InputGuard.Positive(sampleRate, "sampleRate");
        InputGuard.Positive(alpha, "alpha");
        InputGuard.Positive(filterScale, "filterScale");
        if (!(gamma >= 0) || double.IsInfinity(gamma)) throw new MusicMLException($"gamma must be non-negative and finite; got {gamma}.");
        if (frequencies.IsEmpty) throw new MusicMLException("WaveletLengths needs at least one frequency.");
        double q = filterScale / alpha;
        double bandwidth = WindowBandwidth(window);
        var lengths = new double[frequencies.Length];
        double cutoff = double.NegativeInfinity;
        for (int k = 0; k < frequencies.Length; k++)
        {
            double f = frequencies[k];
            if (!(f > 0) || double.IsInfinity(f)) throw new MusicMLException($"Wavelet frequencies must be positive and finite; frequency {k} is {f} Hz.");
            if (k > 0 && frequencies[k - 1] > f) throw new MusicMLException($"Wavelet frequencies must be ascending; frequency {k} ({f} Hz) is below its predecessor.");
            lengths[k] = q * sampleRate / (f + gamma / alpha);
            cutoff = Math.Max(cutoff, f * (1 + 0.5 * bandwidth / q) + 0.5 * gamma);
        }
        return (lengths, cutoff);
    }

    /// <summary>
    /// Matrix folding constant-Q bins onto pitch classes (librosa.filters.cq_to_chroma): each group of
    /// binsPerOctave / nChroma adjacent bins, centred on its pitch class, sums into one chroma row, octave after
    /// octave; rows start at C (or at the pitch class of <paramref name="fMin"/> rounded to C when it is not a C).
    /// Shape <c>[nChroma, nInput]</c>.
    /// </summary>
    /// <param name="nInput">Number of constant-Q bins.</param>
    /// <param name="binsPerOctave">Constant-Q bins per octave (a multiple of nChroma; default 12).</param>
    /// <param name="nChroma">Number of chroma bins (default 12).</param>
    /// <param name="fMin">Frequency of the first constant-Q bin in Hz, untuned (default C1).</param>
    /// <exception cref="MusicMLException">binsPerOctave is not a multiple of nChroma, or a parameter is not positive.</exception>
    public static FloatMatrix CqToChroma(int nInput, int binsPerOctave = 12, int nChroma = 12, double? fMin = null)
    {
        InputGuard.Positive(nInput, "nInput");
        InputGuard.Positive(binsPerOctave, "binsPerOctave");
        InputGuard.Positive(nChroma, "nChroma");
        double f0 = fMin ?? C1Hz;
        InputGuard.Positive(f0, "fMin");
        if (binsPerOctave % nChroma != 0)
            throw new MusicMLException($"binsPerOctave = {binsPerOctave} must be a multiple of nChroma = {nChroma}.");
        int merge = binsPerOctave / nChroma;
        // Centre each group on its pitch class: bin j of an octave belongs to class ((j + merge/2) / merge) mod nChroma.
        double midi0 = Frequencies.HzToMidi(f0) % 12.0;
        if (midi0 < 0) midi0 += 12.0;
        int roll = (int)Math.Round(midi0 * (nChroma / 12.0), MidpointRounding.ToEven);
        var result = new FloatMatrix(nChroma, nInput);
        for (int j = 0; j < nInput; j++)
        {
            int withinOctave = j % binsPerOctave;
            int pitchClass = ((withinOctave + merge / 2) / merge) % nChroma;
            int row = ((pitchClass + roll) % nChroma + nChroma) % nChroma;
            result[row, j] = 1f;
        }
        return result;
    }
}
