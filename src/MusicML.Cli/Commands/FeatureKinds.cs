using MusicML.Dsp;

namespace MusicML.Cli.Commands;

/// <summary>The parameters <c>musicml features</c> passes on, named and defaulted as librosa names them.</summary>
internal sealed record FeatureParameters(
    int SampleRate, int NFft, int HopLength, int NMels, double FMin, double? FMax, int NMfcc, bool Htk, int NBins,
    int BinsPerOctave);

/// <summary>One feature the CLI can extract: how to compute it from mono audio, and whether librosa returns it 1-D.</summary>
internal sealed record FeatureKind(string Name, string Description, bool OneDimensional,
    Func<float[], FeatureParameters, FloatMatrix> Compute);

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
            (y, p) => Spectral.Stft(y, p.NFft, p.HopLength).Magnitude()),
        new("mel", "mel power spectrogram [n_mels, frames]", false,
            (y, p) => Features.MelSpectrogram(y, p.SampleRate, p.NFft, p.HopLength, nMels: p.NMels, fMin: p.FMin, fMax: p.FMax, htk: p.Htk)),
        new("mfcc", "MFCC [n_mfcc, frames]", false,
            (y, p) => Features.Mfcc(y, p.SampleRate, p.NMfcc, nFft: p.NFft, hopLength: p.HopLength, nMels: p.NMels, fMin: p.FMin, fMax: p.FMax, htk: p.Htk)),
        new("chroma_stft", "chroma from the STFT, tuning estimated [12, frames]", false,
            (y, p) => Features.ChromaStft(y, p.SampleRate, p.NFft, p.HopLength)),
    ];

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static FeatureKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
