using MusicML.Core;
using static MusicML.Torch.Interop.TorchNative;

namespace MusicML.Torch;

/// <summary>
/// Spectrogram operations that run on the signal's device and are differentiable, for models whose front end is part
/// of the network. Conventions follow librosa/torch: frames centred by padding nFft/2 on each side, a periodic Hann
/// window, one-sided spectra of 1 + nFft/2 bins. Padding is <see cref="PadMode"/> (MusicML.Core, the same enum as the
/// managed front end's) with the same default, <see cref="PadMode.Constant"/> (librosa 0.10); pass
/// <see cref="PadMode.Reflect"/> for torch.stft's and torchaudio's default.
/// </summary>
public static class Spectral
{
    /// <summary>A Hann window of <paramref name="length"/> samples; periodic (for spectral analysis) or symmetric.</summary>
    public static Tensor HannWindow(int length, bool periodic = true, Device device = default)
    {
        if (length < 1) throw new TorchException($"window length must be at least 1 sample, got {length}");
        var w = new float[length];
        int denominator = periodic ? length : length - 1;
        for (int n = 0; n < length; n++)
            w[n] = denominator == 0 ? 1f : (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * n / denominator));
        return Tensor.From(w, device);
    }

    /// <summary>
    /// Short-time Fourier transform (Allen 1977, "Short term spectral analysis, synthesis, and modification by discrete
    /// Fourier transform") as real and imaginary parts: shape (…, 1 + nFft/2, frames, 2).
    /// </summary>
    /// <param name="signal">(samples) or (batch, samples), float.</param>
    /// <param name="nFft">FFT length, in samples.</param>
    /// <param name="hopLength">Samples between frames; null for winLength / 4.</param>
    /// <param name="winLength">Window length, in samples (≤ nFft, zero-padded to nFft); null for nFft.</param>
    /// <param name="window">(winLength) window on the signal's device; null for a periodic Hann window.</param>
    /// <param name="center">Pad nFft/2 samples at both ends so frame t is centred on sample t·hopLength.</param>
    /// <param name="padMode">How centring pads: <see cref="PadMode.Constant"/> (default, librosa 0.10) or <see cref="PadMode.Reflect"/> (torch.stft's default); <see cref="PadMode.Edge"/> is refused.</param>
    public static Tensor Stft(Tensor signal, int nFft = 2048, int? hopLength = null, int? winLength = null,
        Tensor? window = null, bool center = true, PadMode padMode = PadMode.Constant) =>
        Run(signal, nFft, hopLength, winLength, window, center, padMode, power: 0);

    /// <summary>
    /// |STFT|^<paramref name="power"/> (power 2 is the power spectrogram, 1 the magnitude): shape (…, 1 + nFft/2, frames).
    /// Parameters as in <see cref="Stft"/>.
    /// </summary>
    /// <param name="signal">(samples) or (batch, samples), float.</param>
    /// <param name="nFft">FFT length, in samples.</param>
    /// <param name="hopLength">Samples between frames; null for winLength / 4.</param>
    /// <param name="winLength">Window length, in samples; null for nFft.</param>
    /// <param name="window">(winLength) window; null for a periodic Hann window.</param>
    /// <param name="center">Pad nFft/2 samples at both ends.</param>
    /// <param name="padMode">How centring pads (see <see cref="Stft"/>).</param>
    /// <param name="power">Exponent applied to the magnitude (&gt; 0).</param>
    public static Tensor Spectrogram(Tensor signal, int nFft = 2048, int? hopLength = null, int? winLength = null,
        Tensor? window = null, bool center = true, PadMode padMode = PadMode.Constant, double power = 2.0)
    {
        if (!(power > 0)) throw new TorchException($"spectrogram power must be positive, got {power}");
        return Run(signal, nFft, hopLength, winLength, window, center, padMode, power);
    }

    private static Tensor Run(Tensor signal, int nFft, int? hopLength, int? winLength, Tensor? window, bool center,
        PadMode padMode, double power)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (nFft < 1) throw new TorchException($"nFft must be at least 1 sample, got {nFft}");
        int win = winLength ?? nFft;
        if (win < 1 || win > nFft) throw new TorchException($"winLength must be between 1 and nFft ({nFft}) samples, got {win}");
        int hop = hopLength ?? Math.Max(1, win / 4);
        if (hop < 1) throw new TorchException($"hopLength must be at least 1 sample, got {hop}");
        if (signal.Rank is < 1 or > 2)
            throw new TorchException($"the STFT takes (samples) or (batch, samples), got shape [{string.Join(", ", signal.Shape)}]");
        if (signal.Size(-1) == 0) throw new TorchException("the STFT of an empty signal is undefined");
        if (padMode is not (PadMode.Constant or PadMode.Reflect))
            throw new TorchException($"the libtorch STFT pads with zeros (PadMode.Constant) or by reflection (PadMode.Reflect), not {padMode}");
        Tensor? ownWindow = null;
        try
        {
            var w = window ?? (ownWindow = HannWindow(win, true, signal.Device));
            return Tensor.Wrap(mm_stft(signal.Handle, nFft, hop, win, w.Handle, center ? 1 : 0,
                padMode == PadMode.Reflect ? 1 : 0, 0, 1, power));
        }
        finally
        {
            ownWindow?.Dispose();
        }
    }

    /// <summary>
    /// Projects a spectrogram (…, freqs, frames) onto mel bands with <paramref name="filterbank"/> of shape
    /// (nMels, freqs), librosa's orientation (<c>librosa.filters.mel</c>); torchaudio's (freqs, nMels) buffers need a
    /// transpose first. Returns (…, nMels, frames).
    /// </summary>
    public static Tensor MelProjection(Tensor spectrogram, Tensor filterbank)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        ArgumentNullException.ThrowIfNull(filterbank);
        if (filterbank.Rank != 2) throw new TorchException($"a mel filterbank is (nMels, freqs), got shape [{string.Join(", ", filterbank.Shape)}]");
        if (spectrogram.Rank < 2) throw new TorchException($"a spectrogram is (…, freqs, frames), got shape [{string.Join(", ", spectrogram.Shape)}]");
        long freqs = spectrogram.Size(-2);
        if (filterbank.Size(1) != freqs)
            throw new TorchException(filterbank.Size(0) == freqs
                ? $"the filterbank [{string.Join(", ", filterbank.Shape)}] is (freqs, nMels) (torchaudio's layout); transpose it to (nMels, freqs)"
                : $"the filterbank [{string.Join(", ", filterbank.Shape)}] does not match the spectrogram's {freqs} frequency bins");
        return filterbank.MatMul(spectrogram);
    }
}
