using MusicML.Core;
using MusicML.Evaluation;
using MusicML.TestSupport;
using MusicML.Torch;
using Xunit.Abstractions;

namespace MusicML.Tagging.Tests;

/// <summary>
/// Tagger training on six generated 2.5 s clips (tones and noise, <see cref="TaggedClips"/>) with CRNN at a 1.6 s crop
/// (101 frames, just above its 96): seconds per run. Shares the native-memory collection so it never runs beside the
/// leak check, which counts live tensors.
/// </summary>
[Collection(NativeMemoryCollection.Name)]
public sealed class TrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _scratch = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "musicml-training-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private TrainingOptions Options(string train, string valid, string outName, int epochs, bool resume = false, int patience = 0,
        bool augment = false, double lr = 3e-3, int? threads = null) => new()
    {
        TrainManifest = train,
        ValidManifest = valid,
        OutputDirectory = Path.Combine(_scratch, outName),
        Architecture = TaggerArchitecture.Crnn,
        Epochs = epochs,
        BatchSize = 2,
        LearningRate = lr,
        CropSeconds = 1.6,
        Seed = 3,
        Resume = resume,
        Patience = patience,
        Augment = augment,
        ChunkCount = 2,
        Threads = threads,
    };

    private TrainingResult Train(TrainingOptions options)
    {
        var log = new StringWriter();
        var result = TaggerTraining.Run(options, log);
        output.WriteLine(log.ToString());
        return result;
    }

    private static byte[] ModelBytes(string checkpoint)
    {
        // The weights part of a checkpoint: every model.* tensor's bytes in name order.
        using var tensors = SafeTensors.Load(checkpoint);
        return tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .SelectMany(kv => kv.Value.To(DType.Float32).ToArray<float>().SelectMany(BitConverter.GetBytes)).ToArray();
    }

    [SkippableFact]
    public void TinyRunLearnsWritesALoadableModelAndReusesItsCache()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        var (train, valid) = TaggedClips.Write(Path.Combine(_scratch, "data"));
        var result = Train(Options(train, valid, "run", epochs: 10));
        Assert.Equal(10, result.Epochs.Count);
        Assert.Equal(6, result.CacheMisses);
        Assert.Equal(6, result.CacheHits); // the validation manifest names the same files: their mels are reused at once
        Assert.True(result.Epochs[^1].TrainLoss < result.Epochs[0].TrainLoss,
            $"loss went from {result.Epochs[0].TrainLoss:F4} to {result.Epochs[^1].TrainLoss:F4}");
        Assert.All(result.Epochs, e => Assert.True(e.ExamplesPerSecond > 0 && e.ValidRocAuc is >= 0 and <= 1));
        Assert.Equal(result.Epochs.Max(e => e.ValidRocAuc), result.BestRocAuc);
        Assert.True(result.BestRocAuc >= 0.9, $"best validation ROC-AUC {result.BestRocAuc:F4}: the tones and noise were not learnt");
        Assert.True(File.Exists(result.CheckpointPath));

        using (var tagger = Tagger.Load(result.BestModelPath))
        {
            Assert.Equal(["high", "low", "noise"], tagger.Config.Tags);
            Assert.Equal(TaggerArchitecture.Crnn, tagger.Config.Architecture);
            Assert.Equal(25600, tagger.Config.InputLength);
            var tags = tagger.TagFile(Path.Combine(_scratch, "data", "clips", "clip0.wav"));
            Assert.Equal(3, tags.Probabilities.Length);

            // eval: the evaluator's numbers are TaggingEvaluation's on the same probabilities, which are TagFile's.
            var scores = TaggerEvaluator.Evaluate(tagger, valid);
            Assert.Equal(TaggingEvaluation.MacroRocAuc(scores.Relevant, scores.Probabilities), scores.MacroRocAuc);
            Assert.Equal(TaggingEvaluation.MacroAveragePrecision(scores.Relevant, scores.Probabilities), scores.MacroPrAuc);
            Assert.Equal(TaggingEvaluation.RocAucPerTag(scores.Relevant, scores.Probabilities), scores.Tags.Select(t => t.RocAuc));
            // TagFiles batches chunks across tracks, TagFile per track: equal up to float rounding (~3e-7).
            Assert.All(tags.Probabilities.Zip(scores.Probabilities[0]), p => Assert.Equal(p.First, p.Second, 1e-6));
        }

        // A second run in the same folder decodes nothing: every feature comes from the cache.
        var again = Train(Options(train, valid, "run", epochs: 1));
        Assert.Equal(0, again.CacheMisses);
        Assert.Equal(12, again.CacheHits);
    }

    [SkippableFact]
    public void ShortChunkTrainsAtItsWidthAndLoadsBackAsConfigured()
    {
        // Width 8 (channels 8…32, 128 mel bands): the tones and noise are learnt, and best.json records the width and
        // the 128 bands so that Tagger.Load rebuilds the same network (a wrong width would not load the weights).
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        var (train, valid) = TaggedClips.Write(Path.Combine(_scratch, "data"));
        var options = Options(train, valid, "short", epochs: 10);
        var result = Train(new TrainingOptions
        {
            TrainManifest = options.TrainManifest, ValidManifest = options.ValidManifest, OutputDirectory = options.OutputDirectory,
            Architecture = TaggerArchitecture.ShortChunk, Width = 8, Epochs = 30, BatchSize = 3, LearningRate = 3e-3,
            // No early stop: six clips make a noisy validation score, and libtorch's kernels differ between CPUs, so on
            // some machines the first epochs wander (ROC-AUC 0.85 at epoch 2, then lower) before it is learnt (1.0 by epoch 11).
            CropSeconds = 1.6, Seed = 3, ChunkCount = 2, Patience = 0,
        });
        Assert.True(result.BestRocAuc >= 0.9, $"best validation ROC-AUC {result.BestRocAuc:F4}: the tones and noise were not learnt");
        using var tagger = Tagger.Load(result.BestModelPath);
        Assert.Equal(TaggerArchitecture.ShortChunk, tagger.Config.Architecture);
        Assert.Equal(ShortChunkTagger.DefaultMels, tagger.Config.NMels);
        Assert.Equal(8, tagger.Config.LayerSize("layer1.conv.out_channels", 0));
        // 1.6 s at 16 kHz is 101 frames at hop 256, fewer than the 128 the seven pools need: the hop is shortened.
        Assert.Equal(25600 / 127, tagger.Config.HopLength);
        // Conv weights and biases 8·(1·9 + 1) + 8·(8·9 + 1) + 16·(8·9 + 1) + 3·16·(16·9 + 1) + 32·(16·9 + 1), BN γ/β
        // (spec_bn 2, seven blocks 2·(8+8+16+16+16+16+32)), dense1 32·32 + 32, bn 2·32, dense2 32·3 + 3.
        long expected = 8 * 10 + 8 * 73 + 16 * 73 + 3 * 16 * 145 + 32 * 145 + 2 + 2 * 112 + 32 * 32 + 32 + 64 + 32 * 3 + 3;
        Assert.Equal(expected, tagger.Network.ParameterCount);
        var tags = tagger.TagFile(Path.Combine(_scratch, "data", "clips", "clip0.wav"));
        Assert.All(tags.Probabilities, p => Assert.InRange(p, 0f, 1f));
    }

    [SkippableFact]
    public void AnExportedModelLoadsByItsNewNameTagsAlikeAndPinsItsWeights()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        var (train, valid) = TaggedClips.Write(Path.Combine(_scratch, "data"));
        var run = Train(Options(train, valid, "run", epochs: 2));
        var folder = Path.Combine(_scratch, "published");
        var exported = TaggerExport.Export(run.BestModelPath, "tiny_tones", folder);

        Assert.Equal(Path.Combine(folder, "tiny_tones.safetensors"), exported.WeightsPath);
        Assert.Equal(File.ReadAllBytes(run.BestModelPath), File.ReadAllBytes(exported.WeightsPath));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(run.BestModelPath))), exported.WeightsSha256);
        Assert.Equal(["tiny_tones.frontend.safetensors", "tiny_tones.json", "tiny_tones.safetensors"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var clip = Path.Combine(_scratch, "data", "clips", "clip0.wav");
        using (var original = Tagger.Load(run.BestModelPath))
        using (var published = Tagger.Load(exported.WeightsPath))
        {
            Assert.Equal("tiny_tones", published.Config.Name);
            Assert.Equal(exported.WeightsSha256, published.Config.WeightsSha256);
            Assert.Equal("tiny_tones.frontend.safetensors", published.Config.FrontEndFile);
            Assert.Equal(original.Config.Tags, published.Config.Tags);
            // Same weights and front end, so the same floats.
            Assert.Equal(original.TagFile(clip).Probabilities, published.TagFile(clip).Probabilities);
        }

        // The pinned hash refuses weights changed after export.
        var bytes = File.ReadAllBytes(exported.WeightsPath);
        bytes[^1] ^= 1;
        File.WriteAllBytes(exported.WeightsPath, bytes);
        var damaged = Assert.Throws<MusicMLException>(() => Tagger.Load(exported.WeightsPath));
        Assert.Contains("pins weights_sha256 " + exported.WeightsSha256, damaged.Message);

        Assert.Contains("must be a plain file name", Assert.Throws<MusicMLException>(() => TaggerExport.Export(run.BestModelPath, "a/b", folder)).Message);
        Assert.Contains("not found", Assert.Throws<MusicMLException>(() => TaggerExport.Export(Path.Combine(_scratch, "none.safetensors"), "x", folder)).Message);
    }

    [SkippableFact]
    public void ResumeAndASecondRunWithTheSameSeedRepeatTheRunExactly()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        var (train, valid) = TaggedClips.Write(Path.Combine(_scratch, "data"));
        var whole = Train(Options(train, valid, "whole", epochs: 3));
        var twin = Train(Options(train, valid, "twin", epochs: 3));
        Train(Options(train, valid, "parts", epochs: 2));
        var resumed = Train(Options(train, valid, "parts", epochs: 3, resume: true));

        Assert.Equal(whole.Epochs.Select(e => e.TrainLoss), twin.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(whole.Epochs.Select(e => e.TrainLoss), resumed.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(whole.Epochs.Select(e => e.ValidRocAuc), resumed.Epochs.Select(e => e.ValidRocAuc));
        var expected = ModelBytes(whole.CheckpointPath);
        Assert.Equal(expected, ModelBytes(twin.CheckpointPath));
        Assert.Equal(expected, ModelBytes(resumed.CheckpointPath));
        Assert.Equal(File.ReadAllBytes(whole.BestModelPath), File.ReadAllBytes(resumed.BestModelPath));
    }

    [SkippableFact]
    public void TwoThreadRunsRepeatAndResumeOnlyWithTheSameThreadCount()
    {
        // libtorch's thread count is process-wide; this collection runs serially and the count is restored after.
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        int before = TorchRuntime.NumThreads;
        try
        {
            var (train, valid) = TaggedClips.Write(Path.Combine(_scratch, "data"));
            var first = Train(Options(train, valid, "t2a", epochs: 2, threads: 2));
            Assert.Equal(2, TorchRuntime.NumThreads);
            var second = Train(Options(train, valid, "t2b", epochs: 2, threads: 2));
            Assert.Equal(first.Epochs.Select(e => e.TrainLoss), second.Epochs.Select(e => e.TrainLoss));
            Assert.Equal(ModelBytes(first.CheckpointPath), ModelBytes(second.CheckpointPath));

            var refused = Assert.Throws<MusicMLException>(() => Train(Options(train, valid, "t2a", epochs: 3, resume: true, threads: 1)));
            Assert.Contains("threads = 2, this run asks for 1", refused.Message);
            Assert.Contains("--threads", Assert.Throws<MusicMLException>(() => Options(train, valid, "t0", epochs: 1, threads: 0).Validate()).Message);
        }
        finally
        {
            TorchRuntime.NumThreads = before;
        }
    }

    [SkippableFact]
    public void EarlyStoppingStopsAfterPatienceEpochsWithoutImprovement()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        // Validation labels swap low and high, so what training learns makes validation worse, not better.
        var (train, valid) = TaggedClips.Write(Path.Combine(_scratch, "data"), swapValidTags: true);
        var result = Train(Options(train, valid, "stop", epochs: 12, patience: 2, lr: 1e-2));
        Assert.True(result.StoppedEarly, "training ran all 12 epochs");
        Assert.True(result.Epochs.Count < 12);
        Assert.Equal(result.Epochs.Count - 2, result.BestEpoch);
        Assert.All(result.Epochs.Skip(result.BestEpoch), e => Assert.False(e.Improved));

        // Resuming a run that stopped early trains nothing more.
        var resumed = Train(Options(train, valid, "stop", epochs: 12, resume: true, patience: 2, lr: 1e-2));
        Assert.Equal(result.Epochs.Count, resumed.Epochs.Count);
    }

    [SkippableFact]
    public void AugmentedRunsCacheAudioAndRepeat()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        var (train, valid) = TaggedClips.Write(Path.Combine(_scratch, "data"));
        var first = Train(Options(train, valid, "aug1", epochs: 1, augment: true));
        var second = Train(Options(train, valid, "aug2", epochs: 1, augment: true));
        Assert.Equal(first.Epochs[0].TrainLoss, second.Epochs[0].TrainLoss);
        Assert.Equal(12, first.CacheMisses); // clean audio for training, mels for validation
        Assert.Equal(6, Directory.GetFiles(Path.Combine(_scratch, "aug1", TaggerTraining.CacheFolderName), "*-audio-*.npy").Length);
    }

    [SkippableFact]
    public void TheBuiltFrontEndIsThePublishedModelsOne()
    {
        // Trained models get MelFrontEnd.Create's window and filterbank; they must be the published models' (torchaudio's
        // periodic Hann and HTK mel bank without normalisation) for "the model config's front end" to hold.
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        Skip.IfNot(SharedData.Has("models", "mel_frontend.safetensors"), "../shared/models is not available");
        var config = new TaggerConfig { Name = "x", Architecture = TaggerArchitecture.Fcn, Tags = ["a"], InputLength = 48000 };
        using var built = MelFrontEnd.Create(config);
        var path = Path.Combine(_scratch, "frontend.safetensors");
        built.Save(path);
        using var mine = SafeTensors.Load(path);
        using var published = SafeTensors.Load(SharedData.Path("models", "mel_frontend.safetensors"));
        foreach (var name in new[] { MelFrontEnd.FilterbankTensorName, MelFrontEnd.WindowTensorName })
        {
            Assert.Equal(published[name].Shape, mine[name].Shape);
            var a = published[name].ToArray<float>();
            var b = mine[name].ToArray<float>();
            double worst = a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
            output.WriteLine($"{name}: max |difference| {worst:E2}");
            // torchaudio builds the bank in float32 arithmetic, this in double: 1.1e-5 apart at most on weights up to 1.
            Assert.True(worst < 5e-5, $"{name} differs by up to {worst}");
        }
    }

    [Fact]
    public void ManifestErrorsNameFileAndLine()
    {
        var path = Path.Combine(_scratch, "bad.csv");
        File.WriteAllText(path, "path,tags\na.wav,rock\nb.wav,pop,extra\n");
        var e = Assert.Throws<MusicMLException>(() => TagManifest.Read(path));
        Assert.StartsWith($"{path}:3:", e.Message);
        Assert.Equal(path, e.FilePath);

        File.WriteAllText(path, "file,labels\na.wav,rock\n");
        Assert.StartsWith($"{path}:1:", Assert.Throws<MusicMLException>(() => TagManifest.Read(path)).Message);

        File.WriteAllText(path, "path,tags\n\n,rock\n");
        Assert.StartsWith($"{path}:3:", Assert.Throws<MusicMLException>(() => TagManifest.Read(path)).Message);

        File.WriteAllText(path, "path,tags\nsub/a.wav, rock ; pop;rock\n");
        var entry = Assert.Single(TagManifest.Read(path));
        Assert.Equal(Path.Combine(_scratch, "sub", "a.wav"), entry.Path);
        Assert.Equal(["rock", "pop"], entry.Tags);
    }

    [Fact]
    public void AnEvaluationSetManifestIsReadByItsFileAndTagsColumns()
    {
        // ../shared/eval/synth and musicml corpus synth write id,file,duration,tempo,key,meter,tags,seed: usable as is.
        var path = Path.Combine(_scratch, "manifest.csv");
        File.WriteAllText(path, "id,file,duration,tempo,key,meter,tags,seed\nc0,c0.wav,24.4,144.29,F minor,4/4,guitar;bass;fast,7\n");
        var entry = Assert.Single(TagManifest.Read(path));
        Assert.Equal(Path.Combine(_scratch, "c0.wav"), entry.Path);
        Assert.Equal(["guitar", "bass", "fast"], entry.Tags);
        File.WriteAllText(path, "id,duration\nc0,1\n");
        Assert.Contains("a path (or file) column and a tags column", Assert.Throws<MusicMLException>(() => TagManifest.Read(path)).Message);
    }

    [Fact]
    public void OptionsAreValidatedUpFront()
    {
        var (train, valid) = TaggedClips.Write(Path.Combine(_scratch, "data"));
        TrainingOptions With(Func<TrainingOptions, TrainingOptions> change) => change(Options(train, valid, "x", 1));
        Assert.Contains("--epochs", Assert.Throws<MusicMLException>(() => With(o => new TrainingOptions
        {
            TrainManifest = o.TrainManifest, ValidManifest = o.ValidManifest, OutputDirectory = o.OutputDirectory, Epochs = 0,
        }).Validate()).Message);
        Assert.Contains("--lr", Assert.Throws<MusicMLException>(() => new TrainingOptions
        {
            TrainManifest = train, ValidManifest = valid, OutputDirectory = _scratch, LearningRate = -1,
        }.Validate()).Message);
        Assert.Contains("missing.csv", Assert.Throws<MusicMLException>(() => new TrainingOptions
        {
            TrainManifest = Path.Combine(_scratch, "missing.csv"), ValidManifest = valid, OutputDirectory = _scratch,
        }.Validate()).Message);
        Assert.Contains("--width applies to shortchunk only", Assert.Throws<MusicMLException>(() => new TrainingOptions
        {
            TrainManifest = train, ValidManifest = valid, OutputDirectory = _scratch, Architecture = TaggerArchitecture.Crnn, Width = 8,
        }.Validate()).Message);
        Assert.Contains("--width must be 1..512", Assert.Throws<MusicMLException>(() => new TrainingOptions
        {
            TrainManifest = train, ValidManifest = valid, OutputDirectory = _scratch, Architecture = TaggerArchitecture.ShortChunk, Width = 0,
        }.Validate()).Message);
        if (!TorchRuntime.IsCudaAvailable)
            Assert.StartsWith("--device cuda: CUDA is not available", Assert.Throws<MusicMLException>(() => new TrainingOptions
            {
                TrainManifest = train, ValidManifest = valid, OutputDirectory = _scratch, Device = Device.Cuda,
            }.Validate()).Message);
    }
}
