using System.Globalization;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Mir;
using MusicML.Mir.Beats;
using MusicML.Mir.Chords;
using MusicML.Mir.Key;
using MusicML.Mir.Onsets;
using MusicML.Mir.Pitch;
using MusicML.Mir.Segmentation;
using MusicML.Mir.Analysis;
using MusicML.Mir.Tempo;

namespace MusicML.Cli.Experiments;

/// <summary>The algorithms one evaluation task can run, the first being the default, and the file extension of its estimates.</summary>
/// <param name="Task">The evaluation task name (<see cref="Evaluation.EvaluationTask.Name"/>).</param>
/// <param name="EstimateExtension">Extension of the estimate files, as the task command writes them (<c>.beats</c>, <c>.chords.lab</c>).</param>
/// <param name="Algorithms">The algorithms, default first.</param>
internal sealed record TaskAlgorithms(string Task, string EstimateExtension, IReadOnlyList<ExperimentAlgorithm> Algorithms)
{
    /// <summary>The algorithm run when <c>--algorithm</c> is not given: the task command's default.</summary>
    public ExperimentAlgorithm Default => Algorithms[0];

    /// <summary>The algorithm called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="CliUsageException">No such algorithm for this task; the message lists the valid ones.</exception>
    public ExperimentAlgorithm Get(string name) =>
        Algorithms.FirstOrDefault(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new CliUsageException($"--algorithm {name}: unknown for task '{Task}'; valid: {string.Join(", ", Algorithms.Select(a => a.Name))}.");
}

/// <summary>
/// The algorithm registry of <c>musicml experiment</c>: per task, the named estimators built on the same MusicML.Mir
/// calls (and the same output formats) as <c>musicml onsets|beats|downbeats|tempo|key|chords</c>, with their
/// settings exposed as parameters under the library's property names.
/// </summary>
internal static class ExperimentAlgorithms
{
    /// <summary>Every task that has algorithms, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<TaskAlgorithms> All { get; } =
    [
        new("onsets", ".onsets", [Onsets("superflux", OnsetMethod.SuperFlux, "SuperFlux (Böck & Widmer 2013)"),
            Onsets("spectralflux", OnsetMethod.SpectralFlux, "spectral flux on the log-filtered spectrogram"),
            Onsets("complexdomain", OnsetMethod.ComplexDomain, "complex-domain flux (Duxbury et al. 2003)")]),
        new("beats", ".beats", [Beats("barpointer", BeatMethod.BarPointer, downbeats: false), Beats("dp", BeatMethod.DynamicProgramming, downbeats: false), Learned("beats")]),
        new("downbeats", ".downbeats", [Beats("barpointer", BeatMethod.BarPointer, downbeats: true), Beats("dp", BeatMethod.DynamicProgramming, downbeats: true), Learned("downbeats")]),
        new("tempo", ".tempo", [Tempo(), Learned("tempo")]),
        new("key", ".key", [.. KeyProfiles.All.Select(Key)]),
        new("chords", ".chords.lab", [Chords()]),
        new("melody", ".f0", [Pitch("pyin"), Pitch("yin")]),
        new("segments", ".segments.lab", [Segments()]),
    ];

    /// <summary>The algorithms of <paramref name="task"/>.</summary>
    /// <exception cref="CliUsageException">The task has no algorithms yet; the message lists the tasks that do.</exception>
    public static TaskAlgorithms ForTask(string task) =>
        All.FirstOrDefault(t => t.Task.Equals(task, StringComparison.OrdinalIgnoreCase))
        ?? throw new CliUsageException($"--task {task}: no algorithm runs this task; tasks with algorithms: {string.Join(", ", All.Select(t => t.Task))}.");

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static ExperimentAlgorithm Onsets(string name, OnsetMethod method, string description)
    {
        var picker = OnsetDetector.DefaultPeakPicker(method);
        AlgorithmParameter[] parameters =
        [
            new("threshold", "peak-picking margin above the moving average (activation units)", Text(picker.Threshold)),
            new("combine", "minimum seconds between onsets", Text(picker.Combine)),
            new("preMax", "seconds before a peak in which it must be the maximum", Text(picker.PreMax)),
            new("postMax", "seconds after a peak in which it must be the maximum", Text(picker.PostMax)),
            new("preAvg", "seconds before a peak averaged for the threshold", Text(picker.PreAvg)),
            new("postAvg", "seconds after a peak averaged for the threshold", Text(picker.PostAvg)),
            new("delay", "seconds added to every onset", Text(picker.Delay)),
            new("backtrack", "move each onset back to the preceding energy minimum (true/false)", "false"),
        ];
        return new ExperimentAlgorithm(name, $"{description}, madmom peak picking", parameters, values =>
        {
            var tuned = picker with
            {
                Threshold = values.Number("threshold"), Combine = values.Number("combine"),
                PreMax = values.Number("preMax"), PostMax = values.Number("postMax"),
                PreAvg = values.Number("preAvg"), PostAvg = values.Number("postAvg"), Delay = values.Number("delay"),
            };
            tuned.Validate();
            bool backtrack = values.Flag("backtrack");
            bool keepStft = method == OnsetMethod.ComplexDomain;
            return audio => EstimateText.Times(OnsetDetector.Detect(RhythmSpectrogramOf(audio, keepStft), method, tuned, backtrack));
        });
    }

