using MusicML.Core;
using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Tagging;

/// <summary>
/// The taggers' audio front end, torchaudio's <c>MelSpectrogram</c> + <c>AmplitudeToDB</c> as used by Won et al.
/// (2020), "Evaluation of CNN-based Automatic Music Tagging Models" (SMC): centred STFT with reflect padding, power
/// |X|², projection onto a mel filterbank and 10·log10(max(mel, amin)) without a top_db clip. It is the deep-learning
/// stack's one STFT and mel projection (<see cref="Spectral.Spectrogram"/>, <see cref="Spectral.MelProjection"/>)
/// with the stored window and filterbank, so it runs on the input's device, a batch of chunks is one call, and the
/// result can feed the network without leaving the GPU.
/// </summary>
public sealed class MelFrontEnd : Module<Tensor, Tensor>
{
    /// <summary>Name of the filterbank tensor in the front-end safetensors file (torchaudio 0.3's buffer name).</summary>
    public const string FilterbankTensorName = "spec.mel_scale.fb";

    /// <summary>Name of the analysis window tensor in the front-end safetensors file.</summary>
    public const string WindowTensorName = "spec.spectrogram.window";

    private readonly Tensor _window;
    private readonly Tensor _filterbank;
    private readonly double _amin;

    /// <summary>Builds the front end from a stored filterbank and window.</summary>
    /// <param name="filterbank">Mel filterbank in torchaudio's layout, (nFft/2 + 1 frequency bins, nMels bands), float32.</param>
    /// <param name="window">Analysis window of nFft samples.</param>
    /// <param name="hopLength">Hop between frames, in samples.</param>
    /// <param name="amin">Floor on the mel power before decibels (power units).</param>
    /// <exception cref="MusicMLException">Shapes or parameters are inconsistent (the bad value is named).</exception>
    public MelFrontEnd(Tensor filterbank, Tensor window, int hopLength = 256, double amin = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(filterbank);
        ArgumentNullException.ThrowIfNull(window);
        if (window.Rank != 1) throw new MusicMLException($"front-end window must be 1-D, got shape [{string.Join(", ", window.Shape)}]");
        int nFft = checked((int)window.Size(0));
        int bins = nFft / 2 + 1;
        if (filterbank.Rank != 2 || filterbank.Size(0) != bins)
            throw new MusicMLException(
                $"mel filterbank has shape [{string.Join(", ", filterbank.Shape)}] but a {nFft}-point STFT needs [{bins}, nMels]");
        if (hopLength <= 0) throw new MusicMLException($"hopLength must be positive, got {hopLength}");
        if (!(amin > 0)) throw new MusicMLException($"amin must be positive, got {amin}");
        NFft = nFft;
        HopLength = hopLength;
        NMels = checked((int)filterbank.Size(1));
        _amin = amin;

        // Copies, so the front end owns its buffers whatever the caller does with its tensors; the window joins the
        // filterbank's device because the STFT needs both where the input is.
        using (var windowOnDevice = window.To(DType.Float32, filterbank.Device))
            _window = RegisterBuffer("window", windowOnDevice.Clone())!;
        // Spectral.MelProjection takes librosa's (nMels, freqs) orientation; torchaudio stores (freqs, nMels).
        using var transposed = filterbank.To(DType.Float32).Transpose(0, 1);
        _filterbank = RegisterBuffer("mel_fb", transposed.Contiguous())!;
    }

    /// <summary>FFT size, in samples.</summary>
    public int NFft { get; }

    /// <summary>Hop between frames, in samples.</summary>
    public int HopLength { get; }

    /// <summary>Number of mel bands.</summary>
    public int NMels { get; }

    /// <summary>Frames produced for <paramref name="samples"/> input samples: 1 + ⌊samples / hop⌋ (centred framing).</summary>
    public long FrameCount(long samples) => 1 + samples / HopLength;

