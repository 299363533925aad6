using MusicML.Core;

namespace MusicML.Cli.Infrastructure;

/// <summary>
/// The loop every single-task command shares (<c>musicml onsets|beats|key|chords|…</c>): one result text per input
/// file, written to <c>DIR/&lt;stem&gt;&lt;extension&gt;</c> with <c>--out-dir</c> or, for a single input, to standard
/// output. A file that fails gets one error line and the others are still written; the exit code is then 1.
/// </summary>
internal static class PerFileOutput
{
    /// <summary>Runs <paramref name="analyse"/> (file path → result text) over <paramref name="files"/>.</summary>
    public static int Run(CliContext context, IReadOnlyList<string> files, string? outDir, string extension, Func<string, string> analyse)
    {
        if (files.Count == 0) throw new CliUsageException("No audio files found in the given inputs.");
        if (outDir is null && files.Count > 1)
            throw new CliUsageException($"{files.Count} input files need --out-dir DIR (only a single file's result goes to standard output).");
        if (outDir is not null) Directory.CreateDirectory(outDir);
        bool failed = false;
        foreach (var file in files)
        {
            try
            {
                var text = analyse(file);
                if (outDir is null) context.Output.Write(text);
                else File.WriteAllText(Path.Combine(outDir, Path.GetFileNameWithoutExtension(file) + extension), text);
            }
            catch (Exception e) when (CliErrors.IsFileFailure(e))
            {
                context.Error.WriteLine($"musicml: error: {CliErrors.FileMessage(file, e)}");
                failed = true;
            }
        }
        return failed ? CommandLineApp.ExitFailure : 0;
    }
}
