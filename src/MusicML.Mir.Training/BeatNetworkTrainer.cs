using System.Diagnostics;
using System.Globalization;
using MusicML.Audio;
using MusicML.Core;
using MusicML.Dsp;
using MusicML.Evaluation;
using MusicML.Evaluation.Annotations;
using MusicML.Mir.Beats;
using MusicML.Mir.Onsets;
using MusicML.Tagging;
using MusicML.Torch;
using MusicML.Torch.Optim;

namespace MusicML.Mir.Training;

/// <summary>Settings of a beat-network training run; validated before any work starts.</summary>
public sealed record BeatTrainingOptions
{
    /// <summary>Passes over the training clips (one random crop of each per pass).</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Crops per optimiser step.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Crop length in frames (100 per second).</summary>
    public int CropFrames { get; init; } = 1000;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Hidden channels.</summary>
    public int Channels { get; init; } = 32;

    /// <summary>Dilations of the residual blocks, in frames.</summary>
    public IReadOnlyList<int> Dilations { get; init; } = [1, 2, 4, 8, 16, 32, 64];

    /// <summary>Dropout after each block's ELU.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Fraction of the corpus held out for validation (model selection), by clip.</summary>
    public double ValidFraction { get; init; } = 0.1;

    /// <summary>
    /// Audio-augmented copies of every training clip (NWaves gain, EQ or band-pass, noise and pitch shift as for the
    /// taggers, without time stretch, which would move the beats), besides the clean one.
    /// </summary>
    public int AugmentedCopies { get; init; } = 1;

    /// <summary>Seed of initialisation, crops, augmentation and the split.</summary>
    public ulong Seed { get; init; } = 2026;

    /// <summary>Threads libtorch and the feature extraction use.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Validates every setting, naming the bad ones.</summary>
    /// <exception cref="MusicMLException">Invalid settings.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (Epochs is < 1 or > 10_000) errors.Add($"Epochs must lie in 1..10000; got {Epochs}.");
        if (BatchSize is < 1 or > 1024) errors.Add($"BatchSize must lie in 1..1024; got {BatchSize}.");
        if (CropFrames is < 100 or > 100_000) errors.Add($"CropFrames must lie in 100..100000; got {CropFrames}.");
        if (!(LearningRate > 0 && LearningRate < 1)) errors.Add($"LearningRate must lie in (0, 1); got {LearningRate}.");
        if (Channels is < 2 or > 1024) errors.Add($"Channels must lie in 2..1024; got {Channels}.");
        if (Dilations.Count == 0 || Dilations.Any(d => d < 1 || d > 4096)) errors.Add("Dilations must be one or more values in 1..4096.");
        if (!(Dropout >= 0 && Dropout < 1)) errors.Add($"Dropout must lie in [0, 1); got {Dropout}.");
        if (!(ValidFraction > 0 && ValidFraction < 0.5)) errors.Add($"ValidFraction must lie in (0, 0.5); got {ValidFraction}.");
        if (AugmentedCopies is < 0 or > 8) errors.Add($"AugmentedCopies must lie in 0..8; got {AugmentedCopies}.");
        if (Threads is < 1 or > TorchRuntime.MaxThreads) errors.Add($"Threads must lie in 1..{TorchRuntime.MaxThreads}; got {Threads}.");
        if (errors.Count > 0) throw new MusicMLException(string.Join(" ", errors));
    }
}

/// <summary>One epoch's figures.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Loss">Mean training BCE over the epoch's steps.</param>
/// <param name="ValidBeatF">Beat F-measure (mir_eval, first 5 s ignored) of the validation clips, decoded by the bar-pointer HMM.</param>
/// <param name="ValidDownbeatF">Downbeat F-measure of the downbeat activation's peaks on the tracked beats (see <see cref="BeatNetworkTrainer"/>).</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
/// <param name="Best">Whether this epoch's weights are the ones kept.</param>
public sealed record BeatEpoch(int Epoch, double Loss, double ValidBeatF, double ValidDownbeatF, double Seconds, bool Best);

