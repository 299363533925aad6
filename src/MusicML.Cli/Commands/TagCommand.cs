using System.CommandLine;
using System.Globalization;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Tagging;
using MusicML.Torch;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml tag INPUT... [--model PATH|NAME] [--top-k K] [--threshold T] [--format tsv|csv|json] [--device cpu|cuda]
/// [--batch-size N] [--out FILE]</c>: tags audio files with one model, loaded once, through
/// <see cref="Tagger.TagFiles"/> (chunks of consecutive tracks share network passes; results in input order). One
/// line or record per track (<see cref="TagOutput"/> has the formats). A file that fails gets one error line on stderr
/// and is skipped; the exit code is then 1.
/// </summary>
internal static class TagCommand
{
    private static readonly string[] Formats = ["tsv", "csv", "json"];
    private static readonly string[] Devices = ["cpu", "cuda"];

    /// <summary>Builds the command; results go to <see cref="CliContext.Output"/> or <c>--out</c>, failures and progress to <see cref="CliContext.Error"/>.</summary>
    public static Command Create(CliContext context)
    {
        var inputs = InputFiles.CreateArgument();
        var model = new Option<string?>("--model")
        {
            HelpName = "PATH|NAME",
            Description = $"A .safetensors file (its .json configuration beside it), or the NAME of a bundled model: NAME.safetensors in ${BundledModels.FolderVariable}, " +
                          $"else in models/ beside musicml. A value ending in .safetensors or holding a '/' is a path. Default: the bundled '{BundledModels.DefaultTagger}'.",
        };
        var topK = new Option<int>("--top-k") { HelpName = "K", Description = "tsv/json: keep at most the K most probable tags (K >= 1).", DefaultValueFactory = _ => 5 };
        var threshold = new Option<double>("--threshold")
        {
            HelpName = "T",
            Description = "tsv/json: keep only tags with probability >= T (0..1), then at most --top-k of them. A track keeping none is its path alone (tsv) or has \"tags\": [] (json).",
            DefaultValueFactory = _ => 0.0,
        };
        var format = new Option<string>("--format")
        {
            Description = "tsv: one line per track, PATH<TAB>TAG:PROB<TAB>TAG:PROB..., best first, PROB with 6 decimals (split at the last ':'; tab, CR, LF and '\\' in PATH written \\t \\r \\n \\\\). " +
                          "csv: header path,TAG,TAG,... (every tag in model order), then one row per track with every probability (6 decimals; --top-k and --threshold do not apply). " +
                          "json: an array, one {\"path\", \"tags\": [{\"tag\", \"probability\"}]} per track and line, best first.",
            DefaultValueFactory = _ => "tsv",
        };
        var device = new Option<string>("--device") { Description = "Where the network runs: cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var batchSize = new Option<int?>("--batch-size")
        {
            HelpName = "N",
            Description = $"Chunks per network pass, filled across track boundaries (a published model cuts 16 chunks per track). Larger feeds a GPU better; smaller uses less memory. " +
                          $"Default: {Tagger.DefaultFilesBatchSize} on cpu, {Tagger.DefaultCudaBatchSize} on cuda.",
        };
        var threads = new Option<int?>("--threads")
        {
            HelpName = "N",
            Description = "CPU threads libtorch spreads each network pass over (its intra-op threads). Default: every core (libtorch's own default here is 1).",
        };
        var output = new Option<string?>("--out") { HelpName = "FILE", Description = "Write to FILE (atomically: whole or not at all) instead of standard output." };
        var command = new Command("tag",
            "Tag audio files with a music auto-tagging model (loaded once; chunks of several tracks batched through the network): one line or record per track, in input order.");
        command.Arguments.Add(inputs);
        foreach (var option in new Option[] { model, topK, threshold, format, device, batchSize, threads, output }) command.Options.Add(option);
        command.SetAction(parse => Run(context, parse.GetValue(inputs) ?? [], new TagOptions(
            parse.GetValue(model), parse.GetValue(topK), parse.GetValue(threshold), parse.GetValue(format)!,
            parse.GetValue(device)!, parse.GetValue(batchSize), parse.GetValue(output), parse.GetValue(threads))));
        return command;
    }

    /// <summary>The command's option values.</summary>
    internal sealed record TagOptions(string? Model, int TopK, double Threshold, string Format, string Device, int? BatchSize, string? Out, int? Threads = null);

    /// <summary>Every option error at once, each naming its option; empty when all are valid.</summary>
    internal static List<string> Validate(TagOptions o)
    {
        var errors = new List<string>();
        string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        if (o.TopK < 1) errors.Add(Inv($"--top-k must be at least 1, got {o.TopK}"));
        if (!(o.Threshold >= 0 && o.Threshold <= 1)) errors.Add(Inv($"--threshold must be between 0 and 1, got {o.Threshold}"));
        if (o.BatchSize is < 1) errors.Add(Inv($"--batch-size must be at least 1, got {o.BatchSize}"));
        if (o.Threads is < 1 or > TorchThreads.MaxThreads) errors.Add(Inv($"--threads must be between 1 and {TorchThreads.MaxThreads}, got {o.Threads}"));
        if (!Formats.Contains(o.Format)) errors.Add($"--format must be one of {string.Join(", ", Formats)}, got '{o.Format}'");
        if (!Devices.Contains(o.Device)) errors.Add($"--device must be cpu or cuda, got '{o.Device}'");
        return errors;
    }

    /// <summary>Tags every file and writes the results; returns 0, or <see cref="CommandLineApp.ExitFailure"/> when any file failed.</summary>
    public static int Run(CliContext context, IReadOnlyList<string> inputs, TagOptions options)
    {
        var errors = Validate(options);
        if (errors.Count > 0) throw new CliUsageException(string.Join("; ", errors) + ".");
        var weights = BundledModels.Resolve(options.Model);
        var files = InputFiles.ExpandAtLeastOne(inputs, context);
        if (options.Out is { } outPath) OutputPaths.CheckFile("--out", outPath, [.. files, weights, TaggerConfig.PathBeside(weights)]);
        var device = options.Device == "cuda" ? Device.Cuda : Device.Cpu;
        // Checked here so that the message names the option instead of surfacing from inside the model load.
        if (device.IsCuda && !TorchRuntime.IsCudaAvailable)
            throw new CliUsageException("--device cuda: CUDA is not available here (no NVIDIA GPU/driver, or the libtorch the shim was built against is CPU-only; docs/cuda.md); use --device cpu.");

        TorchThreads.Use(options.Threads);
        using var tagger = Tagger.Load(weights, device);
        int failed = 0;
        void TagAll(TextWriter writer)
        {
            var table = new TagOutput(writer, options.Format, tagger.Config.Tags, options.TopK, options.Threshold);
            // Results streaming to the terminal are their own progress; a status line there would split them.
            bool resultsOnTerminal = options.Out is null && ReferenceEquals(context.Output, Console.Out) && !Console.IsOutputRedirected;
            using var progress = new ProgressReporter(context, files.Count, show: !resultsOnTerminal);
            int batchSize = options.BatchSize ?? (device.IsCuda ? Tagger.DefaultCudaBatchSize : Tagger.DefaultFilesBatchSize);
            foreach (var result in tagger.TagFiles(files, batchSize))
            {
                if (result.Error is { } error)
                {
                    context.FileFailed(result.Path, error);
                    failed++;
                }
                else table.Write(result.Path, result.Tags!);
                progress.Advance(failed: result.Error is not null);
            }
            table.Finish();
        }

        if (options.Out is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            AtomicFile.WriteText(path, TagAll);
        }
        else TagAll(context.Output);
        return failed == 0 ? 0 : CommandLineApp.ExitFailure;
    }
}
