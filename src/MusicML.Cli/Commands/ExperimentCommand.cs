using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusicML.Audio;
using MusicML.Cli.Experiments;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Evaluation;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml experiment --task TASK --data DIR --out DIR [--algorithm NAME] [--param name=value ...]
/// [--format table|csv|json] [--jobs N]</c>: runs one algorithm of <see cref="ExperimentAlgorithms"/> over every audio
/// file in DIR (recursive) that has a reference annotation for the task beside it — paired by stem exactly as
/// <c>musicml eval</c> pairs files — and scores each estimate with the evaluation registry. Writes
/// OUT/estimates/&lt;stem&gt;&lt;ext&gt; (the task command's format), OUT/scores.csv (<c>musicml eval</c>'s CSV: one row
/// per file and a mean row) and OUT/summary.json (task, algorithm, parameters, dataset, date, means, failures), then
/// prints the table. Audio without a reference, references without audio and files that fail are listed, never
/// dropped; the run goes on, and exits 1 when any file failed.
/// </summary>
internal static class ExperimentCommand
{
    /// <summary>Builds the command; results go to <paramref name="context"/>.</summary>
    public static Command Create(CliContext context)
    {
        var task = new Option<string>("--task")
        {
            Description = "What to run and score: " + string.Join("; ", ExperimentAlgorithms.All.Select(t =>
                $"{t.Task} (algorithms {string.Join(", ", t.Algorithms.Select(a => a.Name))}; default {t.Default.Name})")),
            Required = true,
        };
        task.AcceptOnlyFromAmong([.. ExperimentAlgorithms.All.Select(t => t.Task)]);
        var data = new Option<string>("--data") { Description = "Dataset directory: audio files with reference annotations beside them (NAME.wav + NAME.beats), searched recursively.", Required = true };
        var outDir = new Option<string>("--out") { Description = "Results directory (created): estimates/, scores.csv, summary.json.", Required = true };
        var algorithm = new Option<string?>("--algorithm") { Description = "Algorithm name (default: the task's default; see --task)." };
        var parameters = new Option<string[]>("--param")
        {
            Description = "Algorithm setting as name=value, repeatable (names as the library's properties: minBpm, threshold, ...; an unknown name lists the valid ones).",
        };
        var format = new Option<string>("--format") { Description = "Printed output: aligned table (default), CSV, or the summary JSON.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var jobs = WorkersOption.Create("Files processed in parallel (default 1).");

        var command = new Command("experiment", "Run an algorithm over a dataset directory and score it against the references beside the audio: estimates, per-file scores and a summary in one go.")
        {
            task, data, outDir, algorithm, parameters, format, jobs,
        };
        command.SetAction(parse => Run(context, new Settings(
            parse.GetValue(task)!, parse.GetValue(data)!, parse.GetValue(outDir)!, parse.GetValue(algorithm),
            parse.GetValue(parameters) ?? [], parse.GetValue(format)!, parse.GetValue(jobs))));
        return command;
    }

    private sealed record Settings(string Task, string Data, string Out, string? Algorithm, string[] Parameters, string Format, int Jobs);

    /// <summary>One audio file paired with its reference.</summary>
    private sealed record Item(string Stem, string AudioPath, string ReferencePath, string EstimatePath);

    private static int Run(CliContext context, Settings settings)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var task = EvaluationTask.Get(settings.Task);
        var algorithms = ExperimentAlgorithms.ForTask(task.Name);
        var algorithm = settings.Algorithm is null ? algorithms.Default : algorithms.Get(settings.Algorithm);
        var given = ParseParameters(settings.Parameters);
        var estimate = algorithm.Prepare(given);
        WorkersOption.Check(settings.Jobs);
        if (!Directory.Exists(settings.Data)) throw new CliUsageException($"--data {settings.Data}: no such directory.");

        // Results written inside the dataset (--out DATA/results, this run's or an earlier one's) hold estimates and a
        // scores.csv that look like annotations; they must not be read back as references.
        var outFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Out)) + Path.DirectorySeparatorChar;
        var references = Evaluator.FindAnnotations(task, settings.Data)
            .Where(r => !Path.GetFullPath(r.Value).StartsWith(outFull, StringComparison.Ordinal) && !InsideResults(settings.Data, r.Value))
            .ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        var estimatesDir = Path.Combine(settings.Out, "estimates");
        var items = new List<Item>();
        var withoutReference = new List<string>();
        var audioStems = new HashSet<string>(StringComparer.Ordinal);
        // The walker names each file by its path under the data folder ('/' separators), as the references are keyed.
        foreach (var (audioPath, relative) in InputFiles.ExpandTracks([settings.Data], context))
        {
            var stem = relative[..^Path.GetExtension(relative).Length];
            if (!audioStems.Add(stem))
            {
                context.Warn($"{audioPath}: another audio file with stem '{stem}' came first; not run.");
                continue;
            }
            if (references.TryGetValue(stem, out var referencePath))
                items.Add(new Item(stem, audioPath, referencePath, Path.Combine(estimatesDir, stem + algorithms.EstimateExtension)));
            else withoutReference.Add(audioPath);
        }
        var referencesWithoutAudio = references.Where(r => !audioStems.Contains(r.Key)).Select(r => r.Value).Order(StringComparer.Ordinal).ToArray();
        foreach (var file in withoutReference) context.Warn($"{file}: no {task.Name} reference beside it (looked for {string.Join(", ", task.FileExtensions)}); not run.");
        foreach (var file in referencesWithoutAudio) context.Warn($"{file}: reference has no audio file with the same stem; not scored.");
        if (items.Count == 0)
            throw new CliUsageException($"--data {settings.Data}: no audio file has a {task.Name} reference beside it (looked for {string.Join(", ", task.FileExtensions)}).");

        OutputPaths.CheckDirectory("--out", settings.Out);
        foreach (var item in items) OutputPaths.CheckNotInput("--out", item.EstimatePath, [item.AudioPath, item.ReferencePath]);
        Directory.CreateDirectory(estimatesDir);
        var results = new FileEvaluation[items.Count];
        using (var progress = new ProgressReporter(context, items.Count))
        {
            Parallel.For(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = settings.Jobs }, i =>
            {
                results[i] = RunOne(task, estimate, items[i]);
                progress.Advance(failed: results[i].Error is not null);
            });
        }

        var set = new SetEvaluation(task, results, [], []);
        var scored = results.Where(r => r.Scores is not null).ToArray();
        var failed = results.Where(r => r.Error is not null).ToArray();
        foreach (var file in scored)
            foreach (var warning in file.Scores!.Warnings) context.Warn($"{file.EstimatedPath}: {warning}");
        foreach (var file in failed) context.Error.WriteLine($"musicml: error: {CliErrors.OneLine(file.Error!)}");

        AtomicFile.WriteText(Path.Combine(settings.Out, "scores.csv"), csv => EvalCommand.WriteCsv(csv, task, scored, set.Mean));
        var summary = Summary(settings, task, algorithm, given, started, clock.Elapsed, set, withoutReference, referencesWithoutAudio);
        AtomicFile.WriteAllText(Path.Combine(settings.Out, "summary.json"), summary + "\n");

        if (scored.Length > 0 || settings.Format == "json")
        {
            switch (settings.Format)
            {
                case "csv": EvalCommand.WriteCsv(context.Output, task, scored, set.Mean); break;
                case "json": context.Output.WriteLine(summary); break;
                default: EvalCommand.WriteTable(context.Output, task, scored, set.Mean, set); break;
            }
        }
        return failed.Length > 0 ? CommandLineApp.ExitFailure : 0;
    }

    /// <summary>True when <paramref name="file"/> lies in an experiment's results folder (summary.json, scores.csv and estimates/) below <paramref name="root"/>.</summary>
    private static bool InsideResults(string root, string file)
    {
        var top = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        for (var directory = Path.GetDirectoryName(Path.GetFullPath(file)); directory is not null && directory.Length > top.Length;
             directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "summary.json")) && File.Exists(Path.Combine(directory, "scores.csv"))
                && Directory.Exists(Path.Combine(directory, "estimates")))
                return true;
        }
        return false;
    }

    internal static Dictionary<string, string> ParseParameters(string[] parameters)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            int equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == parameter.Length - 1)
                throw new CliUsageException($"--param {parameter}: expected name=value.");
            var name = parameter[..equals].Trim();
            if (!given.TryAdd(name, parameter[(equals + 1)..].Trim()))
                throw new CliUsageException($"--param {name}: given twice.");
        }
        return given;
    }

    /// <summary>Decodes, estimates, writes and scores one file; any failure becomes the file's error, naming the audio file.</summary>
    private static FileEvaluation RunOne(EvaluationTask task, Func<AudioBuffer, string> estimate, Item item)
    {
        try
        {
            // A stale estimate from an earlier run must not survive a failure and pass for this run's output.
            if (File.Exists(item.EstimatePath)) File.Delete(item.EstimatePath);
            var text = estimate(AudioFile.Load(item.AudioPath));
            Directory.CreateDirectory(Path.GetDirectoryName(item.EstimatePath)!);
            AtomicFile.WriteAllText(item.EstimatePath, text);
            return new FileEvaluation(item.Stem, item.ReferencePath, item.EstimatePath, task.Evaluate(item.ReferencePath, item.EstimatePath), null);
        }
        // The exception kinds CliErrors reports as the user's problem rather than an internal error; any of them on one
        // file is that file's failure, and the other files still run.
        catch (Exception e) when (e is MusicMLException or IOException or UnauthorizedAccessException or ArgumentException or InvalidDataException)
        {
            var message = CliErrors.OneLine(e.Message);
            if (!message.Contains(item.AudioPath, StringComparison.Ordinal) && !message.Contains(item.ReferencePath, StringComparison.Ordinal)
                && !message.Contains(item.EstimatePath, StringComparison.Ordinal))
                message = $"{item.AudioPath}: {message}";
            return new FileEvaluation(item.Stem, item.ReferencePath, item.EstimatePath, null, message);
        }
    }

    private static string Summary(Settings settings, EvaluationTask task, ExperimentAlgorithm algorithm, IReadOnlyDictionary<string, string> given,
        DateTimeOffset started, TimeSpan elapsed, SetEvaluation set, IReadOnlyList<string> withoutReference, IReadOnlyList<string> referencesWithoutAudio)
    {
        static JsonNode? Value(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
        static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        var parameters = new JsonObject();
        // Numbers and flags as JSON numbers and booleans, so a sweep's summaries can be tabulated without re-parsing.
        foreach (var (name, value) in algorithm.Effective(given))
            parameters[name] = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number)
                : bool.TryParse(value, out var flag) ? JsonValue.Create(flag) : JsonValue.Create(value);
        var mean = new JsonObject();
        foreach (var (name, value) in set.Mean) mean[name] = Value(value);
        var failures = new JsonArray();
        foreach (var file in set.Files.Where(f => f.Error is not null))
            failures.Add(new JsonObject { ["file"] = file.Stem, ["reference"] = file.ReferencePath, ["error"] = file.Error });
        var root = new JsonObject
        {
            ["task"] = task.Name,
            ["algorithm"] = algorithm.Name,
            ["parameters"] = parameters,
            ["parameters_given"] = Strings(given.Keys.Order(StringComparer.Ordinal)),
            ["dataset"] = Path.GetFullPath(settings.Data),
            ["estimates"] = Path.GetFullPath(Path.Combine(settings.Out, "estimates")),
            ["date"] = started.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["elapsed_seconds"] = Math.Round(elapsed.TotalSeconds, 3),
            ["jobs"] = settings.Jobs,
            ["files"] = set.Files.Count,
            ["scored"] = set.Files.Count(f => f.Scores is not null),
            ["mean"] = mean,
            ["failures"] = failures,
            ["without_reference"] = Strings(withoutReference),
            ["references_without_audio"] = Strings(referencesWithoutAudio),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