    /// <summary>Loads the filterbank and window from a safetensors file (<c>mel_frontend.safetensors</c>).</summary>
    /// <param name="path">The file holding <see cref="FilterbankTensorName"/> and <see cref="WindowTensorName"/>.</param>
    /// <param name="hopLength">Hop between frames, in samples.</param>
    /// <param name="amin">Floor on the mel power before decibels.</param>
    /// <param name="device">Where the front end runs.</param>
    public static MelFrontEnd Load(string path, int hopLength = 256, double amin = 1e-10, Device device = default)
    {
        using var tensors = SafeTensors.Load(path, device);
        if (!tensors.TryGetValue(FilterbankTensorName, out var fb) || !tensors.TryGetValue(WindowTensorName, out var window))
            throw new MusicMLException($"{path}: a mel front end needs tensors '{FilterbankTensorName}' and '{WindowTensorName}'") { FilePath = path };
        try
        {
            return new MelFrontEnd(fb, window, hopLength, amin);
        }
        catch (MusicMLException e) when (e.FilePath is null)
        {
            throw new MusicMLException($"{path}: {e.Message}", e) { FilePath = path };
        }
    }

    /// <summary>
    /// Builds the front end a configuration describes from scratch, as torchaudio's defaults would: a periodic Hann
    /// window of <see cref="TaggerConfig.NFft"/> samples and an HTK-scale triangular filterbank without area
    /// normalisation from <see cref="TaggerConfig.FMin"/> to <see cref="TaggerConfig.FMax"/>. Used for models trained
    /// here, which have no published front-end file; <see cref="Save"/> writes it for <see cref="Tagger.Load"/>.
    /// </summary>
    /// <param name="config">Sample rate, FFT size, hop, mel bands, range and floor.</param>
    /// <param name="device">Where the front end runs.</param>
    public static MelFrontEnd Create(TaggerConfig config, Device device = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var bank = MusicML.Dsp.Filters.Mel(config.SampleRate, config.NFft, config.NMels, config.FMin, config.FMax,
            htk: true, norm: MusicML.Dsp.MelNorm.None);
        // torchaudio stores the bank as (freqs, nMels); FloatMatrix is (nMels, freqs).
        var transposed = new float[bank.Rows * bank.Columns];
        for (int m = 0; m < bank.Rows; m++)
            for (int f = 0; f < bank.Columns; f++)
                transposed[f * bank.Rows + m] = bank[m, f];
        var window = new float[config.NFft];
        for (int n = 0; n < window.Length; n++) window[n] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * n / window.Length));
        using var fb = Tensor.From(transposed, [bank.Columns, bank.Rows], device);
        using var w = Tensor.From(window, device);
        return new MelFrontEnd(fb, w, config.HopLength, config.Amin);
    }

    /// <summary>
    /// Writes the window and filterbank (torchaudio's (freqs, nMels) layout) under <see cref="WindowTensorName"/> and
    /// <see cref="FilterbankTensorName"/>, atomically, so <see cref="Load"/> reads the same front end back.
    /// </summary>
    /// <param name="path">The safetensors file to write.</param>
    public void Save(string path)
    {
        using var fb = _filterbank.Transpose(0, 1);
        using var contiguous = fb.Contiguous();
        SafeTensors.Save(path, [new(FilterbankTensorName, contiguous), new(WindowTensorName, _window)]);
    }

    /// <summary>
    /// Computes the dB mel spectrogram of a batch of waveforms.
    /// </summary>
    /// <param name="input">Waveforms (batch, samples) or (samples), float32, full scale 1.0, longer than nFft/2 samples.</param>
    /// <returns>(batch, nMels, frames) in dB, frames = 1 + ⌊samples / hop⌋.</returns>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 1)
        {
            using var batched = input.Unsqueeze(0);
            return Forward(batched);
        }
        if (input.Rank != 2)
            throw new MusicMLException($"the mel front end expects waveforms (batch, samples), got shape [{string.Join(", ", input.Shape)}]");
        long length = input.Size(1);
        int pad = NFft / 2;
        if (length <= pad)
            throw new MusicMLException($"a waveform of {length} samples is too short: reflect padding needs more than {pad}");

        using var power = Spectral.Spectrogram(input, NFft, HopLength, window: _window, center: true, padMode: PadMode.Reflect, power: 2.0);
        using var mel = Spectral.MelProjection(power, _filterbank);
        using var floored = mel.ClampMin(_amin);
        using var log = floored.Log10();
        return log * 10.0;
    }
}
