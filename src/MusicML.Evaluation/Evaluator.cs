using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation;

/// <summary>
/// One evaluation task (<c>beats</c>, <c>chords</c>, ...): how its annotation files are recognised and read, and which
/// metrics score a reference/estimate pair. This is the registry that <c>musicml eval</c> (and anything that runs
/// experiments) calls: <c>EvaluationTask.Get("beats").Evaluate(refPath, estPath)</c> returns named scores.
/// </summary>
public sealed class EvaluationTask
{
    private readonly Func<string, string, Scores> _evaluate;

    private EvaluationTask(string name, string description, string[] extensions, string[] metricNames, Func<string, string, Scores> evaluate)
    {
        Name = name;
        Description = description;
        FileExtensions = extensions;
        MetricNames = metricNames;
        _evaluate = evaluate;
    }

    /// <summary>The task name used on the command line.</summary>
    public string Name { get; }

    /// <summary>What is scored and how, in one line.</summary>
    public string Description { get; }

    /// <summary>Extensions (lower case, with the dot) of this task's annotation files, most specific first; used to pick files in directories and to strip stems.</summary>
    public IReadOnlyList<string> FileExtensions { get; }

    /// <summary>The snake_case metric names <see cref="Evaluate"/> returns, in order.</summary>
    public IReadOnlyList<string> MetricNames { get; }

    /// <summary>
    /// Reads <paramref name="referencePath"/> and <paramref name="estimatedPath"/> (text, .lab, .csv, or .jams) and
    /// scores them. Problems raise an <see cref="AnnotationException"/> naming the file (and line, for malformed text).
    /// </summary>
    public Scores Evaluate(string referencePath, string estimatedPath)
    {
        try { return _evaluate(referencePath, estimatedPath); }
        catch (AnnotationException e) when (e.FilePath is null)
        {
            throw new AnnotationException(estimatedPath, 0, $"against {referencePath}: {e.Message}");
        }
    }

