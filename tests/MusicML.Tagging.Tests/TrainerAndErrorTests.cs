using System.Text.Json;
using System.Text.Json.Nodes;
using MusicML.Core;
using MusicML.TestSupport;
using MusicML.Torch;
using Xunit.Abstractions;

namespace MusicML.Tagging.Tests;

/// <summary>
/// Training steps and the failures a user can cause: every one a MusicMLException naming the file or value. Runs
/// alone (not beside other test classes) because the leak check counts the process's live native tensors.
/// </summary>
[Collection(NativeMemoryCollection.Name)]
public sealed class TrainerAndErrorTests(ITestOutputHelper output) : IDisposable
{
    private static long CurrentRss()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private readonly string _scratch = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "musicml-tagging-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void TrainingStepsLowerTheLossAndLeakNoTensors()
    {
        // CRNN on 96 × 96 frames (its minimum) exercises every layer type the FCN step uses plus the GRU, cheaply
        // enough for 1,000 steps. A fixed batch must be learnt (loss falls), and after the first step (Adam creates its
        // moment buffers) the number of live native tensors must not change at all.
        TorchRuntime.ManualSeed(1);
        using var network = new CrnnTagger(96, 50);
        using var trainer = new TaggerTrainer(network, 1e-3);
        using var input = Tensor.Randn([2, 96, 96]);
        using var uniform = Tensor.Rand([2, 50]);
        using var mask = uniform.Lt(0.2);
        using var targets = mask.To(DType.Float32);
        double first = trainer.Step(input, targets);
        long liveAfterFirst = TorchRuntime.LiveTensorCount;
        double last = first;
        long rssAt100 = 0;
        for (int i = 1; i < 1000; i++)
        {
            last = trainer.Step(input, targets);
            if (i == 100) rssAt100 = CurrentRss();
        }
        long rssGrowth = CurrentRss() - rssAt100;
        output.WriteLine($"live tensors {liveAfterFirst} after step 1 and {TorchRuntime.LiveTensorCount} after step 1000; " +
                         $"RSS {rssAt100 / 1048576.0:F1} MiB at step 100, growth to step 1000 {rssGrowth / 1048576.0:F1} MiB");
        Assert.Equal(liveAfterFirst, TorchRuntime.LiveTensorCount);
        // One leaked layer-1 activation (2 × 64 × 48 × 48 float32) is 1.1 MiB per step, ~1 GiB over 900 steps; the
        // allocator and JIT noise stay well under 32 MiB.
        Assert.True(rssGrowth < 32L << 20, $"RSS grew by {rssGrowth / 1048576.0:F1} MiB between steps 100 and 1000");
        Assert.True(last < 0.5 * first, $"loss went from {first:F4} to {last:F4} over 1000 steps on one batch");
    }

    [Fact]
    public void TrainingUpdatesBatchNormStatisticsLikePyTorch()
    {
        // In training mode spec_bn uses the batch statistics and moves its running mean by momentum 0.1 towards the
        // batch mean: after one step on an all-5 dB input, running_mean = 0.9·0 + 0.1·5 = 0.5 exactly.
        using var network = new MusicnnTagger(96, 50);
        using var trainer = new TaggerTrainer(network);
        using var input = Tensor.Full([2, 96, 40], 5.0);
        using var targets = Tensor.Zeros([2, 50]);
        trainer.Step(input, targets);
        var runningMean = network.StateDict().Single(p => p.Key == "spec_bn.running_mean").Value;
        Assert.Equal(0.5, runningMean.ToDouble(), 6);
    }

    private string CopyModel(string model, Action<JsonObject>? editConfig = null)
    {
        var weights = Path.Combine(_scratch, model + ".safetensors");
        File.Copy(Reference.WeightsPath(model), weights, overwrite: true);
        var config = JsonNode.Parse(File.ReadAllText(SharedData.Path("models", model + ".json")))!.AsObject();
        editConfig?.Invoke(config);
        File.WriteAllText(Path.Combine(_scratch, model + ".json"), config.ToJsonString());
        File.Copy(SharedData.Path("models", "mel_frontend.safetensors"), Path.Combine(_scratch, "mel_frontend.safetensors"), overwrite: true);
        return weights;
    }

    [Fact]
    public void ConfigNamingAnotherArchitectureIsRejectedWithTheOffendingTensors()
    {
        var weights = CopyModel("mtat_fcn", c =>
        {
            c["arch"] = "crnn";
            c.Remove("tensors");
        });
        var e = Assert.Throws<MusicMLException>(() => Tagger.Load(weights));
        Assert.Contains(weights, e.Message);
        Assert.Contains("Crnn", e.Message);
        Assert.Contains("unexpected 'layer5.conv.weight'", e.Message);
        Assert.Contains("missing 'layer5.weight_ih_l0'", e.Message);
    }

    [Fact]
    public void TagCountThatDoesNotFitTheDenseLayerIsRejected()
    {
        var weights = CopyModel("mtat_musicnn", c =>
        {
            c["tags"]!.AsArray().RemoveAt(49);
            c.Remove("n_class");
            c.Remove("tensors");
        });
        var e = Assert.Throws<MusicMLException>(() => Tagger.Load(weights));
        Assert.Contains("'dense2.weight' has shape [50, 200] but the module expects [49, 200]", e.Message);
    }

