using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusicML.Core;
using MusicML.Evaluation;
using MusicML.Torch;

namespace MusicML.Tagging;

/// <summary>One finished epoch of <see cref="TaggerTraining.Run"/>.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean binary cross-entropy over the epoch's training examples (before each step's update).</param>
/// <param name="ValidRocAuc">Macro ROC-AUC of the track-level validation probabilities.</param>
/// <param name="ValidPrAuc">Macro PR-AUC (average precision) of the same.</param>
/// <param name="Seconds">Wall time of the epoch, training and validation.</param>
/// <param name="ExamplesPerSecond">Training examples per second of training time (validation excluded).</param>
/// <param name="Improved">True when this epoch's ROC-AUC was the best so far and it was saved as the best model.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double ValidRocAuc, double ValidPrAuc, double Seconds, double ExamplesPerSecond, bool Improved);

/// <summary>What a training run did.</summary>
/// <param name="Epochs">Every epoch of the run so far, including those before a resume.</param>
/// <param name="BestEpoch">The 1-based epoch whose weights are in <paramref name="BestModelPath"/>.</param>
/// <param name="BestRocAuc">Its validation macro ROC-AUC.</param>
/// <param name="StoppedEarly">True when <see cref="TrainingOptions.Patience"/> epochs passed without improvement.</param>
/// <param name="BestModelPath">The best weights, <c>OUT/best.safetensors</c>, with <c>best.json</c> beside it.</param>
/// <param name="CheckpointPath">The last epoch's checkpoint, <c>OUT/checkpoint.safetensors</c>.</param>
/// <param name="CacheHits">Files whose features came from <c>OUT/cache</c>.</param>
/// <param name="CacheMisses">Files whose features were computed (and cached) by this run.</param>
/// <param name="Config">The trained model's configuration (as in <c>best.json</c>).</param>
public sealed record TrainingResult(
    IReadOnlyList<EpochReport> Epochs, int BestEpoch, double BestRocAuc, bool StoppedEarly, string BestModelPath,
    string CheckpointPath, int CacheHits, int CacheMisses, TaggerConfig Config);

/// <summary>
/// Trains a tagging network (<see cref="TaggerArchitecture"/>) from tag manifests with binary cross-entropy and Adam
/// (<see cref="TaggerTrainer"/>), as Won et al. (2020) train theirs: random crops of <see cref="TrainingOptions.CropSeconds"/>
/// per example, track-level validation by the chunk protocol, and the epoch with the best validation macro ROC-AUC
/// kept as the model.
/// </summary>
/// <remarks>
/// <para>The front end is the published models' (16 kHz, n_fft 512, hop 256, 96 HTK mel bands up to 8 kHz, dB with
/// amin 1e-10), built by <see cref="MelFrontEnd.Create"/>. The model's input length is one crop. Where one crop gives
/// fewer frames than the network's pools need (FCN pools 1280 frames to one step, CRNN 96), the hop is shortened to
/// ⌊crop / (frames − 1)⌋ so that the crop still fills the network: FCN at 3 s then runs at hop 37.</para>
/// <para>Features are computed once per file and cached in <c>OUT/cache</c> (<c>.npy</c>): without augmentation the
/// whole file's dB mel, from which crops are cut in frames (the crop's edge frames see their neighbours instead of
/// reflect padding, a negligible difference); with <see cref="TrainingOptions.Augment"/> the clean audio at the model
/// rate, from which each crop is cut, augmented (NWaves time stretch, pitch shift, gain, EQ / band-pass, noise) and turned into a mel on the fly.
/// Validation always uses cached mels, cut into <see cref="TrainingOptions.ChunkCount"/> evenly spaced chunks whose
/// sigmoid outputs are averaged. A tag with only positives or only negatives in the validation set has no ROC-AUC and
/// is left out of the macro means (with a note on the progress writer).</para>
/// <para>Batches are the shuffled training set cut into <see cref="TrainingOptions.BatchSize"/> examples; a last
/// batch of one is dropped, because batch normalisation needs two. Every random choice comes from one seeded
/// SplitMix64 generator and libtorch is reseeded from it at each epoch, so on the CPU the same seed gives the same run
/// and <see cref="TrainingOptions.Resume"/> continues bit for bit: each epoch ends by writing <c>checkpoint.safetensors</c>
/// atomically with the weights (<c>model.*</c>), Adam's state (<c>optimizer.*</c>) and, in its metadata, the epoch,
/// the generator's state, the best score and the history.</para>
/// </remarks>
public static class TaggerTraining
{
    /// <summary>File name of the per-epoch checkpoint in the output folder.</summary>
    public const string CheckpointFileName = "checkpoint.safetensors";