    /// <summary>Every task, in the order <c>musicml eval --help</c> lists them.</summary>
    public static IReadOnlyList<EvaluationTask> All { get; } =
    [
        new("onsets", "onset F-measure, precision, recall (±50 ms)", [".onsets", ".txt", ".csv", ".jams"],
            ["f_measure", "precision", "recall"],
            (r, e) => OnsetEvaluation.Evaluate(Events(r, "onset"), Events(e, "onset"))),
        new("beats", "mir_eval beat metrics after dropping beats before 5 s", [".beats", ".txt", ".csv", ".jams"], BeatNames,
            (r, e) => BeatEvaluation.Evaluate(Events(r, "beat"), Events(e, "beat"))),
        new("downbeats", "mir_eval beat metrics on the downbeats (position 1 of two-column beat files), beats before 5 s dropped",
            [".downbeats", ".beats", ".txt", ".csv", ".jams"], BeatNames,
            (r, e) => BeatEvaluation.Evaluate(Downbeats(r), Downbeats(e))),
        new("tempo", "mir_eval tempo P-score (8 %), one/both correct, Accuracy1 (4 %), Accuracy2 (octave errors)",
            [".tempo", ".bpm", ".lab", ".txt", ".csv", ".jams"], ["p_score", "one_correct", "both_correct", "accuracy1", "accuracy2"],
            (r, e) => TempoEvaluation.Evaluate(Tempo(r), Tempo(e))),
        new("key", "MIREX weighted key score", [".key", ".txt", ".jams"], ["weighted_score"],
            (r, e) => KeyEvaluation.Evaluate(Key(r), Key(e))),
        new("chords", "mir_eval chord vocabularies (duration-weighted) and segmentation", [".chords", ".lab", ".txt", ".csv", ".jams"],
            [.. ChordEvaluation.Vocabularies, "underseg", "overseg", "seg"],
            (r, e) => ChordEvaluation.Evaluate(Intervals(r, "chord", "chord_harte"), Intervals(e, "chord", "chord_harte"))),
        new("melody", "mir_eval melody voicing and pitch accuracies", [".melody", ".f0", ".txt", ".csv", ".jams"],
            ["voicing_recall", "voicing_false_alarm", "raw_pitch_accuracy", "raw_chroma_accuracy", "overall_accuracy"],
            (r, e) => MelodyEvaluation.Evaluate(Melody(r), Melody(e))),
        new("segments", "mir_eval structure metrics: boundaries at 0.5 s and 3 s, pairwise, NCE, ...", [".segments", ".lab", ".txt", ".csv", ".jams"],
            ["precision@0.5", "recall@0.5", "f_measure@0.5", "precision@3.0", "recall@3.0", "f_measure@3.0", "ref_to_est_deviation",
             "est_to_ref_deviation", "pairwise_precision", "pairwise_recall", "pairwise_f_measure", "rand_index", "adjusted_rand_index",
             "mutual_information", "adjusted_mutual_information", "normalized_mutual_information", "nce_over", "nce_under", "nce_f_measure",
             "v_precision", "v_recall", "v_measure"],
            (r, e) => SegmentEvaluation.Evaluate(Intervals(r, "segment_*"), Intervals(e, "segment_*"))),
        new("notes", "mir_eval note transcription: with/without offsets, onsets only, offsets only", [".notes", ".txt", ".csv", ".jams"],
            ["precision", "recall", "f_measure", "average_overlap_ratio", "precision_no_offset", "recall_no_offset", "f_measure_no_offset",
             "average_overlap_ratio_no_offset", "onset_precision", "onset_recall", "onset_f_measure", "offset_precision", "offset_recall", "offset_f_measure"],
            (r, e) => TranscriptionEvaluation.Evaluate(Notes(r), Notes(e))),
        new("tags", "per-track tag precision/recall/F (score ≥ 0.5), ROC-AUC and PR-AUC over the candidate tags", [".tags", ".txt", ".csv", ".jams"],
            ["precision", "recall", "f_measure", "roc_auc", "pr_auc"],
            (r, e) => TaggingEvaluation.EvaluateTrack(Tags(r), Tags(e))),
    ];

