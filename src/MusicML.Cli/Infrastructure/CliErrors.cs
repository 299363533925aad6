using MusicML.Core;

namespace MusicML.Cli.Infrastructure;

/// <summary>A command-line mistake found while running a command (a bad option value, a missing input).</summary>
public sealed class CliUsageException(string message) : Exception(message);

/// <summary>Turns exceptions into the one-line messages and exit codes the CLI promises.</summary>
public static class CliErrors
{
    /// <summary>Writes <paramref name="exception"/> as one line to <paramref name="error"/> and returns the exit code.</summary>
    public static int Report(Exception exception, TextWriter error)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) exception = aggregate.InnerExceptions[0];
        var debug = Environment.GetEnvironmentVariable("MUSICML_DEBUG") == "1";
        var message = OneLine(exception.Message);
        switch (exception)
        {
            case CliUsageException:
            case Batch.BatchUsageException:
                error.WriteLine($"musicml: error: {message}");
                return CommandLineApp.ExitUsage;
            case MusicMLException:
            case IOException:
            case UnauthorizedAccessException:
            case ArgumentException:
            case InvalidDataException:
            case NotSupportedException:
                error.WriteLine($"musicml: error: {message}");
                break;
            default:
                error.WriteLine($"musicml: error: internal error ({exception.GetType().Name}): {message}");
                break;
        }
        if (debug) error.WriteLine(exception.ToString());
        return CommandLineApp.ExitFailure;
    }

    /// <summary>
    /// True for the failures that belong to one input file (unreadable, truncated, unsupported, missing library) and
    /// should be reported and skipped in a batch, as opposed to programming errors.
    /// </summary>
    public static bool IsFileFailure(Exception exception) =>
        exception is MusicMLException or IOException or UnauthorizedAccessException;

    /// <summary>
    /// The one-line message for a failure on <paramref name="file"/>, prefixed with the path unless the error is
    /// already about that file: a MusicML error whose <see cref="MusicMLException.FilePath"/> is it (however the path
    /// was spelt), or one of .NET's own I/O errors, which cannot carry FilePath and quote the path in their message.
    /// An error about another file (a model's weights, say) still gets the input's path in front.
    /// </summary>
    public static string FileMessage(string file, Exception exception)
    {
        var message = OneLine(exception.Message);
        bool aboutThisFile = exception is MusicMLException { FilePath: { } path }
            ? Path.GetFullPath(path) == Path.GetFullPath(file)
            : message.Contains(file, StringComparison.Ordinal);
        return aboutThisFile ? message : $"{file}: {message}";
    }

    /// <summary>Collapses a multi-line message into one line.</summary>
    public static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