    /// <summary>File name of the best weights in the output folder (its configuration is <c>best.json</c>).</summary>
    public const string BestModelFileName = "best.safetensors";

    /// <summary>File name of the trained model's mel front end, named by <c>best.json</c>'s <c>files.frontend</c>.</summary>
    public const string FrontEndFileName = "best.frontend.safetensors";

    private const string StateKey = "musicml_training";

    /// <summary>Sub-folder of the output folder holding the feature cache.</summary>
    public const string CacheFolderName = "cache";

    /// <summary>
    /// Runs (or, with <see cref="TrainingOptions.Resume"/>, continues) a training run: reads the manifests, computes or
    /// reuses the cached features, trains up to <see cref="TrainingOptions.Epochs"/> epochs with early stopping and
    /// writes the checkpoint and best model each epoch. One line per epoch goes to <paramref name="progress"/>.
    /// </summary>
    /// <param name="options">The run's settings; validated first.</param>
    /// <param name="progress">Where progress lines go (e.g. stderr), or null for none.</param>
    /// <exception cref="MusicMLException">A bad option, manifest line (<c>file:line</c>), unreadable or too short audio
    /// file, or a checkpoint that does not belong to these settings; the message names the file or option.</exception>
    public static TrainingResult Run(TrainingOptions options, TextWriter? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        TorchRuntime.EnsureAvailable();
        if (options.Threads is { } threads) TorchRuntime.NumThreads = threads;
        var train = TagManifest.Read(options.TrainManifest);
        var valid = TagManifest.Read(options.ValidManifest);
        var tags = options.Tags?.ToArray() ?? TagManifest.Vocabulary(train);
        if (tags.Length == 0) throw new MusicMLException($"{options.TrainManifest}: no track has a tag, so there is nothing to learn") { FilePath = options.TrainManifest };

        var outDir = Path.GetFullPath(options.OutputDirectory);
        var checkpointPath = Path.Combine(outDir, CheckpointFileName);
        if (options.Resume && !File.Exists(checkpointPath))
            throw new MusicMLException($"{checkpointPath}: --resume needs the checkpoint of an earlier run, which is not there") { FilePath = checkpointPath };

        int inputLength = checked((int)Math.Round(options.CropSeconds * options.SampleRate));
        var probeConfig = BuildConfig(options, tags, inputLength, hopLength: 256);
        TorchRuntime.ManualSeed(options.Seed);
        var network = TaggerNetwork.Create(probeConfig);
        try
        {
            int hop = ChooseHop(network, inputLength, options);
            var config = BuildConfig(options, tags, inputLength, hop);
            if (options.Device.IsCuda) network.To(options.Device);
            using var frontEnd = MelFrontEnd.Create(config, options.Device);
            using var trainer = new TaggerTrainer(network, options.LearningRate, options.WeightDecay);
            return new TrainingRun(options, config, network, frontEnd, trainer, train, valid, outDir, progress).Execute();
        }
        finally
        {
            network.Dispose();
        }
    }

