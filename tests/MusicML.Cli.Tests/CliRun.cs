using MusicML.Cli.Infrastructure;

namespace MusicML.Cli.Tests;

/// <summary>Runs the <c>musicml</c> command in-process, as every CLI test does: exit code, stdout and stderr.</summary>
internal static class CliRun
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandLineApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The non-empty lines of <paramref name="text"/>, trimmed.</summary>
    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