/// <summary>
/// Trains a <see cref="BeatNetwork"/> on a corpus folder written by <c>musicml corpus synth</c> (its
/// <c>manifest.csv</c>, the WAVs and their <c>.beats</c> / <c>.downbeats</c>): the network input of every clip is
/// computed once (and once per augmented copy), targets are 1 on the frame nearest each beat (downbeat) and 0.5 on
/// its two neighbours (Böck &amp; Davies 2020's widening), crops are drawn with a seeded generator, the loss is the
/// binary cross-entropy of both outputs, Adam steps. After each epoch the managed network (the weights as they would
/// be shipped) scores the validation clips through the same decoder the analysis uses; the epoch with the best beat
/// F-measure is kept and written as safetensors with the recipe in its metadata.
/// </summary>
public sealed class BeatNetworkTrainer
{
    private readonly BeatTrainingOptions _options;

    /// <summary>Creates a trainer; the options are validated here.</summary>
    public BeatNetworkTrainer(BeatTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>One clip's network input and frame targets.</summary>
    internal sealed record Example(string Id, FloatMatrix Input, float[] Beat, float[] Downbeat, double[] Beats, double[] Downbeats, double FrameRate);

    /// <summary>
    /// Trains on the clips of every folder of <paramref name="corpora"/> (a seeded 10 % of them held out) and writes the best network to <paramref name="output"/>.
    /// </summary>
    /// <exception cref="MusicMLException">No usable clips, a clip without labels, libtorch missing, or the output cannot be written.</exception>
    public IReadOnlyList<BeatEpoch> Train(IReadOnlyList<string> corpora, string output, Action<string>? log = null, Action<BeatEpoch>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(corpora);
        if (corpora.Count == 0) throw new MusicMLException("No corpus folder given.");
        TorchRuntime.EnsureAvailable();
        TorchRuntime.NumThreads = _options.Threads;
        TorchRuntime.ManualSeed(_options.Seed);
        // A clip is named by its folder and id, so corpora whose ids repeat (each starts at train_00000) can be combined.
        var ids = corpora.SelectMany(corpus => ReadManifest(corpus).Select(id => Path.Combine(corpus, id))).ToList();
        var random = new TrainingRandom(_options.Seed);
        var order = random.Permutation(ids.Count);
        int validCount = Math.Max(1, (int)Math.Round(_options.ValidFraction * ids.Count));
        var validIds = order.Take(validCount).Select(i => ids[i]).Order(StringComparer.Ordinal).ToArray();
        var trainIds = order.Skip(validCount).Select(i => ids[i]).Order(StringComparer.Ordinal).ToArray();
        if (trainIds.Length == 0) throw new MusicMLException($"{string.Join(", ", corpora)}: too few clips to hold out a validation set.");

        var clock = Stopwatch.StartNew();
        var train = Load(trainIds, random, _options.AugmentedCopies);
        var valid = Load(validIds, random, 0);
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"train beats: {trainIds.Length} training clips ({train.Count} with augmented copies), {validIds.Length} validation clips; features in {clock.Elapsed.TotalSeconds:F0} s"));

