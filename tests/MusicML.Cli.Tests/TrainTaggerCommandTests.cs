using System.Globalization;
using System.Text.Json;
using MusicML.Evaluation;
using MusicML.Tagging;
using MusicML.TestSupport;
using MusicML.Torch;

namespace MusicML.Cli.Tests;

/// <summary>
/// <c>musicml train tagger</c> and <c>musicml eval tagger</c> on six generated clips (<see cref="TaggedClips"/>), CRNN
/// at a 1.6 s crop so a run takes about a second: progress on stderr, a model <c>musicml tag</c> loads, eval numbers
/// equal to <see cref="TaggingEvaluation"/>'s on the same probabilities, and one error line for bad input.
/// </summary>
public sealed class TrainTaggerCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-train-tagger-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public void TrainsATaggerThatTagAndEvalUse()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not available");
        var (train, valid) = TaggedClips.Write(Path.Combine(_folder, "data"));
        var outDir = Path.Combine(_folder, "run");
        var (code, stdout, stderr) = CliRun.Run("train", "tagger", "--train", train, "--valid", valid, "--arch", "crnn",
            "--epochs", "2", "--batch-size", "2", "--lr", "3e-3", "--crop-seconds", "1.6", "--chunks", "2", "--out", outDir);
        Assert.True(code == 0, stderr);
        var epochLines = CliRun.Lines(stderr).Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, epochLines.Length);
        Assert.All(epochLines, l => Assert.Matches(@"^epoch \d/2  train loss \d\.\d{4}  valid ROC-AUC \d\.\d{4}  PR-AUC \d\.\d{4}  \d+\.\d s  \d+\.\d examples/s", l));
        Assert.Contains($"model: {Path.Combine(outDir, "best.safetensors")}", stdout);

        var (tagCode, tagOut, tagErr) = CliRun.Run("tag", Path.Combine(_folder, "data", "clips", "clip0.wav"), "--model", Path.Combine(outDir, "best.safetensors"));
        Assert.True(tagCode == 0, tagErr);
        Assert.Contains("low:", tagOut);

        // eval tagger: its CSV equals TaggingEvaluation on the track probabilities of Tagger.TagFile.
        var (evalCode, evalOut, evalErr) = CliRun.Run("eval", "tagger", "--model", outDir, "--manifest", valid, "--format", "csv");
        Assert.True(evalCode == 0, evalErr);
        var rows = CliRun.Lines(evalOut).Skip(1).Select(l => l.Split(',')).ToArray();
        using var tagger = Tagger.Load(Path.Combine(outDir, "best.safetensors"));
        var manifest = TagManifest.Read(valid);
        var relevant = manifest.Select(e => tagger.Config.Tags.Select(t => e.Tags.Contains(t)).ToArray()).ToArray();
        var scores = manifest.Select(e => tagger.TagFile(e.Path).Probabilities.Select(p => (double)p).ToArray()).ToArray();
        var perTag = TaggingEvaluation.RocAucPerTag(relevant, scores);
        for (int t = 0; t < tagger.Config.Tags.Count; t++)
        {
            Assert.Equal(tagger.Config.Tags[t], rows[t][0]);
            Assert.Equal(perTag[t], double.Parse(rows[t][2], CultureInfo.InvariantCulture), 1e-6);
        }
        Assert.Equal("macro", rows[^1][0]);
        Assert.Equal(TaggingEvaluation.MacroRocAuc(relevant, scores), double.Parse(rows[^1][2], CultureInfo.InvariantCulture), 1e-6);
        Assert.Equal(TaggingEvaluation.MacroAveragePrecision(relevant, scores), double.Parse(rows[^1][3], CultureInfo.InvariantCulture), 1e-6);

        var (jsonCode, jsonOut, _) = CliRun.Run("eval", "tagger", "--model", outDir, "--manifest", valid, "--format", "json");
        Assert.Equal(0, jsonCode);
        using var json = JsonDocument.Parse(jsonOut);
        Assert.Equal(6, json.RootElement.GetProperty("tracks").GetInt32());

        // --resume with a larger budget continues the same run.
        var (resumeCode, resumeOut, resumeErr) = CliRun.Run("train", "tagger", "--train", train, "--valid", valid, "--arch", "crnn",
            "--epochs", "3", "--batch-size", "2", "--lr", "3e-3", "--crop-seconds", "1.6", "--chunks", "2", "--out", outDir, "--resume");
        Assert.True(resumeCode == 0, resumeErr);
        Assert.Contains("resume:", resumeErr);
        Assert.Single(CliRun.Lines(resumeErr), l => l.StartsWith("epoch 3/3", StringComparison.Ordinal));
        Assert.Contains("epochs: 3", resumeOut);

        // models export publishes the run under a name that tag then takes as a path, with the same output.
        var published = Path.Combine(_folder, "published");
        var (exportCode, _, exportErr) = CliRun.Run("models", "export", outDir, "--name", "tiny_tones", "--out", published);
        Assert.True(exportCode == 0, exportErr);
        Assert.Matches(@"^musicml: exported .*best\.safetensors as .*tiny_tones\.safetensors \(sha256 [0-9a-f]{64}\)", Assert.Single(CliRun.Lines(exportErr)));
        var (againCode, againOut, againErr) = CliRun.Run("tag", Path.Combine(_folder, "data", "clips", "clip0.wav"), "--model", Path.Combine(published, "tiny_tones.safetensors"));
        Assert.True(againCode == 0, againErr);
        var (bestCode, bestOut, _) = CliRun.Run("tag", Path.Combine(_folder, "data", "clips", "clip0.wav"), "--model", Path.Combine(outDir, "best.safetensors"));
        Assert.Equal(0, bestCode);
        Assert.Equal(bestOut, againOut);
        var (missingCode, _, missingErr) = CliRun.Run("models", "export", Path.Combine(_folder, "nothing"), "--name", "x", "--out", published);
        Assert.Equal(2, missingCode);
        Assert.Contains("no such file", Assert.Single(CliRun.Lines(missingErr)));
    }

    [Fact]
    public void BadInputGivesOneErrorLine()
    {
        var (train, valid) = TaggedClips.Write(Path.Combine(_folder, "data"));
        var bad = Path.Combine(_folder, "bad.csv");
        File.WriteAllText(bad, "path,tags\nclips/a.wav;rock\n");

        var (code, _, err) = CliRun.Run("train", "tagger", "--train", bad, "--valid", valid, "--out", Path.Combine(_folder, "x"));
        Assert.NotEqual(0, code);
        Assert.Equal($"musicml: error: {bad}:2: expected 2 fields as in the header, got 1", Assert.Single(CliRun.Lines(err)));

        if (!TorchRuntime.IsCudaAvailable)
        {
            (code, _, err) = CliRun.Run("train", "tagger", "--train", train, "--valid", valid, "--device", "cuda", "--out", Path.Combine(_folder, "x"));
            Assert.Equal(2, code);
            Assert.StartsWith("musicml: error: --device cuda: CUDA is not available", Assert.Single(CliRun.Lines(err)));
        }

        (code, _, err) = CliRun.Run("train", "tagger", "--train", train, "--valid", valid, "--epochs", "0");
        Assert.Equal(2, code);
        Assert.Contains("--epochs", Assert.Single(CliRun.Lines(err)));

        (code, _, err) = CliRun.Run("eval", "tagger", "--model", Path.Combine(_folder, "nothing"), "--manifest", valid);
        Assert.Equal(2, code);
        Assert.Contains("--model", Assert.Single(CliRun.Lines(err)));

        // The annotation form of eval is unchanged: its options are still required without the subcommand.
        (code, _, err) = CliRun.Run("eval", "--ref", valid, "--est", valid);
        Assert.Equal(2, code);
        Assert.Contains("--task", err);
    }
}
