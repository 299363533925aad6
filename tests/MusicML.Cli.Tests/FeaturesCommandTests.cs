using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.TestSupport;
using static MusicML.Cli.Tests.CliRun;

namespace MusicML.Cli.Tests;

/// <summary>
/// <c>musicml features</c> end to end: decode the 44.1 kHz reference input, resample to 22050 Hz with soxr HQ, compute
/// the feature and write .npy; the file must match librosa 0.10.1's array for the same call within the parity
/// tolerance of the foundation issue (1e-4 for the STFT-based features).
/// </summary>
public class FeaturesCommandTests
{
    private static readonly string Temp = Directory.CreateTempSubdirectory("musicml-features-").FullName;


    private static string Input => SharedData.Path("eval", "librosa_reference", "vocadito_1.44k.input.wav");

    private static string Reference(string name) => SharedData.Path("eval", "librosa_reference", $"vocadito_1.44k.{name}.npy");

    [Theory]
    [InlineData("mel", "mel", 1e-4)]
    [InlineData("mfcc", "mfcc", 1e-4)]
    [InlineData("chroma_stft", "chroma_stft", 1e-4)]
    [InlineData("centroid", "spectral_centroid", 1e-4)]
    [InlineData("bandwidth", "spectral_bandwidth", 1e-4)]
    [InlineData("rolloff", "spectral_rolloff", 1e-4)]
    [InlineData("flatness", "spectral_flatness", 1e-4)]
    [InlineData("contrast", "spectral_contrast", 1e-4)]
    [InlineData("rms", "rms", 1e-4)]
    [InlineData("zcr", "zcr", 1e-4)]
    [InlineData("onset_strength", "onset_strength", 1e-4)]
    [InlineData("cqt", "cqt", 1e-3)]
    [InlineData("chroma_cqt", "chroma_cqt", 1e-3)]
    [InlineData("chroma_cens", "chroma_cens", 1e-3)]
    [InlineData("tonnetz", "tonnetz", 1e-3)]
    [InlineData("tempogram", "tempogram", 1e-3)]
    public void NpyMatchesLibrosa(string kind, string reference, double tolerance)
    {
        var outPath = Path.Combine(Temp, $"{kind}.npy");
        var (code, _, err) = Run("features", Input, "--kind", kind, "--out", outPath);
        Assert.True(code == 0, err);
        var ours = NpyFile.Read(outPath);
        var expected = NpyFile.Read(Reference(reference));
        Assert.Equal(expected.Shape, ours.Shape);
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.ToFloat32(), tolerance, $"musicml features --kind {kind}");
    }

    [Fact]
    public void StftIsMagnitudeInLibrosaShape()
    {
        var outPath = Path.Combine(Temp, "stft.npy");
        var (code, _, err) = Run("features", Input, "--kind", "stft", "--n-fft", "1024", "--hop-length", "256", "--out", outPath);
        Assert.True(code == 0, err);
        var ours = NpyFile.Read(outPath);
        var complex = NpyFile.Read(Reference("stft_1024_256")).ToComplexInterleaved();
        var magnitude = new float[complex.Length / 2];
        for (int i = 0; i < magnitude.Length; i++) magnitude[i] = MathF.Sqrt(complex[2 * i] * complex[2 * i] + complex[2 * i + 1] * complex[2 * i + 1]);
        Assert.Equal([513, 517], ours.Shape);
        ArrayComparison.AssertRelativeMaxError(magnitude, ours.ToFloat32(), 1e-4, "|stft| n_fft=1024 hop=256");
    }

    [Fact]
    public void CsvHasOneRowPerFrameWithTime()
    {
        var outPath = Path.Combine(Temp, "mfcc.csv");
        var (code, _, err) = Run("features", Input, "--kind", "mfcc", "--n-mfcc", "13", "--out", outPath);
        Assert.True(code == 0, err);
        var lines = File.ReadAllLines(outPath);
        Assert.Equal("time," + string.Join(",", Enumerable.Range(0, 13).Select(i => $"mfcc_{i}")), lines[0]);
        Assert.Equal(1 + 259, lines.Length); // 6 s at 22050 Hz, hop 512, centred: 1 + 132300 / 512 = 259 frames
        Assert.StartsWith("0.023220,", lines[2]); // frame 1 is at 512 / 22050 s
    }

    /// <summary>
    /// Values that used to run (a 1-point FFT, all-zero mel bands whose dB is −∞, a 0.0001 Hz CQT, a 1 Hz analysis
    /// rate) or overflow (a 2³¹-point FFT) are refused before decoding, naming the option.
    /// </summary>
    [Theory]
    [InlineData("mel", new[] { "--n-fft", "1" }, "--n-fft must be between 2 and 1048576 samples; got 1.")]
    [InlineData("mel", new[] { "--n-fft", "2147483647" }, "--n-fft must be between 2 and 1048576 samples; got 2147483647.")]
    [InlineData("mel", new[] { "--n-mels", "2000" }, "--n-mels 2000 is more than --n-fft 2048 supports at --sr 22050: 686 of the bands")]
    [InlineData("mfcc", new[] { "--n-fft", "64" }, "--n-mels 128 is more than --n-fft 64 supports at --sr 22050")]
    [InlineData("mel", new[] { "--fmin", "0.0001" }, "--fmin must be 0 or at least 0.001 Hz; got 0.0001.")]
    [InlineData("cqt", new[] { "--fmin", "0" }, "--fmin must be at least 0.001 Hz; got 0.")]
    [InlineData("cqt", new[] { "--n-bins", "1000" }, "--n-bins 1000 at --bins-per-octave 12 from --fmin 32.7 Hz reaches")]
    [InlineData("mel", new[] { "--sr", "1" }, "--sr must be between 1000 and 768000 Hz; got 1.")]
    [InlineData("mel", new[] { "--fmax", "20000" }, "--fmax 20000 Hz must be at most the Nyquist frequency (11025 Hz at --sr 22050).")]
    [InlineData("mel", new[] { "--hop-length", "99999999999" }, "--hop-length")]
    public void OutOfRangeValuesAreRefusedNamingTheOption(string kind, string[] options, string expected)
    {
        var outPath = Path.Combine(Temp, "refused.npy");
        var (code, output, err) = Run(["features", Input, "--kind", kind, "--out", outPath, .. options]);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.StartsWith("musicml: error: ", err);
        Assert.Contains(expected, err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(outPath));
    }

    [Theory]
    [InlineData("--kind", "nonsense")]
    [InlineData("--n-fft", "0")]
    [InlineData("--out", "x.txt")]
    public void InvalidOptionsGiveOneLineAndUsageExit(string option, string value)
    {
        var args = new List<string> { "features", Input, "--kind", "mel", "--out", Path.Combine(Temp, "x.npy") };
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value; else args.AddRange([option, value]);
        var (code, _, err) = Run([.. args]);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("musicml: error:", err);
    }

    [Fact]
    public void BadInputFilesGiveOneLineAndFailureExit()
    {
        var empty = Path.Combine(Temp, "empty.wav");
        WavWriter.Write(empty, new AudioBuffer(Array.Empty<float>(), 22050));
        var text = Path.Combine(Temp, "text.wav");
        File.WriteAllText(text, "not audio");
        var headerOnly = Path.Combine(Temp, "header-only.wav");
        var bytes = File.ReadAllBytes(Input);
        File.WriteAllBytes(headerOnly, bytes[..(bytes.AsSpan().IndexOf("data"u8) + 8)]);
        foreach (var bad in new[] { empty, text, headerOnly })
        {
            var (code, _, err) = Run("features", bad, "--kind", "mel", "--out", Path.Combine(Temp, "bad.npy"));
            Assert.NotEqual(0, code);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("musicml: error:", err);
            Assert.DoesNotContain("   at ", err);
        }
        Assert.False(File.Exists(Path.Combine(Temp, "bad.npy")));
        var (missingCode, _, missingErr) = Run("features", Path.Combine(Temp, "missing.wav"), "--kind", "mel", "--out", Path.Combine(Temp, "bad.npy"));
        Assert.Equal(CommandLineApp.ExitUsage, missingCode);
        Assert.Contains("missing.wav", missingErr);
    }

    /// <summary>
    /// A WAV cut off after 4 096 bytes of samples (1 024 frames of float32 mono at 44.1 kHz, 0.023 s) is analysed as
    /// those frames, resampled to 22 050 Hz (512 samples, so 512 / 512 + 1 = 2 centred frames), with one warning line.
    /// </summary>
    [Fact]
    public void CutOffWavIsAnalysedUpToTheCutWithOneWarning()
    {
        var cut = Path.Combine(Temp, "cut.wav");
        var bytes = File.ReadAllBytes(Input);
        int dataStart = bytes.AsSpan().IndexOf("data"u8) + 8;
        File.WriteAllBytes(cut, bytes[..(dataStart + 4096)]);
        var outPath = Path.Combine(Temp, "cut.npy");
        var (code, _, err) = Run("features", cut, "--kind", "mel", "--out", outPath);
        Assert.Equal(0, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"musicml: warning: {cut}: truncated or damaged: decoded 0.023 s of the ", line);
        Assert.EndsWith(" s its header declares; using what was read.", line);
        Assert.Equal(new[] { 128, 2 }, NpyFile.Read(outPath).Shape);
    }
}
