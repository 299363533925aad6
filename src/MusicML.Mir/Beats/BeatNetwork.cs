using System.Globalization;
using System.Numerics.Tensors;
using MusicML.Core;
using MusicML.Dsp;
using MusicML.Mir.Onsets;

namespace MusicML.Mir.Beats;

/// <summary>
/// A learned beat and downbeat activation: a temporal convolutional network over the rhythm spectrogram, after
/// Böck &amp; Davies, "Deconstruct, analyse, reconstruct: how to improve tempo, beat, and downbeat estimation", ISMIR
/// 2020 (a stack of dilated non-causal convolutions over log-spectrogram frames, one sigmoid output per task), made
/// small: the log bands pooled to 12 per octave plus their positive difference (<see cref="Input"/>), normalised,
/// one 3-frame convolution into <see cref="Channels"/> channels, then residual blocks of a 5-tap convolution dilated
/// 1, 2, 4, … frames and a 1×1 mix (ELU after each dilated convolution), and a 1×1 output of two logits. Its
/// receptive field is ±<see cref="ContextFrames"/> frames (about 2.5 s at 100 frames/s). Inference here is managed
/// (no libtorch): the weights are a safetensors file written by MusicML.Mir.Training, which trains the same network
/// with libtorch (its tests check that both give the same activations, to 1e-5). The output feeds the existing decoders: the
/// bar-pointer HMM for beats (<see cref="BarPointerBeatTracker"/>) and the comb for the tempo.
/// </summary>
public sealed class BeatNetwork
{
    /// <summary>Log bands pooled into one network input band (72 per octave to 12).</summary>
    public const int BandsPerPool = 6;

    /// <summary>Taps of each dilated convolution.</summary>
    public const int DilatedKernel = 5;

    /// <summary>Taps of the input convolution.</summary>
    public const int InputKernel = 3;

    private readonly float[] _mean, _std;
    private readonly Layer _input, _output;
    private readonly (Layer Dilated, Layer Mix)[] _blocks;

    private sealed record Layer(int Out, int In, int Kernel, int Dilation, float[] Weight, float[] Bias);

    private BeatNetwork(float[] mean, float[] std, Layer input, (Layer, Layer)[] blocks, Layer output, IReadOnlyDictionary<string, string> metadata, string? path)
    {
        _mean = mean;
        _std = std;
        _input = input;
        _blocks = blocks;
        _output = output;
        Metadata = metadata;
        Path = path;
    }

    /// <summary>Input features per frame (twice the pooled bands).</summary>
    public int Features => _mean.Length;

    /// <summary>Channels of the hidden layers.</summary>
    public int Channels => _input.Out;

    /// <summary>The dilation of each residual block, in frames.</summary>
    public IReadOnlyList<int> Dilations => _blocks.Select(b => b.Dilated.Dilation).ToArray();

    /// <summary>Frames of context either side that one output depends on.</summary>
    public int ContextFrames => (InputKernel - 1) / 2 + _blocks.Sum(b => b.Dilated.Dilation * (DilatedKernel - 1) / 2);

    /// <summary>The file's metadata (training recipe, corpus, figures).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Where the weights were read from, or null.</summary>
    public string? Path { get; }

    /// <summary>The weight names of a network with <paramref name="blocks"/> residual blocks, in the order training writes them.</summary>
    public static IReadOnlyList<string> WeightNames(int blocks)
    {
        var names = new List<string> { "normalise.mean", "normalise.std", "input.weight", "input.bias" };
        for (int b = 0; b < blocks; b++) names.AddRange([$"blocks.{b}.dilated.weight", $"blocks.{b}.dilated.bias", $"blocks.{b}.mix.weight", $"blocks.{b}.mix.bias"]);
        names.AddRange(["output.weight", "output.bias"]);
        return names;
    }

    /// <summary>
    /// Reads a network from a safetensors file of F32 tensors named as <see cref="WeightNames"/> with a
    /// <c>dilations</c> metadata entry (comma-separated frames per block).
    /// </summary>
    /// <exception cref="MusicMLException">A missing, truncated or invalid file, a missing tensor or one of the wrong shape (named).</exception>
    public static BeatNetwork Load(string path)
    {
        var (tensors, metadata) = SafeTensorsFile.ReadFloat32(path);
        return FromTensors(tensors, metadata, path);
    }