    /// <summary>The published hop (256) unless one crop would then be shorter than the network's pooling needs.</summary>
    private static int ChooseHop(TaggerNetwork network, int inputLength, TrainingOptions options)
    {
        const int publishedHop = 256;
        string arch = options.Architecture.ToString().ToLowerInvariant();
        if (inputLength <= 256) throw new MusicMLException($"--crop-seconds {options.CropSeconds.ToString(CultureInfo.InvariantCulture)} is too short: a crop needs more than 256 samples (n_fft / 2) at {options.SampleRate} Hz");
        int hop = publishedHop;
        if (1 + inputLength / hop < network.MinimumFrames) hop = (int)(inputLength / (network.MinimumFrames - 1));
        if (hop < 1) throw new MusicMLException($"--crop-seconds {options.CropSeconds.ToString(CultureInfo.InvariantCulture)} is too short for {arch}, which needs {network.MinimumFrames} frames");
        if (network is FcnTagger fcn && 1 + inputLength / hop > fcn.MaximumFrames)
            throw new MusicMLException(
                $"--crop-seconds {options.CropSeconds.ToString(CultureInfo.InvariantCulture)} is too long for fcn, whose pools take at most {fcn.MaximumFrames} frames ({(fcn.MaximumFrames - 1) * (double)publishedHop / options.SampleRate:0.#} s at hop {publishedHop})");
        return hop;
    }

    private static TaggerConfig BuildConfig(TrainingOptions options, string[] tags, int inputLength, int hopLength) => new()
    {
        Name = $"trained_{options.Architecture.ToString().ToLowerInvariant()}",
        Architecture = options.Architecture,
        Dataset = Path.GetFileName(options.TrainManifest),
        Description = $"{options.Architecture} trained by musicml train tagger",
        Tags = tags,
        SampleRate = options.SampleRate,
        NMels = options.Architecture == TaggerArchitecture.ShortChunk ? ShortChunkTagger.DefaultMels : 96,
        LayerSizes = options.Width is { } width
            ? new Dictionary<string, long> { ["layer1.conv.out_channels"] = width }
            : new Dictionary<string, long>(),
        HopLength = hopLength,
        FMax = Math.Min(8000, options.SampleRate / 2.0),
        InputLength = inputLength,
        ChunkCount = options.ChunkCount,
        FrontEndFile = FrontEndFileName,
    };

    /// <summary>One run's state; split from <see cref="TaggerTraining.Run"/> so the loop reads as the steps it takes.</summary>
    private sealed class TrainingRun(
        TrainingOptions options, TaggerConfig config, TaggerNetwork network, MelFrontEnd frontEnd, TaggerTrainer trainer,
        IReadOnlyList<TagManifestEntry> train, IReadOnlyList<TagManifestEntry> valid, string outDir, TextWriter? progress)
    {
        private readonly int _tagCount = config.Tags.Count;
        private readonly int _cropFrames = config.InputFrames;
        private TrainingRandom _random = new(options.Seed);
        private readonly List<EpochReport> _history = [];
        private int _nextEpoch;
        private double _best = double.NegativeInfinity;
        private int _bestEpoch;
        private int _badEpochs;
        private bool _stopped;

        private string CheckpointPath => Path.Combine(outDir, CheckpointFileName);

        public TrainingResult Execute()
        {
            Directory.CreateDirectory(outDir);
            var fingerprint = options.Fingerprint(config.Tags, config.HopLength);
            if (options.Resume) LoadCheckpoint(fingerprint);
            else if (File.Exists(CheckpointPath))
                progress?.WriteLine($"note: starting afresh; {CheckpointPath} of an earlier run will be overwritten (--resume continues it)");

            var cache = new FeatureCache(Path.Combine(outDir, CacheFolderName), config, frontEnd, options.Device);
            var trainFeatures = train.Select(e => cache.Ensure(e.Path, audio: options.Augment)).ToArray();
            var validFeatures = valid.Select(e => cache.Ensure(e.Path, audio: false)).ToArray();
            progress?.WriteLine($"features: {cache.Misses} computed, {cache.Hits} from cache ({Path.Combine(outDir, CacheFolderName)})");
            var trainTargets = train.Select(Targets).ToArray();
            var validRelevant = valid.Select(e => Targets(e).Select(v => v > 0).ToArray()).ToArray();
            var scored = Enumerable.Range(0, _tagCount)
                .Where(t => validRelevant.Any(r => r[t]) && validRelevant.Any(r => !r[t])).ToArray();
            if (scored.Length == 0)
                throw new MusicMLException($"{options.ValidManifest}: no tag has both positive and negative tracks, so validation ROC-AUC is undefined") { FilePath = options.ValidManifest };
            if (scored.Length < _tagCount)
                progress?.WriteLine($"note: {_tagCount - scored.Length} tag(s) have only positives or only negatives in {options.ValidManifest} and are left out of the validation means: " +
                                    string.Join(", ", Enumerable.Range(0, _tagCount).Except(scored).Select(t => config.Tags[t]).Take(10)));

            var frontEndPath = Path.Combine(outDir, FrontEndFileName);
            if (!options.Resume || !File.Exists(frontEndPath)) frontEnd.Save(frontEndPath);

            while (!_stopped && _nextEpoch < options.Epochs)
            {
                var watch = Stopwatch.StartNew();
                double loss = TrainEpoch(trainFeatures, trainTargets, out int examples);
                double trainSeconds = watch.Elapsed.TotalSeconds;
                var (roc, pr) = Validate(validFeatures, validRelevant, scored);
                int epoch = ++_nextEpoch;
                bool improved = roc > _best;
                if (improved)
                {
                    (_best, _bestEpoch, _badEpochs) = (roc, epoch, 0);
                    SaveBest(epoch, roc, pr);
                }
                else _badEpochs++;
                if (options.Patience > 0 && _badEpochs >= options.Patience) _stopped = true;
                var report = new EpochReport(epoch, loss, roc, pr, watch.Elapsed.TotalSeconds, examples / Math.Max(trainSeconds, 1e-9), improved);
                _history.Add(report);
                SaveCheckpoint(fingerprint);
                progress?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch}/{options.Epochs}  train loss {loss:0.0000}  valid ROC-AUC {roc:0.0000}  PR-AUC {pr:0.0000}  {report.Seconds:0.0} s  {report.ExamplesPerSecond:0.0} examples/s{(improved ? "  (best)" : "")}"));
                if (_stopped) progress?.WriteLine($"early stop: no better validation ROC-AUC for {options.Patience} epoch(s); best epoch {_bestEpoch}");
            }
            return new TrainingResult(_history.ToArray(), _bestEpoch, _best, _stopped, Path.Combine(outDir, BestModelFileName),
                CheckpointPath, cache.Hits, cache.Misses, config);
        }

