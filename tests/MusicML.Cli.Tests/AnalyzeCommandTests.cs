using System.Globalization;
using System.Text.Json;
using MusicML.Mir.Analysis;
using MusicML.Audio;
using MusicML.Cli.Commands;
using MusicML.Cli.Infrastructure;
using MusicML.TestSupport;
using MusicML.Torch;

namespace MusicML.Cli.Tests;

/// <summary>
/// <c>musicml analyze</c> run in-process on the generated clips of audio-samples/ (ground truth in the files beside
/// them): output shapes, bad files skipped with one line each and exit 1, per-file outputs, and the HTML report
/// opened in headless Chromium.
/// </summary>
public class AnalyzeCommandTests
{
    private static string Sample(string name) => Path.Combine(SharedData.RepoRoot, "audio-samples", name);

    private static readonly string Band = Sample("band_A_minor_100bpm.wav");
    private static readonly string Chords = Sample("chords_C_major_150bpm.wav");

    private static (int Code, string Out, string[] Err) Run(params string[] args)
    {
        var (code, output, error) = CliRun.Run(args);
        return (code, output, CliRun.Lines(error));
    }

    private static string TempDir() => Directory.CreateTempSubdirectory("musicml-analyze-").FullName;

    [Fact]
    public void OneFileGivesOneJsonObjectWithEveryTask()
    {
        var (code, output, error) = Run("analyze", Band);
        Assert.Equal(0, code);
        Assert.Empty(error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal(Band, root.GetProperty("file").GetString());
        Assert.Equal(12.2, root.GetProperty("duration").GetDouble(), 3); // the generator's clip length
        Assert.Equal(22050, root.GetProperty("sample_rate").GetInt32());
        // The clip is 100 BPM in A minor, 4/4 (audio-samples/README.md).
        Assert.InRange(root.GetProperty("tempo").GetProperty("t1").GetDouble(), 98, 102);
        Assert.True(root.GetProperty("tempo").TryGetProperty("t2", out _));
        Assert.InRange(root.GetProperty("tempo").GetProperty("s").GetDouble(), 0, 1);
        Assert.Equal("4/4", root.GetProperty("meter").GetString());
        Assert.Equal("A minor", root.GetProperty("key").GetProperty("label").GetString());
        Assert.InRange(root.GetProperty("tuning_cents").GetDouble(), -10, 10);
        Assert.Equal(17, root.GetProperty("beats").GetArrayLength()); // 17 annotated beats, all found (beat F 1.000)
        Assert.True(root.GetProperty("onsets").GetArrayLength() >= 30);
        Assert.True(root.GetProperty("downbeats").GetArrayLength() >= 4);
        var chords = root.GetProperty("chords").EnumerateArray().ToArray();
        Assert.Equal(0, chords[0].GetProperty("start").GetDouble());
        Assert.Equal(12.2, chords[^1].GetProperty("end").GetDouble(), 3);
        var segments = root.GetProperty("segments").EnumerateArray().ToArray();
        Assert.Equal(0, segments[0].GetProperty("start").GetDouble());
        Assert.Equal("A", segments[0].GetProperty("label").GetString()); // the first section is always A
    }

    [Fact]
    public void SeveralFilesGiveAnArrayAndCsvRowsInInputOrder()
    {
        var (code, output, _) = Run("analyze", Chords, Band, "--tasks", "tempo,key");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var files = json.RootElement.EnumerateArray().Select(e => e.GetProperty("file").GetString()!).ToArray();
        Assert.Equal([Chords, Band], files);
        // Only tempo and key were asked for: no beats, chords or tuning were computed.
        Assert.Empty(json.RootElement[0].GetProperty("beats").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, json.RootElement[0].GetProperty("tuning_cents").ValueKind);

        // The DSP rhythm path here: the learned one reads this chord clip at 75 BPM, half its tempo (a known miss,
        // docs/accuracy.md), and the rows are identified by its 150 BPM and 32 beats.
        var (csvCode, csv, _) = Run("analyze", Chords, Band, "--format", "csv", "--jobs", "2", "--rhythm", "dsp");
        Assert.Equal(0, csvCode);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal(string.Join(',', AnalysisRecords.CsvColumns), lines[0]);
        var chordsRow = lines[1].Split(',');
        var bandRow = lines[2].Split(',');
        Assert.All(lines, l => Assert.Equal(AnalysisRecords.CsvColumns.Count, l.Split(',').Length));
        string Field(string[] row, string column) => row[IndexOf(AnalysisRecords.CsvColumns, column)];
        Assert.Equal(Chords, Field(chordsRow, "file"));
        Assert.Equal("C major", Field(chordsRow, "key"));
        Assert.Equal("A minor", Field(bandRow, "key"));
        Assert.InRange(double.Parse(Field(chordsRow, "tempo"), CultureInfo.InvariantCulture), 147, 153);
        Assert.Equal("32", Field(chordsRow, "n_beats")); // 32 annotated beats at 150 BPM
        Assert.StartsWith("C:maj", Field(chordsRow, "main_chords")); // I–IV–V–I: C sounds longest
    }

    [Fact]
    public void BadFilesAreReportedOnceEachAndSkipped()
    {
        var dir = TempDir();
        File.Copy(Chords, Path.Combine(dir, "good.wav"));
        File.WriteAllText(Path.Combine(dir, "text.wav"), "this is not audio");
        File.WriteAllBytes(Path.Combine(dir, "truncated.wav"), File.ReadAllBytes(Chords)[..30]);
        var outDir = Path.Combine(dir, "out") + "/";
        var (code, output, error) = Run("analyze", dir, "--format", "csv", "--out", outDir);
        Assert.Equal(CommandLineApp.ExitFailure, code);
        Assert.Empty(output);
        Assert.Equal(2, error.Length);
        Assert.Contains(error, l => l.StartsWith("musicml: error: ", StringComparison.Ordinal) && l.Contains(Path.Combine(dir, "text.wav")));
        Assert.Contains(error, l => l.StartsWith("musicml: error: ", StringComparison.Ordinal) && l.Contains(Path.Combine(dir, "truncated.wav")));
        var rows = File.ReadAllLines(Path.Combine(outDir, "analysis.csv"));
        Assert.Equal(2, rows.Length); // header and the good file
        Assert.StartsWith(Path.Combine(dir, "good.wav") + ",", rows[1]);
    }

    [Fact]
    public void InvalidOptionsAreUsageErrors()
    {
        Assert.Equal(CommandLineApp.ExitUsage, Run("analyze", Band, "--tasks", "beats,colour").Code);
        Assert.Equal(CommandLineApp.ExitUsage, Run("analyze", Band, "--jobs", "0").Code);
        Assert.Equal(CommandLineApp.ExitUsage, Run("analyze", Band, "--format", "xml").Code);
        var (code, _, error) = Run("analyze", "/no/such/dir");
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Contains("/no/such/dir", Assert.Single(error));
    }

    [Fact]
    public void OutDirGetsOneJsonPerFileAndReportDirAPagePerFileThatRendersInChromium()
    {
        var dir = TempDir();
        var outDir = Path.Combine(dir, "json") + "/";
        var reportDir = Path.Combine(dir, "report");
        var (code, output, error) = Run("analyze", Band, Chords, "--out", outDir, "--report", reportDir);
        Assert.Equal(0, code);
        Assert.Empty(output);
        Assert.Empty(error);
        foreach (var stem in new[] { "band_A_minor_100bpm", "chords_C_major_150bpm" })
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, stem + ".json")));
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
            Assert.True(File.Exists(Path.Combine(reportDir, stem + ".html")));
        }
        var index = File.ReadAllText(Path.Combine(reportDir, "index.html"));
        Assert.Contains("href=\"band_A_minor_100bpm.html\"", index);
        Assert.Contains("C major", index);

        var page = Path.Combine(reportDir, "band_A_minor_100bpm.html");
        var html = File.ReadAllText(page);
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("A minor", html);
        Assert.Contains("4/4", html);
        HeadlessChromium.AssertRendersCleanly(page);
    }

    [Fact]
    public void EqualFileNamesInDifferentFoldersKeepTheirSubFoldersInsteadOfOverwritingEachOther()
    {
        // Before: "musicml key a/x.wav b/x.wav --out-dir o" exited 0 and left one x.key. Now each output keeps its
        // path under the inputs' common folder, for the per-file commands and analyze alike.
        var root = TempDir();
        foreach (var (folder, source) in new[] { ("a", Band), ("b", Chords) })
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
            File.Copy(source, Path.Combine(root, folder, "x.wav"));
        }
        string a = Path.Combine(root, "a", "x.wav"), b = Path.Combine(root, "b", "x.wav");
        var keys = Path.Combine(root, "keys");
        Assert.Equal(0, Run("key", a, b, "--out", keys).Code);
        Assert.Equal("A minor", File.ReadAllText(Path.Combine(keys, "a", "x.key")).Trim());
        Assert.Equal("C major", File.ReadAllText(Path.Combine(keys, "b", "x.key")).Trim());
        Assert.Equal(0, Run("key", Path.Combine(root, "a"), Path.Combine(root, "b"), "--out-dir", Path.Combine(root, "old-spelling")).Code);
        Assert.True(File.Exists(Path.Combine(root, "old-spelling", "b", "x.key")));
        // chords --beats DIR reads what beats --out DIR wrote for the same track, sub-folder and all.
        var beats = Path.Combine(root, "beats");
        Assert.Equal(0, Run("beats", a, b, "--out", beats, "--rhythm", "dsp").Code);
        var chords = Path.Combine(root, "chords");
        var (chordsCode, _, chordsError) = Run("chords", a, b, "--beats", beats, "--out", chords);
        Assert.True(chordsCode == 0, string.Join("\n", chordsError));
        var chordLines = File.ReadAllLines(Path.Combine(chords, "b", "x.chords.lab"));
        // Chords change only on beats: the second segment starts at a beat of b/x.wav's own list (to the chroma's
        // 1024-sample frame, 46 ms, that the boundary is snapped to).
        var beatTimes = File.ReadAllLines(Path.Combine(beats, "b", "x.beats")).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToList();
        var secondStart = double.Parse(chordLines[1].Split(' ', '\t')[0], CultureInfo.InvariantCulture);
        Assert.Contains(beatTimes, t => Math.Abs(t - secondStart) < 1024.0 / 22050);

        var json = Path.Combine(root, "json") + "/";
        Assert.Equal(0, Run("analyze", a, b, "--tasks", "key", "--no-tags", "--out", json).Code);
        using var first = JsonDocument.Parse(File.ReadAllText(Path.Combine(json, "a", "x.json")));
        using var second = JsonDocument.Parse(File.ReadAllText(Path.Combine(json, "b", "x.json")));
        Assert.Equal("A minor", first.RootElement.GetProperty("key").GetProperty("label").GetString());
        Assert.Equal("C major", second.RootElement.GetProperty("key").GetProperty("label").GetString());
    }

    private static int IndexOf(IReadOnlyList<string> columns, string column) => columns.ToList().IndexOf(column);

    [SkippableFact]
    public void TheDefaultTaggersTopTagsAreInJsonCsvAndTheReportUnlessNoTags()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available, so analyze runs without tags");
        Skip.IfNot(SharedData.Has("eval", "synth", "synth_008.wav"), "../shared/eval/synth is not available");
        // synth_008 is guitar;bass;strings;drums;minor;medium; the bundled model ranks drums and tempo class perfectly
        // on ../shared/eval/synth (ROC-AUC 1.000 and 0.95; models/README.md), so both are among its top five here.
        var clip = SharedData.Path("eval", "synth", "synth_008.wav");
        var (code, output, error) = Run("analyze", clip, "--tasks", "tempo");
        Assert.Equal(0, code);
        Assert.Empty(error);
        using var json = JsonDocument.Parse(output);
        var tags = json.RootElement.GetProperty("tags").EnumerateArray()
            .Select(t => (Tag: t.GetProperty("tag").GetString()!, P: t.GetProperty("probability").GetDouble())).ToArray();
        Assert.Equal(AnalyzeCommand.TopTagCount, tags.Length);
        Assert.Equal(tags.OrderByDescending(t => t.P).Select(t => t.Tag), tags.Select(t => t.Tag)); // most probable first
        Assert.All(tags, t => Assert.InRange(t.P, 0, 1));
        Assert.Contains("drums", tags.Select(t => t.Tag));
        Assert.Contains("medium", tags.Select(t => t.Tag));

        var (_, csv, _) = Run("analyze", clip, "--tasks", "tempo", "--format", "csv");
        var row = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Split(',');
        var field = row[IndexOf(AnalysisRecords.CsvColumns, "tags")];
        Assert.Equal(string.Join(' ', tags.Select(t => $"{t.Tag}:{t.P.ToString("F3", CultureInfo.InvariantCulture)}")), field);

        var report = TempDir();
        Assert.Equal(0, Run("analyze", clip, "--tasks", "tempo", "--report", report).Code);
        Assert.Contains($"({BundledModels.DefaultTagger})", File.ReadAllText(Path.Combine(report, "synth_008.html")));

        var (skipped, untagged, _) = Run("analyze", clip, "--tasks", "tempo", "--no-tags");
        Assert.Equal(0, skipped);
        using var plain = JsonDocument.Parse(untagged);
        Assert.Equal(JsonValueKind.Null, plain.RootElement.GetProperty("tags").ValueKind);
    }

    [SkippableFact]
    public void SilenceGetsNoTags()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available, so analyze runs without tags");
        // A confident tag on silence would be a wrong answer: the analysis has no estimate, and the tag list is empty.
        var path = Path.Combine(TempDir(), "silence.wav");
        WavWriter.Write(path, new AudioBuffer([new float[22050 * 10]], 22050));
        var (code, output, _) = Run("analyze", path);
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("no_estimate").ValueKind);
        Assert.Empty(json.RootElement.GetProperty("tags").EnumerateArray());
    }

    [SkippableFact]
    public void ARecordingShorterThanTheTaggersInputIsAnalysedWithoutTags()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available, so analyze runs without tags");
        // 3 s of the band clip: enough for tempo, shorter than musicml_synth's 4 s chunk; the file must not fail.
        var path = Path.Combine(TempDir(), "short.wav");
        var band = AudioFile.Load(Band);
        WavWriter.Write(path, new AudioBuffer([band.Channel(0)[..(3 * band.SampleRate)].ToArray()], band.SampleRate));
        var (code, output, _) = Run("analyze", path, "--tasks", "tempo");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Empty(json.RootElement.GetProperty("tags").EnumerateArray());
    }

    [SkippableFact]
    public void EveryFileOfARunIsTaggedInInputOrderAfterTheAnalyses()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available, so analyze runs without tags");
        // The tags are computed for all files together once every analysis is done (one stream through the network);
        // each file must still get exactly its own tags, the short one none, in the per-file JSON of --out DIR.
        var dir = TempDir();
        var shortPath = Path.Combine(dir, "short.wav");
        var band = AudioFile.Load(Band);
        WavWriter.Write(shortPath, new AudioBuffer([band.Channel(0)[..(3 * band.SampleRate)].ToArray()], band.SampleRate));
        var outDir = Path.Combine(dir, "out") + "/";
        Assert.Equal(0, Run("analyze", Chords, shortPath, Band, "--tasks", "tempo", "--out", outDir).Code);

        static string TagsOf(string json) => JsonDocument.Parse(json).RootElement.GetProperty("tags").GetRawText();
        Assert.Equal("[]", TagsOf(File.ReadAllText(Path.Combine(outDir, "short.json"))));
        foreach (var clip in new[] { Chords, Band })
        {
            var alone = Run("analyze", clip, "--tasks", "tempo");
            Assert.Equal(0, alone.Code);
            Assert.NotEqual("[]", TagsOf(alone.Out));
            Assert.Equal(TagsOf(alone.Out), TagsOf(File.ReadAllText(Path.Combine(outDir, Path.GetFileNameWithoutExtension(clip) + ".json"))));
        }
    }
}
