using System.CommandLine;
using System.Globalization;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Mir.Analysis;
using MusicML.Mir.Chords;
using MusicML.Mir.Key;
using MusicML.Mir.Pitch;
using MusicML.Mir.Segmentation;

namespace MusicML.Cli.Commands;

/// <summary>
/// The tonal commands — <c>musicml key</c>, <c>chords</c>, <c>pitch</c>, <c>tuning</c>, <c>segments</c> — thin
/// wrappers over <see cref="KeyEstimator"/> and <see cref="ChordEstimator"/> (both on the tuning-corrected constant-Q
/// chroma, <see cref="Mir.Chroma.CqtChroma"/>), <see cref="PYin"/> / <see cref="Yin"/>,
/// <see cref="Mir.Chroma.CqtChroma.EstimateTuning(ReadOnlySpan{float}, int)"/> (the tuning they all share) and
/// <see cref="FooteSegmenter"/>.
/// INPUT is files or directories (recursive). With <c>--out DIR</c> each file writes <c>DIR/&lt;path under the inputs' root&gt;.&lt;ext&gt;</c>;
/// without it a single file's result goes to stdout. A file that fails gets one error line and the others go on.
/// </summary>
internal static class TonalCommands
{
    /// <summary><c>musicml key INPUT... [--profile NAME] [--out DIR]</c>: writes <c>tonic mode</c> (e.g. <c>A minor</c>).</summary>
    public static Command Key(CliContext context)
    {
        var profile = new Option<string>("--profile")
        {
            Description = "Key profile: " + string.Join(", ", KeyProfiles.All.Select(p => p.Name)) + " (default learned).",
            DefaultValueFactory = _ => KeyProfiles.Learned.Name,
        };
        profile.AcceptOnlyFromAmong([.. KeyProfiles.All.Select(p => p.Name), "kk"]);
        var method = new Option<string>("--method")
        {
            Description = "Evidence: combined (profile correlation plus chord fit; default), profile, or chords.",
            DefaultValueFactory = _ => "combined",
        };
        method.AcceptOnlyFromAmong("combined", "profile", "chords");
        return BuildOnFile(context, "key", "Estimate the key of audio files (mir_eval format, e.g. 'A minor') from tuning-corrected constant-Q chroma.", ".key", [profile, method],
            (parse, file) =>
            {
                // The library's streamed analysis: bounded memory on any length, the whole-file numbers on short files.
                var analyzer = new Analyzer
                {
                    Tasks = AnalysisTasks.Key,
                    KeyProfile = KeyProfiles.ByName(parse.GetValue(profile)!),
                    KeyMethod = Enum.Parse<KeyMethod>(parse.GetValue(method)!, ignoreCase: true),
                };
                var result = StreamedAnalysis.Run(context, "key", analyzer, file);
                if (result.Key is { } key) return EstimateText.Key(key);
                if (result.NoEstimate is null)
                    context.Warn($"{file}: no key estimate: the audio holds no pitched content (silence or unpitched noise).");
                return "";
            });
    }

    /// <summary><c>musicml chords INPUT... [--vocabulary full|majmin] [--out DIR]</c>: writes a .lab file (<c>start end label</c>).</summary>
    public static Command Chords(CliContext context)
    {
        var vocabulary = new Option<string>("--vocabulary")
        {
            Description = "Chord qualities: full (maj, min, 7, maj7, min7, dim, aug, sus2, sus4, hdim7, dim7; default) or majmin.",
            DefaultValueFactory = _ => "full",
        };
        vocabulary.AcceptOnlyFromAmong("full", "majmin");
        var beats = new Option<string?>("--beats")
        {
            Description = "Beat times (one per line, seconds, e.g. from 'musicml beats'): a file, or a directory holding <name>.beats per input as 'musicml beats --out DIR' writes them (sub-folders kept). Chords then change only on beats.",
        };
        return PerFileOutput.CreateCommandOnTracks(context, "chords", "Estimate chords of audio files as Harte-labelled segments (start end label, seconds) from tuning-corrected constant-Q chroma.", ".chords.lab", [vocabulary, beats],
            parse => track =>
            {
                var file = track.Path;
                var options = ChordOptions.Default with { Vocabulary = ChordVocabulary.ByName(parse.GetValue(vocabulary)!) };
                IReadOnlyList<double>? beatTimes = null;
                if (parse.GetValue(beats) is { } beatsPath)
                {
                    var beatsFile = Directory.Exists(beatsPath) ? InputFiles.OutputPath(beatsPath, track, ".beats") : beatsPath;
                    beatTimes = Evaluation.Annotations.AnnotationFiles.ReadEvents(beatsFile);
                }
                // Through the library's streamed analysis (the same decode as ChordEstimator.Estimate), frame-wise or
                // changing only on the given beats.
                var analyzer = new Analyzer { Tasks = AnalysisTasks.Chords, Chords = options, ChordBoundaries = beatTimes };
                return EstimateText.Chords(StreamedAnalysis.Run(context, "chords", analyzer, file).Chords);
            });
    }

