using MusicML.Cli.Infrastructure;
using MusicML.Dsp;

namespace MusicML.Cli.Commands;

/// <summary>The parameters <c>musicml features</c> passes on, named and defaulted as librosa names them.</summary>
internal sealed record FeatureParameters(
    int SampleRate, int NFft, int HopLength, int NMels, double? FMin, double? FMax, int NMfcc, bool Htk, int NBins,
    int? BinsPerOctave)
{
    /// <summary>Bins per octave of the plain CQT: librosa's default 12 unless given.</summary>
    public int CqtBinsPerOctave => BinsPerOctave ?? 12;

    /// <summary>Bins per octave of CQT-based chroma: librosa's chroma_cqt default 36 unless given.</summary>
    public int ChromaBinsPerOctave => BinsPerOctave ?? 36;

    /// <summary>Octaves spanned by CQT-based chroma: --n-bins rounded up to whole octaves (librosa's n_octaves = 7 for 84).</summary>
    public int ChromaOctaves => (NBins + CqtBinsPerOctave - 1) / CqtBinsPerOctave;

    /// <summary>Largest --n-fft and --hop-length: 2²⁰ samples (47 s at 22 050 Hz); beyond, frame buffers overflow.</summary>
    public const int MaxFrameLength = 1 << 20;

    /// <summary>Lowest non-zero --fmin, in Hz: below it the CQT's longest filter and the mel scale's logs degenerate.</summary>
    public const double MinFrequency = 1e-3;

    /// <summary>
    /// Refuses values <paramref name="kind"/> cannot use, naming the option, before any audio is read: rates outside
    /// what a file may declare, frame sizes that would overflow buffers, a --fmin below <see cref="MinFrequency"/>,
    /// mel bands narrower than one FFT bin (an all-zero filter, whose log is −∞), CQT bins above Nyquist.
    /// </summary>
    /// <exception cref="CliUsageException">An option is out of range for this feature.</exception>
    public void Validate(FeatureKind kind)
    {
        if (SampleRate < Audio.AudioLimits.MinSampleRate || SampleRate > Audio.AudioLimits.MaxSampleRate)
            throw new CliUsageException($"--sr must be between {Audio.AudioLimits.MinSampleRate} and {Audio.AudioLimits.MaxSampleRate} Hz; got {SampleRate}.");
        if (NFft < 2 || NFft > MaxFrameLength)
            throw new CliUsageException($"--n-fft must be between 2 and {MaxFrameLength} samples; got {NFft}.");
        if (HopLength > MaxFrameLength) throw new CliUsageException($"--hop-length must be at most {MaxFrameLength} samples; got {HopLength}.");
        double nyquist = SampleRate / 2.0;
        bool mel = kind.Name is "mel" or "mfcc" or "onset_strength";
        bool cqt = kind.Name is "cqt" or "chroma_cqt" or "chroma_cens";
        if (FMin is { } low && (low != 0 || !mel) && low < MinFrequency)
            throw new CliUsageException($"--fmin must be {(mel ? "0 or " : "")}at least {MinFrequency} Hz; got {low}.");
        if (FMin is { } below && below >= nyquist)
            throw new CliUsageException($"--fmin {below} Hz must be below the Nyquist frequency ({nyquist} Hz at --sr {SampleRate}).");
        if (FMax is { } high && high > nyquist)
            throw new CliUsageException($"--fmax {high} Hz must be at most the Nyquist frequency ({nyquist} Hz at --sr {SampleRate}).");
        if (mel) ValidateMelBands(kind.Name == "onset_strength" ? 0 : FMin ?? 0, nyquist);
        if (cqt)
        {
            int binsPerOctave = kind.Name == "cqt" ? CqtBinsPerOctave : ChromaBinsPerOctave;
            int bins = kind.Name == "cqt" ? NBins : ChromaOctaves * binsPerOctave;
            if (binsPerOctave > 1200) throw new CliUsageException($"--bins-per-octave must be at most 1200 (one per cent); got {binsPerOctave}.");
            double fMin = FMin ?? 32.70319566257483; // C1, librosa's default
            double top = fMin * Math.Pow(2, (bins - 1) / (double)binsPerOctave);
            if (!(top < nyquist))
                throw new CliUsageException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"--n-bins {NBins} at --bins-per-octave {binsPerOctave} from --fmin {fMin:0.##} Hz reaches {top:G4} Hz, above the Nyquist frequency ({nyquist} Hz)."));
        }
    }

    private void ValidateMelBands(double fMin, double nyquist)
    {
        const int maxMels = 4096;
        if (NMels > maxMels) throw new CliUsageException($"--n-mels must be at most {maxMels}; got {NMels}.");
        if (NMfcc > NMels) throw new CliUsageException($"--n-mfcc {NMfcc} exceeds --n-mels {NMels}.");
        var bank = Filters.Mel(SampleRate, NFft, NMels, fMin, FMax ?? nyquist, Htk);
        int empty = 0;
        for (int m = 0; m < bank.Rows; m++)
        {
            bool any = false;
            for (int k = 0; k < bank.Columns && !any; k++) any = bank[m, k] > 0;
            if (!any) empty++;
        }
        if (empty > 0)
            throw new CliUsageException(
                $"--n-mels {NMels} is more than --n-fft {NFft} supports at --sr {SampleRate}: {empty} of the bands fall between two FFT bins and would be all zero; use fewer mel bands or a larger --n-fft.");
    }
}