    private static AlgorithmParameter[] TempoParameters()
    {
        var tempo = new TempoEstimator();
        var analyzer = new RhythmAnalyzer();
        return
        [
            new("minBpm", "slowest tempo considered (BPM)", Text(tempo.MinBpm)),
            new("maxBpm", "fastest tempo considered (BPM)", Text(tempo.MaxBpm)),
            new("priorBpm", "centre of the log-normal tempo prior (BPM)", Text(tempo.PriorBpm)),
            new("priorOctaves", "width of the tempo prior (octaves)", Text(tempo.PriorOctaves)),
            new("harmonics", "comb-filter harmonics summed per tempo", tempo.Harmonics.ToString(CultureInfo.InvariantCulture)),
            new("tempoMaxHz", "highest band the tempo is estimated from (Hz)", Text(analyzer.TempoMaxHz)),
        ];
    }

    /// <summary>The tempo estimator of <see cref="TempoParameters"/>'s values, validated.</summary>
    private static TempoEstimator TempoEstimatorFrom(ParameterValues values)
    {
        var estimator = new TempoEstimator
        {
            MinBpm = values.Positive("minBpm"), MaxBpm = values.Positive("maxBpm"), PriorBpm = values.Positive("priorBpm"),
            PriorOctaves = values.Positive("priorOctaves"), Harmonics = values.Integer("harmonics"),
        };
        estimator.Validate();
        return estimator;
    }

    private static RhythmAnalyzer TempoAnalyzer(ParameterValues values) =>
        // The onset-driven (DSP) path; the learned one is its own algorithm ("learned").
        new() { TempoEstimator = TempoEstimatorFrom(values), TempoMaxHz = values.Positive("tempoMaxHz"), Network = null };

    private static AlgorithmParameter SpreadParameter() =>
        new("tempoSpreadOctaves", "half-width of the tempo range the tracker may follow around the estimate (octaves)", Text(new RhythmAnalyzer().TempoSpreadOctaves));

    private static ExperimentAlgorithm Beats(string name, BeatMethod method, bool downbeats)
    {
        var parameters = TempoParameters().ToList();
        if (method == BeatMethod.BarPointer) parameters.Add(SpreadParameter());
        var description = method == BeatMethod.BarPointer
            ? "Krebs, Böck & Widmer (2015) bar-pointer HMM over the SuperFlux activation"
            : "Ellis (2007) dynamic programming at the estimated tempo";
        if (downbeats) description += ", then the beat-synchronous bar-position HMM (3/4 or 4/4)";
        return new ExperimentAlgorithm(name, description, parameters, values =>
        {
            var analyzer = TempoAnalyzer(values) with { BeatMethod = method };
            if (method == BeatMethod.BarPointer) analyzer = analyzer with { TempoSpreadOctaves = values.Positive("tempoSpreadOctaves") };
            return Gated(audio =>
            {
                var analysis = analyzer.Analyze(RhythmSpectrogramOf(audio, keepStft: false));
                return EstimateText.Times(downbeats ? analysis.Downbeats : analysis.Beats);
            });
        });
    }