    /// <summary>The task called <paramref name="name"/>; an unknown name raises, listing the known ones.</summary>
    public static EvaluationTask Get(string name) =>
        All.FirstOrDefault(t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new AnnotationException($"Unknown evaluation task '{name}'; expected one of {string.Join(", ", All.Select(t => t.Name))}.");

    private static string[] BeatNames =>
        ["f_measure", "cemgil", "cemgil_best_metric_level", "goto", "p_score", "cmlc", "cmlt", "amlc", "amlt", "information_gain"];

    private static bool IsJams(string path) => path.EndsWith(".jams", StringComparison.OrdinalIgnoreCase);

    private static double[] Events(string path, string jamsNamespace) =>
        IsJams(path) ? JamsDocument.Read(path).Find(path, jamsNamespace).ToEvents() : AnnotationFiles.ReadEvents(path);

    private static double[] Downbeats(string path) =>
        IsJams(path) ? JamsDocument.Read(path).Find(path, "beat").ToDownbeats() : AnnotationFiles.ReadDownbeats(path);

    private static TempoAnnotation Tempo(string path) =>
        IsJams(path) ? JamsDocument.Read(path).Find(path, "tempo").ToTempo() : AnnotationFiles.ReadTempo(path);

    private static string Key(string path) =>
        IsJams(path) ? JamsDocument.Read(path).Find(path, "key_mode").ToKey() : AnnotationFiles.ReadKey(path);

    private static LabeledIntervals Intervals(string path, params string[] jamsNamespaces) =>
        IsJams(path) ? JamsDocument.Read(path).Find(path, jamsNamespaces).ToLabeledIntervals() : AnnotationFiles.ReadLabeledIntervals(path);

    private static TimeSeries Melody(string path) =>
        IsJams(path) ? JamsDocument.Read(path).Find(path, "pitch_contour", "pitch_hz").ToTimeSeries() : AnnotationFiles.ReadTimeSeries(path);

    private static NoteAnnotation Notes(string path) =>
        IsJams(path) ? JamsDocument.Read(path).Find(path, "note_hz").ToNotes() : AnnotationFiles.ReadNotes(path);

    private static TagAnnotation Tags(string path) =>
        IsJams(path) ? JamsDocument.Read(path).Find(path, "tag_*").ToTags() : AnnotationFiles.ReadTags(path);
}

/// <summary>The scores of one matched reference/estimate pair, or why it could not be scored.</summary>
/// <param name="Stem">The name both files share (file name without the task's extensions; relative path inside a directory).</param>
/// <param name="ReferencePath">The reference file.</param>
/// <param name="EstimatedPath">The estimate file.</param>
/// <param name="Scores">The scores, or null when <paramref name="Error"/> is set.</param>
/// <param name="Error">The one-line reason the pair failed (a malformed line with file:line, invalid values), or null.</param>
public sealed record FileEvaluation(string Stem, string ReferencePath, string EstimatedPath, Scores? Scores, string? Error);

/// <summary>Per-file results of a set, their mean, and what could not be paired.</summary>
/// <param name="Task">The task that scored the set.</param>
/// <param name="Files">One entry per matched pair, sorted by stem.</param>
/// <param name="UnmatchedReferences">Reference files with no estimate of the same stem.</param>
/// <param name="UnmatchedEstimates">Estimate files with no reference of the same stem.</param>
public sealed record SetEvaluation(EvaluationTask Task, IReadOnlyList<FileEvaluation> Files,
    IReadOnlyList<string> UnmatchedReferences, IReadOnlyList<string> UnmatchedEstimates)
{
    /// <summary>
    /// Per metric, the mean over the files that were scored, NaN values (e.g. a segment deviation with no boundary)
    /// left out; NaN when no file has a value.
    /// </summary>
    public IReadOnlyDictionary<string, double> Mean
    {
        get
        {
            var mean = new Dictionary<string, double>();
            foreach (var name in Task.MetricNames)
            {
                var values = Files.Where(f => f.Scores is not null).Select(f => f.Scores![name]).Where(v => !double.IsNaN(v)).ToArray();
                mean[name] = values.Length == 0 ? double.NaN : values.Average();
            }
            return mean;
        }
    }
}

/// <summary>Scores whole sets of annotations: files or directories matched by stem.</summary>
public static class Evaluator
{
    /// <summary>
    /// Scores <paramref name="estimated"/> against <paramref name="reference"/>, each a file or a directory (searched
    /// recursively for the task's extensions). Two files are paired as given; otherwise files pair by stem
    /// (<c>NAME.beats</c> with <c>NAME.beats</c> or <c>NAME.txt</c>), and when one directory holds several files with
    /// one stem, the extension listed first in <see cref="EvaluationTask.FileExtensions"/> wins. A directory holding any
    /// file with the task's own extension (the first listed: <c>.beats</c>, <c>.chords</c>, ...) contributes only those,
    /// so a dataset folder with several annotation kinds and a manifest works as is. A pair that fails is
    /// reported in its <see cref="FileEvaluation.Error"/> and the rest are still scored.
    /// </summary>
    public static SetEvaluation EvaluateSet(EvaluationTask task, string reference, string estimated)
    {
        ArgumentNullException.ThrowIfNull(task);
        Require(reference, "Reference");
        Require(estimated, "Estimated");
        if (File.Exists(reference) && File.Exists(estimated))
            return new SetEvaluation(task, [Score(task, Stem(task, Path.GetFileName(reference)), reference, estimated)], [], []);

        var refs = Collect(task, reference);
        var ests = Collect(task, estimated);
        var files = new List<FileEvaluation>();
        foreach (var (stem, refPath) in refs.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (ests.TryGetValue(stem, out var estPath)) files.Add(Score(task, stem, refPath, estPath));
        var unmatchedRefs = refs.Where(p => !ests.ContainsKey(p.Key)).Select(p => p.Value).Order(StringComparer.Ordinal).ToArray();
        var unmatchedEsts = ests.Where(p => !refs.ContainsKey(p.Key)).Select(p => p.Value).Order(StringComparer.Ordinal).ToArray();
        return new SetEvaluation(task, files, unmatchedRefs, unmatchedEsts);
    }

    /// <summary>The stem of a file name for <paramref name="task"/>: its task extensions stripped from the end (<c>a.chords.lab</c> → <c>a</c>).</summary>
    public static string Stem(EvaluationTask task, string fileName)
    {
        ArgumentNullException.ThrowIfNull(task);
        var stem = fileName;
        while (true)
        {
            var extension = Path.GetExtension(stem).ToLowerInvariant();
            if (extension.Length == 0 || !task.FileExtensions.Contains(extension) || stem.Length == extension.Length) return stem;
            stem = stem[..^extension.Length];
        }
    }

    /// <summary>
    /// The annotation files of <paramref name="task"/> that <see cref="EvaluateSet"/> would read from
    /// <paramref name="path"/> (a file, or a directory searched recursively with the same precedence rules), keyed by
    /// stem: the file name without the task's extensions, prefixed by its folder relative to <paramref name="path"/>
    /// (<c>sub/a</c> for <c>sub/a.beats</c>). Lets a caller pair other files (audio, say) with references exactly as
    /// estimates are paired.
    /// </summary>
    /// <exception cref="AnnotationException"><paramref name="path"/> does not exist.</exception>
    public static IReadOnlyDictionary<string, string> FindAnnotations(EvaluationTask task, string path)
    {
        ArgumentNullException.ThrowIfNull(task);
        Require(path, "Reference");
        return Collect(task, path);
    }

    private static FileEvaluation Score(EvaluationTask task, string stem, string referencePath, string estimatedPath)
    {
        try { return new FileEvaluation(stem, referencePath, estimatedPath, task.Evaluate(referencePath, estimatedPath), null); }
        catch (AnnotationException e) { return new FileEvaluation(stem, referencePath, estimatedPath, null, e.Message); }
    }

    private static void Require(string path, string what)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new AnnotationException(path, 0, $"{what} annotations not found (no such file or directory).");
    }

