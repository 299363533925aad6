using System.CommandLine;

namespace MusicML.Cli.Infrastructure;

/// <summary>The <c>--jobs N</c> option of the commands that work on several files at once, and its one check.</summary>
internal static class JobsOption
{
    /// <summary>A new <c>--jobs N</c> option (each command needs its own instance), <paramref name="defaultJobs"/> unless given.</summary>
    public static Option<int> Create(string description, int defaultJobs = 1) =>
        new("--jobs") { HelpName = "N", Description = description, DefaultValueFactory = _ => defaultJobs };

    /// <summary>Refuses fewer than one job, naming the option.</summary>
    /// <exception cref="CliUsageException"><paramref name="jobs"/> is below 1.</exception>
    public static int Check(int jobs) =>
        jobs >= 1 ? jobs : throw new CliUsageException($"--jobs must be at least 1; got {jobs}.");
}