    /// <summary>The resource name of the network bundled inside this assembly (the repository's <c>models/musicml_beats.safetensors</c>).</summary>
    public const string BundledResource = "MusicML.Mir.musicml_beats.safetensors";

    /// <summary>How messages name the bundled network.</summary>
    private const string BundledName = "models/musicml_beats.safetensors (bundled)";

    private static readonly Lazy<BeatNetwork?> BundledNetwork = new(() =>
    {
        using var stream = typeof(BeatNetwork).Assembly.GetManifestResourceStream(BundledResource);
        if (stream is null) return null;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        var (tensors, metadata) = SafeTensorsFile.ReadFloat32(copy, BundledName);
        return FromTensors(tensors, metadata, null);
    });

    /// <summary>
    /// The network trained by <c>scripts/train-beat-network.sh</c> and built into this assembly, or null in a build
    /// without it. Read once, shared (inference does not change it).
    /// </summary>
    public static BeatNetwork? Bundled => BundledNetwork.Value;

    private static BeatNetwork FromTensors(IReadOnlyDictionary<string, Float32Tensor> tensors, IReadOnlyDictionary<string, string> metadata, string? source)
    {
        string path = source ?? BundledName;
        if (!metadata.TryGetValue("dilations", out var text))
            throw new MusicMLException($"{path}: not a beat network (no 'dilations' metadata).") { FilePath = path };
        int[] dilations;
        try
        {
            dilations = text.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new MusicMLException($"{path}: invalid 'dilations' metadata '{text}'.") { FilePath = path };
        }
        if (dilations.Length == 0 || dilations.Any(d => d < 1 || d > 4096))
            throw new MusicMLException($"{path}: invalid 'dilations' metadata '{text}'.") { FilePath = path };
        Float32Tensor Find(string name) =>
            tensors.TryGetValue(name, out var t) ? t : throw new MusicMLException($"{path}: tensor '{name}' is missing.") { FilePath = path };
        Float32Tensor Get(string name, params long[] shape)
        {
            var t = Find(name);
            if (!t.Shape.SequenceEqual(shape))
                throw new MusicMLException($"{path}: tensor '{name}' has shape [{string.Join(", ", t.Shape)}]; expected [{string.Join(", ", shape)}].") { FilePath = path };
            return t;
        }
        // The input width and the channel count are read off the tensors; every other shape is checked against them.
        var mean = Find("normalise.mean").Data;
        int features = mean.Length;
        var std = Get("normalise.std", features).Data;
        if (std.Any(s => !(s > 0))) throw new MusicMLException($"{path}: 'normalise.std' must be positive.") { FilePath = path };
        int channels = (int)Find("input.weight").Shape[0];
        Layer Conv(string name, int outputs, int inputs, int kernel, int dilation) =>
            new(outputs, inputs, kernel, dilation, Get(name + ".weight", outputs, inputs, kernel).Data, Get(name + ".bias", outputs).Data);
        var input = Conv("input", channels, features, InputKernel, 1);
        var blocks = dilations.Select((d, b) => (Conv($"blocks.{b}.dilated", channels, channels, DilatedKernel, d), Conv($"blocks.{b}.mix", channels, channels, 1, 1))).ToArray();
        var output = Conv("output", 2, channels, 1, 1);
        return new BeatNetwork(mean, std, input, blocks, output, metadata, source);
    }