    private static Dictionary<string, string> Collect(EvaluationTask task, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            result[Stem(task, Path.GetFileName(path))] = path;
            return result;
        }
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        var candidates = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        // A folder that uses the task's own extension (NAME.beats, NAME.chords.lab) may hold other annotations and
        // manifests too; then only those files are this task's, and generic .txt/.csv/.lab files are left alone.
        var own = task.FileExtensions[0];
        bool IsOwn(string file) =>
            Path.GetFileName(file).EndsWith(own, StringComparison.OrdinalIgnoreCase) ||
            Path.GetFileName(file).Contains(own + ".", StringComparison.OrdinalIgnoreCase);
        if (candidates.Any(IsOwn)) candidates = candidates.Where(IsOwn).ToArray();
        foreach (var file in candidates)
        {
            int priority = IndexOf(task.FileExtensions, Path.GetExtension(file).ToLowerInvariant());
            if (priority < 0) continue;
            var relative = Path.GetRelativePath(path, file).Replace('\\', '/');
            var directory = Path.GetDirectoryName(relative);
            var stem = Stem(task, Path.GetFileName(relative));
            if (!string.IsNullOrEmpty(directory)) stem = directory.Replace('\\', '/') + "/" + stem;
            if (rank.TryGetValue(stem, out var existing) && existing <= priority) continue;
            rank[stem] = priority;
            result[stem] = file;
        }
        return result;
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}
