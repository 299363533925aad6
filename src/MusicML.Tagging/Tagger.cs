using MusicML.Audio;
using MusicML.Core;
using MusicML.Torch;

namespace MusicML.Tagging;

/// <summary>Tags of one track: per-chunk probabilities and their mean.</summary>
/// <param name="Tags">Tag names in output order.</param>
/// <param name="ChunkStarts">First sample of every chunk.</param>
/// <param name="ChunkProbabilities">Sigmoid outputs per chunk, [chunk][tag].</param>
/// <param name="Probabilities">Arithmetic mean over the chunks, per tag: the track-level prediction.</param>
public sealed record TrackTags(IReadOnlyList<string> Tags, IReadOnlyList<long> ChunkStarts, float[][] ChunkProbabilities, float[] Probabilities)
{
    /// <summary>The <paramref name="count"/> most probable tags, best first.</summary>
    public IReadOnlyList<(string Tag, float Probability)> Top(int count) =>
        Probabilities.Select((p, i) => (Tags[i], p)).OrderByDescending(t => t.p).Take(count).ToArray();
}

/// <summary>
/// A published auto-tagging model ready to run: its configuration, network (in evaluation mode) and mel front end,
/// loaded from a safetensors file with its JSON configuration beside it (as in <c>../shared/models</c>). Inputs may be
/// raw 16 kHz waveforms or precomputed dB mel spectrograms; whole tracks are tagged with the evaluation protocol of
/// Won et al. (2020), "Evaluation of CNN-based Automatic Music Tagging Models" (SMC): <see cref="TaggerConfig.ChunkCount"/>
/// chunks of <see cref="TaggerConfig.InputLength"/> samples at hop ⌊(n − L) / chunks⌋, averaged after the sigmoid.
/// </summary>
public sealed partial class Tagger : IDisposable
{
    private readonly string _weightsPath;
    private MelFrontEnd? _frontEnd;

    private Tagger(string weightsPath, TaggerConfig config, TaggerNetwork network, Device device)
    {
        (_weightsPath, Config, Network, Device) = (weightsPath, config, network, device);
    }

    /// <summary>What the model is: architecture, tags, preprocessing, chunking.</summary>
    public TaggerConfig Config { get; }

    /// <summary>The network, in evaluation mode, on <see cref="Device"/>.</summary>
    public TaggerNetwork Network { get; }

    /// <summary>Where the model runs.</summary>
    public Device Device { get; }

    /// <summary>
    /// SHA-256 of the weights file (lowercase hex): the configuration's pinned <c>weights_sha256</c> (checked at load),
    /// else computed on first use. It identifies the model wherever its outputs are stored (embedding stores, indexes).
    /// </summary>
    public string WeightsSha256 => field ??= Config.WeightsSha256.Length > 0 ? Config.WeightsSha256 : CheckpointImport.Sha256(_weightsPath);

    /// <summary>Refuses weights whose SHA-256 differs from the configuration's <c>weights_sha256</c>, when it has one.</summary>
    private static void CheckWeightsHash(TaggerConfig config, string weightsPath)
    {
        if (config.WeightsSha256.Length == 0) return;
        string actual = CheckpointImport.Sha256(weightsPath);
        if (actual != config.WeightsSha256)
            throw new MusicMLException(
                $"{weightsPath}: its SHA-256 is {actual} but {TaggerConfig.PathBeside(weightsPath)} pins weights_sha256 {config.WeightsSha256} (another model's weights, or a damaged download)")
            { FilePath = weightsPath };
    }

