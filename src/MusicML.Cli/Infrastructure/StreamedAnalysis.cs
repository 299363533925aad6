using MusicML.Audio;
using MusicML.Mir.Analysis;

namespace MusicML.Cli.Infrastructure;

/// <summary>
/// The per-file analysis of every task command (onsets, beats, downbeats, tempo, key, chords, segments): the library's
/// streamed <see cref="Analyzer"/> (22050 Hz mono, bounded memory on any length, the whole-file numbers on files up to
/// one block) with a progress line on a terminal, and the one warning line when the audio gets no estimate
/// (<see cref="AnalysisResult.NoEstimate"/>).
/// </summary>
internal static class StreamedAnalysis
{
    /// <summary>Runs <paramref name="analyzer"/> on <paramref name="file"/>, shown as "<paramref name="command"/> FILE" in the progress line.</summary>
    public static AnalysisResult Run(CliContext context, string command, Analyzer analyzer, string file)
    {
        using var progress = new ProgressLine(context, $"{command} {Path.GetFileName(file)}", AudioFile.GetInfo(file).Duration);
        var result = (analyzer with { Progress = progress }).Analyze(file);
        if (result.NoEstimate is { } why) context.Warn($"{file}: no estimate: {why}.");
        return result;
    }
}
