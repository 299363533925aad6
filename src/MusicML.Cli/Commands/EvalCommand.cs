using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Evaluation;
using MusicML.Tagging;
using MusicML.Torch;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml eval --task TASK --ref REF --est EST [--format table|csv|json]</c>: scores estimated annotations against
/// references with mir_eval's definitions, per file and as the mean over the set. REF and EST are files or directories
/// matched by stem; unmatched files and files that cannot be scored are listed on stderr (and in the JSON), never
/// dropped silently. Exit code 1 when any matched pair could not be scored.
/// <c>musicml eval tagger --model DIR|PATH --manifest TEST.csv [--format table|csv|json] [--device cpu|cuda]</c>: scores a
/// tagging model on a tag manifest (per-tag and macro ROC-AUC / PR-AUC, <see cref="TaggerEvaluator"/>).
/// </summary>
internal static class EvalCommand
{
    /// <summary>Builds the command; results go to <paramref name="context"/>.</summary>
    public static Command Create(CliContext context)
    {
        var taskNames = EvaluationTask.All.Select(t => t.Name).ToArray();
        var task = new Option<string>("--task")
        {
            Description = "What to score: " + string.Join("; ", EvaluationTask.All.Select(t => $"{t.Name} ({t.Description})")),
            Required = true,
        };
        task.AcceptOnlyFromAmong(taskNames);
        var reference = new Option<string>("--ref") { Description = "Reference annotation file, or a directory of them.", Required = true };
        var estimated = new Option<string>("--est") { Description = "Estimated annotation file, or a directory of them (matched to references by file stem).", Required = true };
        var format = new Option<string>("--format")
        {
            Description = "Output: an aligned table (default), CSV (header, one row per file, a last 'mean' row) or JSON.",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "csv", "json");

        var command = new Command("eval", "Score estimated annotations against references (onsets, beats, downbeats, tempo, key, chords, melody, segments, notes, tags) with mir_eval's metrics.")
        {
            task, reference, estimated, format,
        };
        command.SetAction(parse => Run(context, EvaluationTask.Get(parse.GetValue(task)!), parse.GetValue(reference)!, parse.GetValue(estimated)!, parse.GetValue(format)!));
        command.Subcommands.Add(CreateTagger(context));
        command.Subcommands.Add(SimilarityCommands.CreateEval(context));
        return command;
    }

    private static Command CreateTagger(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "A trained model's folder (its best.safetensors) or a weights file with its .json beside it.", Required = true };
        var manifest = new Option<string>("--manifest") { Description = "Test manifest: CSV with header path,tags (paths relative to the manifest, tags joined by ';').", Required = true };
        var format = new Option<string>("--format") { Description = "Output: an aligned table (default), CSV (one row per tag, a last 'macro' row) or JSON.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var device = new Option<string>("--device") { Description = "Where the network runs: cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var command = new Command("tagger", "Score a tagging model on a tag manifest: per-tag and macro ROC-AUC and PR-AUC of its track-level probabilities.")
        {
            model, manifest, format, device,
        };
        command.SetAction(parse => EvaluateTagger(context, parse.GetValue(model)!, parse.GetValue(manifest)!, parse.GetValue(format)!, parse.GetValue(device)!));
        return command;
    }

