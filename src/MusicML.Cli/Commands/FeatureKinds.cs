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
/// is frame-local — each frame a function of its own centred window only (n_fft samples, or
/// <paramref name="ContextSamples"/> either side of a streamed block: a CQT's longest wavelet; no whole-signal tuning, normalisation or dB reference), so it can be computed block by block with the
/// whole-file numbers. <paramref name="TwoPass"/> streams a kind that needs one whole-recording statistic.
/// </summary>
internal sealed record FeatureKind(string Name, string Description, bool OneDimensional,
    Func<float[], FeatureParameters, FloatMatrix> Compute, bool FrameLocal = false, Func<FeatureParameters, WholeRecordingPass>? TwoPass = null,
    Func<FeatureParameters, long>? ContextSamples = null);

/// <summary>
/// A feature that is frame-local except for one statistic of the whole recording (the loudest mel value its 80 dB
/// floor hangs from, the tuning its chroma filters are shifted by). It streams in two passes over the file: the first
/// <see cref="Observe"/>s each block's owned frames, the second <see cref="Compute"/>s each block with the statistic
/// known, so every frame gets the whole-file value.
/// </summary>
internal abstract class WholeRecordingPass
{
    /// <summary>Frames of context beyond half a window that an output frame reads before it.</summary>
    public virtual int ExtraContextFrames => 0;

    /// <summary>Hop in samples of the frames <see cref="Observe"/> counts; 0 for the feature's own hop.</summary>
    public virtual int ObserveHop => 0;

    /// <summary>Pass 1: takes the statistic from frames first..first+count−1 of a block.</summary>
    public abstract void Observe(float[] window, int first, int count);

    /// <summary>Pass 2: the feature of a block, all its frames.</summary>
    public abstract FloatMatrix Compute(float[] window);
}

/// <summary>
/// Log-mel floored 80 dB below the whole recording's loudest mel value (librosa's <c>power_to_db(top_db=80)</c>),
/// then <paramref name="fromDb"/>: MFCC, onset strength.
/// </summary>
internal sealed class MelDbPass(Func<float[], FloatMatrix> power, Func<FloatMatrix, FloatMatrix> fromDb, int extraContextFrames = 0)
    : WholeRecordingPass
{
    private const float TopDb = 80f;
    private float _loudest = float.NegativeInfinity;

    public override int ExtraContextFrames => extraContextFrames;

    public override void Observe(float[] window, int first, int count)
    {
        var db = ToDb(power(window));
        for (int r = 0; r < db.Rows; r++)
            for (int c = first; c < first + count; c++) _loudest = MathF.Max(_loudest, db[r, c]);
    }

    public override FloatMatrix Compute(float[] window)
    {
        var db = ToDb(power(window));
        float floor = _loudest - TopDb;
        for (int i = 0; i < db.Data.Length; i++) db.Data[i] = MathF.Max(db.Data[i], floor);
        return fromDb(db);
    }

    /// <summary>10·log10(max(power, 1e-10)) in place, unfloored (the floor comes from the whole recording).</summary>
    private static FloatMatrix ToDb(FloatMatrix power)
    {
        Spectral.PowerToDb(power.Data, power.Data, 1.0, topDb: null);
        return power;
    }
}

/// <summary>
/// Spectral contrast, whose peaks and valleys are each floored 80 dB below the whole recording's loudest (librosa's
/// <c>power_to_db(top_db=80)</c>): pass 1 takes both maxima over the owned frames, pass 2 converts each block with them.
/// </summary>
internal sealed class ContrastPass(FeatureParameters p) : WholeRecordingPass
{
    private double _peakMaxDb = double.NegativeInfinity, _valleyMaxDb = double.NegativeInfinity;

    private ContrastPeaksValleys Bands(float[] window) => Features.SpectralContrastBands(window, p.SampleRate, p.NFft, p.HopLength, p.FMin ?? 200.0);

    public override void Observe(float[] window, int first, int count)
    {
        var bands = Bands(window);
        for (int r = 0; r < bands.Rows; r++)
        {
            var owned = new Range(r * bands.Frames + first, r * bands.Frames + first + count);
            _peakMaxDb = Math.Max(_peakMaxDb, Features.MaxDb(bands.Peak.AsSpan(owned)));
            _valleyMaxDb = Math.Max(_valleyMaxDb, Features.MaxDb(bands.Valley.AsSpan(owned)));
        }
    }

    public override FloatMatrix Compute(float[] window) => Features.ContrastDb(Bands(window), _peakMaxDb, _valleyMaxDb);
}