        private float[] Targets(TagManifestEntry entry)
        {
            var targets = new float[_tagCount];
            foreach (var tag in entry.Tags)
            {
                int index = IndexOf(tag);
                if (index >= 0) targets[index] = 1;
            }
            return targets;
        }

        private int IndexOf(string tag)
        {
            for (int i = 0; i < _tagCount; i++)
                if (string.Equals(config.Tags[i], tag, StringComparison.Ordinal)) return i;
            return -1;
        }

        private double TrainEpoch(string[] features, float[][] targets, out int examples)
        {
            // Reseeding libtorch (dropout) from the run's generator at every epoch makes the epoch a function of the
            // checkpointed state alone, which is what lets --resume repeat an uninterrupted run exactly.
            TorchRuntime.ManualSeed(_random.NextUInt64());
            var order = _random.Permutation(features.Length);
            int batchSize = options.BatchSize, nMels = config.NMels, length = config.InputLength;
            double lossSum = 0;
            examples = 0;
            for (int first = 0; first < order.Length; first += batchSize)
            {
                int count = Math.Min(batchSize, order.Length - first);
                if (count < 2) break;
                var labels = new float[count * _tagCount];
                Tensor input;
                if (options.Augment)
                {
                    var waves = new float[count * length];
                    // Drawn in order, so the run repeats; the effects (tens of ms per crop) then run on every core.
                    var choices = new TrainingAugmentation.Choice[count];
                    for (int b = 0; b < count; b++)
                    {
                        choices[b] = TrainingAugmentation.Draw(_random);
                        targets[order[first + b]].CopyTo(labels, b * _tagCount);
                    }
                    int batchFirst = first;
                    Parallel.For(0, count, b =>
                    {
                        var audio = NpyFile.Read(features[order[batchFirst + b]]).ToFloat32();
                        TrainingAugmentation.Apply(choices[b], audio, length, config.SampleRate).CopyTo(waves, b * length);
                    });
                    using var noGrad = TorchRuntime.NoGrad();
                    using var waveform = Tensor.From(waves, [count, length], options.Device);
                    input = frontEnd.Forward(waveform);
                }
                else
                {
                    var mels = new float[count * nMels * _cropFrames];
                    for (int b = 0; b < count; b++)
                    {
                        var array = NpyFile.Read(features[order[first + b]]);
                        int frames = array.Shape[1];
                        var mel = array.ToFloat32();
                        int start = _random.NextInt(frames - _cropFrames + 1);
                        for (int m = 0; m < nMels; m++)
                            mel.AsSpan(m * frames + start, _cropFrames).CopyTo(mels.AsSpan((b * nMels + m) * _cropFrames, _cropFrames));
                        targets[order[first + b]].CopyTo(labels, b * _tagCount);
                    }
                    input = Tensor.From(mels, [count, nMels, _cropFrames], options.Device);
                }
                using (input)
                using (var target = Tensor.From(labels, [count, _tagCount], options.Device))
                    lossSum += trainer.Step(input, target) * count;
                examples += count;
            }
            if (examples == 0) throw new MusicMLException($"{options.TrainManifest}: a training epoch needs at least 2 tracks") { FilePath = options.TrainManifest };
            return lossSum / examples;
        }

