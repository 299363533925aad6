using MusicML.Batch;
using System.CommandLine;
using System.Globalization;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Mir.Analysis;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml features summary INPUT... [--out F.csv] [--jobs N]</c>: one row per track, <c>path,&lt;names…&gt;</c>,
/// with the <see cref="TrackSummarizer"/> vector (<c>musicml.summary/1</c>; names and units in docs/learning.md) —
/// the table <c>musicml train classifier --features F.csv --manifest M.csv</c> trains on and <c>musicml predict</c>
/// recomputes. The file is written atomically once every track is done; a track that fails gets one error line on
/// stderr and no row, and the exit code is then 1.
/// </summary>
internal static class FeatureSummaryCommand
{
    /// <summary>Builds the <c>summary</c> subcommand of <c>features</c>.</summary>
    public static Command Create(CliContext context)
    {
        var inputs = InputFiles.CreateArgument();
        var output = new Option<string?>("--out") { HelpName = "F.csv", Description = "Write the table to F.csv (atomically) instead of standard output." };
        var jobs = WorkersOption.Create("Files summarised in parallel (default 1).");
        var command = new Command("summary",
            $"Per-track summary features ({TrackSummarizer.FeatureSet}: {TrackSummarizer.Names.Count} values of MFCC, chroma, contrast and spectral statistics, onset rate, tempo, key strength) as CSV, one row per track.")
        {
            inputs, output, jobs,
        };
        command.SetAction(parse => Run(context, parse.GetValue(inputs) ?? [], parse.GetValue(output), parse.GetValue(jobs)));
        return command;
    }

    private static int Run(CliContext context, IReadOnlyList<string> inputs, string? outPath, int jobs)
    {
        WorkersOption.Check(jobs);
        var files = InputFiles.ExpandAtLeastOne(inputs, context);
        if (outPath is not null) OutputPaths.CheckFile("--out", outPath, files);
        var results = Summarize(context, files, jobs);
        void Write(TextWriter writer)
        {
            using var table = new CsvTable(writer, [.. TrackSummarizer.Names.Prepend("path")]);
            foreach (var (path, summary) in results)
                if (summary is not null)
                    table.WriteRow([path, .. summary.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))]);
        }
        if (outPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            AtomicFile.WriteText(outPath, Write);
        }
        else Write(context.Output);
        return results.All(r => r.Summary is not null) ? 0 : CommandLineApp.ExitFailure;
    }

    /// <exception cref="CliUsageException">N is below 1.</exception>
    /// <summary>
    /// The summary of every file, in input order, <paramref name="jobs"/> at a time; a file that fails is reported on
    /// stderr (one line naming it) and comes back with a null summary. Progress is drawn on a terminal.
    /// </summary>
    internal static (string Path, TrackSummary? Summary)[] Summarize(CliContext context, IReadOnlyList<string> files, int jobs)
    {
        var results = new (string, TrackSummary?)[files.Count];
        var summarizer = new TrackSummarizer();
        var gate = new object();
        using var progress = new ProgressReporter(context, files.Count);
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = jobs }, i =>
        {
            TrackSummary? summary = null;
            try
            {
                summary = summarizer.Summarize(files[i]);
            }
            catch (Exception e) when (CliErrors.IsFileFailure(e))
            {
                lock (gate) context.FileFailed(files[i], e);
            }
            results[i] = (files[i], summary);
            progress.Advance(failed: summary is null);
        });
        return results;
    }
}
