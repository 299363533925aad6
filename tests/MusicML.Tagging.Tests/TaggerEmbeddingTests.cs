using MusicML.TestSupport;
using MusicML.Torch;

namespace MusicML.Tagging.Tests;

/// <summary>
/// <see cref="TaggerNetwork.Embed"/> is the penultimate layer: the output layer applied to it by hand reproduces the
/// network's logits, for every architecture; <see cref="Tagger.EmbedFiles"/> pools it into unit vectors.
/// </summary>
// In the native-memory collection: its tensors would move the process-wide live-tensor count that the leak test reads.
[Collection(NativeMemoryCollection.Name)]
public sealed class TaggerEmbeddingTests
{
    public static TheoryData<string, string, string> Models => new()
    {
        { "bundled", "musicml_synth", "dense2" },
        { "shared", "mtat_fcn", "dense" },
        { "shared", "mtat_musicnn", "dense2" },
        { "shared", "mtat_crnn", "dense" },
    };

    private static string WeightsPath(string where, string name) =>
        where == "bundled" ? SharedData.RepoPath("models", name + ".safetensors") : SharedData.Path("models", name + ".safetensors");

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void TheOutputLayerOfTheEmbeddingGivesTheLogits(string where, string name, string outputLayer)
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        string path = WeightsPath(where, name);
        Skip.IfNot(File.Exists(path), $"{path} is not available");
        using var tagger = Tagger.Load(path);
        var network = tagger.Network;
        long frames = Math.Max(network.MinimumFrames, 200);
        if (network.Architecture == TaggerArchitecture.Fcn) frames = 1813;
        var random = new Random(12);
        var mel = new float[2 * network.NMels * frames];
        for (int i = 0; i < mel.Length; i++) mel[i] = (float)(random.NextDouble() * 60 - 50);
        using var noGrad = TorchRuntime.NoGrad();
        using var input = Tensor.From(mel, [2, network.NMels, frames]);
        using var embedding = network.Embed(input);
        using var logits = network.Forward(input);
        Assert.Equal([2, network.EmbeddingSize], embedding.Shape);
        var parameters = network.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        var weight = parameters[outputLayer + ".weight"].ToArray<float>();
        var bias = parameters[outputLayer + ".bias"].ToArray<float>();
        var e = embedding.ToArray<float>();
        var expected = logits.ToArray<float>();
        int size = (int)network.EmbeddingSize, tags = network.TagCount;
        double worst = 0, scale = expected.Max(Math.Abs);
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < tags; t++)
            {
                double sum = bias[t];
                for (int j = 0; j < size; j++) sum += (double)weight[t * size + j] * e[b * size + j];
                worst = Math.Max(worst, Math.Abs(sum - expected[b * tags + t]));
            }
        // float32 accumulation over ≤ 512 terms: agreement to ~1e-5 of the largest logit.
        Assert.True(worst <= 1e-4 * Math.Max(1, scale), $"{name}: output layer of the embedding differs from the logits by {worst:E2} (largest logit {scale:F2})");
    }

    [SkippableFact]
    public void FileEmbeddingsAreUnitVectorsIndependentOfTheBatching()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        using var tagger = Tagger.Load(SharedData.RepoPath("models", "musicml_synth.safetensors"));
        string[] files =
        [
            SharedData.RepoPath("audio-samples", "drums_bass_120bpm.wav"),
            SharedData.RepoPath("audio-samples", "melody_G_major_100bpm.wav"),
        ];
        var one = tagger.EmbedFiles(files, batchSize: 1, readAhead: 0).ToArray();
        var many = tagger.EmbedFiles([.. files, "no-such-file.wav"], batchSize: 7).ToArray();
        Assert.False(many[2].Succeeded);
        Assert.StartsWith("no-such-file.wav", many[2].Error!.Message);
        for (int i = 0; i < files.Length; i++)
        {
            var v = one[i].Embedding!;
            Assert.Equal(tagger.Network.EmbeddingSize, v.Length);
            Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 5);
            ArrayComparison.AssertRelativeMaxError(v, many[i].Embedding!, 1e-5, $"{files[i]} batched");
        }
        // The in-memory form (a decoded track or any excerpt) gives the file's embedding.
        var samples = MusicML.Audio.AudioFile.Load(files[0], tagger.Config.SampleRate).ToMono();
        ArrayComparison.AssertRelativeMaxError(one[0].Embedding!, tagger.EmbedTrack(samples), 1e-4, "EmbedTrack vs EmbedFiles");
        // Two different recordings point in different directions.
        Assert.True(one[0].Embedding!.Zip(one[1].Embedding!).Sum(p => p.First * p.Second) < 0.999);
    }
}
