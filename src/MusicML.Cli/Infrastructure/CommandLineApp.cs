using System.CommandLine;
using MusicML.Audio;
using MusicML.Cli.Commands;

namespace MusicML.Cli.Infrastructure;

/// <summary>
/// Builds the <c>musicml</c> command tree and runs it with one error policy: every failure is one line on stderr
/// (<c>musicml: error: …</c>) and a non-zero exit code, never a stack trace (set <c>MUSICML_DEBUG=1</c> to see one).
/// Exit codes: 0 success, 1 the work failed (bad input file, missing library), 2 the command line was invalid.
/// </summary>
public static class CommandLineApp
{
    /// <summary>Exit code for a failure of the work itself.</summary>
    public const int ExitFailure = 1;

    /// <summary>Exit code for an invalid command line.</summary>
    public const int ExitUsage = 2;

    /// <summary>Every sub-command, in the order <c>musicml --help</c> lists them.</summary>
    internal static IEnumerable<Command> Commands(CliContext context)
    {
        yield return InfoCommand.Create(context);
        yield return FeaturesCommand.Create(context);
        yield return EvalCommand.Create(context);
        yield return ExperimentCommand.Create(context);
        yield return RhythmCommands.Onsets(context);
        yield return RhythmCommands.Beats(context);
        yield return RhythmCommands.Downbeats(context);
        yield return RhythmCommands.Tempo(context);
        yield return TonalCommands.Key(context);
        yield return TonalCommands.Chords(context);
        yield return TonalCommands.Pitch(context);
        yield return TonalCommands.Tuning(context);
        yield return TonalCommands.Segments(context);
        yield return AnalyzeCommand.Create(context);
        yield return BatchCommand.Create(context);
        yield return TagCommand.Create(context);
        yield return ModelsCommand.Create(context);
        yield return TrainCommand.Create(context);
        yield return PredictCommand.Create(context);
        yield return CorpusCommand.Create(context);
        foreach (var command in SimilarityCommands.Create(context)) yield return command;
        yield return RecommendCommand.Create(context);
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing results to <paramref name="output"/> and diagnostics to <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var context = new CliContext(output, error);
        var root = new RootCommand("MusicML: music information retrieval for .NET (audio features, onsets, beats, tempo, key, chords, tagging).");
        foreach (var command in Commands(context)) root.Subcommands.Add(command);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var commandName = parse.CommandResult.Command == root ? "musicml" : $"musicml {parse.CommandResult.Command.Name}";
            error.WriteLine($"musicml: error: {CliErrors.OneLine(parse.Errors[0].Message)} (see '{commandName} --help')");
            return ExitUsage;
        }
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
        };
        // A file decoded up to its damage warns once, however many times the command opens it (info, then analysis).
        var warned = new HashSet<string>(StringComparer.Ordinal);
        using var decodeWarnings = AudioWarnings.Listen((_, message) =>
        {
            lock (warned)
                if (warned.Add(message)) context.Warn(message);
        });
        try
        {
            return parse.Invoke(configuration);
        }
        catch (Exception e)
        {
            return CliErrors.Report(e, error);
        }
    }
}
