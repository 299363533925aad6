using System.CommandLine;

namespace MusicML.Cli.Infrastructure;

/// <summary>
/// The <c>--workers N</c> option of the commands that work on several files at once (also spelt <c>--jobs</c>, its
/// name before <c>musicml batch</c> settled the spelling), and its one check.
/// </summary>
internal static class WorkersOption
{
    /// <summary>A new <c>--workers N</c> option (each command needs its own instance), <paramref name="defaultWorkers"/> unless given.</summary>
    public static Option<int> Create(string description, int defaultWorkers = 1) =>
        new("--workers", "--jobs") { HelpName = "N", Description = description, DefaultValueFactory = _ => defaultWorkers };

    /// <summary>Refuses fewer than one worker, naming the option.</summary>
    /// <exception cref="CliUsageException"><paramref name="workers"/> is below 1.</exception>
    public static int Check(int workers) =>
        workers >= 1 ? workers : throw new CliUsageException($"--workers must be at least 1; got {workers}.");
}