    /// <summary>
    /// Loads a model: the configuration <c>&lt;stem&gt;.json</c> beside <paramref name="weightsPath"/> picks the
    /// architecture, and the weights load name for name with strict shape checks.
    /// </summary>
    /// <param name="weightsPath">The safetensors file, e.g. <c>mtat_fcn.safetensors</c>.</param>
    /// <param name="device">Where to run (CPU by default).</param>
    /// <exception cref="MusicMLException">A file is missing or invalid, or the weights do not fit the configured
    /// architecture; the message names the file and every missing, unexpected or mis-shaped tensor.</exception>
    public static Tagger Load(string weightsPath, Device device = default)
    {
        ArgumentNullException.ThrowIfNull(weightsPath);
        if (!File.Exists(weightsPath)) throw new MusicMLException($"{weightsPath}: model weights not found") { FilePath = weightsPath };
        var config = TaggerConfig.Load(TaggerConfig.PathBeside(weightsPath));
        CheckWeightsHash(config, weightsPath);
        var network = TaggerNetwork.Create(config);
        try
        {
            using (var weights = SafeTensors.Load(weightsPath, requireFinite: true))
            {
                CheckDeclaredTensors(config, weights, weightsPath);
                try
                {
                    network.LoadStateDict(weights, strict: true);
                }
                catch (MusicMLException e)
                {
                    throw new MusicMLException($"{weightsPath}: weights do not fit the {config.Architecture} architecture named by its configuration: {e.Message}", e) { FilePath = weightsPath };
                }
            }
            FlushSubnormalWeights(network);
            network.Eval();
            if (device.IsCuda) network.To(device);
            return new Tagger(weightsPath, config, network, device);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private const double SmallestNormalFloat = 1.17549435e-38;

    /// <summary>
    /// Sets subnormal float32 weights (|w| &lt; 1.18e-38) to zero. Several published checkpoints (msd_fcn, jamendo_crnn,
    /// jamendo_musicnn) hold 10–25 % subnormal weights, on which x86 CPUs take a microcode slow path that made their
    /// forward pass 20–60× slower than their siblings'. Their contribution to any output is below 1e-30, so results
    /// are unchanged at float32 precision.
    /// </summary>
    private static void FlushSubnormalWeights(TaggerNetwork network)
    {
        using var noGrad = TorchRuntime.NoGrad();
        using var scope = TorchRuntime.NewDisposeScope();
        foreach (var (_, tensor) in network.NamedParameters().Concat(network.NamedBuffers()))
        {
            if (tensor.DType != DType.Float32) continue;
            var magnitude = tensor.Abs();
            var subnormal = magnitude.Lt(SmallestNormalFloat).LogicalAnd(magnitude.Gt(0.0));
            tensor.CopyFrom(tensor.MaskedFill(subnormal, 0.0));
        }
    }

    private static void CheckDeclaredTensors(TaggerConfig config, TensorDictionary weights, string path)
    {
        if (config.Tensors.Count == 0) return;
        var problems = new List<string>();
        foreach (var spec in config.Tensors)
        {
            if (!weights.TryGetValue(spec.Name, out var tensor)) problems.Add($"'{spec.Name}' is listed in the configuration but missing");
            else if (!tensor.Shape.AsSpan().SequenceEqual(spec.Shape))
                problems.Add($"'{spec.Name}' has shape [{string.Join(", ", tensor.Shape)}], the configuration says [{string.Join(", ", spec.Shape)}]");
        }
        var declared = config.Tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in weights.Keys)
            if (!declared.Contains(name)) problems.Add($"'{name}' is not listed in the configuration");
        if (problems.Count > 0)
            throw new MusicMLException($"{path}: weights do not match their configuration: {string.Join("; ", problems)}") { FilePath = path };
    }

    /// <summary>
    /// The mel front end, loaded on first use from <see cref="TaggerConfig.FrontEndFile"/> beside the weights.
    /// </summary>
    /// <exception cref="MusicMLException">The configuration names no front end or its file is missing.</exception>
    public MelFrontEnd FrontEnd
    {
        get
        {
            if (_frontEnd != null) return _frontEnd;
            if (string.IsNullOrEmpty(Config.FrontEndFile))
            {
                var configPath = TaggerConfig.PathBeside(_weightsPath);
                throw new MusicMLException($"{configPath}: the configuration names no front-end file (files.frontend), so only dB mel inputs can be used")
                {
                    FilePath = configPath,
                };
            }
            var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_weightsPath)) ?? ".", Config.FrontEndFile);
            if (!File.Exists(path)) throw new MusicMLException($"{path}: mel front end of model {Config.Name} not found") { FilePath = path };
            var frontEnd = MelFrontEnd.Load(path, Config.HopLength, Config.Amin, Device);
            if (frontEnd.NMels != Config.NMels || frontEnd.NFft != Config.NFft)
            {
                frontEnd.Dispose();
                throw new MusicMLException($"{path}: front end has {frontEnd.NMels} mel bands and n_fft {frontEnd.NFft}, the model expects {Config.NMels} and {Config.NFft}") { FilePath = path };
            }
            return _frontEnd = frontEnd;
        }
    }

    /// <summary>
    /// Runs the model in evaluation mode without gradients and returns tag probabilities (batch, tags) on
    /// <see cref="Device"/>: the value the original PyTorch <c>forward</c> returns.
    /// </summary>
    /// <param name="input">Either waveforms (batch, samples) at <see cref="TaggerConfig.SampleRate"/>, full scale 1.0,
    /// or dB mel spectrograms (batch, nMels, frames), on any device.</param>
    /// <exception cref="MusicMLException">The input's rank or shape does not fit, or it holds NaN or infinity.</exception>
    public Tensor Predict(Tensor input) => Run(input, Network.PredictProbabilities);

    /// <summary>
    /// The network's penultimate-layer activations (batch, <see cref="TaggerNetwork.EmbeddingSize"/>) on
    /// <see cref="Device"/>, in evaluation mode without gradients; inputs as for <see cref="Predict"/>.
    /// </summary>
    /// <exception cref="MusicMLException">The input's rank or shape does not fit, or it holds NaN or infinity.</exception>
    public Tensor Embed(Tensor input) => Run(input, Network.Embed);

    /// <summary>Checks <paramref name="input"/>, computes its dB mel when it is a waveform, and runs <paramref name="onMel"/> on it.</summary>
    private Tensor Run(Tensor input, Func<Tensor, Tensor> onMel)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var noGrad = TorchRuntime.NoGrad();
        using var onDevice = input.To(DType.Float32, Device);
        using (var finite = onDevice.IsFinite())
        using (var allFinite = finite.All())
            if (allFinite.ToDouble() == 0) throw new MusicMLException("model input holds NaN or infinite values");
        switch (input.Rank)
        {
            case 2:
                using (var mel = FrontEnd.Forward(onDevice)) return onMel(mel);
            case 3:
                return onMel(onDevice);
            default:
                throw new MusicMLException(
                    $"model input must be waveforms (batch, samples) or dB mel spectrograms (batch, {Config.NMels}, frames), got shape [{string.Join(", ", input.Shape)}]");
        }
    }

    /// <summary>
    /// The shortest track in seconds this model can tag: one input chunk (<see cref="TaggerConfig.InputLength"/> samples
    /// at <see cref="TaggerConfig.SampleRate"/>). A shorter one has no tags (<see cref="ChunkStarts"/> refuses it).
    /// </summary>
    public double MinimumSeconds => (double)Config.InputLength / Config.SampleRate;

    /// <summary>
    /// First samples of the chunks the evaluation protocol cuts from a track of <paramref name="sampleCount"/> samples:
    /// i·⌊(n − L) / chunks⌋ for i = 0 … chunks − 1.
    /// </summary>
    /// <exception cref="MusicMLException">The track is shorter than one chunk.</exception>
    public long[] ChunkStarts(long sampleCount)
    {
        if (sampleCount < Config.InputLength)
            throw new MusicMLException(
                $"model {Config.Name} needs at least {Config.InputLength} samples ({MinimumSeconds:0.###} s at {Config.SampleRate} Hz), got {sampleCount}");
        long hop = (sampleCount - Config.InputLength) / Config.ChunkCount;
        return Enumerable.Range(0, Config.ChunkCount).Select(i => i * hop).ToArray();
    }

    /// <summary>Tags a whole track given as mono samples at <see cref="TaggerConfig.SampleRate"/>.</summary>
    /// <param name="samples">Mono waveform, full scale 1.0.</param>
    /// <param name="batchSize">Chunks run together; smaller saves memory, results agree to ~3e-7 with any batch size.</param>
    /// <exception cref="MusicMLException">The track is shorter than one chunk, holds NaN/infinity, or batchSize is not positive.</exception>
    public TrackTags TagTrack(ReadOnlySpan<float> samples, int batchSize = 4)
    {
        var (starts, chunks) = RunTrack(samples, batchSize, Predict, Config.Tags.Count);
        return new TrackTags(Config.Tags, starts, chunks, MeanOverChunks(chunks, Config.Tags.Count));
    }

    /// <summary>
    /// The embedding of a whole track (or of any excerpt) given as mono samples at <see cref="TaggerConfig.SampleRate"/>:
    /// the chunks' penultimate-layer activations averaged and scaled to unit length, as <see cref="EmbedFiles"/> does for files.
    /// </summary>
    /// <exception cref="MusicMLException">The samples are shorter than one chunk, hold NaN/infinity, or give an all-zero embedding.</exception>
    public float[] EmbedTrack(ReadOnlySpan<float> samples, int batchSize = 4)
    {
        int size = checked((int)Network.EmbeddingSize);
        var (_, chunks) = RunTrack(samples, batchSize, Embed, size);
        return UnitMean(chunks, size) ?? throw new MusicMLException(ZeroEmbedding);
    }

    /// <summary>Why a track has no embedding when its mean activation is all zero.</summary>
    private string ZeroEmbedding => $"model {Config.Name} gives an all-zero embedding (silent or featureless audio), which has no direction to compare";

    /// <summary>The mean of the chunk rows scaled to unit L2 norm, or null when the mean is all zero.</summary>
    private static float[]? UnitMean(float[][] chunks, int size)
    {
        var mean = MeanOverChunks(chunks, size);
        double norm = 0;
        foreach (var v in mean) norm += (double)v * v;
        if (!(norm > 0)) return null;
        float scale = (float)(1 / Math.Sqrt(norm));
        for (int i = 0; i < mean.Length; i++) mean[i] *= scale;
        return mean;
    }

    /// <summary>Runs <paramref name="pass"/> over the evaluation protocol's chunks of <paramref name="samples"/>, <paramref name="batchSize"/> at a time.</summary>
    private (long[] Starts, float[][] Chunks) RunTrack(ReadOnlySpan<float> samples, int batchSize, Func<Tensor, Tensor> pass, int width)
    {
        if (batchSize <= 0) throw new MusicMLException($"batchSize must be positive, got {batchSize}");
        var starts = ChunkStarts(samples.Length);
        InputGuard.Audio(samples, "samples");
        int length = Config.InputLength;
        var chunks = new float[starts.Length][];
        var batch = new float[Math.Min(batchSize, starts.Length) * length];
        for (int first = 0; first < starts.Length; first += batchSize)
        {
            int count = Math.Min(batchSize, starts.Length - first);
            for (int i = 0; i < count; i++)
                samples.Slice(checked((int)starts[first + i]), length).CopyTo(batch.AsSpan(i * length, length));
            using var waveforms = Tensor.From(new ReadOnlySpan<float>(batch, 0, count * length), [count, length], Device);
            using var outputs = pass(waveforms);
            var values = outputs.ToArray<float>();
            for (int i = 0; i < count; i++) chunks[first + i] = values.AsSpan(i * width, width).ToArray();
        }
        return (starts, chunks);
    }

    /// <summary>
    /// The track-level prediction: the arithmetic mean of the chunks' probabilities (or embeddings) per column, summed in chunk order in
    /// double so that <see cref="TagTrack"/> and <see cref="TagFiles"/> agree however their batches were cut.
    /// </summary>
    private static float[] MeanOverChunks(float[][] chunkProbabilities, int tags)
    {
        var mean = new float[tags];
        for (int t = 0; t < tags; t++)
        {
            double sum = 0;
            foreach (var chunk in chunkProbabilities) sum += chunk[t];
            mean[t] = (float)(sum / chunkProbabilities.Length);
        }
        return mean;
    }

    /// <summary>
    /// Tags an audio file: its chunks are read as mono at <see cref="TaggerConfig.SampleRate"/> while it streams, so
    /// memory is the chunks' whatever the file's length; the result equals <see cref="TagTrack"/> on the whole track.
    /// </summary>
    /// <exception cref="MusicMLException">The file cannot be read or is too short (the message names it).</exception>
    public TrackTags TagFile(string path, int batchSize = 4)
    {
        var result = TagFiles([path], batchSize, readAhead: 0).Single();
        return result.Tags ?? throw result.Error!;
    }

    /// <summary>Releases the network and front end.</summary>
    public void Dispose()
    {
        Network.Dispose();
        _frontEnd?.Dispose();
    }
}
