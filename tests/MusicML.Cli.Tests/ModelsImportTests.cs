using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusicML.Core;
using MusicML.Tagging;
using MusicML.TestSupport;
using MusicML.Torch;
using MusicML.Torch.Checkpoints;
using static MusicML.Cli.Tests.CliRun;

namespace MusicML.Cli.Tests;

/// <summary>
/// <c>musicml models import</c> on the real torch.save fixtures of tests/MusicML.Torch.Tests/Fixtures/pth (see its
/// make_pth.py): a toy-width Musicnn with the original tensor names, its float16 DataParallel copy, a broken copy,
/// and hand-built pickles that would run commands.
/// </summary>
public sealed class ModelsImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-cli-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(SharedData.RepoRoot, "tests", "MusicML.Torch.Tests", "Fixtures", "pth", name);

    private static string TinyConfig => Fixture("tiny_musicnn.json");

    private static void SkipWithoutLibtorch() =>
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not installed here (scripts/setup.sh installs libtorch-dev); the import builds the network to check the checkpoint against");

    private (int Code, string Out, string Err) Import(string checkpoint, string arch, string config, string output) =>
        Run("models", "import", checkpoint, "--arch", arch, "--config", config, "--out", output);

    private static Dictionary<string, float[]> FloatTensors(IEnumerable<KeyValuePair<string, Tensor>> tensors) =>
        tensors.Where(kv => kv.Value.DType == DType.Float32).ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<float>());

    [SkippableFact]
    public void ImportsARealCheckpointThatTaggerLoadsAndRuns()
    {
        SkipWithoutLibtorch();
        var output = Path.Combine(_dir, "tiny.safetensors");
        var (code, stdout, error) = Import(Fixture("tiny_musicnn.pth"), "musicnn", TinyConfig, output);
        Assert.True(code == 0, error);
        Assert.Empty(stdout);
        Assert.Contains($"musicml: imported 70 tensors from {Fixture("tiny_musicnn.pth")} as musicnn: wrote {output}", error);
        Assert.Contains("left out the mel front end's buffers spec.spectrogram.window and spec.mel_scale.fb", error);

        // The configuration beside --out names the new file and its hash; the rest of it is the given one.
        var configOut = Path.Combine(_dir, "tiny.json");
        var config = JsonNode.Parse(File.ReadAllText(configOut))!;
        Assert.Equal("tiny.safetensors", (string?)config["files"]!["weights"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(output))), (string?)config["files"]!["weights_sha256"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Fixture("tiny_musicnn.pth")))), (string?)config["import"]!["checkpoint_sha256"]);
        Assert.Equal(3, config["tags"]!.AsArray().Count);

        // It loads through the ordinary path, with every weight exactly as PyTorch stored it.
        using (var tagger = Tagger.Load(output))
        {
            Assert.Equal(TaggerArchitecture.Musicnn, tagger.Config.Architecture);
            var checkpoint = PthCheckpoint.ReadStateDict(Fixture("tiny_musicnn.pth")).ToDictionary(t => t.Name);
            var loaded = tagger.Network.StateDict();
            Assert.Equal(70, loaded.Count);
            foreach (var (name, tensor) in loaded)
            {
                var stored = checkpoint[name];
                Assert.Equal(stored.DType, tensor.DType);
                var bytes = new byte[stored.Data.Length];
                tensor.CopyToBytes(bytes, tensor.DType);
                Assert.True(stored.Data.AsSpan().SequenceEqual(bytes), $"{name} differs from the checkpoint");
            }
        }

        // And runs: dB mel [batch 1, 16 bands, 17 frames] in, three probabilities out.
        var mel = Path.Combine(_dir, "mel.npy");
        NpyFile.WriteFloat32(mel, Enumerable.Range(0, 16 * 17).Select(i => (float)Math.Sin(i) * 20 - 40).ToArray(), 1, 16, 17);
        var probabilities = Path.Combine(_dir, "p.npy");
        (code, _, error) = Run("models", "run", "--model", output, "--input", mel, "--out", probabilities);
        Assert.True(code == 0, error);
        var p = NpyFile.Read(probabilities).ToFloat32();
        Assert.Equal(3, p.Length);
        Assert.All(p, v => Assert.InRange(v, 0f, 1f));
    }

    [SkippableFact]
    public void AHalfPrecisionDataParallelCheckpointBecomesTheSameModel()
    {
        SkipWithoutLibtorch();
        var full = Path.Combine(_dir, "full.safetensors");
        var half = Path.Combine(_dir, "half.safetensors");
        Assert.Equal(0, Import(Fixture("tiny_musicnn.pth"), "musicnn", TinyConfig, full).Code);
        var (code, _, error) = Import(Fixture("tiny_musicnn_half.pth"), "musicnn", TinyConfig, half);
        Assert.True(code == 0, error);
        Assert.Contains("removed the 'module.' prefix of nn.DataParallel from every name", error);
        Assert.Contains("converted 60 tensors from Float16 to Float32", error);
        // make_pth.py's weights are exact in float16, so the two imports agree exactly.
        using var a = SafeTensors.Load(full);
        using var b = SafeTensors.Load(half);
        var expected = FloatTensors(a);
        var actual = FloatTensors(b);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected) Assert.Equal(values, actual[name]);
        Assert.Equal(DType.Int64, b["layer1.bn.num_batches_tracked"].DType);
    }

    [SkippableFact]
    public void EveryProblemIsNamedInOneErrorAndNothingIsWritten()
    {
        SkipWithoutLibtorch();
        var output = Path.Combine(_dir, "broken.safetensors");
        File.WriteAllText(output, "previous");
        var checkpoint = Fixture("tiny_musicnn_broken.pth");
        var (code, _, error) = Import(checkpoint, "musicnn", TinyConfig, output);
        Assert.Equal(1, code);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith($"musicml: error: {checkpoint}: the checkpoint does not fit the Musicnn architecture of tiny_musicnn.json (10 problems): ", line);
        Assert.Contains("missing 'layer3.conv.weight' [2, 2, 7]", line);
        Assert.Contains("missing 'layer3.bn.num_batches_tracked' []", line);
        Assert.Contains("'dense1.weight' has shape [2, 31], the architecture needs [2, 32]", line);
        Assert.Contains("'dense2.weight' is Int32, the architecture needs Float32", line);
        Assert.Contains("unexpected 'extra.weight'", line);
        Assert.Equal("previous", File.ReadAllText(output));
        Assert.False(File.Exists(Path.Combine(_dir, "broken.json")));
    }

    [SkippableFact]
    public void ACheckpointOfAnotherArchitectureIsOneClearError()
    {
        SkipWithoutLibtorch();
        var checkpoint = Fixture("tiny_musicnn.pth");
        var (code, _, error) = Import(checkpoint, "fcn", SharedData.Path("models", "mtat_fcn.json"), Path.Combine(_dir, "fcn.safetensors"));
        Assert.Equal(1, code);
        Assert.Equal($"musicml: error: {checkpoint}: this is a Musicnn checkpoint, not FCN: its tensor names are exactly Musicnn's; import it with --arch musicnn and a Musicnn configuration",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public void AConfigurationOfAnotherArchitectureIsRefused()
    {
        var (code, _, error) = Import(Fixture("tiny_musicnn.pth"), "crnn", TinyConfig, Path.Combine(_dir, "x.safetensors"));
        Assert.Equal(1, code);
        Assert.Contains($"{TinyConfig}: the configuration describes a Musicnn model, but the import is for CRNN", error);
    }

    [SkippableFact]
    public void AShapeTheConfigurationDoesNotGiveIsNamed()
    {
        SkipWithoutLibtorch();
        // The same network with four tags: dense2 must be [4, 2] and [4].
        var config = JsonNode.Parse(File.ReadAllText(TinyConfig))!.AsObject();
        config["tags"] = new JsonArray("a", "b", "c", "d");
        config["n_class"] = 4;
        config.Remove("tensors");
        var configPath = Path.Combine(_dir, "four.json");
        File.WriteAllText(configPath, config.ToJsonString());
        var (code, _, error) = Import(Fixture("tiny_musicnn.pth"), "musicnn", configPath, Path.Combine(_dir, "four-out.safetensors"));
        Assert.Equal(1, code);
        Assert.Contains("(2 problems): 'dense2.weight' has shape [3, 2], the architecture needs [4, 2]; 'dense2.bias' has shape [3], the architecture needs [4]", error);
    }

    [SkippableFact]
    public void NonFiniteWeightsAreRefused()
    {
        SkipWithoutLibtorch();
        // dense2.weight is the only 6-element float storage: overwrite it with NaN.
        var checkpoint = Path.Combine(_dir, "nan.pth");
        File.Copy(Fixture("tiny_musicnn.pth"), checkpoint);
        using (var zip = ZipFile.Open(checkpoint, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.Contains("/data/", StringComparison.Ordinal) && e.Length == 24);
            var name = entry.FullName;
            entry.Delete();
            using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new float[] { 1, float.NaN, 2, float.PositiveInfinity, 3, float.NaN }.AsSpan()));
        }
        var output = Path.Combine(_dir, "nan.safetensors");
        var (code, _, error) = Import(checkpoint, "musicnn", TinyConfig, output);
        Assert.Equal(1, code);
        Assert.Contains($"{checkpoint}: refused: the weights are not all finite, so the model could only output NaN: 'dense2.weight' holds 3 NaN or infinite values (first at element 1)", error);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("evil_os_system.pth", "os.system", "/tmp/musicml-pwned-os")]
    [InlineData("evil_eval.pth", "builtins.eval", "/tmp/musicml-pwned-eval")]
    [InlineData("evil_posix.pth", "posix.system", "/tmp/musicml-pwned-posix")]
    [InlineData("evil_legacy.pth", "os.system", "/tmp/musicml-pwned-legacy")]
    public void AHostilePickleIsRefusedByNameAndRunsNothing(string file, string global, string sideEffect)
    {
        File.Delete(sideEffect);
        var output = Path.Combine(_dir, "evil.safetensors");
        var (code, _, error) = Import(Fixture(file), "fcn", SharedData.Path("models", "mtat_fcn.json"), output);
        Assert.Equal(1, code);
        Assert.Equal($"musicml: error: {Fixture(file)}: refused: the pickle calls {global}, which a state_dict never needs; MusicML loads only tensors, dicts, lists, tuples and scalars",
            Assert.Single(Lines(error)));
        Assert.False(File.Exists(sideEffect), $"{sideEffect} exists: the pickle ran");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void OutputsThatWouldOverwriteAnInputAreUsageErrors()
    {
        var checkpoint = Path.Combine(_dir, "model.pth");
        File.Copy(Fixture("tiny_musicnn.pth"), checkpoint);
        var (code, _, error) = Import(checkpoint, "musicnn", TinyConfig, checkpoint);
        Assert.Equal(2, code);
        Assert.Contains("refusing to overwrite an input", error);

        // --out model.safetensors would write its configuration over model.json, here the checkpoint itself.
        var named = Path.Combine(_dir, "weights.json");
        File.Copy(Fixture("tiny_musicnn.pth"), named);
        (code, _, error) = Import(named, "musicnn", TinyConfig, Path.Combine(_dir, "weights.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("refusing to overwrite an input", error);

        (code, _, error) = Import(Path.Combine(_dir, "none.pth"), "musicnn", TinyConfig, Path.Combine(_dir, "o.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("none.pth: no such file", error);
    }

    [SkippableFact]
    public void TheFrontEndIsStillFoundFromAnotherFolder()
    {
        SkipWithoutLibtorch();
        var source = Directory.CreateDirectory(Path.Combine(_dir, "given")).FullName;
        var target = Directory.CreateDirectory(Path.Combine(_dir, "imported")).FullName;
        var config = JsonNode.Parse(File.ReadAllText(TinyConfig))!.AsObject();
        config["files"]!["frontend"] = "front.safetensors";
        var configPath = Path.Combine(source, "tiny.json");
        File.WriteAllText(configPath, config.ToJsonString());
        File.WriteAllText(Path.Combine(source, "front.safetensors"), "stand-in");
        var (code, _, error) = Import(Fixture("tiny_musicnn.pth"), "musicnn", configPath, Path.Combine(target, "tiny.safetensors"));
        Assert.True(code == 0, error);
        using var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(target, "tiny.json")));
        Assert.Equal(Path.Combine("..", "given", "front.safetensors"), written.RootElement.GetProperty("files").GetProperty("frontend").GetString());
        Assert.Equal(Path.Combine(source, "front.safetensors"), Path.GetFullPath(Path.Combine(target, TaggerConfig.Load(Path.Combine(target, "tiny.json")).FrontEndFile)));
    }
}
