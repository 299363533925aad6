using System.Diagnostics;
using MusicML.Cli.Infrastructure;

namespace MusicML.Cli.Tests;

/// <summary>
/// Runs the <c>musicml</c> command in-process, as most CLI tests do (exit code, stdout and stderr), or as a child
/// process (the musicml.dll built beside these tests) for tests that kill it or need a process of its own.
/// </summary>
internal static class CliRun
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandLineApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The dotnet host that runs these tests, which runs musicml.dll too.</summary>
    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";

    /// <summary>The musicml.dll beside these tests.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "musicml.dll");

    /// <summary>Starts <c>musicml ARGS</c> as a separate process, output captured.</summary>
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(Host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start musicml");
    }

    /// <summary>The non-empty lines of <paramref name="text"/>, trimmed.</summary>
    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