        private (double RocAuc, double PrAuc) Validate(string[] features, bool[][] relevant, int[] scored)
        {
            network.Eval();
            try
            {
                using var noGrad = TorchRuntime.NoGrad();
                var probabilities = new double[features.Length][];
                int nMels = config.NMels, chunks = config.ChunkCount;
                for (int f = 0; f < features.Length; f++)
                {
                    var array = NpyFile.Read(features[f]);
                    int frames = array.Shape[1];
                    var mel = array.ToFloat32();
                    // The Tagger's protocol in frames: ChunkCount chunks at hop ⌊(n − L) / chunks⌋.
                    int hop = (frames - _cropFrames) / chunks;
                    var sums = new double[_tagCount];
                    for (int first = 0; first < chunks; first += options.BatchSize)
                    {
                        int count = Math.Min(options.BatchSize, chunks - first);
                        var batch = new float[count * nMels * _cropFrames];
                        for (int c = 0; c < count; c++)
                        {
                            int start = (first + c) * hop;
                            for (int m = 0; m < nMels; m++)
                                mel.AsSpan(m * frames + start, _cropFrames).CopyTo(batch.AsSpan((c * nMels + m) * _cropFrames, _cropFrames));
                        }
                        using var input = Tensor.From(batch, [count, nMels, _cropFrames], options.Device);
                        using var p = network.PredictProbabilities(input);
                        var values = p.ToArray<float>();
                        for (int c = 0; c < count; c++)
                            for (int t = 0; t < _tagCount; t++) sums[t] += values[c * _tagCount + t];
                    }
                    probabilities[f] = sums.Select(s => s / chunks).ToArray();
                }
                var keptRelevant = relevant.Select(r => scored.Select(t => r[t]).ToArray()).ToArray();
                var keptScores = probabilities.Select(p => scored.Select(t => p[t]).ToArray()).ToArray();
                return (TaggingEvaluation.MacroRocAuc(keptRelevant, keptScores), TaggingEvaluation.MacroAveragePrecision(keptRelevant, keptScores));
            }
            finally
            {
                network.Train();
            }
        }