    /// <summary>
    /// The learned beat and downbeat activation (<see cref="BeatNetwork"/>, the bundled weights unless
    /// <c>model=PATH</c>) decoded by the comb and the bar-pointer HMM (<see cref="LearnedRhythm"/>); tempo in MIREX form.
    /// </summary>
    private static ExperimentAlgorithm Learned(string task)
    {
        var parameters = TempoParameters().Where(p => p.Name != "tempoMaxHz").ToList();
        parameters.Add(SpreadParameter());
        parameters.Add(new("model", "the beat network: bundled (the one built into MusicML.Mir, which analyze uses) or a safetensors path", "bundled"));
        parameters.Add(new("downbeatWeight", "weight of the network's downbeat activation beside the bar tracker's bass and harmony cues (inf: alone)", Text(new RhythmAnalyzer().LearnedDownbeatWeight)));
        return new ExperimentAlgorithm("learned", "beat/downbeat TCN (Böck & Davies 2020, trained by musicml train beats) decoded by the comb and the bar-pointer HMM",
            parameters, values =>
            {
                string model = values.String("model");
                var analyzer = new RhythmAnalyzer
                {
                    TempoEstimator = TempoEstimatorFrom(values), TempoSpreadOctaves = values.Positive("tempoSpreadOctaves"),
                    Network = model == "bundled" ? Commands.RhythmCommands.NetworkFor("learned") : BeatNetwork.Load(model),
                    LearnedDownbeatWeight = values.String("downbeatWeight") == "inf" ? double.PositiveInfinity : values.Number("downbeatWeight"),
                };
                return Gated(audio =>
                {
                    var analysis = analyzer.Analyze(RhythmSpectrogramOf(audio, keepStft: false));
                    return task switch
                    {
                        "beats" => EstimateText.Times(analysis.Beats),
                        "downbeats" => EstimateText.Times(analysis.Downbeats),
                        _ => EstimateText.Tempo(analysis.Tempo, mirex: true),
                    };
                });
            });
    }

    // The MIREX form 'T1 T2 S' (what `musicml tempo --mirex` writes), because the tempo P-score needs both candidates.
    private static ExperimentAlgorithm Tempo() =>
        new("comb", "comb filter over the onset autocorrelation with a log-normal prior; writes 'T1 T2 S'", TempoParameters(), values =>
        {
            var analyzer = TempoAnalyzer(values);
            return Gated(audio => EstimateText.Tempo(analyzer.EstimateTempo(RhythmSpectrogramOf(audio, keepStft: false)), mirex: true));
        });

    private static ExperimentAlgorithm Key(KeyProfile profile) =>
        new(profile.Name, $"tuning-corrected chroma correlated with the {profile.Name} key profile", [],
            _ => Gated(audio => EstimateText.Key(KeyEstimator.Estimate(NonEmptyMono(audio), audio.SampleRate, profile))));

    private static ExperimentAlgorithm Chords()
    {
        var defaults = ChordOptions.Default;
        AlgorithmParameter[] parameters =
        [
            new("vocabulary", "chord qualities: full or majmin", "full"),
            new("changeRatePerSecond", "probability that the chord changes from one second to the next", Text(defaults.ChangeRatePerSecond)),
            new("bassWeight", "weight of the bass chroma's evidence for the root", Text(defaults.BassWeight)),
            new("templateHarmonics", "partials per chord tone in the templates (1-16)", defaults.TemplateHarmonics.ToString(CultureInfo.InvariantCulture)),
            new("sharpness", "sharpness of the emission model exp(sharpness * score)", Text(defaults.Sharpness)),
            new("silenceRatio", "frames below this fraction of the loudest frame's energy are N", Text(defaults.SilenceRatio)),
        ];
        return new ExperimentAlgorithm("templates", "chord templates on bass/treble chroma with HMM smoothing (Sheh & Ellis 2003; Mauch & Dixon 2010)",
            parameters, values =>
            {
                var options = defaults with
                {
                    Vocabulary = ChordVocabulary.ByName(values.Choice("vocabulary", "full", "majmin")),
                    ChangeRatePerSecond = values.Number("changeRatePerSecond"), BassWeight = values.Number("bassWeight"),
                    TemplateHarmonics = values.Integer("templateHarmonics"), Sharpness = values.Number("sharpness"),
                    SilenceRatio = values.Number("silenceRatio"),
                };
                options.Validate();
                return Gated(audio => EstimateText.Chords(ChordEstimator.Estimate(NonEmptyMono(audio), audio.SampleRate, options: options)),
                    audio => EstimateText.Chords(EstimateGate.NoChords(audio.Duration)));
            });
    }

    // librosa's pyin/yin defaults: C2 to C7.
    private const double DefaultFMin = 65.40639132514966, DefaultFMax = 2093.004522404789;

