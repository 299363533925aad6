using System.Globalization;
using System.Text.Json;
using MusicML.Cli.Infrastructure;
using MusicML.TestSupport;
using static MusicML.Cli.Tests.CliRun;

namespace MusicML.Cli.Tests;

/// <summary>
/// <c>musicml eval</c> run in-process. The onset fixtures are small enough to score by hand:
/// a: ref 1 2 3 4, est 1.01 2.2 3 4.04 → 3 of 4 within ±50 ms, so precision = recall = F = 0.75;
/// b: est = ref → 1. The mean row is therefore 0.875 for every column.
/// </summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("musicml-eval-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);


    private string Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private (string Ref, string Est) OnsetSet()
    {
        Write("ref/a.onsets", "1\n2\n3\n4\n");
        Write("ref/b.onsets", "1\n2\n");
        Write("ref/only_ref.onsets", "1\n");
        // Estimates in the generic MIREX .txt form still pair with NAME.onsets references by stem.
        Write("est/a.txt", "1.01\n2.2\n3\n4.04\n");
        Write("est/b.txt", "# a comment line\n1\n2\n");
        Write("est/only_est.txt", "5\n");
        return (Path.Combine(_root, "ref"), Path.Combine(_root, "est"));
    }

    [Fact]
    public void CsvHasOneRowPerMatchedStemAndAMeanRow()
    {
        var (reference, estimated) = OnsetSet();
        var (code, output, error) = Run("eval", "--task", "onsets", "--ref", reference, "--est", estimated, "--format", "csv");
        Assert.Equal(0, code);
        var lines = output.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("file,f_measure,precision,recall", lines[0]);
        Assert.Equal(["a", "b", "mean"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal([0.75, 0.75, 0.75], Values(lines[1]));
        Assert.Equal([1.0, 1.0, 1.0], Values(lines[2]));
        Assert.Equal([0.875, 0.875, 0.875], Values(lines[3]));
        // Unmatched files on either side are listed, not dropped.
        Assert.Contains("only_ref.onsets", error);
        Assert.Contains("only_est.txt", error);
    }

    [Fact]
    public void JsonListsScoresMeanAndUnmatchedFiles()
    {
        var (reference, estimated) = OnsetSet();
        var (code, output, _) = Run("eval", "--task", "onsets", "--ref", reference, "--est", estimated, "--format", "json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("onsets", root.GetProperty("task").GetString());
        Assert.Equal(0.875, root.GetProperty("mean").GetProperty("f_measure").GetDouble(), 12);
        Assert.Equal(2, root.GetProperty("files").GetArrayLength());
        Assert.Equal(0.75, root.GetProperty("files")[0].GetProperty("scores").GetProperty("recall").GetDouble(), 12);
        Assert.EndsWith("only_ref.onsets", root.GetProperty("unmatched_references")[0].GetString());
        Assert.EndsWith("only_est.txt", root.GetProperty("unmatched_estimates")[0].GetString());
    }

    [Fact]
    public void TableShowsFilesAndMean()
    {
        var (reference, estimated) = OnsetSet();
        var (code, output, _) = Run("eval", "--task", "onsets", "--ref", reference, "--est", estimated);
        Assert.Equal(0, code);
        Assert.Contains("f_measure", output);
        Assert.Matches(@"(?m)^a\s+0\.7500\s+0\.7500\s+0\.7500$", output);
        Assert.Matches(@"(?m)^mean\s+0\.8750\s+0\.8750\s+0\.8750$", output);
        Assert.Contains("2 file(s) scored, 1 reference(s) without estimate, 1 estimate(s) without reference.", output);
    }

    [Fact]
    public void MalformedLineIsReportedWithFileAndLineAndTheRestStillScored()
    {
        var (reference, estimated) = OnsetSet();
        Write("ref/c.onsets", "1\n");
        var bad = Write("est/c.txt", "1\nnot-a-time\n");
        var (code, output, error) = Run("eval", "--task", "onsets", "--ref", reference, "--est", estimated, "--format", "csv");
        Assert.Equal(CommandLineApp.ExitFailure, code);
        Assert.Contains($"{bad}:2:", error);
        Assert.Contains("not-a-time", error);
        Assert.Contains("\nmean,0.875,", output);
    }

    [Fact]
    public void TwoFilesArePairedAsGiven()
    {
        var reference = Write("one/ref.key", "C major\n");
        var estimated = Write("two/est.key", "G major\n");
        var (code, output, _) = Run("eval", "--task", "key", "--ref", reference, "--est", estimated, "--format", "csv");
        Assert.Equal(0, code);
        // G major against C major: the estimate is a fifth above the reference in the same mode → 0.5.
        Assert.Equal("ref,0.5", output.Split('\n')[1].TrimEnd('\r'));
    }

    [Fact]
    public void ChordGapIsScoredWithAWarningAndOverlappingChordsAreRefusedAsInMirEval()
    {
        // Reference C [0, 2], G [2, 4]. An estimate with a 0.5 s gap is accepted (mir_eval scores the gap with the chord
        // before it: majmin 1, overseg 1 − 0.5/4 = 0.875) and the adjustment is named on stderr; an estimate whose C runs
        // into the G is refused, because mir_eval's underseg raises "Chord Intervals must not overlap".
        var reference = Write("c/ref.lab", "0\t2\tC:maj\n2\t4\tG:maj\n");
        var gap = Write("c/gap.lab", "0\t1.5\tC:maj\n2\t4\tG:maj\n");
        var (code, output, error) = Run("eval", "--task", "chords", "--ref", reference, "--est", gap, "--format", "csv");
        Assert.Equal(0, code);
        var header = Lines(output)[0].Split(',');
        var row = Lines(output)[1].Split(',');
        Assert.Equal("1", row[Array.IndexOf(header, "majmin")]);
        Assert.Equal("0.875", row[Array.IndexOf(header, "overseg")]);
        Assert.Equal($"musicml: warning: {gap}: The estimate leaves 1 gap(s) between consecutive chords (0.5 s in all); as in mir_eval, each gap is scored with the chord before it.",
            Assert.Single(Lines(error)));

        var overlap = Write("c/overlap.lab", "0\t2.5\tC:maj\n2\t4\tG:maj\n");
        (code, output, error) = Run("eval", "--task", "chords", "--ref", reference, "--est", overlap);
        Assert.Equal(CommandLineApp.ExitFailure, code);
        Assert.Contains($"{overlap}: against {reference}: Estimated chord intervals overlap", error);
        Assert.Contains("Chord Intervals must not overlap", error);
    }

    [Fact]
    public void InvalidTempoIsAnErrorNamingTheFile()
    {
        var reference = Write("t/ref.tempo", "60\t120\t0.25\n");
        var estimated = Write("t/est.tempo", "60\t-120\t0.25\n");
        var (code, output, error) = Run("eval", "--task", "tempo", "--ref", reference, "--est", estimated);
        Assert.Equal(CommandLineApp.ExitFailure, code);
        Assert.Equal("", output);
        Assert.Contains($"{estimated}:1:", error);
        Assert.Contains("negative", error);
    }

    [Fact]
    public void UsageErrorsExitWithTwo()
    {
        var (code, _, error) = Run("eval", "--task", "nonsense", "--ref", _root, "--est", _root);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Contains("nonsense", error);
        var missing = Path.Combine(_root, "missing");
        (code, _, error) = Run("eval", "--task", "beats", "--ref", missing, "--est", _root);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Contains(missing, error);
    }

    [Fact]
    public void NothingMatchedIsAFailure()
    {
        Write("x/a.beats", "6\n");
        Write("y/b.beats", "6\n");
        var (code, _, error) = Run("eval", "--task", "beats", "--ref", Path.Combine(_root, "x"), "--est", Path.Combine(_root, "y"));
        Assert.Equal(CommandLineApp.ExitFailure, code);
        Assert.Contains("no beats annotations matched", error);
    }

    [Theory]
    [InlineData("beats")]
    [InlineData("onsets")]
    [InlineData("key")]
    [InlineData("chords")]
    public void SyntheticGroundTruthScoresPerfectlyAgainstItself(string task)
    {
        // ../shared/eval/synth holds 40 tracks' ground truth; every metric of these tasks is 1 for identical annotations
        // (the synth beats run well past the 5 s trim, so even Goto and the continuity scores are defined and perfect).
        var synth = SharedData.Path("eval", "synth");
        var (code, output, error) = Run("eval", "--task", task, "--ref", synth, "--est", synth, "--format", "csv");
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(42, lines.Length); // header + 40 tracks + mean
        foreach (var value in lines[^1].Split(',').Skip(1))
            Assert.Equal(1.0, double.Parse(value, CultureInfo.InvariantCulture), 12);
    }

    private static double[] Values(string csvLine) =>
        csvLine.Split(',').Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