        private void SaveBest(int epoch, double roc, double pr)
        {
            var weights = Path.Combine(outDir, BestModelFileName);
            SafeTensors.Save(weights, network.StateDict());
            var training = new JsonObject
            {
                ["epoch"] = epoch,
                ["valid_roc_auc"] = roc,
                ["valid_pr_auc"] = pr,
                ["train_manifest"] = Path.GetFullPath(options.TrainManifest),
                ["valid_manifest"] = Path.GetFullPath(options.ValidManifest),
                ["settings"] = new JsonObject(options.Fingerprint(config.Tags, config.HopLength)
                    .Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            };
            AtomicFile.WriteAllText(TaggerConfig.PathBeside(weights), config.ToJson(new JsonObject { ["training"] = training }));
        }

        private void SaveCheckpoint(SortedDictionary<string, string> fingerprint)
        {
            var state = new JsonObject
            {
                ["version"] = 1,
                ["next_epoch"] = _nextEpoch,
                ["rng_state"] = _random.State.ToString(CultureInfo.InvariantCulture),
                ["best_roc_auc"] = double.IsFinite(_best) ? JsonValue.Create(_best) : null,
                ["best_epoch"] = _bestEpoch,
                ["bad_epochs"] = _badEpochs,
                ["stopped"] = _stopped,
                ["settings"] = new JsonObject(fingerprint.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
                ["history"] = new JsonArray(_history.Select(h => (JsonNode?)new JsonObject
                {
                    ["epoch"] = h.Epoch, ["train_loss"] = h.TrainLoss, ["valid_roc_auc"] = h.ValidRocAuc, ["valid_pr_auc"] = h.ValidPrAuc,
                    ["seconds"] = h.Seconds, ["examples_per_second"] = h.ExamplesPerSecond, ["improved"] = h.Improved,
                }).ToArray()),
            };
            var optimizerState = trainer.OptimizerState();
            try
            {
                var tensors = network.StateDict().Select(kv => KeyValuePair.Create("model." + kv.Key, kv.Value))
                    .Concat(optimizerState.Select(kv => KeyValuePair.Create("optimizer." + kv.Key, kv.Value)));
                SafeTensors.Save(CheckpointPath, tensors, new Dictionary<string, string> { [StateKey] = state.ToJsonString() });
            }
            finally
            {
                foreach (var (_, t) in optimizerState) t.Dispose();
            }
        }

        private void LoadCheckpoint(SortedDictionary<string, string> fingerprint)
        {
            var path = CheckpointPath;
            var (_, metadata) = SafeTensors.ReadHeader(path);
            if (!metadata.TryGetValue(StateKey, out var json))
                throw new MusicMLException($"{path}: not a musicml training checkpoint (no '{StateKey}' metadata)") { FilePath = path };
            JsonNode state;
            try
            {
                state = JsonNode.Parse(json) ?? throw new JsonException("empty");
                var saved = state["settings"]!.AsObject();
                foreach (var (key, value) in fingerprint)
                {
                    var had = saved[key]?.GetValue<string>();
                    if (had != value)
                        throw new MusicMLException($"{path}: the checkpoint was trained with {key} = {had ?? "(none)"}, this run asks for {value}; resume with the same settings or start afresh in another --out folder") { FilePath = path };
                }
                _nextEpoch = state["next_epoch"]!.GetValue<int>();
                _random = new TrainingRandom(ulong.Parse(state["rng_state"]!.GetValue<string>(), CultureInfo.InvariantCulture));
                _best = state["best_roc_auc"]?.GetValue<double>() ?? double.NegativeInfinity;
                _bestEpoch = state["best_epoch"]!.GetValue<int>();
                _badEpochs = state["bad_epochs"]!.GetValue<int>();
                _stopped = state["stopped"]!.GetValue<bool>();
                foreach (var h in state["history"]!.AsArray())
                    _history.Add(new EpochReport(h!["epoch"]!.GetValue<int>(), h["train_loss"]!.GetValue<double>(), h["valid_roc_auc"]!.GetValue<double>(),
                        h["valid_pr_auc"]!.GetValue<double>(), h["seconds"]!.GetValue<double>(), h["examples_per_second"]!.GetValue<double>(), h["improved"]!.GetValue<bool>()));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException or OverflowException)
            {
                throw new MusicMLException($"{path}: damaged training state in the checkpoint ({e.Message})", e) { FilePath = path };
            }
            using var tensors = SafeTensors.Load(path, options.Device, requireFinite: true);
            var model = tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key["model.".Length..], kv => kv.Value, StringComparer.Ordinal);
            var optimizer = tensors.Where(kv => kv.Key.StartsWith("optimizer.", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key["optimizer.".Length..], kv => kv.Value, StringComparer.Ordinal);
            try
            {
                network.LoadStateDict(model, strict: true);
                trainer.LoadOptimizerState(optimizer);
            }
            catch (MusicMLException e)
            {
                throw new MusicMLException($"{path}: the checkpoint does not fit this network: {e.Message}", e) { FilePath = path };
            }
            progress?.WriteLine($"resume: {path} after epoch {_nextEpoch}{(_stopped ? " (it had stopped early)" : "")}");
        }
    }
}
