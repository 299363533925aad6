using System.CommandLine;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Mir;
using MusicML.Mir.Analysis;
using MusicML.Mir.Onsets;
using MusicML.Mir.Beats;
using MusicML.Mir.Tempo;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml onsets|beats|downbeats|tempo INPUT... [--out DIR]</c>: thin wrappers over
/// <see cref="OnsetDetector"/> and <see cref="RhythmAnalyzer"/>. With --out DIR every file writes DIR/&lt;path under the inputs' root&gt;.&lt;ext&gt;;
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

    private static Command CreateOnsets(CliContext context)
    {
        var method = new Option<string>("--method") { Description = "Activation: superflux, spectralflux or complexdomain.", DefaultValueFactory = _ => "superflux" };
        method.AcceptOnlyFromAmong(OnsetMethods);
        var threshold = new Option<double?>("--threshold") { Description = "Peak-picking threshold above the moving average (activation units; default per method)." };
        var combine = new Option<double>("--combine") { Description = "Minimum seconds between onsets.", DefaultValueFactory = _ => 0.03 };
        var backtrack = new Option<bool>("--backtrack") { Description = "Move each onset back to the preceding energy minimum." };
        return PerFileOutput.CreateCommand(context, "onsets", "Detect note onsets (SuperFlux activation, madmom-style peak picking); one time in seconds per line.",
            ".onsets", [method, threshold, combine, backtrack], parse =>
            {
                var onsetMethod = ParseOnsetMethod(parse.GetValue(method)!);
                var picker = OnsetDetector.DefaultPeakPicker(onsetMethod);
                picker = picker with { Threshold = parse.GetValue(threshold) ?? picker.Threshold, Combine = parse.GetValue(combine) };
                picker.Validate();
                // The library's streamed analysis: bounded memory on any length, OnsetDetector.Detect's numbers on any file.
                var analyzer = new Analyzer
                {
                    Tasks = AnalysisTasks.Onsets,
                    Rhythm = new RhythmAnalyzer { ActivationMethod = onsetMethod },
                    OnsetPeakPicker = picker,
                    OnsetBacktrack = parse.GetValue(backtrack),
                };
                return Streamed(context, "onsets", analyzer, result => EstimateText.Times(result.Onsets));
            });
    }

    private static Command CreateBeats(CliContext context, bool downbeats)
    {
        var method = new Option<string>("--method") { Description = "Beat tracker: barpointer (HMM) or dp (Ellis dynamic programming).", DefaultValueFactory = _ => "barpointer" };
        method.AcceptOnlyFromAmong(BeatMethods);
        var (minBpm, maxBpm, priorBpm) = TempoOptions();
        var rhythm = RhythmOption();
        return PerFileOutput.CreateCommand(context,
            downbeats ? "downbeats" : "beats",
            downbeats
                ? "Track downbeats (bar-pointer HMM beats, then an HMM over bar positions choosing 3/4 or 4/4); one time per line."
                : "Track beats (Krebs 2015 bar-pointer HMM by default, or Ellis 2007 dynamic programming); one time per line.",
            downbeats ? ".downbeats" : ".beats", [minBpm, maxBpm, priorBpm, method, rhythm], parse =>
            {
                var analyzer = new RhythmAnalyzer
                {
                    TempoEstimator = TempoEstimatorFrom(parse, minBpm, maxBpm, priorBpm),
                    BeatMethod = parse.GetValue(method) == "dp" ? BeatMethod.DynamicProgramming : BeatMethod.BarPointer,
                    Network = NetworkFor(parse.GetValue(rhythm)!),
                };
                return Streamed(context, downbeats ? "downbeats" : "beats", new Analyzer { Tasks = downbeats ? AnalysisTasks.Downbeats : AnalysisTasks.Beats, Rhythm = analyzer },
                    result => EstimateText.Times(downbeats ? result.Downbeats : result.Beats));
            });
    }

    private static Command CreateTempo(CliContext context)
    {
        var mirex = new Option<bool>("--mirex") { Description = "Write 'T1 T2 S' (two tempi and the relative strength of the first) instead of one BPM." };
        var (minBpm, maxBpm, priorBpm) = TempoOptions();
        var rhythm = RhythmOption();
        return PerFileOutput.CreateCommand(context, "tempo", "Estimate the tempo in BPM (comb filter over the onset autocorrelation with a log-normal prior).",
            ".tempo", [minBpm, maxBpm, priorBpm, mirex, rhythm], parse =>
            {
                var analyzer = new RhythmAnalyzer { TempoEstimator = TempoEstimatorFrom(parse, minBpm, maxBpm, priorBpm), Network = NetworkFor(parse.GetValue(rhythm)!) };
                bool asMirex = parse.GetValue(mirex);
                return Streamed(context, "tempo", new Analyzer { Tasks = AnalysisTasks.Tempo, Rhythm = analyzer },
                    result => result.Tempo is { } tempo ? EstimateText.Tempo(tempo, asMirex)
                        : result.NoEstimate is not null ? "" : throw new MusicMLException("The analysis gave no tempo."));
            });
    }

    /// <summary><c>--rhythm learned|dsp</c>: the beat activation the tempo, beat and downbeat trackers read.</summary>
    internal static Option<string> RhythmOption()
    {
        var option = new Option<string>("--rhythm")
        {
            Description = "Beat activation for tempo, beats and downbeats: learned (the bundled beat/downbeat network; default, it scores higher) or dsp (onset flux and the harmonic-rhythm bar tracker).",
            DefaultValueFactory = _ => "learned",
        };
        option.AcceptOnlyFromAmong("learned", "dsp");
        return option;
    }

    /// <summary>The network <c>--rhythm</c> names: the bundled one for <c>learned</c>, none for <c>dsp</c>.</summary>
    /// <exception cref="CliUsageException">learned was asked for and this build has no bundled network.</exception>
    internal static BeatNetwork? NetworkFor(string rhythm) => rhythm == "dsp"
        ? null
        : BeatNetwork.Bundled ?? throw new CliUsageException(
            "--rhythm learned: this build has no beat network (models/musicml_beats.safetensors; scripts/train-beat-network.sh regenerates it); use --rhythm dsp.");

    private static (Option<double> Min, Option<double> Max, Option<double> Prior) TempoOptions()
    {
        var defaults = new TempoEstimator();
        var min = new Option<double>("--min-bpm") { Description = "Slowest tempo considered (BPM).", DefaultValueFactory = _ => defaults.MinBpm };
        var max = new Option<double>("--max-bpm") { Description = "Fastest tempo considered (BPM).", DefaultValueFactory = _ => defaults.MaxBpm };
        var prior = new Option<double>("--prior-bpm") { Description = "Centre of the log-normal tempo prior (BPM).", DefaultValueFactory = _ => defaults.PriorBpm };
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

    /// <summary>The per-file output of a rhythm command: <paramref name="format"/> of its <see cref="StreamedAnalysis"/>.</summary>
    private static Func<string, string> Streamed(CliContext context, string command, Analyzer analyzer, Func<AnalysisResult, string> format) =>
        file => format(StreamedAnalysis.Run(context, command, analyzer, file));
}