    /// <summary>
    /// The network input of a rhythm spectrogram, <c>[2·pools, frames]</c>: its log bands averaged in groups of
    /// <see cref="BandsPerPool"/> (72 per octave to 12), then each pooled band's increase over
    /// <see cref="RhythmSpectrogram.DiffFrames"/> frames earlier (0 where it falls, and over the first frames).
    /// </summary>
    public static FloatMatrix Input(RhythmSpectrogram spectrogram)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        var bands = spectrogram.LogSpectrogram;
        int pools = (bands.Rows + BandsPerPool - 1) / BandsPerPool, frames = bands.Columns, lag = spectrogram.DiffFrames;
        var input = new FloatMatrix(2 * pools, frames);
        for (int p = 0; p < pools; p++)
        {
            var pooled = input.Row(p);
            int first = p * BandsPerPool, count = Math.Min(BandsPerPool, bands.Rows - first);
            for (int b = first; b < first + count; b++) TensorPrimitives.Add(pooled, bands.Row(b), pooled);
            TensorPrimitives.Multiply(pooled, 1f / count, pooled);
            var rise = input.Row(pools + p);
            for (int t = lag; t < frames; t++) rise[t] = MathF.Max(0, pooled[t] - pooled[t - lag]);
        }
        return input;
    }

    /// <summary>
    /// Beat and downbeat probabilities per frame of <paramref name="input"/> (<see cref="Input"/>).
    /// </summary>
    /// <exception cref="MusicMLException">An input with a different number of features than the network was trained on.</exception>
    public (float[] Beat, float[] Downbeat) Activations(FloatMatrix input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rows != Features)
            throw new MusicMLException($"The beat network{(Path is null ? "" : $" ({Path})")} reads {Features} features per frame; the input has {input.Rows} (a spectrogram at another sample rate?).");
        int frames = input.Columns;
        var x = new FloatMatrix(Features, frames);
        for (int f = 0; f < Features; f++)
        {
            var row = x.Row(f);
            TensorPrimitives.Subtract(input.Row(f), _mean[f], row);
            TensorPrimitives.Multiply(row, 1f / _std[f], row);
        }
        var hidden = Convolve(_input, x);
        Elu(hidden.Data);
        var scratch = new FloatMatrix(Channels, frames);
        var mixed = new FloatMatrix(Channels, frames);
        foreach (var (dilated, mix) in _blocks)
        {
            Convolve(dilated, hidden, scratch);
            Elu(scratch.Data);
            Convolve(mix, scratch, mixed);
            TensorPrimitives.Add(hidden.Data, mixed.Data, hidden.Data);
        }
        var logits = Convolve(_output, hidden);
        var beat = logits.Row(0).ToArray();
        var downbeat = logits.Row(1).ToArray();
        TensorPrimitives.Sigmoid(beat, beat);
        TensorPrimitives.Sigmoid(downbeat, downbeat);
        return (beat, downbeat);
    }

    /// <summary>The beat activation of <paramref name="spectrogram"/> as an onset envelope (what the trackers read).</summary>
    public (OnsetEnvelope Beat, OnsetEnvelope Downbeat) Activations(RhythmSpectrogram spectrogram)
    {
        var (beat, downbeat) = Activations(Input(spectrogram));
        return (new OnsetEnvelope(beat, spectrogram.FrameRate), new OnsetEnvelope(downbeat, spectrogram.FrameRate));
    }

    private static FloatMatrix Convolve(Layer layer, FloatMatrix x)
    {
        var y = new FloatMatrix(layer.Out, x.Columns);
        Convolve(layer, x, y);
        return y;
    }

    /// <summary>Zero-padded "same" 1-D convolution, one SIMD multiply-add per (output, input, tap) over the frames.</summary>
    private static void Convolve(Layer layer, FloatMatrix x, FloatMatrix y)
    {
        int frames = x.Columns, half = (layer.Kernel - 1) / 2;
        for (int o = 0; o < layer.Out; o++)
        {
            var row = y.Row(o);
            row.Fill(layer.Bias[o]);
            for (int c = 0; c < layer.In; c++)
            {
                var source = x.Row(c);
                for (int k = 0; k < layer.Kernel; k++)
                {
                    float w = layer.Weight[(o * layer.In + c) * layer.Kernel + k];
                    int shift = (k - half) * layer.Dilation;
                    int start = Math.Max(0, -shift), end = Math.Min(frames, frames - shift);
                    if (end <= start) continue;
                    var target = row[start..end];
                    TensorPrimitives.MultiplyAdd(source[(start + shift)..(end + shift)], w, target, target);
                }
            }
        }
    }

    private static void Elu(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (values[i] < 0) values[i] = MathF.Exp(values[i]) - 1;
    }
}