    /// <summary><c>musicml pitch INPUT... [--algorithm pyin|yin] [--fmin HZ] [--fmax HZ] [--out DIR]</c>: writes <c>time f0</c> lines, 0 where unvoiced.</summary>
    public static Command Pitch(CliContext context)
    {
        var algorithm = new Option<string>("--algorithm") { Description = "pyin (probabilistic YIN with voicing HMM; default) or yin.", DefaultValueFactory = _ => "pyin" };
        algorithm.AcceptOnlyFromAmong("pyin", "yin");
        var fMin = new Option<double>("--fmin") { Description = "Lowest F0 in Hz (default 65.4, C2).", DefaultValueFactory = _ => 65.40639132514966 };
        var fMax = new Option<double>("--fmax") { Description = "Highest F0 in Hz (default 2093, C7).", DefaultValueFactory = _ => 2093.004522404789 };
        return BuildOnFile(context, "pitch", "Estimate the fundamental frequency per frame (time f0, 0 Hz where unvoiced).", ".f0", [algorithm, fMin, fMax],
            (parse, file) =>
            {
                // Streamed at 22050 Hz like every load: one block and the track in memory, whatever the length.
                double low = parse.GetValue(fMin), high = parse.GetValue(fMax);
                using var line = new ProgressLine(context, $"pitch {Path.GetFileName(file)}", AudioFile.GetInfo(file).Duration);
                var track = parse.GetValue(algorithm) == "yin"
                    ? Yin.Estimate(file, fMin: low, fMax: high, progress: line)
                    : PYin.Estimate(file, fMin: low, fMax: high, progress: line);
                return EstimateText.Pitch(track);
            });
    }

    /// <summary><c>musicml segments INPUT... [--out DIR]</c>: writes a .lab file of sections (<c>start end label</c>).</summary>
    public static Command Segments(CliContext context) =>
        BuildOnFile(context, "segments", "Find structural sections (boundaries and A/B/... labels) as a .lab file.", ".segments.lab", [],
            (_, file) =>
            {
                // The library's streamed analysis at 22050 Hz: FooteSegmenter's own numbers, in bounded memory on any length.
                return EstimateText.Segments(StreamedAnalysis.Run(context, "segments", new Analyzer { Tasks = AnalysisTasks.Segments }, file).Segments);
            });

    /// <summary><c>musicml tuning INPUT... [--out DIR]</c>: writes the deviation from A440 in cents.</summary>
    public static Command Tuning(CliContext context) =>
        BuildOnFile(context, "tuning", "Estimate the tuning of audio files: deviation from A440 in cents (-50 to 50).", ".tuning", [],
            (_, file) =>
            {
                // The library's streamed analysis, so the figure is the reference key, chords and analyze use.
                var result = StreamedAnalysis.Run(context, "tuning", new Analyzer { Tasks = AnalysisTasks.Tuning }, file);
                if (result.TuningCents is { } cents) return cents.ToString("F1", CultureInfo.InvariantCulture) + "\n";
                context.Warn($"{file}: no tuning estimate: {result.NoEstimate ?? "no pitched content"}.");
                return "";
            });

    /// <summary>A per-file tonal command whose analysis gets each input's path (and streams it itself).</summary>
    private static Command BuildOnFile(CliContext context, string name, string description, string extension,
        IReadOnlyList<Option> extraOptions, Func<ParseResult, string, string> analyse) =>
        PerFileOutput.CreateCommand(context, name, description, extension, extraOptions, parse => file => analyse(parse, file));
}
