using System.CommandLine;
using System.Globalization;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml info INPUT...</c>: one line per audio file with its container, encoding, rate, channels and length,
/// read from the header. A file that cannot be read gets one error line and does not stop the others.
/// <c>musicml info --engines</c> prints which FFT engines this machine offers and which one Auto picks.
/// </summary>
internal static class InfoCommand
{
    /// <summary>Builds the command; results go to <see cref="CliContext.Output"/>, failures to <see cref="CliContext.Error"/>.</summary>
    public static Command Create(CliContext context)
    {
        var inputs = InputFiles.CreateArgument();
        // INPUT may be left out when only the engines are asked for.
        inputs.Arity = ArgumentArity.ZeroOrMore;
        var engines = new Option<bool>("--engines")
        {
            Description = "Also print the FFT engines available here (frame-batch AVX-512, FFTW, managed) and which one Auto picks.",
        };
        var command = new Command("info", "Show container, encoding, sample rate, channels and duration of audio files.");
        command.Arguments.Add(inputs);
        command.Options.Add(engines);
        command.SetAction(parse =>
        {
            var files = parse.GetValue(inputs) ?? [];
            bool showEngines = parse.GetValue(engines);
            if (files.Length == 0 && !showEngines) throw new CliUsageException("info needs at least one INPUT (or --engines).");
            if (showEngines) DescribeEngines(context.Output);
            return files.Length == 0 ? 0 : Run(context, files);
        });
        return command;
    }

    /// <summary>
    /// The FFT engines this process can use and the one <see cref="FftBackend.Auto"/> resolves to for a power-of-two
    /// frame length (2048) and another (1000), so a user can see which engine their numbers come from.
    /// </summary>
    public static void DescribeEngines(TextWriter output)
    {
        string Name(FftBackend backend) => backend switch
        {
            FftBackend.FrameBatch => "frame-batch",
            FftBackend.Fftw => "fftw",
            _ => "managed",
        };
        output.WriteLine("FFT engines:");
        output.WriteLine($"  AVX-512:     {(FftEngines.HasAvx512 ? "yes" : "no")}");
        output.WriteLine($"  frame-batch: {(FftEngines.HasAvx512 ? "available (power-of-two frame lengths 16 to 2^24)" : "unavailable (needs AVX-512)")}" +
                         (FftEngines.FrameBatchDisabledByEnvironment ? "; Auto skips it (MUSICML_DISABLE_NATIVE=batchfft)" : ""));
        output.WriteLine($"  fftw:        {(FftEngines.HasFftw ? $"available ({FftEngines.FftwLibrary})" : NativeDependency.IsDisabledByEnvironment("fftw") ? "unavailable (MUSICML_DISABLE_NATIVE=fftw)" : "unavailable (install libfftw3-single3)")}");
        output.WriteLine("  managed:     available");
        output.WriteLine($"  Auto picks:  {Name(FftEngines.ResolveFramed(FftBackend.Auto, 2048))} for power-of-two lengths (e.g. 2048), " +
                         $"{Name(FftEngines.ResolveFramed(FftBackend.Auto, 1000))} for other lengths (e.g. 1000)");
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
                files = InputFiles.Expand([input], context);
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
