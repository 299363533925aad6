using MusicML.Core;
using MusicML.Dsp;
using MusicML.Mir.Beats;
using MusicML.Mir.Onsets;
using MusicML.Torch;

namespace MusicML.Mir.Training.Tests;

/// <summary>
/// The managed <see cref="BeatNetwork"/> (what analysis runs, no libtorch) must compute what its libtorch twin
/// <see cref="BeatNetworkModule"/> (what training runs) computes, from the safetensors file training writes.
/// </summary>
public class BeatNetworkTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "musicml-beatnet-" + Guid.NewGuid().ToString("N"));

    public BeatNetworkTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static float[] Clicks(double bpm, double seconds)
    {
        var y = new float[(int)(seconds * 22050)];
        for (double t = 0.5; t < seconds - 0.1; t += 60 / bpm)
            for (int i = 0; i < 400; i++) y[(int)(t * 22050) + i] += (float)(0.5 * Math.Exp(-i / 60.0) * Math.Sin(i * 0.9));
        return y;
    }

    [SkippableFact]
    public void Managed_inference_equals_libtorch_on_the_saved_weights()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        var spectrogram = RhythmSpectrogram.Compute(Clicks(117, 8), 22050);
        var input = BeatNetwork.Input(spectrogram);
        int features = input.Rows;
        TorchRuntime.ManualSeed(7);
        using var module = new BeatNetworkModule(features, channels: 8, dilations: [1, 2, 4], dropout: 0.1);
        var mean = Enumerable.Range(0, features).Select(f => 0.01f * f).ToArray();
        var std = Enumerable.Range(0, features).Select(f => 0.5f + 0.02f * f).ToArray();
        module.SetNormalisation(mean, std);
        module.Eval();
        string path = Path.Combine(_folder, "net.safetensors");
        SafeTensors.Save(path, module.StateDict(), new Dictionary<string, string> { ["dilations"] = "1,2,4" });

        float[] expected;
        using (var x = Tensor.From(input.Data, [1, features, input.Columns]))
        using (var logits = module.Forward(x))
        using (var probabilities = Functional.Sigmoid(logits))
            expected = probabilities.ToArray<float>();
        var network = BeatNetwork.Load(path);
        Assert.Equal(1 + (1 + 2 + 4) * 2, network.ContextFrames); // the input conv's one frame, then 2·d per block
        var (beat, downbeat) = network.Activations(input);
        // float32 both ways, sums in different orders: measured within 2e-6.
        for (int t = 0; t < input.Columns; t++)
        {
            Assert.Equal(expected[t], beat[t], 1e-5);
            Assert.Equal(expected[input.Columns + t], downbeat[t], 1e-5);
        }
        // Its names are the ones the managed loader documents.
        Assert.Equal(BeatNetwork.WeightNames(3).Order(), module.StateDict().Select(p => p.Key).Order());
    }

    [SkippableFact]
    public void A_rendered_corpus_trains_into_a_network_the_analysis_loads()
    {
        // End to end at toy size: six expressive clips rendered by FluidSynth, two epochs; the written file is a
        // network the managed side loads and whose activations are probabilities on every frame.
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        var renderer = new Tagging.Corpus.FluidSynthRenderer();
        string? why = renderer.WhyUnavailable();
        Skip.If(why is not null, why);
        string corpus = Path.Combine(_folder, "corpus");
        new Tagging.Corpus.SynthCorpusGenerator(new Tagging.Corpus.SynthCorpusOptions
        {
            Count = 6, FirstSeed = 2_000_000, Renderer = renderer,
            Sampler = new Tagging.Corpus.ClipSpecSampler { MinSeconds = 8, MaxSeconds = 10, Expressive = true },
        }).Run(corpus);
        string output = Path.Combine(_folder, "beats.safetensors");
        var lines = new List<string>();
        var epochs = new BeatNetworkTrainer(new BeatTrainingOptions { Epochs = 2, BatchSize = 2, CropFrames = 400, Channels = 4, Dilations = [1, 2], ValidFraction = 0.2, Threads = 1 })
            .Train([corpus], output, lines.Add);
        Assert.Equal(2, epochs.Count);
        Assert.Contains(epochs, e => e.Best);
        Assert.All(epochs, e => Assert.InRange(e.ValidBeatF, 0, 1));
        var network = BeatNetwork.Load(output);
        Assert.Equal([1, 2], network.Dilations);
        Assert.Contains("musicml train beats", network.Metadata["recipe"]);
        var (beat, downbeat) = network.Activations(RhythmSpectrogram.Compute(Clicks(120, 6), 22050));
        Assert.All(beat.Values, p => Assert.InRange(p, 0f, 1f));
        Assert.All(downbeat.Values, p => Assert.InRange(p, 0f, 1f));
        Assert.False(File.Exists(output + ".epoch.tmp"));
    }

    [Fact]
    public void Bad_weight_files_are_refused_with_the_reason()
    {
        string missing = Path.Combine(_folder, "none.safetensors");
        Assert.Contains("not found", Assert.Throws<MusicMLException>(() => BeatNetwork.Load(missing)).Message);
        string junk = Path.Combine(_folder, "junk.safetensors");
        File.WriteAllBytes(junk, [1, 2, 3]);
        Assert.Contains("not a safetensors file", Assert.Throws<MusicMLException>(() => BeatNetwork.Load(junk)).Message);
    }

    [Fact]
    public void Targets_mark_the_nearest_frame_and_half_its_neighbours()
    {
        var target = BeatNetworkTrainer.Targets([0.10, 0.52], 80, 100);
        Assert.Equal(1f, target[10]);
        Assert.Equal(0.5f, target[9]);
        Assert.Equal(0.5f, target[11]);
        Assert.Equal(1f, target[52]);
        Assert.Equal(0f, target[30]);
        Assert.Equal(4.0f, target.Sum());
    }

    [Fact]
    public void Options_are_validated_naming_the_bad_value()
    {
        var e = Assert.Throws<MusicMLException>(() => new BeatNetworkTrainer(new BeatTrainingOptions { Epochs = 0, ValidFraction = 0.9 }));
        Assert.Contains("Epochs", e.Message);
        Assert.Contains("ValidFraction", e.Message);
    }

    [Fact]
    public void Bars_take_the_phase_and_meter_with_the_most_downbeat_activation()
    {
        // Beats every 0.5 s; the downbeat activation fires on every third beat from the second: 3/4, phase 1.
        double[] beats = [.. Enumerable.Range(0, 12).Select(i => 0.5 + 0.5 * i)];
        var downbeat = new float[800];
        for (int i = 1; i < beats.Length; i += 3) downbeat[(int)Math.Round(beats[i] * 100)] = 0.9f;
        var bars = LearnedRhythm.Bars(beats, downbeat, 100);
        Assert.Equal(3, bars.BeatsPerBar);
        Assert.Equal(beats.Where((_, i) => i % 3 == 1), bars.Downbeats);
    }
}
