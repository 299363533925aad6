using MusicML.Cli.Infrastructure;

namespace MusicML.Cli.Tests;

/// <summary>
/// Every single-task command (<c>musicml onsets|beats|downbeats|tempo|key|chords|pitch|tuning|segments</c>) is built
/// by <c>PerFileOutput.CreateCommand</c>, so they all take INPUT and <c>--out</c> with the same help and the same
/// usage errors; these tests hold each command to that.
/// </summary>
public class PerFileCommandTests
{
    public static TheoryData<string, string> Commands => new()
    {
        { "onsets", ".onsets" }, { "beats", ".beats" }, { "downbeats", ".downbeats" }, { "tempo", ".tempo" },
        { "key", ".key" }, { "chords", ".chords.lab" }, { "pitch", ".f0" }, { "tuning", ".tuning" }, { "segments", ".segments.lab" },
    };

    public static TheoryData<string> CommandNames => [.. Commands.Select(row => (string)row[0])];

    private static readonly string Root = CreateFiles();

    private static string CreateFiles()
    {
        var dir = Path.Combine(Path.GetTempPath(), "musicml-cli-perfile-" + Environment.ProcessId);
        Directory.CreateDirectory(Path.Combine(dir, "no-audio"));
        File.WriteAllText(Path.Combine(dir, "no-audio", "notes.txt"), "not audio");
        // Never decoded: the usage checks come before any file is read.
        File.WriteAllText(Path.Combine(dir, "a.wav"), "a");
        File.WriteAllText(Path.Combine(dir, "b.wav"), "b");
        return dir;
    }

    private static (int Code, string Out, string[] Err) Run(params string[] args)
    {
        var (code, output, error) = CliRun.Run(args);
        return (code, output, CliRun.Lines(error));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void HelpShowsTheSharedInputAndOutDir(string command, string extension)
    {
        var (code, output, _) = Run(command, "--help");
        Assert.Equal(0, code);
        Assert.Contains($" {command} <INPUT>... [options]", output);
        Assert.Contains("<INPUT>  Audio files, or directories searched recursively for audio files.", output);
        Assert.Contains($"Write one <name>{extension} file per input into this directory (created if missing; sub-folders of the", output);
        // --out (also spelt --out-dir, its name before every command settled on --out) is listed first among the options.
        var options = output[output.IndexOf("Options:", StringComparison.Ordinal)..].Split('\n', StringSplitOptions.TrimEntries);
        Assert.StartsWith("--out, --out-dir <DIR>", options[1]);
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void ADirectoryWithoutAudioIsAUsageError(string command)
    {
        var (code, output, error) = Run(command, Path.Combine(Root, "no-audio"));
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Empty(output);
        Assert.Equal(["musicml: error: No audio files found in the given inputs."], error);
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void SeveralInputsNeedOutDir(string command)
    {
        var (code, output, error) = Run(command, Path.Combine(Root, "a.wav"), Path.Combine(Root, "b.wav"));
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Empty(output);
        Assert.Equal(["musicml: error: 2 input files need --out DIR (only a single file's result goes to standard output)."], error);
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void AMissingInputIsAUsageErrorNamingIt(string command)
    {
        var missing = Path.Combine(Root, "missing.wav");
        var (code, _, error) = Run(command, missing);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Equal([$"musicml: error: {missing}: no such file or directory."], error);
    }
}
