using MusicML.Audio;
using MusicML.Cli.Infrastructure;

namespace MusicML.Cli.Tests;

/// <summary><c>musicml info</c> run in-process: one line per file, one error line per bad file, exit 1 if any failed.</summary>
public class InfoCommandTests
{
    private static readonly string Root = CreateFiles();

    private static string P(string name) => Path.Combine(Root, name);

    private static string CreateFiles()
    {
        var dir = Path.Combine(Path.GetTempPath(), "musicml-cli-info-" + Environment.ProcessId);
        Directory.CreateDirectory(Path.Combine(dir, "set", "sub"));
        WavWriter.Write(Path.Combine(dir, "set", "mono.wav"), new AudioBuffer(new float[22050], 22050));
        WavWriter.Write(Path.Combine(dir, "set", "sub", "stereo.wav"), new AudioBuffer([new float[4410], new float[4410]], 44100), WavSampleFormat.Float32);
        File.WriteAllText(Path.Combine(dir, "set", "readme.txt"), "not audio, and not listed: .txt is not an audio extension");
        File.WriteAllBytes(Path.Combine(dir, "empty.wav"), []);
        var truncated = File.ReadAllBytes(Path.Combine(dir, "set", "mono.wav"))[..100];
        File.WriteAllBytes(Path.Combine(dir, "truncated.wav"), truncated);
        File.WriteAllText(Path.Combine(dir, "text.wav"), "hello, this is text");
        return dir;
    }

    private static (int Code, string[] Out, string[] Err) Run(params string[] args)
    {
        var (code, output, error) = CliRun.Run(args);
        return (code, CliRun.Lines(output), CliRun.Lines(error));
    }

    [Fact]
    public void OneLinePerFile()
    {
        var (code, output, error) = Run("info", P("set/mono.wav"), P("set/sub/stereo.wav"));
        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Equal(
        [
            $"{P("set/mono.wav")}: WAV (PCM_16), 22050 Hz, 1 channel, 1.000 s (22050 frames)",
            $"{P("set/sub/stereo.wav")}: WAV (FLOAT), 44100 Hz, 2 channels, 0.100 s (4410 frames)",
        ], output);
    }

    [Fact]
    public void DirectoriesAreSearchedRecursivelyForAudioOnly()
    {
        var (code, output, _) = Run("info", P("set"));
        Assert.Equal(0, code);
        Assert.Equal(2, output.Length);
        Assert.StartsWith(Path.Combine(P("set"), "mono.wav") + ": WAV (PCM_16)", output[0]);
        Assert.StartsWith(Path.Combine(P("set"), "sub", "stereo.wav") + ": WAV (FLOAT)", output[1]);
    }

    [Fact]
    public void BadFilesAreReportedAndTheOthersStillPrint()
    {
        var (code, output, error) = Run("info", P("empty.wav"), P("set/mono.wav"), P("truncated.wav"), P("text.wav"), P("missing.wav"));
        Assert.Equal(CommandLineApp.ExitFailure, code);
        // The WAV cut to 100 bytes keeps 56 bytes of samples: 28 frames, reported as what it holds, with a warning.
        Assert.Equal([$"{P("set/mono.wav")}: WAV (PCM_16), 22050 Hz, 1 channel, 1.000 s (22050 frames)",
            $"{P("truncated.wav")}: WAV (PCM_16), 22050 Hz, 1 channel, 0.001 s (28 frames)"], output);
        Assert.Equal(4, error.Length);
        Assert.Equal($"musicml: error: {P("empty.wav")}: the file is empty (0 bytes).", error[0]);
        Assert.Equal($"musicml: warning: {P("truncated.wav")}: truncated or damaged: decoded 0.001 s of the 1.000 s its header declares; using what was read.", error[1]);
        Assert.StartsWith($"musicml: error: {P("text.wav")}: ", error[2]);
        Assert.Equal($"musicml: error: {P("missing.wav")}: no such file or directory.", error[3]);
    }

    [Fact]
    public void NoInputIsAUsageError()
    {
        var (code, output, error) = Run("info");
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Empty(output);
        Assert.Single(error);
        Assert.StartsWith("musicml: error: ", error[0]);
    }
}

/// <summary><c>musicml info --engines</c>: the FFT engines present and Auto's choice, as the library resolves them.</summary>
public class InfoEnginesTests
{
    [Fact]
    public void EnginesAreListedWithAutosChoiceForBothKindsOfLength()
    {
        var (code, output, error) = CliRun.Run("info", "--engines");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var lines = CliRun.Lines(output);
        Assert.Equal("FFT engines:", lines[0]);
        Assert.Contains($"AVX-512:     {(MusicML.Dsp.FftEngines.HasAvx512 ? "yes" : "no")}", lines);
        Assert.Contains(lines, l => l.StartsWith("fftw:") && l.Contains(MusicML.Dsp.FftEngines.HasFftw ? "available (" : "unavailable"));
        Assert.Contains("managed:     available", lines);
        // Auto: frame-batch for power-of-two lengths on AVX-512 (unless turned off), FFTW otherwise when it loads.
        string fallback = MusicML.Dsp.FftEngines.HasFftw ? "fftw" : "managed";
        string powerOfTwo = MusicML.Dsp.FftEngines.HasAvx512 && !MusicML.Dsp.FftEngines.FrameBatchDisabledByEnvironment ? "frame-batch" : fallback;
        Assert.Contains($"Auto picks:  {powerOfTwo} for power-of-two lengths (e.g. 2048), {fallback} for other lengths (e.g. 1000)", lines);
    }

    [Fact]
    public void EnginesComeBeforeTheFilesWhenBothAreAsked()
    {
        var file = Path.Combine(Path.GetTempPath(), $"musicml-info-engines-{Environment.ProcessId}.wav");
        MusicML.Audio.WavWriter.Write(file, new MusicML.Audio.AudioBuffer(new float[2205], 22050));
        try
        {
            var (code, output, _) = CliRun.Run("info", "--engines", file);
            Assert.Equal(0, code);
            var lines = CliRun.Lines(output);
            Assert.Equal("FFT engines:", lines[0]);
            Assert.EndsWith("22050 Hz, 1 channel, 0.100 s (2205 frames)", lines[^1]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void InfoWithNeitherInputNorEnginesIsAUsageError()
    {
        var (code, _, error) = CliRun.Run("info");
        Assert.NotEqual(0, code);
        Assert.Contains("INPUT", error);
    }
}
