using MusicML.Core;
using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Tagging;

/// <summary>
/// The taggers' audio front end, torchaudio's <c>MelSpectrogram</c> + <c>AmplitudeToDB</c> as used by Won et al.
/// (2020): centred STFT with reflect padding, power |X|², projection onto a mel filterbank and
/// 10·log10(max(mel, amin)) without a top_db clip. It runs on the input's device through libtorch: the windowed DFT
/// is one strided 1-D convolution with a cosine/sine basis, so a batch of chunks needs a single kernel launch and the
/// result can feed the network without leaving the GPU.
/// </summary>
public sealed class MelFrontEnd : Module<Tensor, Tensor>
{
    /// <summary>Name of the filterbank tensor in the front-end safetensors file (torchaudio 0.3's buffer name).</summary>
    public const string FilterbankTensorName = "spec.mel_scale.fb";

    /// <summary>Name of the analysis window tensor in the front-end safetensors file.</summary>
    public const string WindowTensorName = "spec.spectrogram.window";

    private readonly Tensor _basis;
    private readonly Tensor _filterbankTransposed;
    private readonly double _amin;

    /// <summary>Builds the front end from a stored filterbank and window.</summary>
    /// <param name="filterbank">Mel filterbank, (nFft/2 + 1 frequency bins, nMels bands), float32.</param>
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

        var windowValues = window.ToArray<float>();
        // Rows 0..bins-1 give Re X[k] and rows bins..2·bins-1 give Im X[k] (sign irrelevant for the power). The phase
        // index k·n is reduced mod nFft before the trigonometric call so large products keep full double precision.
        var basis = new float[2 * bins * nFft];
        for (int k = 0; k < bins; k++)
        {
            for (int n = 0; n < nFft; n++)
            {
                double angle = 2 * Math.PI * ((long)k * n % nFft) / nFft;
                basis[k * nFft + n] = (float)(windowValues[n] * Math.Cos(angle));
                basis[(bins + k) * nFft + n] = (float)(-windowValues[n] * Math.Sin(angle));
            }
        }
        var device = filterbank.Device;
        _basis = RegisterBuffer("dft_basis", Tensor.From(basis, [2 * bins, 1, nFft], device))!;
        using var transposed = filterbank.To(DType.Float32).Transpose(0, 1);
        _filterbankTransposed = RegisterBuffer("mel_fb_t", transposed.Contiguous())!;
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
            throw new MusicMLException($"{path}: a mel front end needs tensors '{FilterbankTensorName}' and '{WindowTensorName}'");
        try
        {
            return new MelFrontEnd(fb, window, hopLength, amin);
        }
        catch (MusicMLException e)
        {
            throw new MusicMLException($"{path}: {e.Message}", e);
        }
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

        // numpy/torch 'reflect' padding: the edge sample is not repeated.
        using var headSource = input.Slice(1, 1, pad + 1);
        using var head = headSource.Flip(1);
        using var tailSource = input.Slice(1, length - pad - 1, length - 1);
        using var tail = tailSource.Flip(1);
        using var padded = Tensor.Cat([head, input, tail], 1);
        using var channel = padded.Unsqueeze(1);
        using var spectrum = Functional.Conv1d(channel, _basis, null, stride: HopLength);
        int bins = NFft / 2 + 1;
        using var real = spectrum.Slice(1, 0, bins);
        using var imaginary = spectrum.Slice(1, bins, 2 * bins);
        using var realPower = real.Square();
        using var imaginaryPower = imaginary.Square();
        using var power = realPower + imaginaryPower;
        using var mel = _filterbankTransposed.MatMul(power);
        using var floored = mel.ClampMin(_amin);
        using var log = floored.Log10();
        return log * 10.0;
    }
}
