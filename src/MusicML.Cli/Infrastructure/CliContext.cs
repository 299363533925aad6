namespace MusicML.Cli.Infrastructure;

/// <summary>
/// Where a command writes: results to <see cref="Output"/>, diagnostics and progress to <see cref="Error"/>.
/// Commands never touch <see cref="Console"/> directly, so tests can run them in-process and capture both streams.
/// </summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    /// <summary>Results (tables, CSV, JSON, single values).</summary>
    public TextWriter Output { get; } = output;

    /// <summary>Errors, warnings and progress.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>True when progress may be drawn: stderr is the real console and a terminal, not a pipe or a file.</summary>
    public bool ProgressEnabled =>
        ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected &&
        Environment.GetEnvironmentVariable("MUSICML_NO_PROGRESS") != "1";

    /// <summary>Writes one warning line (a skipped file, a fallback) to <see cref="Error"/>.</summary>
    public void Warn(string message) => Error.WriteLine($"musicml: warning: {CliErrors.OneLine(message)}");

    /// <summary>
    /// Writes the one error line of an input file that failed (<see cref="CliErrors.IsFileFailure"/>) in a batch that
    /// goes on with the other files; the line names <paramref name="file"/>.
    /// </summary>
    public void FileFailed(string file, Exception exception) => Error.WriteLine($"musicml: error: {CliErrors.FileMessage(file, exception)}");
}
