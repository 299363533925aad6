using System.Globalization;
using System.Text.Json;
using MusicML.Learning;
using MusicML.Mir.Analysis;
using MusicML.TestSupport;

namespace MusicML.Cli.Tests;

/// <summary>
/// <c>features summary</c> → <c>train classifier --features</c> → <c>predict</c> end to end on the four audio-samples/
/// clips (12 s each), the old <c>features INPUT --kind</c> usage beside the new subcommand, bad files reported and
/// skipped, and predict refusing a model trained on another table.
/// </summary>
public sealed class SummaryCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-summary-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Samples => SharedData.RepoPath("audio-samples");

    private static readonly string[] Clips =
        ["band_A_minor_100bpm.wav", "chords_C_major_150bpm.wav", "drums_bass_120bpm.wav", "melody_G_major_100bpm.wav"];

    /// <summary>The summary table of the four clips (computed once per test class instance).</summary>
    private string Summaries()
    {
        var table = Path.Combine(_folder, "summary.csv");
        var (code, _, error) = CliRun.Run("features", "summary", Samples, "--out", table, "--jobs", "2");
        Assert.True(code == 0, error);
        return table;
    }

    /// <summary>A manifest in the clips' folder style: file names relative to it, a text column, and a label.</summary>
    private string Manifest()
    {
        var manifest = Path.Combine(_folder, "manifest.csv");
        // Labels: "fast" for 120 BPM and up; two of each so that 2-fold stratified CV can run.
        File.WriteAllText(manifest, "file,notes,speed\n" +
            $"{Path.Combine(Samples, Clips[0])},band in A minor,slow\n" +
            $"{Path.Combine(Samples, Clips[1])},chords,fast\n" +
            $"{Clips[2]},only the name,fast\n" +
            $"{Path.Combine(Samples, Clips[3])},melody,slow\n");
        return manifest;
    }

    [Fact]
    public void SummaryTableHasOneRowPerTrackWithTheDocumentedHeader()
    {
        var table = Summaries();
        var lines = File.ReadAllLines(table);
        Assert.Equal(string.Join(',', TrackSummarizer.Names.Prepend("path")), lines[0]);
        Assert.Equal(Clips.Length + 1, lines.Length);
        var read = FeatureTable.ReadCsv(table);
        Assert.Equal(TrackSummarizer.Names, read.FeatureNames);
        Assert.Equal(Clips.Select(c => Path.Combine(Samples, c)), read.Ids);
        // The CLI's row is the library's vector for the file.
        var direct = new TrackSummarizer().Summarize(Path.Combine(Samples, Clips[1]));
        for (int c = 0; c < direct.Values.Count; c++) Assert.Equal(direct.Values[c], read.Features[1, c]);
    }

    [Fact]
    public void TheOldSingleFileUsageStillWorksBesideTheSubcommand()
    {
        var npy = Path.Combine(_folder, "rms.npy");
        var (code, _, error) = CliRun.Run("features", Path.Combine(Samples, Clips[0]), "--kind", "rms", "--out", npy);
        Assert.True(code == 0, error);
        Assert.True(new FileInfo(npy).Length > 128);
        var (missing, _, usage) = CliRun.Run("features", Path.Combine(Samples, Clips[0]), "--out", npy);
        Assert.Equal(2, missing);
        Assert.Contains("--kind", usage);
    }

    [Fact]
    public void ABadFileIsReportedOnceAndSkippedWithExitCodeOne()
    {
        var bad = Path.Combine(_folder, "broken.wav");
        File.WriteAllText(bad, "not a wav file at all");
        var table = Path.Combine(_folder, "partial.csv");
        var (code, _, error) = CliRun.Run("features", "summary", bad, Path.Combine(Samples, Clips[2]), "--out", table);
        Assert.Equal(1, code);
        var errors = CliRun.Lines(error);
        Assert.Single(errors);
        Assert.Contains("broken.wav", errors[0]);
        Assert.Equal(2, File.ReadAllLines(table).Length);
        var (jobs, _, jobsError) = CliRun.Run("features", "summary", bad, "--jobs", "0");
        Assert.Equal(2, jobs);
        Assert.Contains("--workers", jobsError);
    }

    [Fact]
    public void TrainOnTheSummaryTableWithAManifestThenPredictLabelsTheTracks()
    {
        var table = Summaries();
        var manifest = Manifest();
        var model = Path.Combine(_folder, "model.json");
        var (code, output, error) = CliRun.Run("train", "classifier", "--algo", "logreg", "--features", table, "--manifest", manifest,
            "--label", "speed", "--cv", "2", "--out", model);
        Assert.True(code == 0, error);
        Assert.Contains($"features: {TrackSummarizer.FeatureSet}", output);
        Assert.Contains("4 rows, 98 features, label 'speed' with 2 classes", output);
        Assert.Contains("2-fold cross-validation: accuracy", output);
        Assert.Equal(TrackSummarizer.FeatureSet, ModelFile.Load<NamedClassifier>(model).FeatureSet);

        var (tsvCode, tsv, tsvError) = CliRun.Run("predict", "--model", model, Samples);
        Assert.True(tsvCode == 0, tsvError);
        var rows = CliRun.Lines(tsv).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(Clips.Select(c => Path.Combine(Samples, c)), rows.Select(r => r[0]));
        // Refitted on all four rows, logistic regression reproduces its training labels.
        Assert.Equal(["slow", "fast", "fast", "slow"], rows.Select(r => r[1]));

        var (jsonCode, json, _) = CliRun.Run("predict", "--model", model, "--format", "json", Path.Combine(Samples, Clips[0]));
        Assert.Equal(0, jsonCode);
        var record = JsonDocument.Parse(json).RootElement[0];
        Assert.Equal("slow", record.GetProperty("label").GetString());
        var p = record.GetProperty("probabilities");
        Assert.Equal(1.0, p.GetProperty("fast").GetDouble() + p.GetProperty("slow").GetDouble(), 9);

        var (csvCode, csv, _) = CliRun.Run("predict", "--model", model, "--format", "csv", Path.Combine(Samples, Clips[1]));
        Assert.Equal(0, csvCode);
        var csvLines = CliRun.Lines(csv);
        Assert.Equal("path,label,p_fast,p_slow", csvLines[0]);
        Assert.StartsWith(Path.Combine(Samples, Clips[1]) + ",fast,", csvLines[1]);

        // A broken input is reported and skipped; the others are still labelled.
        var bad = Path.Combine(_folder, "broken.wav");
        File.WriteAllText(bad, "RIFF garbage");
        var (badCode, badOut, badError) = CliRun.Run("predict", "--model", model, bad, Path.Combine(Samples, Clips[3]));
        Assert.Equal(1, badCode);
        Assert.Single(CliRun.Lines(badOut));
        Assert.Contains("broken.wav", badError);
    }

    [Fact]
    public void PredictRefusesAModelTrainedOnAnotherFeatureTable()
    {
        // A model trained on a hand-made table (two made-up columns) records no feature set.
        var table = Path.Combine(_folder, "custom.csv");
        File.WriteAllText(table, "path,loudness,brightness,genre\n" + string.Join("\n", Enumerable.Range(0, 8).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"t{i}.wav,{i * 0.5},{(i % 2) * 3 + i * 0.1},{(i % 2 == 0 ? "a" : "b")}"))) + "\n");
        var model = Path.Combine(_folder, "custom.json");
        var (code, _, error) = CliRun.Run("train", "classifier", "--algo", "knn", "--param", "k=1", "--manifest", table, "--label", "genre", "--cv", "2", "--out", model);
        Assert.True(code == 0, error);
        var (refused, output, message) = CliRun.Run("predict", "--model", model, Path.Combine(Samples, Clips[0]));
        Assert.Equal(1, refused);
        Assert.Empty(output);
        Assert.Contains("custom.json", message);
        Assert.Contains("unknown provenance", message);
        Assert.Contains(TrackSummarizer.FeatureSet, message);

        // One claiming another version of the summary set is refused too, naming both.
        var text = File.ReadAllText(model).Replace("\"featureSet\": null", "\"featureSet\": \"musicml.summary/0\"", StringComparison.Ordinal);
        Assert.Contains("musicml.summary/0", text);
        File.WriteAllText(model, text);
        var (old, _, oldMessage) = CliRun.Run("predict", "--model", model, Path.Combine(Samples, Clips[0]));
        Assert.Equal(1, old);
        Assert.Contains("'musicml.summary/0'", oldMessage);
    }
}
