using System.CommandLine;
using MusicML.Batch;
using MusicML.Core;

namespace MusicML.Cli.Infrastructure;

/// <summary>
/// What every single-task command shares (<c>musicml onsets|beats|key|chords|…</c>): the <c>INPUT...</c> argument,
/// the <c>--out DIR</c> option (also spelt <c>--out-dir</c>), and the loop that writes one result text per input file to
/// <c>DIR/&lt;path under the inputs' root&gt;&lt;extension&gt;</c> (<see cref="InputFiles.OutputPath"/>: sub-folders
/// kept, so equal file names in different folders never overwrite each other) or, for a single input, to standard
/// output. A file that fails gets one error line and the others are still written; the exit code is then 1.
/// </summary>
internal static class PerFileOutput
{
    /// <summary>
    /// Builds <c>musicml NAME INPUT... [--out DIR] [options]</c>. When it runs, <paramref name="prepare"/> reads and
    /// checks the option values once (so a bad value is reported before any file is decoded) and returns the per-file
    /// analysis: file path → result text.
    /// </summary>
    /// <param name="context">Where results and errors go.</param>
    /// <param name="name">The command name, e.g. <c>onsets</c>.</param>
    /// <param name="description">The command's help line.</param>
    /// <param name="extension">The output file extension with its dot, e.g. <c>.onsets</c>.</param>
    /// <param name="options">The command's own options, in the order its help lists them (after <c>--out</c>).</param>
    /// <param name="prepare">Option values → per-file analysis.</param>
    public static Command CreateCommand(CliContext context, string name, string description, string extension,
        IReadOnlyList<Option> options, Func<ParseResult, Func<string, string>> prepare) =>
        CreateCommandOnTracks(context, name, description, extension, options, parse =>
        {
            var analyse = prepare(parse);
            return track => analyse(track.Path);
        });

    /// <summary>
    /// <see cref="CreateCommand"/> for an analysis that needs the track's name under the inputs' root as well as its
    /// path (<c>chords --beats DIR</c> finds the beats that <c>beats --out DIR</c> wrote for the same track).
    /// </summary>
    public static Command CreateCommandOnTracks(CliContext context, string name, string description, string extension,
        IReadOnlyList<Option> options, Func<ParseResult, Func<CatalogueTrack, string>> prepare)
    {
        var inputs = InputFiles.CreateArgument();
        var outDir = new Option<string?>("--out", "--out-dir")
        {
            HelpName = "DIR",
            Description = $"Write one <name>{extension} file per input into this directory (created if missing; sub-folders of the inputs kept) instead of printing; required for several inputs.",
        };
        var command = new Command(name, description);
        command.Arguments.Add(inputs);
        command.Options.Add(outDir);
        foreach (var option in options) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var analyse = prepare(parse);
            return Run(context, InputFiles.ExpandTracksAtLeastOne(parse.GetValue(inputs) ?? [], context), parse.GetValue(outDir), extension, analyse);
        });
        return command;
    }

    /// <summary>Runs <paramref name="analyse"/> (track → result text) over <paramref name="tracks"/>.</summary>
    private static int Run(CliContext context, IReadOnlyList<CatalogueTrack> tracks, string? outDir, string extension, Func<CatalogueTrack, string> analyse)
    {
        if (outDir is null && tracks.Count > 1)
            throw new CliUsageException($"{tracks.Count} input files need --out DIR (only a single file's result goes to standard output).");
        if (outDir is not null)
        {
            OutputPaths.CheckDirectory("--out", outDir);
            Directory.CreateDirectory(outDir);
        }
        var files = tracks.Select(t => t.Path).ToList();
        var byPath = tracks.ToDictionary(t => t.Path);
        string? OutputOf(CatalogueTrack track) => outDir is null ? null : InputFiles.OutputPath(outDir, track, extension);
        // Checked before any work, so an input named like an output is refused rather than overwritten half-way through a batch.
        foreach (var track in tracks)
            if (OutputOf(track) is { } path) OutputPaths.CheckFile("--out", path, files);
        bool allDone = ForEachFile(context, files, file =>
        {
            var track = byPath[file];
            var outputPath = OutputOf(track);
            var text = analyse(track);
            if (outputPath is null) context.Output.Write(text);
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
                AtomicFile.WriteAllText(outputPath, text);
            }
        });
        return allDone ? 0 : CommandLineApp.ExitFailure;
    }

    /// <summary>
    /// Runs <paramref name="process"/> on every file in order. A file that fails the way an input file can
    /// (<see cref="CliErrors.IsFileFailure"/>) gets its error line and the others still run; other exceptions propagate.
    /// </summary>
    /// <returns>True when every file was processed.</returns>
    public static bool ForEachFile(CliContext context, IEnumerable<string> files, Action<string> process)
    {
        bool allDone = true;
        foreach (var file in files)
        {
            try
            {
                process(file);
            }
            catch (Exception e) when (CliErrors.IsFileFailure(e))
            {
                context.FileFailed(file, e);
                allDone = false;
            }
        }
        return allDone;
    }
}
