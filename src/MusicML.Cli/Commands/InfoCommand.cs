using System.CommandLine;
using System.Globalization;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.Core;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml info INPUT...</c>: one line per audio file with its container, encoding, rate, channels and length,
/// read from the header. A file that cannot be read gets one error line and does not stop the others.
/// </summary>
internal static class InfoCommand
{
    /// <summary>Builds the command; results go to <see cref="CliContext.Output"/>, failures to <see cref="CliContext.Error"/>.</summary>
    public static Command Create(CliContext context)
    {
        var inputs = InputFiles.CreateArgument();
        var command = new Command("info", "Show container, encoding, sample rate, channels and duration of audio files.");
        command.Arguments.Add(inputs);
        command.SetAction(parse => Run(context, parse.GetValue(inputs) ?? []));
        return command;
    }

    /// <summary>Prints every file's line; returns 0 when all were read, <see cref="CommandLineApp.ExitFailure"/> otherwise.</summary>
    public static int Run(CliContext context, IReadOnlyList<string> inputs)
    {
        bool failed = false;
        foreach (var input in inputs)
        {
            IReadOnlyList<string> files;
            try
            {
                files = InputFiles.Expand([input]);
            }
            catch (CliUsageException e)
            {
                // A missing input is reported like an unreadable file, so the remaining inputs are still listed.
                context.Error.WriteLine($"musicml: error: {CliErrors.OneLine(e.Message)}");
                failed = true;
                continue;
            }
            if (!PerFileOutput.ForEachFile(context, files, file => context.Output.WriteLine(Describe(AudioFile.GetInfo(file)))))
                failed = true;
        }
        return failed ? CommandLineApp.ExitFailure : 0;
    }

    /// <summary>E.g. <c>song.wav: WAV (PCM_16), 22050 Hz, 1 channel, 30.000 s (661500 frames)</c>.</summary>
    public static string Describe(AudioInfo info) => string.Create(CultureInfo.InvariantCulture,
        $"{info.Path}: {info.Format} ({info.Subtype}), {info.SampleRate} Hz, {info.ChannelCount} channel{(info.ChannelCount == 1 ? "" : "s")}, " +
        $"{info.Duration:F3} s ({info.FrameCount} frames)");
}