        int features = train[0].Input.Rows;
        var (mean, std) = Moments(train);
        using var network = new BeatNetworkModule(features, _options.Channels, _options.Dilations, _options.Dropout);
        network.SetNormalisation(mean, std);
        using var optimizer = new Adam(network.Parameters(), _options.LearningRate);
        var epochs = new List<BeatEpoch>();
        double bestF = double.NegativeInfinity;
        string work = output + ".epoch.tmp";
        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            var started = Stopwatch.StartNew();
            network.Train();
            var shuffled = random.Permutation(train.Count);
            double lossSum = 0;
            int steps = 0;
            for (int s = 0; s + _options.BatchSize <= shuffled.Length; s += _options.BatchSize)
            {
                using var scope = TorchRuntime.NewDisposeScope();
                var (inputs, targets) = Batch(train, shuffled.AsSpan(s, _options.BatchSize), random);
                optimizer.ZeroGrad();
                var logits = network.Forward(inputs);
                var loss = Losses.BinaryCrossEntropyWithLogits(logits, targets);
                loss.Backward();
                GradientClipping.ClipNorm(network.Parameters(), 5.0);
                optimizer.Step();
                lossSum += loss.ToDouble();
                steps++;
            }
            Save(network, work, trainIds.Length, validIds.Length, epoch, corpora);
            var candidate = BeatNetwork.Load(work);
            var (beatF, downF) = Score(candidate, valid);
            bool best = beatF > bestF;
            if (best)
            {
                bestF = beatF;
                File.Move(work, output, overwrite: true);
            }
            else File.Delete(work);
            var record = new BeatEpoch(epoch, lossSum / Math.Max(1, steps), beatF, downF, started.Elapsed.TotalSeconds, best);
            epochs.Add(record);
            onEpoch?.Invoke(record);
        }
        return epochs;
    }

    /// <summary>The clip ids of <c>manifest.csv</c> (column <c>id</c>).</summary>
    internal static List<string> ReadManifest(string corpus)
    {
        var manifest = Path.Combine(corpus, "manifest.csv");
        if (!File.Exists(manifest)) throw new MusicMLException($"{manifest}: not found; make the corpus with 'musicml corpus synth --expressive'.") { FilePath = manifest };
        var lines = File.ReadAllLines(manifest);
        if (lines.Length < 2) throw new MusicMLException($"{manifest}: lists no clips.") { FilePath = manifest };
        var header = CsvLine.Split(lines[0]);
        int id = Array.IndexOf(header, "id");
        if (id < 0) throw new MusicMLException($"{manifest}: has no 'id' column.") { FilePath = manifest };
        var ids = new List<string>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var fields = CsvLine.Split(lines[i]);
            if (fields.Length <= id) throw new MusicMLException($"{manifest}:{i + 1}: too few columns.") { FilePath = manifest };
            ids.Add(fields[id]);
        }
        return ids;
    }

    /// <summary>The network input and targets of every clip (and of <paramref name="copies"/> augmented copies each), in parallel.</summary>
    private List<Example> Load(string[] ids, TrainingRandom random, int copies)
    {
        // Every augmentation is drawn here, in order, so the run repeats whatever the thread count.
        var draws = ids.Select(_ => Enumerable.Range(0, copies).Select(_ => TrainingAugmentation.Draw(random) with { Stretch = 1 }).ToArray()).ToArray();
        var examples = new Example[ids.Length][];
        Parallel.For(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = _options.Threads }, i =>
        {
            var audio = AudioFile.Load(ids[i] + ".wav", 22050, mono: true).Channel(0);
            var beats = AnnotationFiles.ReadEvents(ids[i] + ".beats");
            var downbeats = AnnotationFiles.ReadEvents(ids[i] + ".downbeats");
            var list = new List<Example> { Make(ids[i], audio, beats, downbeats) };
            foreach (var choice in draws[i])
                list.Add(Make(ids[i], TrainingAugmentation.Apply(choice, audio, audio.Length, 22050), beats, downbeats));
            examples[i] = [.. list];
        });
        return examples.SelectMany(e => e).ToList();
    }

    private static Example Make(string id, float[] audio, double[] beats, double[] downbeats)
    {
        var spectrogram = RhythmSpectrogram.Compute(audio, 22050);
        var input = BeatNetwork.Input(spectrogram);
        return new Example(id, input, Targets(beats, input.Columns, spectrogram.FrameRate), Targets(downbeats, input.Columns, spectrogram.FrameRate),
            beats, downbeats, spectrogram.FrameRate);
    }

    /// <summary>1 on the frame nearest each event, 0.5 on its neighbours (unless they are events themselves).</summary>
    internal static float[] Targets(double[] events, int frames, double frameRate)
    {
        var target = new float[frames];
        foreach (var time in events)
        {
            int f = (int)Math.Round(time * frameRate);
            if (f < 0 || f >= frames) continue;
            target[f] = 1;
            if (f > 0) target[f - 1] = Math.Max(target[f - 1], 0.5f);
            if (f + 1 < frames) target[f + 1] = Math.Max(target[f + 1], 0.5f);
        }
        return target;
    }

    private static (float[] Mean, float[] Std) Moments(List<Example> examples)
    {
        int features = examples[0].Input.Rows;
        var mean = new float[features];
        var std = new float[features];
        for (int f = 0; f < features; f++)
        {
            double sum = 0, squares = 0;
            long count = 0;
            foreach (var e in examples)
            {
                foreach (var v in e.Input.Row(f))
                {
                    sum += v;
                    squares += (double)v * v;
                }
                count += e.Input.Columns;
            }
            double m = sum / count;
            mean[f] = (float)m;
            std[f] = (float)Math.Max(Math.Sqrt(Math.Max(squares / count - m * m, 0)), 1e-3);
        }
        return (mean, std);
    }

    /// <summary>A batch of random crops (zero-padded when a clip is shorter than a crop; padding has zero targets).</summary>
    private (Tensor Inputs, Tensor Targets) Batch(List<Example> examples, ReadOnlySpan<int> picks, TrainingRandom random)
    {
        int length = _options.CropFrames, features = examples[0].Input.Rows, batch = picks.Length;
        var inputs = new float[batch * features * length];
        var targets = new float[batch * 2 * length];
        for (int b = 0; b < batch; b++)
        {
            var e = examples[picks[b]];
            int frames = e.Input.Columns;
            int start = frames > length ? random.NextInt(frames - length + 1) : 0;
            int count = Math.Min(length, frames - start);
            for (int f = 0; f < features; f++)
                e.Input.Row(f).Slice(start, count).CopyTo(inputs.AsSpan((b * features + f) * length, count));
            e.Beat.AsSpan(start, count).CopyTo(targets.AsSpan((b * 2) * length, count));
            e.Downbeat.AsSpan(start, count).CopyTo(targets.AsSpan((b * 2 + 1) * length, count));
        }
        return (Tensor.From(inputs, [batch, features, length]), Tensor.From(targets, [batch, 2, length]));
    }

    private void Save(BeatNetworkModule network, string path, int trainClips, int validClips, int epoch, IReadOnlyList<string> corpora)
    {
        var metadata = new Dictionary<string, string>
        {
            ["dilations"] = string.Join(",", _options.Dilations),
            ["format"] = "musicml-beat-network-1",
            ["recipe"] = string.Create(CultureInfo.InvariantCulture,
                $"musicml train beats: epoch {epoch} of {_options.Epochs}, batch {_options.BatchSize}, crop {_options.CropFrames} frames, lr {_options.LearningRate}, channels {_options.Channels}, dropout {_options.Dropout}, augmented copies {_options.AugmentedCopies}, seed {_options.Seed}"),
            ["corpus"] = string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", corpora.Select(c => Path.GetFileName(Path.GetFullPath(c))))}: {trainClips} training and {validClips} validation clips"),
        };
        var state = network.StateDict();
        SafeTensors.Save(path, state, metadata);
    }

    /// <summary>
    /// Mean beat and downbeat F-measure of <paramref name="network"/> on <paramref name="examples"/>: beats from the
    /// bar-pointer HMM on the beat activation (the tempo range from the comb on it, as <see cref="RhythmAnalyzer"/>
    /// does), downbeats the tracked beats whose downbeat activation is the strongest phase of the bar.
    /// </summary>
    internal static (double BeatF, double DownbeatF) Score(BeatNetwork network, IReadOnlyList<Example> examples)
    {
        double beatF = 0, downF = 0;
        var results = new (double, double)[examples.Count];
        Parallel.For(0, examples.Count, i =>
        {
            var e = examples[i];
            var (beat, downbeat) = network.Activations(e.Input);
            var tracked = LearnedRhythm.TrackBeats(new OnsetEnvelope(beat, e.FrameRate), new Tempo.TempoEstimator());
            var downs = LearnedRhythm.Bars(tracked, downbeat, e.FrameRate).Downbeats;
            results[i] = (BeatEvaluation.FMeasure(BeatEvaluation.TrimBeats(e.Beats), BeatEvaluation.TrimBeats(tracked)),
                BeatEvaluation.FMeasure(BeatEvaluation.TrimBeats(e.Downbeats), BeatEvaluation.TrimBeats(downs)));
        });
        foreach (var (b, d) in results)
        {
            beatF += b;
            downF += d;
        }
        return (beatF / examples.Count, downF / examples.Count);
    }
}