/// <summary>
/// One feature the CLI can extract: how to compute it from mono audio, whether librosa returns it 1-D, and whether it
/// is frame-local — each frame a function of its own centred window of n_fft samples only (no whole-signal tuning,
/// normalisation or dB reference), so it can be computed block by block with exactly the whole-file numbers.
/// </summary>
internal sealed record FeatureKind(string Name, string Description, bool OneDimensional,
    Func<float[], FeatureParameters, FloatMatrix> Compute, bool FrameLocal = false, MelDbFeature? MelDb = null);

/// <summary>
/// A feature that is frame-local except for one whole-recording number: the dB floor of its log-mel spectrogram,
/// 80 dB below the loudest mel value (librosa's <c>power_to_db(top_db=80)</c>). It streams in two passes: the first
/// finds the loudest value, the second floors each block's dB at that and finishes its frames (<see cref="FromDb"/>).
/// </summary>
/// <param name="Power">The mel power spectrogram of a block, with the mel parameters the feature's whole-file call uses.</param>
/// <param name="FromDb">The feature of a floored log-mel block <c>[n_mels, frames]</c> in dB.</param>
/// <param name="ExtraContextFrames">Frames of context beyond half a window that each output frame reads before it
/// (onset strength compares frame t − shift with t − shift − lag).</param>
internal sealed record MelDbFeature(Func<float[], FeatureParameters, FloatMatrix> Power, Func<FloatMatrix, FeatureParameters, FloatMatrix> FromDb,
    Func<FeatureParameters, int>? ExtraContextFrames = null)
{
    /// <summary>Range below the loudest value kept, in dB (librosa's top_db).</summary>
    public const float TopDb = 80f;

    /// <summary>10·log10(max(power, 1e-10)) in place, unfloored; returns the largest value among frames first..first+count−1.</summary>
    public static float ToDb(FloatMatrix power, int first, int count)
    {
        Spectral.PowerToDb(power.Data, power.Data, 1.0, topDb: null);
        float max = float.NegativeInfinity;
        for (int r = 0; r < power.Rows; r++)
            for (int c = first; c < first + count; c++) max = MathF.Max(max, power[r, c]);
        return max;
    }
}

