using System.CommandLine;
using System.Globalization;
using MusicML.Batch;
using MusicML.Cli.Infrastructure;
using MusicML.Tagging;
using MusicML.Torch;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml batch INPUT... --out DIR [--tasks LIST] [--format csv|jsonl|sqlite|parquet] [--workers N] [--device cpu|cuda]
/// [--model M] [--shard K/N] [--shards N] [--track-timeout S] [--retry-failed] [--force]</c> and
/// <c>musicml batch merge SHARD_DIR... --out DIR</c>: a thin wrapper over <see cref="BatchRunner"/> and
/// <see cref="BatchMerge"/> that adds progress (a status line on a terminal, a plain line every 10 s in a log),
/// one stderr line per failed track, and a summary. Exit status 0 when every track succeeded, 1 when any failed
/// (they are listed in <c>errors.csv</c>), 2 for a usage error found before any work.
/// </summary>
internal static class BatchCommand
{
    /// <summary>The tasks run when <c>--tasks</c> is not given (<see cref="BatchTasks.Default"/>).</summary>
    public static readonly string DefaultTasks = BatchTaskNames.Format(BatchTasks.Default);

    private static readonly TimeSpan PlainProgressEvery = TimeSpan.FromSeconds(10);

    /// <summary>Builds <c>musicml batch</c> with its <c>merge</c> subcommand.</summary>
    public static Command Create(CliContext context)
    {
        var inputs = new Argument<string[]>("INPUT")
        {
            Description = "Audio files, directories searched recursively, or manifest CSVs with a 'path' column (relative to the manifest's folder).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out") { HelpName = "DIR", Required = true, Description = "Output folder (a sharded run writes into DIR/shard-K-of-N); rerunning into it resumes." };
        var tasks = new Option<string>("--tasks")
        {
            HelpName = "LIST",
            Description = $"Comma-separated: {string.Join(", ", BatchTaskNames.Names)}, or all. Default: {DefaultTasks}.",
            DefaultValueFactory = _ => DefaultTasks,
        };
        var format = new Option<string>("--format") { Description = "csv (results.csv, events.jsonl), jsonl (results.jsonl), sqlite (results.sqlite) or parquet (tracks/events/tags/errors.parquet); errors.csv always.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong([.. BatchFormatNames.Names]);
        var workers = WorkersOption.Create($"Tracks decoded and analysed at once (default: every core, here {Environment.ProcessorCount}).", Environment.ProcessorCount);
        var device = new Option<string>("--device") { Description = "Where the tagger runs for the tags and embedding tasks: cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var model = new Option<string?>("--model") { HelpName = "PATH|NAME", Description = $"The tagger for tags and embedding (default: the bundled '{BundledModels.DefaultTagger}')." };
        var batchSize = new Option<int?>("--batch-size") { HelpName = "N", Description = $"Tagger chunks per network pass, across tracks (default {Tagger.DefaultFilesBatchSize} on cpu, {Tagger.DefaultCudaBatchSize} on cuda)." };
        var shard = new Option<string?>("--shard")
        {
            HelpName = "K/N",
            Description = "Take shard K (from 0) of N, by a stable hash of each track's path under the inputs' root. Default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX with --shards or MUSICML_SHARDS; else the whole catalogue.",
        };
        var shards = new Option<int?>("--shards") { HelpName = "N", Description = "The number of shards when the index comes from the environment (a Kubernetes Indexed Job's completions)." };
        var timeout = new Option<double?>("--track-timeout") { HelpName = "SECONDS", Description = "Record a track as failed (stage timeout) when its decoding and analysis take longer, and go on." };
        var retry = new Option<bool>("--retry-failed") { Description = "Run again the tracks whose last attempt failed (kept: those that succeeded)." };
        var force = new Option<bool>("--force") { Description = "Discard an output folder of another task set, version, model or shard and start over (without it such a folder is refused)." };
        var rhythm = RhythmCommands.RhythmOption();

        var command = new Command("batch", "Analyse a catalogue: every track once, results committed per track (a killed run resumes), CSV/JSONL/SQLite/Parquet out, failures in errors.csv, shardable across a Slurm array or Kubernetes Indexed Job.");
        command.Arguments.Add(inputs);
        foreach (var option in new Option[] { output, tasks, format, workers, device, model, batchSize, shard, shards, timeout, retry, force, rhythm }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var taskSet = BatchTaskNames.Parse(parse.GetValue(tasks)!);
            var shardSpec = ShardSpec.Resolve(parse.GetValue(shard), parse.GetValue(shards));
            WorkersOption.Check(parse.GetValue(workers));
            if (parse.GetValue(timeout) is { } t && !(t > 0 && double.IsFinite(t)))
                throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"--track-timeout must be a positive number of seconds; got {t}."));
            if (parse.GetValue(batchSize) is < 1) throw new CliUsageException($"--batch-size must be at least 1; got {parse.GetValue(batchSize)}.");
            bool cuda = parse.GetValue(device) == "cuda";
            string? modelName = parse.GetValue(model);
            bool needsModel = taskSet.NeedsModel;
            // Resolved now, so a missing model is refused before the catalogue is walked.
            var weights = needsModel ? BundledModels.Resolve(modelName) : null;
            var options = new BatchOptions
            {
                Inputs = parse.GetValue(inputs) ?? [],
                Out = parse.GetValue(output)!,
                Tasks = taskSet,
                Format = BatchFormatNames.Parse(parse.GetValue(format)!),
                Workers = parse.GetValue(workers),
                Shard = shardSpec,
                TrackTimeout = parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                RetryFailed = parse.GetValue(retry),
                Force = parse.GetValue(force),
                Rhythm = parse.GetValue(rhythm)!,
                Network = RhythmCommands.NetworkFor(parse.GetValue(rhythm)!),
                ModelName = modelName ?? BundledModels.DefaultTagger,
                ModelBatchSize = parse.GetValue(batchSize) ?? (cuda ? Tagger.DefaultCudaBatchSize : Tagger.DefaultFilesBatchSize),
                LoadTagger = weights is null ? null : () => LoadTagger(weights, cuda),
            };
            return Run(context, options);
        });
        command.Subcommands.Add(CreateMerge(context));
        return command;
    }

    private static Tagger LoadTagger(string weights, bool cuda)
    {
        if (cuda && !TorchRuntime.IsCudaAvailable)
            throw new CliUsageException("--device cuda: CUDA is not available here (no NVIDIA GPU/driver, or the libtorch the shim was built against is CPU-only; docs/cuda.md); use --device cpu.");
        var tagger = Tagger.Load(weights, cuda ? Device.Cuda : Device.Cpu);
        TorchThreads.Use(null);
        return tagger;
    }

    /// <summary>Runs a catalogue with progress and a summary; returns the exit code.</summary>
    internal static int Run(CliContext context, BatchOptions options)
    {
        ProgressReporter? progress = null;
        var gate = new object();
        try
        {
            var summary = BatchRunner.Run(options with
            {
                Warn = context.Warn,
                Started = (toDo, done) =>
                {
                    if (done > 0) context.Error.WriteLine($"musicml: batch: resuming: {done} tracks already recorded, {toDo} to do.");
                    progress = new ProgressReporter(context, toDo, "tracks", plainEvery: PlainProgressEvery);
                },
                TrackFinished = outcome =>
                {
                    lock (gate)
                    {
                        if (outcome.Error is { } error) context.Error.WriteLine($"musicml: error: {outcome.Path}: {error.Stage}: {error.Reason}");
                        progress?.Advance(outcome.Failed);
                    }
                },
            });
            progress?.Dispose();
            progress = null;
            context.Error.WriteLine(
                $"musicml: batch: {summary.Assigned} tracks in {summary.Folder} ({summary.Processed} run now, {summary.AlreadyDone} from before), " +
                $"{summary.Failed} failed{(summary.Failed > 0 ? $" (see {Path.Combine(summary.Folder, BatchOutputs.ErrorsCsv)})" : "")}; wrote {string.Join(", ", summary.Files)}.");
            return summary.Failed == 0 ? 0 : CommandLineApp.ExitFailure;
        }
        finally
        {
            progress?.Dispose();
        }
    }

    private static Command CreateMerge(CliContext context)
    {
        var folders = new Argument<string[]>("SHARD_DIR") { Description = "The shard output folders (shard-K-of-N) of one sharded run.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { HelpName = "DIR", Required = true, Description = "Folder for the merged outputs (created)." };
        var format = new Option<string>("--format") { Description = "Output format of the merged run: csv, jsonl, sqlite or parquet.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong([.. BatchFormatNames.Names]);
        var command = new Command("merge", "Combine the shard folders of a sharded batch run into the outputs one process would have written; report missing and duplicated tracks.");
        command.Arguments.Add(folders);
        command.Options.Add(output);
        command.Options.Add(format);
        command.SetAction(parse =>
        {
            var report = BatchMerge.Merge(parse.GetValue(folders) ?? [], parse.GetValue(output)!, BatchFormatNames.Parse(parse.GetValue(format)!));
            foreach (var shard in report.MissingShards) context.Error.WriteLine($"musicml: error: batch merge: shard {shard} was not given (or has not run).");
            foreach (var track in report.MissingTracks) context.Error.WriteLine($"musicml: error: batch merge: missing: {track} (its shard did not finish; rerun it, then merge again).");
            foreach (var track in report.DuplicateTracks) context.Error.WriteLine($"musicml: error: batch merge: duplicated: {track} (in more than one shard; the lowest shard's record kept).");
            context.Error.WriteLine($"musicml: batch merge: {report.Tracks} tracks, {report.Failed} failed; wrote {string.Join(", ", report.Files)} in {report.Folder}.");
            return report.Complete && report.Failed == 0 ? 0 : CommandLineApp.ExitFailure;
        });
        return command;
    }
}