    [Fact]
    public void WeightsMissingADeclaredTensorAreRejected()
    {
        var weights = CopyModel("mtat_crnn", c =>
            c["tensors"]!.AsArray().Add(new JsonObject { ["name"] = "extra.weight", ["dtype"] = "F32", ["shape"] = new JsonArray(3) }));
        var e = Assert.Throws<MusicMLException>(() => Tagger.Load(weights));
        Assert.Contains(weights, e.Message);
        Assert.Contains("'extra.weight' is listed in the configuration but missing", e.Message);
    }

    /// <summary>The shared configs pin their weights' SHA-256: one changed byte, or another model's weights, is refused.</summary>
    [Fact]
    public void WeightsWhoseHashDiffersFromTheConfigurationAreRefused()
    {
        var weights = CopyModel("mtat_fcn");
        using (Tagger.Load(weights)) { } // the pinned hash matches the published file
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 1;
        File.WriteAllBytes(weights, bytes);
        var e = Assert.Throws<MusicMLException>(() => Tagger.Load(weights));
        Assert.StartsWith($"{weights}: its SHA-256 is ", e.Message);
        Assert.Contains("pins weights_sha256 ", e.Message);
    }

    /// <summary>One NaN weight makes every probability NaN; the file is refused at load, naming the tensor.</summary>
    [Fact]
    public void NonFiniteWeightsAreRefusedNamingTheTensor()
    {
        var weights = CopyModel("mtat_fcn", c => c["files"]!.AsObject().Remove("weights_sha256"));
        var (entries, _) = SafeTensors.ReadHeader(weights);
        var first = entries.First(t => t.DType == DType.Float32 && t.Length >= 8);
        var bytes = File.ReadAllBytes(weights);
        long dataStart = 8 + BitConverter.ToInt64(bytes, 0);
        BitConverter.GetBytes(float.NaN).CopyTo(bytes, dataStart + first.Offset + 4);
        File.WriteAllBytes(weights, bytes);
        var e = Assert.Throws<MusicMLException>(() => Tagger.Load(weights));
        Assert.Equal($"{weights}: tensor '{first.Name}' holds NaN at element 1; model weights must be finite", e.Message);
    }

    /// <summary>A header repeating a tensor name (JSON parsers keep one silently) is refused.</summary>
    [Fact]
    public void RepeatedTensorNamesAreRefused()
    {
        var path = Path.Combine(_scratch, "twice.safetensors");
        var header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"u8.ToArray();
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)header.Length), .. header, .. new byte[8]]);
        var e = Assert.Throws<MusicMLException>(() => SafeTensors.Load(path));
        Assert.Equal($"{path}: tensor name 'w' appears twice in the header", e.Message);
    }

    [Fact]
    public void MissingConfigurationAndUnknownArchitectureNameTheFile()
    {
        var orphan = Path.Combine(_scratch, "orphan.safetensors");
        File.Copy(Reference.WeightsPath("mtat_fcn"), orphan);
        var e = Assert.Throws<MusicMLException>(() => Tagger.Load(orphan));
        Assert.Contains(Path.Combine(_scratch, "orphan.json"), e.Message);

        var weights = CopyModel("msd_fcn", c => c["arch"] = "transformer");
        e = Assert.Throws<MusicMLException>(() => Tagger.Load(weights));
        Assert.Contains("unknown architecture 'transformer'", e.Message);
    }

    [Fact]
    public void BadInputsAreNamed()
    {
        using var tagger = Tagger.Load(Reference.WeightsPath("mtat_musicnn"));
        using var nan = Tensor.Full([1, 96, 50], double.NaN);
        Assert.Contains("NaN", Assert.ThrowsAny<MusicMLException>(() => tagger.Predict(nan)).Message);
        using var rank4 = Tensor.Zeros([1, 1, 96, 50]);
        Assert.Contains("[1, 1, 96, 50]", Assert.ThrowsAny<MusicMLException>(() => tagger.Predict(rank4)).Message);
        Assert.Contains("needs at least 48000 samples", Assert.ThrowsAny<MusicMLException>(() => tagger.TagTrack(new float[47999])).Message);
        Assert.Contains("NaN", Assert.ThrowsAny<MusicMLException>(() => tagger.TagTrack(Enumerable.Repeat(float.NaN, 48000).ToArray())).Message);

        using var fcn = Tagger.Load(Reference.WeightsPath("mtat_fcn"));
        using var shortMel = Tensor.Zeros([1, 96, 188]);
        Assert.Contains("at least 1280 frames", Assert.ThrowsAny<MusicMLException>(() => fcn.Predict(shortMel)).Message);

        var wav = Path.Combine(_scratch, "missing.wav");
        Assert.Contains(wav, Assert.ThrowsAny<MusicMLException>(() => fcn.TagFile(wav)).Message);
    }

    [Fact]
    public void TagTrackOfExactlyOneChunkRepeatsItSixteenTimes()
    {
        // eval.py with n == L gives hop 0: sixteen identical chunks, so the track mean equals the single chunk.
        using var tagger = Tagger.Load(Reference.WeightsPath("jamendo_musicnn"));
        using var waveform = Reference.Load(Reference.TensorPath("piano_seq", "jamendo_musicnn", "input"));
        var samples = waveform.ToArray<float>();
        var tags = tagger.TagTrack(samples);
        Assert.All(tags.ChunkStarts, s => Assert.Equal(0, s));
        using var json = Reference.Json("piano_seq", "jamendo_musicnn");
        var expected = Reference.Floats(json.RootElement.GetProperty("chunk_probs")[0]);
        Assert.True(Reference.MaxAbsDifference(expected, tags.Probabilities) <= 1e-4);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryCollection
{
    public const string Name = "native memory";
}
