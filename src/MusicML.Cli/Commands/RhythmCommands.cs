using System.CommandLine;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Mir;
using MusicML.Mir.Onsets;
using MusicML.Mir.Tempo;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml onsets|beats|downbeats|tempo INPUT... [--out-dir DIR]</c>: thin wrappers over
/// <see cref="OnsetDetector"/> and <see cref="RhythmAnalyzer"/>. With --out-dir every file writes DIR/&lt;stem&gt;.&lt;ext&gt;;
/// without it a single input's result goes to standard output. A file that fails gets one error line and does not
/// stop the others.
/// </summary>
internal static class RhythmCommands
{
    private static readonly string[] OnsetMethods = ["superflux", "spectralflux", "complexdomain"];
    private static readonly string[] BeatMethods = ["barpointer", "dp"];

    /// <summary><c>musicml onsets</c>.</summary>
    public static Command Onsets(CliContext context) => CreateOnsets(context);

    /// <summary><c>musicml beats</c>.</summary>
    public static Command Beats(CliContext context) => CreateBeats(context, downbeats: false);

    /// <summary><c>musicml downbeats</c>.</summary>
    public static Command Downbeats(CliContext context) => CreateBeats(context, downbeats: true);

    /// <summary><c>musicml tempo</c>.</summary>
    public static Command Tempo(CliContext context) => CreateTempo(context);

    private static (Argument<string[]> Inputs, Option<string?> OutDir) Common(Command command)
    {
        var inputs = new Argument<string[]>("INPUT")
        {
            Description = "Audio files, or directories searched recursively for audio files.",
            Arity = ArgumentArity.OneOrMore,
        };
        var outDir = new Option<string?>("--out-dir") { Description = "Write DIR/<stem>.<ext> per input instead of printing (required for several inputs)." };
        command.Arguments.Add(inputs);
        command.Options.Add(outDir);
        return (inputs, outDir);
    }

    private static Command CreateOnsets(CliContext context)
    {
        var command = new Command("onsets", "Detect note onsets (SuperFlux activation, madmom-style peak picking); one time in seconds per line.");
        var (inputs, outDir) = Common(command);
        var method = new Option<string>("--method") { Description = "Activation: superflux, spectralflux or complexdomain.", DefaultValueFactory = _ => "superflux" };
        method.AcceptOnlyFromAmong(OnsetMethods);
        var threshold = new Option<double?>("--threshold") { Description = "Peak-picking threshold above the moving average (activation units; default per method)." };
        var combine = new Option<double>("--combine") { Description = "Minimum seconds between onsets.", DefaultValueFactory = _ => 0.03 };
        var backtrack = new Option<bool>("--backtrack") { Description = "Move each onset back to the preceding energy minimum." };
        command.Options.Add(method);
        command.Options.Add(threshold);
        command.Options.Add(combine);
        command.Options.Add(backtrack);
        command.SetAction(parse =>
        {
            var onsetMethod = ParseOnsetMethod(parse.GetValue(method)!);
            var picker = OnsetDetector.DefaultPeakPicker(onsetMethod);
            picker = picker with { Threshold = parse.GetValue(threshold) ?? picker.Threshold, Combine = parse.GetValue(combine) };
            picker.Validate();
            bool back = parse.GetValue(backtrack);
            return RunPerFile(context, parse.GetValue(inputs) ?? [], parse.GetValue(outDir), ".onsets",
                keepStft: onsetMethod == OnsetMethod.ComplexDomain,
                spectrogram => EstimateText.Times(OnsetDetector.Detect(spectrogram, onsetMethod, picker, back)));
        });
        return command;
    }