/// <summary>
/// Every <c>--kind</c> of <c>musicml features</c>, each a direct call of the library function a user would make, so
/// the CLI's numbers are the library's numbers. Shapes follow librosa: <c>[features, frames]</c>; stft and cqt are
/// magnitudes.
/// </summary>
internal static class FeatureKinds
{
    public static readonly IReadOnlyList<FeatureKind> All =
    [
        new("stft", "STFT magnitude |X| [1 + n_fft/2, frames]", false,
            (y, p) => Spectral.Spectrogram(y, p.NFft, p.HopLength), FrameLocal: true),
        new("mel", "mel power spectrogram [n_mels, frames]", false,
            (y, p) => Features.MelSpectrogram(y, p.SampleRate, p.NFft, p.HopLength, nMels: p.NMels, fMin: p.FMin ?? 0, fMax: p.FMax, htk: p.Htk), FrameLocal: true),
        new("mfcc", "MFCC [n_mfcc, frames]", false,
            (y, p) => Features.Mfcc(y, p.SampleRate, p.NMfcc, nFft: p.NFft, hopLength: p.HopLength, nMels: p.NMels, fMin: p.FMin ?? 0, fMax: p.FMax, htk: p.Htk),
            MelDb: new MelDbFeature(
                (y, p) => Features.MelSpectrogram(y, p.SampleRate, p.NFft, p.HopLength, nMels: p.NMels, fMin: p.FMin ?? 0, fMax: p.FMax, htk: p.Htk),
                (db, p) => Features.Mfcc(db, p.NMfcc))),
        new("chroma_stft", "chroma from the STFT, tuning estimated [12, frames]", false,
            (y, p) => Features.ChromaStft(y, p.SampleRate, p.NFft, p.HopLength)),
        new("chroma_cqt", "chroma from the CQT, tuning estimated [12, frames]", false,
            (y, p) => Features.ChromaCqt(y, p.SampleRate, p.HopLength, p.FMin, nOctaves: p.ChromaOctaves, binsPerOctave: p.ChromaBinsPerOctave)),
        new("chroma_cens", "chroma energy normalised statistics [12, frames]", false,
            (y, p) => Features.ChromaCens(y, p.SampleRate, p.HopLength, p.FMin, nOctaves: p.ChromaOctaves, binsPerOctave: p.ChromaBinsPerOctave)),
        new("cqt", "constant-Q transform magnitude [n_bins, frames]", false,
            (y, p) => Spectral.Cqt(y, p.SampleRate, p.HopLength, p.FMin, p.NBins, p.CqtBinsPerOctave).Magnitude()),
        new("centroid", "spectral centroid in Hz [1, frames]", false,
            (y, p) => Features.SpectralCentroid(y, p.SampleRate, p.NFft, p.HopLength), FrameLocal: true),
        new("bandwidth", "spectral bandwidth in Hz [1, frames]", false,
            (y, p) => Features.SpectralBandwidth(y, p.SampleRate, p.NFft, p.HopLength), FrameLocal: true),
        new("rolloff", "85 % spectral roll-off frequency in Hz [1, frames]", false,
            (y, p) => Features.SpectralRolloff(y, p.SampleRate, p.NFft, p.HopLength), FrameLocal: true),
        new("flatness", "spectral flatness [1, frames]", false,
            (y, p) => Features.SpectralFlatness(y, p.NFft, p.HopLength), FrameLocal: true),
        new("contrast", "spectral contrast in dB, 6 bands + valley [7, frames]", false,
            (y, p) => Features.SpectralContrast(y, p.SampleRate, p.NFft, p.HopLength, fMin: p.FMin ?? 200.0)),
        new("rms", "root-mean-square energy per frame [1, frames]", false,
            (y, p) => Features.Rms(y, p.NFft, p.HopLength), FrameLocal: true),
        new("zcr", "zero-crossing rate per frame [1, frames]", false,
            (y, p) => Features.ZeroCrossingRate(y, p.NFft, p.HopLength), FrameLocal: true),
        new("tonnetz", "tonal centroid features [6, frames]", false,
            (y, p) => Features.Tonnetz(y, p.SampleRate, p.HopLength)),
        new("onset_strength", "onset strength envelope [frames]", true,
            (y, p) => Row(Onset.OnsetStrength(y, p.SampleRate, p.NFft, p.HopLength, nMels: p.NMels, fMax: p.FMax)),
            MelDb: new MelDbFeature(
                (y, p) => Features.MelSpectrogram(y, p.SampleRate, p.NFft, p.HopLength, nMels: p.NMels, fMax: p.FMax),
                (db, p) => Row(Onset.OnsetStrength(db, nFft: p.NFft, hopLength: p.HopLength)),
                // Frame t is the flux between log-mel frames t − s and t − s − 1, s = lag + nFft / (2·hop) (lag 1).
                p => 2 + p.NFft / (2 * p.HopLength))),
        new("tempogram", "autocorrelation tempogram [384, frames]", false,
            (y, p) => Features.Tempogram(y, p.SampleRate, p.HopLength)),
    ];

    private static FloatMatrix Row(float[] values) => new(1, values.Length, values);

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static FeatureKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