/// <summary>
/// chroma_stft with its tuning estimated from the whole recording's power spectrogram (librosa's
/// <c>estimate_tuning(S=S)</c>): one <see cref="TuningAccumulator"/> over pass 1, the tuned chroma per block in pass 2.
/// </summary>
internal sealed class TunedChromaPass(FeatureParameters p) : WholeRecordingPass
{
    private readonly TuningAccumulator _tuning = new(p.SampleRate, 0.01, 12);
    private double? _estimate;

    private FloatMatrix Power(float[] window) => Spectral.Spectrogram(window, p.NFft, p.HopLength, power: 2.0);

    public override void Observe(float[] window, int first, int count) => _tuning.Add(Power(window), first, count);

    public override FloatMatrix Compute(float[] window)
    {
        _estimate ??= _tuning.Estimate();
        return Features.ChromaStft(Power(window), p.SampleRate, _estimate);
    }
}

/// <summary>
/// A CQT-based kind (chroma_cqt, chroma_cens, tonnetz) with its tuning estimated from the whole recording as librosa's
/// <c>estimate_tuning(y=y, bins_per_octave=…)</c> does (piptrack over a 2048-sample magnitude STFT, hop 512): one
/// <see cref="TuningAccumulator"/> over pass 1, the tuned kind per block in pass 2.
/// </summary>
internal sealed class TunedCqtPass(FeatureParameters p, int binsPerOctave, Func<float[], double, FloatMatrix> compute) : WholeRecordingPass
{
    /// <summary>The tuning STFT of <see cref="Tuning.EstimateTuning(ReadOnlySpan{float}, int, int, int?, double, int, DspOptions?)"/>'s defaults.</summary>
    private const int TuningFft = 2048, TuningHop = TuningFft / 4;

    private readonly TuningAccumulator _tuning = new(p.SampleRate, 0.01, binsPerOctave);
    private double? _estimate;

    public override int ObserveHop => TuningHop;

    public override void Observe(float[] window, int first, int count) => _tuning.Add(Spectral.Spectrogram(window, TuningFft, TuningHop), first, count);

