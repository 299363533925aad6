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
}

/// <summary>
/// One feature the CLI can extract: how to compute it from mono audio, whether librosa returns it 1-D, and whether it
/// is frame-local — each frame a function of its own centred window of n_fft samples only (no whole-signal tuning,
/// normalisation or dB reference), so it can be computed block by block with exactly the whole-file numbers.
/// </summary>
internal sealed record FeatureKind(string Name, string Description, bool OneDimensional,
    Func<float[], FeatureParameters, FloatMatrix> Compute, bool FrameLocal = false);

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
            (y, p) => Features.Mfcc(y, p.SampleRate, p.NMfcc, nFft: p.NFft, hopLength: p.HopLength, nMels: p.NMels, fMin: p.FMin ?? 0, fMax: p.FMax, htk: p.Htk)),
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
            (y, p) => Row(Onset.OnsetStrength(y, p.SampleRate, p.NFft, p.HopLength, nMels: p.NMels, fMax: p.FMax))),
        new("tempogram", "autocorrelation tempogram [384, frames]", false,
            (y, p) => Features.Tempogram(y, p.SampleRate, p.HopLength)),
    ];

    private static FloatMatrix Row(float[] values) => new(1, values.Length, values);

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static FeatureKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
