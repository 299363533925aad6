using System.Globalization;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;

namespace MusicML.Cli.Tests;

/// <summary><c>musicml onsets|beats|downbeats|tempo</c> run in-process on click loops whose rhythm is known exactly.</summary>
public class RhythmCommandTests
{
    private const int Rate = 22050;
    private static readonly string Root = CreateFiles();

    private static string P(string name) => Path.Combine(Root, name);

    /// <summary>Beat grid of the loops: 120 BPM from 0.5 s; a low kick marks every 4th beat (the downbeat).</summary>
    private static double[] Grid(double bpm, double duration) =>
        Enumerable.Range(0, (int)((duration - 0.7) * bpm / 60)).Select(i => 0.5 + i * 60.0 / bpm).ToArray();

    private static float[] Loop(double bpm, double duration)
    {
        var y = new float[(int)(duration * Rate)];
        var random = new Random(7);
        var grid = Grid(bpm, duration);
        for (int b = 0; b < grid.Length; b++)
        {
            int start = (int)Math.Round(grid[b] * Rate);
            for (int i = 0; i < 0.03 * Rate && start + i < y.Length; i++)
                y[start + i] += (float)(0.2 * Math.Exp(-i / (0.005 * Rate)) * (2 * random.NextDouble() - 1));
            if (b % 4 == 0)
                for (int i = 0; i < 0.4 * Rate && start + i < y.Length; i++)
                    y[start + i] += (float)(0.5 * Math.Exp(-i / (0.08 * Rate)) * Math.Sin(2 * Math.PI * 60 * i / Rate));
        }
        return y;
    }

    private static string CreateFiles()
    {
        var dir = Path.Combine(Path.GetTempPath(), "musicml-cli-rhythm-" + Environment.ProcessId);
        Directory.CreateDirectory(Path.Combine(dir, "set"));
        WavWriter.Write(Path.Combine(dir, "set", "loop120.wav"), new AudioBuffer(Loop(120, 12), Rate));
        WavWriter.Write(Path.Combine(dir, "set", "loop90.wav"), new AudioBuffer(Loop(90, 12), Rate));
        File.WriteAllText(Path.Combine(dir, "text.wav"), "hello, this is text");
        return dir;
    }

    private static (int Code, string[] Out, string[] Err) Run(params string[] args)
    {
        var (code, output, error) = CliRun.Run(args);
        return (code, CliRun.Lines(output), CliRun.Lines(error));
    }

    private static double[] Parse(IEnumerable<string> lines) => lines.Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void OnsetsOfOneFileGoToStandardOutputInSeconds()
    {
        var (code, output, error) = Run("onsets", P("set/loop120.wav"));
        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.All(output, line => Assert.Matches(@"^\d+\.\d{3}$", line));
        // Every click of the 120 BPM loop is an onset: 22 clicks, each found within 30 ms.
        var grid = Grid(120, 12);
        var onsets = Parse(output);
        Assert.Equal(grid.Length, onsets.Length);
        Assert.All(onsets.Zip(grid), p => Assert.InRange(p.First - p.Second, -0.03, 0.03));
    }

    [Fact]
    public void OutDirWritesOneFilePerInputWithTheTaskExtension()
    {
        var outDir = P("out-" + Guid.NewGuid().ToString("N"));
        foreach (var command in new[] { "onsets", "beats", "downbeats", "tempo" })
        {
            var (code, output, error) = Run(command, P("set"), "--out-dir", outDir);
            Assert.Equal(0, code);
            Assert.Empty(output);
            Assert.Empty(error);
        }
        // Known tempi: 120 and 90 BPM; the beats follow the grid within 70 ms (mir_eval's beat window).
        Assert.InRange(Parse(File.ReadAllLines(Path.Combine(outDir, "loop120.tempo")))[0], 117.6, 122.4);
        Assert.InRange(Parse(File.ReadAllLines(Path.Combine(outDir, "loop90.tempo")))[0], 88.2, 91.8);
        var beats = Parse(File.ReadAllLines(Path.Combine(outDir, "loop90.beats")));
        var grid = Grid(90, 12);
        Assert.True(beats.Length >= grid.Length - 1, $"{beats.Length} beats for {grid.Length} grid points");
        Assert.All(beats, b => Assert.True(grid.Any(g => Math.Abs(g - b) <= 0.07), $"beat {b} is off the grid"));
        var downbeats = Parse(File.ReadAllLines(Path.Combine(outDir, "loop120.downbeats")));
        Assert.All(downbeats, d => Assert.Contains(Grid120Downbeats, g => Math.Abs(g - d) <= 0.07));
        Assert.True(File.Exists(Path.Combine(outDir, "loop120.onsets")));
    }

    private static readonly double[] Grid120Downbeats = Grid(120, 12).Where((_, i) => i % 4 == 0).ToArray();

    [Fact]
    public void MirexTempoHasTwoTempiAndAStrength()
    {
        var (code, output, _) = Run("tempo", P("set/loop120.wav"), "--mirex");
        Assert.Equal(0, code);
        var fields = Parse(output.Single().Split(' '));
        Assert.Equal(3, fields.Length);
        Assert.InRange(fields[0], 117.6, 122.4);
        Assert.NotEqual(fields[0], fields[1]);
        Assert.InRange(fields[2], 0.0, 1.0);
    }

    [Fact]
    public void Both_rhythm_paths_find_the_loop_tempo_and_an_unknown_one_is_refused()
    {
        // The learned default and --rhythm dsp both read the 120 BPM click loop within 2 %.
        foreach (var rhythm in new[] { "learned", "dsp" })
        {
            var (code, output, _) = Run("tempo", P("set/loop120.wav"), "--rhythm", rhythm);
            Assert.Equal(0, code);
            Assert.InRange(Parse(output.Single().Split(' '))[0], 117.6, 122.4);
        }
        var (badCode, _, error) = Run("beats", P("set/loop120.wav"), "--rhythm", "neural");
        Assert.Equal(CommandLineApp.ExitUsage, badCode);
        Assert.Contains("neural", string.Join("\n", error));
    }

    [Fact]
    public void SeveralInputsWithoutOutDirAreAUsageError()
    {
        var (code, _, error) = Run("beats", P("set"));
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Contains("--out DIR", Assert.Single(error));
    }

    [Fact]
    public void BadFileIsNamedAndTheOthersAreStillWritten()
    {
        var outDir = P("out-" + Guid.NewGuid().ToString("N"));
        var (code, _, error) = Run("tempo", P("text.wav"), P("set/loop90.wav"), "--out-dir", outDir);
        Assert.Equal(CommandLineApp.ExitFailure, code);
        Assert.StartsWith($"musicml: error: {P("text.wav")}", Assert.Single(error));
        Assert.True(File.Exists(Path.Combine(outDir, "loop90.tempo")));
    }

    [Fact]
    public void InvalidTempoRangeIsAUsageErrorNamingTheValues()
    {
        var (code, _, error) = Run("tempo", P("set/loop90.wav"), "--min-bpm", "200", "--max-bpm", "100");
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Contains("minBpm (200)", Assert.Single(error));
    }
}