    public override FloatMatrix Compute(float[] window) => compute(window, _estimate ??= _tuning.Estimate());
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
            TwoPass: p => new MelDbPass(
                y => Features.MelSpectrogram(y, p.SampleRate, p.NFft, p.HopLength, nMels: p.NMels, fMin: p.FMin ?? 0, fMax: p.FMax, htk: p.Htk),
                db => Features.Mfcc(db, p.NMfcc))),
        new("chroma_stft", "chroma from the STFT, tuning estimated [12, frames]", false,
            (y, p) => Features.ChromaStft(y, p.SampleRate, p.NFft, p.HopLength), TwoPass: p => new TunedChromaPass(p)),
        new("chroma_cqt", "chroma from the CQT, tuning estimated [12, frames]", false,
            (y, p) => ChromaCqt(y, p, tuning: null),
            TwoPass: p => new TunedCqtPass(p, p.ChromaBinsPerOctave, (y, tuning) => ChromaCqt(y, p, tuning)),
            ContextSamples: p => CqtContext(p, p.ChromaBinsPerOctave)),
        new("chroma_cens", "chroma energy normalised statistics [12, frames]", false,
            (y, p) => ChromaCens(y, p, tuning: null),
            TwoPass: p => new TunedCqtPass(p, p.ChromaBinsPerOctave, (y, tuning) => ChromaCens(y, p, tuning)),
            // A CENS frame is smoothed over the 41 chroma frames around it (librosa's win_len_smooth).
            ContextSamples: p => CqtContext(p, p.ChromaBinsPerOctave) + (long)(CensSmoothing / 2 + 1) * p.HopLength),
        new("cqt", "constant-Q transform magnitude [n_bins, frames]", false,
            (y, p) => Spectral.Cqt(y, p.SampleRate, p.HopLength, p.FMin, p.NBins, p.CqtBinsPerOctave).Magnitude(), FrameLocal: true,
            ContextSamples: p => CqtContext(p, p.CqtBinsPerOctave)),
        new("centroid", "spectral centroid in Hz [1, frames]", false,
            (y, p) => Features.SpectralCentroid(y, p.SampleRate, p.NFft, p.HopLength), FrameLocal: true),
        new("bandwidth", "spectral bandwidth in Hz [1, frames]", false,
            (y, p) => Features.SpectralBandwidth(y, p.SampleRate, p.NFft, p.HopLength), FrameLocal: true),
        new("rolloff", "85 % spectral roll-off frequency in Hz [1, frames]", false,
            (y, p) => Features.SpectralRolloff(y, p.SampleRate, p.NFft, p.HopLength), FrameLocal: true),
        new("flatness", "spectral flatness [1, frames]", false,
            (y, p) => Features.SpectralFlatness(y, p.NFft, p.HopLength), FrameLocal: true),
        new("contrast", "spectral contrast in dB, 6 bands + valley [7, frames]", false,
            (y, p) => Features.SpectralContrast(y, p.SampleRate, p.NFft, p.HopLength, fMin: p.FMin ?? 200.0), TwoPass: p => new ContrastPass(p)),
        new("rms", "root-mean-square energy per frame [1, frames]", false,
            (y, p) => Features.Rms(y, p.NFft, p.HopLength), FrameLocal: true),
        new("zcr", "zero-crossing rate per frame [1, frames]", false,
            (y, p) => Features.ZeroCrossingRate(y, p.NFft, p.HopLength), FrameLocal: true),
        new("tonnetz", "tonal centroid features [6, frames]", false,
            (y, p) => Features.Tonnetz(y, p.SampleRate, p.HopLength),
            // Tonnetz is librosa's default chroma_cqt (C1, 7 octaves of 36 bins) whatever --fmin and --n-bins say.
            TwoPass: p => new TunedCqtPass(p, 36, (y, tuning) => Features.Tonnetz(y, p.SampleRate, p.HopLength, tuning)),
            ContextSamples: p => CqtContext(p with { FMin = null }, 36)),
        new("onset_strength", "onset strength envelope [frames]", true,
            (y, p) => Row(Onset.OnsetStrength(y, p.SampleRate, p.NFft, p.HopLength, nMels: p.NMels, fMax: p.FMax)),
            TwoPass: p => new MelDbPass(
                y => Features.MelSpectrogram(y, p.SampleRate, p.NFft, p.HopLength, nMels: p.NMels, fMax: p.FMax),
                db => Row(Onset.OnsetStrength(db, nFft: p.NFft, hopLength: p.HopLength)),
                // Frame t is the flux between log-mel frames t − s and t − s − 1, s = lag + nFft / (2·hop) (lag 1).
                extraContextFrames: 2 + p.NFft / (2 * p.HopLength))),
        new("tempogram", "autocorrelation tempogram [384, frames]", false,
            (y, p) => Features.Tempogram(y, p.SampleRate, p.HopLength),
            // Features.Tempogram's own onset envelope (n_fft 2048, 128 mels), floored by the whole recording's loudest
            // mel value; a tempogram frame reads 384 envelope frames around it (192 each side), an envelope frame the
            // mel frames of its lagged flux, and a mel frame half its 2048-sample FFT (counted here too, since
            // --n-fft, which sizes the base context, is not this FFT).
            TwoPass: p => new MelDbPass(
                y => Features.MelSpectrogram(y, p.SampleRate, TempogramNFft, p.HopLength, nMels: 128),
                db => Features.TempogramFromEnvelope(Onset.OnsetStrength(db, nFft: TempogramNFft, hopLength: p.HopLength)),
                extraContextFrames: 2 + TempogramNFft / p.HopLength + 384 / 2 + 2)),
    ];

    private static FloatMatrix Row(float[] values) => new(1, values.Length, values);

    private static FloatMatrix ChromaCqt(float[] y, FeatureParameters p, double? tuning) =>
        Features.ChromaCqt(y, p.SampleRate, p.HopLength, p.FMin, tuning: tuning, nOctaves: p.ChromaOctaves, binsPerOctave: p.ChromaBinsPerOctave);

    private static FloatMatrix ChromaCens(float[] y, FeatureParameters p, double? tuning) =>
        Features.ChromaCens(y, p.SampleRate, p.HopLength, p.FMin, tuning, nOctaves: p.ChromaOctaves, binsPerOctave: p.ChromaBinsPerOctave, winLenSmooth: CensSmoothing);

    /// <summary>librosa's chroma_cens win_len_smooth, in frames.</summary>
    private const int CensSmoothing = 41;

    /// <summary>
    /// Context in samples a streamed CQT block needs either side: the longest wavelet (at the lowest bin, tuned down by
    /// up to half a bin), whole rather than half, and one second more for the soxr halving chain to settle at the
    /// lowest octave (measured: block edges then agree with the whole-signal transform to float rounding).
    /// </summary>
    private static long CqtContext(FeatureParameters p, int binsPerOctave)
    {
        double lowest = (p.FMin ?? Filters.C1Hz) * Math.Pow(2, -0.5 / binsPerOctave);
        double longest = Filters.WaveletLengths([lowest], p.SampleRate, Filters.ConstantQAlpha(binsPerOctave)).Lengths[0];
        return (long)Math.Ceiling(longest) + p.SampleRate;
    }

    /// <summary>The FFT length of <see cref="Features.Tempogram(ReadOnlySpan{float}, int, int, int, bool, bool, DspOptions?)"/>'s onset envelope (librosa's onset_strength default).</summary>
    private const int TempogramNFft = 2048;

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static FeatureKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