    private static ExperimentAlgorithm Pitch(string name)
    {
        bool probabilistic = name == "pyin";
        List<AlgorithmParameter> parameters =
        [
            new("fMin", "lowest F0 searched (Hz)", Text(DefaultFMin)),
            new("fMax", "highest F0 searched (Hz)", Text(DefaultFMax)),
        ];
        if (probabilistic)
        {
            parameters.Add(new("switchProbability", "probability of switching between voiced and unvoiced per frame", "0.01"));
            parameters.Add(new("boltzmannParameter", "strength of the prior favouring earlier troughs", "2"));
        }
        else parameters.Add(new("troughThreshold", "absolute CMNDF threshold of YIN step 4", "0.1"));
        var description = probabilistic
            ? "probabilistic YIN with a voicing HMM (Mauch & Dixon 2014); writes 'time f0', 0 Hz unvoiced"
            : "YIN (de Cheveigné & Kawahara 2002); writes 'time f0', 0 Hz unvoiced";
        return new ExperimentAlgorithm(name, description, parameters, values =>
        {
            double fMin = values.Positive("fMin"), fMax = values.Positive("fMax");
            if (fMin >= fMax) throw new CliUsageException($"--param fMin={Text(fMin)}: must be below fMax ({Text(fMax)}).");
            double switchProbability = probabilistic ? values.Number("switchProbability") : 0;
            double boltzmann = probabilistic ? values.Number("boltzmannParameter") : 0;
            double troughThreshold = probabilistic ? 0 : values.Number("troughThreshold");
            return audio =>
            {
                var y = NonEmptyMono(audio);
                var track = probabilistic
                    ? PYin.Estimate(y, audio.SampleRate, fMin, fMax, boltzmannParameter: boltzmann, switchProbability: switchProbability)
                    : Yin.Estimate(y, audio.SampleRate, fMin, fMax, troughThreshold: troughThreshold);
                return EstimateText.Pitch(track);
            };
        });
    }

    private static ExperimentAlgorithm Segments()
    {
        var defaults = SegmentationOptions.Default;
        AlgorithmParameter[] parameters =
        [
            new("blockSeconds", "seconds averaged into one block of the self-similarity matrix", Text(defaults.BlockSeconds)),
            new("kernelSeconds", "half-width of the checkerboard kernel (seconds)", Text(defaults.KernelSeconds)),
            new("minSegmentSeconds", "shortest segment (seconds)", Text(defaults.MinSegmentSeconds)),
            new("peakThreshold", "novelty peaks below this fraction of the largest are ignored", Text(defaults.PeakThreshold)),
            new("labelSimilarity", "cosine similarity at which segments share a label", Text(defaults.LabelSimilarity)),
        ];
        return new ExperimentAlgorithm("foote", "checkerboard novelty on MFCC+chroma self-similarity (Foote 2000), greedy section labels", parameters, values =>
        {
            var options = defaults with
            {
                BlockSeconds = values.Number("blockSeconds"), KernelSeconds = values.Number("kernelSeconds"),
                MinSegmentSeconds = values.Number("minSegmentSeconds"), PeakThreshold = values.Number("peakThreshold"),
                LabelSimilarity = values.Number("labelSimilarity"),
            };
            options.Validate();
            return Gated(audio => EstimateText.Segments(FooteSegmenter.Segment(NonEmptyMono(audio), audio.SampleRate, options)));
        });
    }

    /// <summary>
    /// <paramref name="estimate"/>, or the task commands' no-estimate output (empty; <paramref name="none"/> when given)
    /// for audio <see cref="EstimateGate"/> refuses, so an experiment scores what `musicml beats/key/…` would write.
    /// </summary>
    private static Func<AudioBuffer, string> Gated(Func<AudioBuffer, string> estimate, Func<AudioBuffer, string>? none = null) =>
        audio => EstimateGate.Check(NonEmptyMono(audio), audio.SampleRate) is null ? estimate(audio) : none?.Invoke(audio) ?? "";

    private static float[] NonEmptyMono(AudioBuffer audio)
    {
        var y = audio.ToMono();
        InputGuard.Audio(y);
        return y;
    }

    private static RhythmSpectrogram RhythmSpectrogramOf(AudioBuffer audio, bool keepStft) =>
        RhythmSpectrogram.Compute(NonEmptyMono(audio), audio.SampleRate, keepStft: keepStft);
}