    private static Command CreateBeats(CliContext context, bool downbeats)
    {
        var command = downbeats
            ? new Command("downbeats", "Track downbeats (bar-pointer HMM beats, then an HMM over bar positions choosing 3/4 or 4/4); one time per line.")
            : new Command("beats", "Track beats (Krebs 2015 bar-pointer HMM by default, or Ellis 2007 dynamic programming); one time per line.");
        var (inputs, outDir) = Common(command);
        var method = new Option<string>("--method") { Description = "Beat tracker: barpointer (HMM) or dp (Ellis dynamic programming).", DefaultValueFactory = _ => "barpointer" };
        method.AcceptOnlyFromAmong(BeatMethods);
        var (minBpm, maxBpm, priorBpm) = TempoOptions(command);
        command.Options.Add(method);
        command.SetAction(parse =>
        {
            var analyzer = new RhythmAnalyzer
            {
                TempoEstimator = TempoEstimatorFrom(parse, minBpm, maxBpm, priorBpm),
                BeatMethod = parse.GetValue(method) == "dp" ? BeatMethod.DynamicProgramming : BeatMethod.BarPointer,
            };
            return RunPerFile(context, parse.GetValue(inputs) ?? [], parse.GetValue(outDir), downbeats ? ".downbeats" : ".beats", keepStft: false, spectrogram =>
            {
                var analysis = analyzer.Analyze(spectrogram);
                return EstimateText.Times(downbeats ? analysis.Downbeats : analysis.Beats);
            });
        });
        return command;
    }

    private static Command CreateTempo(CliContext context)
    {
        var command = new Command("tempo", "Estimate the tempo in BPM (comb filter over the onset autocorrelation with a log-normal prior).");
        var (inputs, outDir) = Common(command);
        var mirex = new Option<bool>("--mirex") { Description = "Write 'T1 T2 S' (two tempi and the relative strength of the first) instead of one BPM." };
        var (minBpm, maxBpm, priorBpm) = TempoOptions(command);
        command.Options.Add(mirex);
        command.SetAction(parse =>
        {
            var analyzer = new RhythmAnalyzer { TempoEstimator = TempoEstimatorFrom(parse, minBpm, maxBpm, priorBpm) };
            bool asMirex = parse.GetValue(mirex);
            return RunPerFile(context, parse.GetValue(inputs) ?? [], parse.GetValue(outDir), ".tempo",
                keepStft: false, spectrogram => EstimateText.Tempo(analyzer.EstimateTempo(spectrogram), asMirex));
        });
        return command;
    }

    private static (Option<double> Min, Option<double> Max, Option<double> Prior) TempoOptions(Command command)
    {
        var defaults = new TempoEstimator();
        var min = new Option<double>("--min-bpm") { Description = "Slowest tempo considered (BPM).", DefaultValueFactory = _ => defaults.MinBpm };
        var max = new Option<double>("--max-bpm") { Description = "Fastest tempo considered (BPM).", DefaultValueFactory = _ => defaults.MaxBpm };
        var prior = new Option<double>("--prior-bpm") { Description = "Centre of the log-normal tempo prior (BPM).", DefaultValueFactory = _ => defaults.PriorBpm };
        command.Options.Add(min);
        command.Options.Add(max);
        command.Options.Add(prior);
        return (min, max, prior);
    }

    private static TempoEstimator TempoEstimatorFrom(ParseResult parse, Option<double> min, Option<double> max, Option<double> prior)
    {
        var estimator = new TempoEstimator { MinBpm = parse.GetValue(min), MaxBpm = parse.GetValue(max), PriorBpm = parse.GetValue(prior) };
        try
        {
            estimator.Validate();
        }
        catch (MusicMLException e)
        {
            throw new CliUsageException(e.Message);
        }
        return estimator;
    }

    private static OnsetMethod ParseOnsetMethod(string name) => name switch
    {
        "spectralflux" => OnsetMethod.SpectralFlux,
        "complexdomain" => OnsetMethod.ComplexDomain,
        _ => OnsetMethod.SuperFlux,
    };

    /// <summary>
    /// Decodes each input once at 22050 Hz mono, computes the shared rhythm spectrogram and writes
    /// <paramref name="analyse"/>'s text to DIR/&lt;stem&gt;<paramref name="extension"/> or to standard output.
    /// The spectrogram keeps its complex STFT only if <paramref name="keepStft"/> (complex-domain onsets).
    /// </summary>
    private static int RunPerFile(CliContext context, IReadOnlyList<string> inputs, string? outDir, string extension,
        bool keepStft, Func<RhythmSpectrogram, string> analyse) =>
        PerFileOutput.Run(context, InputFiles.Expand(inputs), outDir, extension, file =>
        {
            var audio = AudioFile.Load(file);
            var y = audio.ToMono();
            if (y.Length == 0) throw new MusicMLException($"{file}: the audio is empty (0 samples).");
            return analyse(RhythmSpectrogram.Compute(y, audio.SampleRate, keepStft: keepStft));
        });
}