    private static int EvaluateTagger(CliContext context, string model, string manifest, string format, string deviceName)
    {
        var weights = Directory.Exists(model) ? Path.Combine(model, TaggerTraining.BestModelFileName) : model;
        if (!File.Exists(weights)) throw new CliUsageException($"--model {model}: no such weights file{(Directory.Exists(model) ? $" ({TaggerTraining.BestModelFileName} in the folder)" : "")}.");
        if (!File.Exists(manifest)) throw new CliUsageException($"--manifest {manifest}: no such file.");
        var device = deviceName == "cuda" ? Device.Cuda : Device.Cpu;
        if (device.IsCuda && !TorchRuntime.IsCudaAvailable)
            throw new CliUsageException("--device cuda: CUDA is not available here (no NVIDIA GPU/driver, or the libtorch the shim was built against is CPU-only; docs/cuda.md); use --device cpu.");
        using var tagger = Tagger.Load(weights, device);
        var scores = TaggerEvaluator.Evaluate(tagger, manifest, device.IsCuda ? Tagger.DefaultCudaBatchSize : Tagger.DefaultFilesBatchSize);
        var o = context.Output;
        switch (format)
        {
            case "csv":
                o.WriteLine("tag,positives,roc_auc,pr_auc");
                foreach (var t in scores.Tags) o.WriteLine($"{CsvLine.Quote(t.Tag)},{t.Positives},{Number(t.RocAuc)},{Number(t.PrAuc)}");
                o.WriteLine($"macro,,{Number(scores.MacroRocAuc)},{Number(scores.MacroPrAuc)}");
                break;
            case "json":
                static JsonNode? Value(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
                var root = new JsonObject
                {
                    ["model"] = weights,
                    ["manifest"] = manifest,
                    ["tracks"] = scores.Paths.Count,
                    ["scored_tags"] = scores.ScoredTagCount,
                    ["macro"] = new JsonObject { ["roc_auc"] = Value(scores.MacroRocAuc), ["pr_auc"] = Value(scores.MacroPrAuc) },
                    ["tags"] = new JsonArray(scores.Tags.Select(t => (JsonNode?)new JsonObject
                    {
                        ["tag"] = t.Tag, ["positives"] = t.Positives, ["roc_auc"] = Value(t.RocAuc), ["pr_auc"] = Value(t.PrAuc),
                    }).ToArray()),
                };
                o.WriteLine(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                break;
            default:
                var rows = new List<string[]> { new[] { "tag", "positives", "roc_auc", "pr_auc" } };
                foreach (var t in scores.Tags) rows.Add([t.Tag, t.Positives.ToString(CultureInfo.InvariantCulture), Rounded(t.RocAuc), Rounded(t.PrAuc)]);
                rows.Add(["macro", "", Rounded(scores.MacroRocAuc), Rounded(scores.MacroPrAuc)]);
                var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
                string Line(string[] cells) => string.Join("  ", cells.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd();
                var rule = string.Join("  ", widths.Select(w => new string('-', w)));
                o.WriteLine(Line(rows[0]));
                o.WriteLine(rule);
                for (int r = 1; r < rows.Count - 1; r++) o.WriteLine(Line(rows[r]));
                o.WriteLine(rule);
                o.WriteLine(Line(rows[^1]));
                o.WriteLine($"{scores.Paths.Count} track(s); {scores.ScoredTagCount} of {scores.Tags.Count} tags have positives and negatives and enter the macro means.");
                break;
        }
        return 0;
    }

    private static int Run(CliContext context, EvaluationTask task, string reference, string estimated, string format)
    {
        if (!File.Exists(reference) && !Directory.Exists(reference)) throw new CliUsageException($"--ref {reference}: no such file or directory.");
        if (!File.Exists(estimated) && !Directory.Exists(estimated)) throw new CliUsageException($"--est {estimated}: no such file or directory.");
        var result = Evaluator.EvaluateSet(task, reference, estimated);
        var scored = result.Files.Where(f => f.Scores is not null).ToArray();
        var failed = result.Files.Where(f => f.Error is not null).ToArray();

        foreach (var file in result.UnmatchedReferences) context.Warn($"{file}: reference has no estimate with the same stem; not scored.");
        foreach (var file in result.UnmatchedEstimates) context.Warn($"{file}: estimate has no reference with the same stem; not scored.");
        foreach (var file in scored)
            foreach (var warning in file.Scores!.Warnings) context.Warn($"{file.EstimatedPath}: {warning}");
        foreach (var file in failed) context.Error.WriteLine($"musicml: error: {CliErrors.OneLine(file.Error!)}");

        if (result.Files.Count == 0)
        {
            context.Error.WriteLine($"musicml: error: no {task.Name} annotations matched between {reference} and {estimated} " +
                                    $"(looked for {string.Join(", ", task.FileExtensions)}).");
            return CommandLineApp.ExitFailure;
        }

        // Every pair failed: the reasons are on stderr, and a table of nothing but an undefined mean would only mislead.
        if (scored.Length == 0) return CommandLineApp.ExitFailure;

        switch (format)
        {
            case "csv": WriteCsv(context.Output, task, scored, result.Mean); break;
            case "json": WriteJson(context.Output, result); break;
            default: WriteTable(context.Output, task, scored, result.Mean, result); break;
        }
        return failed.Length > 0 ? CommandLineApp.ExitFailure : 0;
    }

    /// <summary>Writes the CSV scores: a header of mir_eval metric names, one row per scored file, a last <c>mean</c> row.</summary>
    internal static void WriteCsv(TextWriter output, EvaluationTask task, IReadOnlyList<FileEvaluation> files, IReadOnlyDictionary<string, double> mean)
    {
        output.WriteLine(string.Join(',', new[] { "file" }.Concat(task.MetricNames).Select(CsvLine.Quote)));
        foreach (var file in files)
            output.WriteLine(string.Join(',', new[] { CsvLine.Quote(file.Stem) }.Concat(task.MetricNames.Select(m => Number(file.Scores![m])))));
        output.WriteLine(string.Join(',', new[] { "mean" }.Concat(task.MetricNames.Select(m => Number(mean[m])))));
    }

    private static void WriteJson(TextWriter output, SetEvaluation result)
    {
        static JsonNode? Value(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
        var files = new JsonArray();
        foreach (var file in result.Files)
        {
            var entry = new JsonObject { ["file"] = file.Stem, ["reference"] = file.ReferencePath, ["estimate"] = file.EstimatedPath };
            if (file.Scores is not null)
            {
                var scores = new JsonObject();
                foreach (var s in file.Scores) scores[s.Name] = Value(s.Value);
                entry["scores"] = scores;
            }
            else entry["error"] = file.Error;
            files.Add(entry);
        }
        var mean = new JsonObject();
        foreach (var (name, value) in result.Mean) mean[name] = Value(value);
        var root = new JsonObject
        {
            ["task"] = result.Task.Name,
            ["files"] = files,
            ["mean"] = mean,
            ["scored"] = result.Files.Count(f => f.Scores is not null),
            ["unmatched_references"] = new JsonArray(result.UnmatchedReferences.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            ["unmatched_estimates"] = new JsonArray(result.UnmatchedEstimates.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
        };
        output.WriteLine(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Writes the aligned score table with its mean row and a one-line account of what was not scored.</summary>
    internal static void WriteTable(TextWriter output, EvaluationTask task, IReadOnlyList<FileEvaluation> files, IReadOnlyDictionary<string, double> mean, SetEvaluation result)
    {
        var rows = new List<string[]> { new[] { "file" }.Concat(task.MetricNames).ToArray() };
        foreach (var file in files) rows.Add(new[] { file.Stem }.Concat(task.MetricNames.Select(m => Rounded(file.Scores![m]))).ToArray());
        rows.Add(new[] { "mean" }.Concat(task.MetricNames.Select(m => Rounded(mean[m]))).ToArray());
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd();
        output.WriteLine(Line(rows[0]));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        for (int r = 1; r < rows.Count - 1; r++) output.WriteLine(Line(rows[r]));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        output.WriteLine(Line(rows[^1]));
        var summary = new StringBuilder($"{files.Count} file(s) scored");
        int failed = result.Files.Count - files.Count;
        if (failed > 0) summary.Append($", {failed} failed");
        if (result.UnmatchedReferences.Count > 0) summary.Append($", {result.UnmatchedReferences.Count} reference(s) without estimate");
        if (result.UnmatchedEstimates.Count > 0) summary.Append($", {result.UnmatchedEstimates.Count} estimate(s) without reference");
        output.WriteLine(summary.Append('.').ToString());
    }

    private static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Rounded(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.0000", CultureInfo.InvariantCulture);
}
