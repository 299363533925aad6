using System.Text.Json;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.TestSupport;
using static MusicML.Cli.Tests.CliRun;

namespace MusicML.Cli.Tests;

/// <summary><c>musicml models info|run</c> run in-process on the published models in ../shared/models.</summary>
public class ModelsCommandTests
{
    private static readonly string Scratch = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "musicml-cli-models-" + Environment.ProcessId)).FullName;

    private static string Model(string name) => SharedData.Path("models", name + ".safetensors");


    [Fact]
    public void InfoShowsArchitectureParametersAndTags()
    {
        var (code, output, error) = Run("models", "info", Model("mtat_fcn"));
        Assert.True(code == 0, error);
        Assert.Contains("architecture: FCN\n", output.ReplaceLineEndings("\n"));
        // The checkpoint's parameters (not its BatchNorm buffers): convolutions 640 + 73,856 + 2 · 147,584 + 73,792,
        // BatchNorm γ and β 2 · (1 + 64 + 128 + 128 + 128 + 64) = 1,026, dense 64 · 50 + 50 = 3,250; total 447,732.
        Assert.Contains("parameters: 447732 trainable", output);
        Assert.Contains("tags (50): guitar, classical, slow, techno", output);
        Assert.Contains("n_fft 512, hop 256", output);
        Assert.Contains("464000 samples (29 s) at 16000 Hz -> dB mel [96, 1813]", output);
    }

    [Fact]
    public void RunOnStoredMelWritesPyTorchsOutputs()
    {
        var input = SharedData.Path("models", "reference", "avenger_055s.chunk0_48000.meldb.npy");
        var outPath = Path.Combine(Scratch, "musicnn.npy");
        var (code, _, error) = Run("models", "run", "--model", Model("mtat_musicnn"), "--input", input, "--out", outPath);
        Assert.True(code == 0, error);
        var written = NpyFile.Read(outPath);
        Assert.Equal([1, 50], written.Shape);
        using var json = JsonDocument.Parse(File.ReadAllText(SharedData.Path("models", "reference", "avenger_055s.mtat_musicnn.json")));
        var expected = json.RootElement.GetProperty("chunk_probs")[0].EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var actual = written.ToFloat32();
        // Same 1e-4 absolute bound as the library parity tests (measured there: 2.4e-7 for this model).
        double worst = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        Assert.True(worst <= 1e-4, $"max abs difference {worst:E2}");
    }

    [SkippableFact]
    public void CudaWithoutCudaIsOneErrorLine()
    {
        Skip.If(MusicML.Torch.TorchRuntime.IsCudaAvailable,
            "CUDA is available here, so --device cuda is not an error (TensorTests.CudaRequestedWithoutCudaIsAClearError covers the CUDA side)");
        var input = SharedData.Path("models", "reference", "avenger_055s.chunk0_48000.meldb.npy");
        var (code, output, error) = Run("models", "run", "--model", Model("mtat_musicnn"), "--input", input,
            "--out", Path.Combine(Scratch, "cuda.npy"), "--device", "cuda");
        Assert.Equal(1, code);
        Assert.Empty(output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("musicml: error: cuda", lines[0]);
        Assert.Contains("CUDA is not available", lines[0]);
    }

    [Fact]
    public void WrongInputShapeNamesTheFile()
    {
        var input = Path.Combine(Scratch, "bad.npy");
        NpyFile.WriteFloat32(input, new float[2 * 40 * 10], 2, 40, 10);
        var (code, _, error) = Run("models", "run", "--model", Model("mtat_fcn"), "--input", input, "--out", Path.Combine(Scratch, "bad-out.npy"));
        Assert.Equal(1, code);
        Assert.Contains(input, error);
        Assert.Contains("(batch, 96, frames)", error);
    }

    /// <summary>
    /// int16 samples are ±32 768, not the [-1, 1] floats the models were trained on, and a bool mask is no audio: both
    /// are refused with the dtype named; a NaN input is refused with its index. Nothing is written.
    /// </summary>
    [Fact]
    public void IntegerBoolAndNonFiniteInputsAreRefused()
    {
        var output = Path.Combine(Scratch, "refused-out.npy");
        var int16 = Path.Combine(Scratch, "int16.npy");
        NpyFile.Write(int16, new NpyArray(NpyDataType.Int16, [1, 4], new byte[8]));
        var (code, _, error) = Run("models", "run", "--model", Model("mtat_fcn"), "--input", int16, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains($"{int16}: the array is Int16, but models run reads float waveforms", error);
        var mask = Path.Combine(Scratch, "bool.npy");
        NpyFile.Write(mask, new NpyArray(NpyDataType.Bool, [1, 4], new byte[4]));
        (code, _, error) = Run("models", "run", "--model", Model("mtat_fcn"), "--input", mask, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("the array is Bool", error);
        var nan = Path.Combine(Scratch, "nan.npy");
        var values = new float[96 * 100];
        values[17] = float.NaN;
        NpyFile.WriteFloat32(nan, values, 1, 96, 100);
        (code, _, error) = Run("models", "run", "--model", Model("mtat_fcn"), "--input", nan, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains($"{nan}: element 17 is NaN; the input must be finite", error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void MissingModelIsAUsageError()
    {
        var (code, _, error) = Run("models", "info", Path.Combine(Scratch, "nope.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("nope.safetensors", error);
    }
}
