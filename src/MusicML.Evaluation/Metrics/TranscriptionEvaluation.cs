using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation;

/// <summary>
/// Note-level transcription scores with mir_eval's <c>transcription</c> definitions (Bay, Ehmann &amp; Downie,
/// "Evaluation of multiple-F0 estimation and tracking systems", ISMIR 2009; the MIREX Note Tracking task): a reference
/// and an estimated note match when their onsets are within 50 ms, their pitches within 50 cents, and (unless offsets
/// are ignored) their offsets within max(20 % of the reference note's duration, 50 ms); distances are rounded to
/// 0.1 ms first, as mir_eval does. Each note matches at most once (maximum bipartite matching). The average overlap
/// ratio depends on which maximum matching is found, so mir_eval's Hopcroft–Karp search is reproduced step for step.
/// </summary>
public static class TranscriptionEvaluation
{
    /// <summary>mir_eval's default onset tolerance: 50 ms.</summary>
    public const double DefaultOnsetTolerance = 0.05;

    /// <summary>mir_eval's default pitch tolerance: 50 cents.</summary>
    public const double DefaultPitchTolerance = 50.0;

    /// <summary>mir_eval's default offset tolerance as a fraction of the reference note's duration.</summary>
    public const double DefaultOffsetRatio = 0.2;

    /// <summary>mir_eval's smallest offset tolerance: 50 ms.</summary>
    public const double DefaultOffsetMinTolerance = 0.05;

    /// <summary>Note precision, recall, F-measure and average overlap ratio of the matched notes.</summary>
    /// <param name="reference">Reference notes.</param>
    /// <param name="estimated">Estimated notes.</param>
    /// <param name="offsetRatio">Offset tolerance as a fraction of the reference duration; null ignores offsets.</param>
    /// <param name="onsetTolerance">Onset tolerance in seconds.</param>
    /// <param name="pitchTolerance">Pitch tolerance in cents.</param>
    /// <param name="offsetMinTolerance">Smallest offset tolerance in seconds.</param>
    public static (double Precision, double Recall, double FMeasure, double AverageOverlapRatio) PrecisionRecallF1Overlap(
        NoteAnnotation reference, NoteAnnotation estimated, double? offsetRatio = DefaultOffsetRatio,
        double onsetTolerance = DefaultOnsetTolerance, double pitchTolerance = DefaultPitchTolerance, double offsetMinTolerance = DefaultOffsetMinTolerance)
    {
        Validate(reference, estimated, checkPitches: true);
        if (reference.Pitches.Length == 0 || estimated.Pitches.Length == 0) return (0, 0, 0, 0);
        var matching = Match(reference.Intervals, estimated.Intervals, OnsetWindow(reference.Intervals, estimated.Intervals, onsetTolerance), (i, j) =>
            OnsetHit(reference.Intervals[i], estimated.Intervals[j], onsetTolerance) &&
            Math.Abs(1200 * (Math.Log2(reference.Pitches[i]) - Math.Log2(estimated.Pitches[j]))) <= pitchTolerance &&
            (offsetRatio is not double ratio || OffsetHit(reference.Intervals[i], estimated.Intervals[j], ratio, offsetMinTolerance)));
        double precision = (double)matching.Count / estimated.Pitches.Length;
        double recall = (double)matching.Count / reference.Pitches.Length;
        double overlap = 0;
        foreach (var (r, e) in matching)
        {
            var ri = reference.Intervals[r];
            var ei = estimated.Intervals[e];
            overlap += (Math.Min(ri.End, ei.End) - Math.Max(ri.Start, ei.Start)) / (Math.Max(ri.End, ei.End) - Math.Min(ri.Start, ei.Start));
        }
        return (precision, recall, EventValidation.FMeasure(precision, recall), matching.Count == 0 ? 0 : overlap / matching.Count);
    }

    /// <summary>Precision, recall and F-measure of note onsets alone (pitch and offset ignored).</summary>
    public static ScoreTriple OnsetPrecisionRecallF1(TimeInterval[] reference, TimeInterval[] estimated, double onsetTolerance = DefaultOnsetTolerance) =>
        CountScores(reference, estimated, OnsetWindow(reference, estimated, onsetTolerance), (i, j) => OnsetHit(reference[i], estimated[j], onsetTolerance));

    /// <summary>Precision, recall and F-measure of note offsets alone (onset and pitch ignored).</summary>
    public static ScoreTriple OffsetPrecisionRecallF1(TimeInterval[] reference, TimeInterval[] estimated,
        double offsetRatio = DefaultOffsetRatio, double offsetMinTolerance = DefaultOffsetMinTolerance) =>
        CountScores(reference, estimated, OffsetWindow(reference, estimated, offsetRatio, offsetMinTolerance),
            (i, j) => OffsetHit(reference[i], estimated[j], offsetRatio, offsetMinTolerance));

    /// <summary>
    /// Every transcription score, as mir_eval's <c>transcription.evaluate</c>: <c>precision</c>, <c>recall</c>,
    /// <c>f_measure</c>, <c>average_overlap_ratio</c>, the same with <c>_no_offset</c>, then <c>onset_precision</c>,
    /// <c>onset_recall</c>, <c>onset_f_measure</c>, <c>offset_precision</c>, <c>offset_recall</c>, <c>offset_f_measure</c>.
    /// </summary>
    public static Scores Evaluate(NoteAnnotation reference, NoteAnnotation estimated)
    {
        var scores = new Scores();
        var withOffset = PrecisionRecallF1Overlap(reference, estimated);
        scores.Add("precision", "Precision", withOffset.Precision);
        scores.Add("recall", "Recall", withOffset.Recall);
        scores.Add("f_measure", "F-measure", withOffset.FMeasure);
        scores.Add("average_overlap_ratio", "Average_Overlap_Ratio", withOffset.AverageOverlapRatio);
        var noOffset = PrecisionRecallF1Overlap(reference, estimated, offsetRatio: null);
        scores.Add("precision_no_offset", "Precision_no_offset", noOffset.Precision);
        scores.Add("recall_no_offset", "Recall_no_offset", noOffset.Recall);
        scores.Add("f_measure_no_offset", "F-measure_no_offset", noOffset.FMeasure);
        scores.Add("average_overlap_ratio_no_offset", "Average_Overlap_Ratio_no_offset", noOffset.AverageOverlapRatio);
        var onset = OnsetPrecisionRecallF1(reference.Intervals, estimated.Intervals);
        scores.Add("onset_precision", "Onset_Precision", onset.First);
        scores.Add("onset_recall", "Onset_Recall", onset.Second);
        scores.Add("onset_f_measure", "Onset_F-measure", onset.FMeasure);
        var offset = OffsetPrecisionRecallF1(reference.Intervals, estimated.Intervals);
        scores.Add("offset_precision", "Offset_Precision", offset.First);
        scores.Add("offset_recall", "Offset_Recall", offset.Second);
        scores.Add("offset_f_measure", "Offset_F-measure", offset.FMeasure);
        return scores;
    }

    private static ScoreTriple CountScores(TimeInterval[] reference, TimeInterval[] estimated, CandidateWindow window, Func<int, int, bool> hit)
    {
        Validate(new NoteAnnotation(reference, new double[reference.Length]), new NoteAnnotation(estimated, new double[estimated.Length]), checkPitches: false);
        if (reference.Length == 0 || estimated.Length == 0) return new ScoreTriple(0, 0, 0);
        int matched = Match(reference, estimated, window, hit).Count;
        double precision = (double)matched / estimated.Length, recall = (double)matched / reference.Length;
        return new ScoreTriple(precision, recall, EventValidation.FMeasure(precision, recall));
    }

    /// <summary>
    /// Which estimates can possibly hit reference i: those whose key (onset or offset time) lies in [Low(i), High(i)].
    /// The bounds are the tolerance plus 1 ms, more than the 0.05 ms that rounding distances to 0.1 ms can add, so the
    /// exact hit test still decides and the graph is the one mir_eval builds from its full n × m matrix.
    /// </summary>
    private sealed record CandidateWindow(Func<int, double> EstimateKey, Func<int, double> Low, Func<int, double> High);

    private const double WindowSlack = 1e-3;

    private static CandidateWindow OnsetWindow(TimeInterval[] reference, TimeInterval[] estimated, double tolerance) =>
        new(j => estimated[j].Start, i => reference[i].Start - tolerance - WindowSlack, i => reference[i].Start + tolerance + WindowSlack);

    private static CandidateWindow OffsetWindow(TimeInterval[] reference, TimeInterval[] estimated, double ratio, double minTolerance)
    {
        double Tolerance(int i) => Math.Max(ratio * Math.Abs(reference[i].End - reference[i].Start), minTolerance) + WindowSlack;
        return new(j => estimated[j].End, i => reference[i].End - Tolerance(i), i => reference[i].End + Tolerance(i));
    }

    private static bool OnsetHit(TimeInterval r, TimeInterval e, double tolerance) =>
        IntervalOperations.Round(Math.Abs(r.Start - e.Start), 4) <= tolerance;

    private static bool OffsetHit(TimeInterval r, TimeInterval e, double ratio, double minTolerance) =>
        IntervalOperations.Round(Math.Abs(r.End - e.End), 4) <= Math.Max(ratio * Math.Abs(r.End - r.Start), minTolerance);

    private static void Validate(NoteAnnotation reference, NoteAnnotation estimated, bool checkPitches)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(estimated);
        IntervalOperations.Validate(reference.Intervals, "Reference note");
        IntervalOperations.Validate(estimated.Intervals, "Estimated note");
        if (reference.Intervals.Length != reference.Pitches.Length) throw new AnnotationException("Reference note intervals and pitches have different lengths.");
        if (estimated.Intervals.Length != estimated.Pitches.Length) throw new AnnotationException("Estimated note intervals and pitches have different lengths.");
        if (!checkPitches) return;
        foreach (var p in reference.Pitches) if (!(p > 0) || !double.IsFinite(p)) throw new AnnotationException($"Reference note pitch {p} Hz is not positive.");
        foreach (var p in estimated.Pitches) if (!(p > 0) || !double.IsFinite(p)) throw new AnnotationException($"Estimated note pitch {p} Hz is not positive.");
    }

    /// <summary>
    /// The (reference, estimate) pairs of the maximum matching mir_eval's <c>util._bipartite_match</c> (Hopcroft–Karp,
    /// after D. Eppstein's PADS) returns for the hit graph, sorted by reference index. Iteration orders follow its
    /// Python dictionaries (insertion order) so that the same matching — not just one of the same size — comes out.
    /// </summary>
    private static List<(int Reference, int Estimate)> Match(TimeInterval[] reference, TimeInterval[] estimated, CandidateWindow window, Func<int, int, bool> hit)
    {
        // graph: estimate → its candidate references, keys in order of first appearance in a reference-major scan.
        // Only estimates inside each reference's window are tested (O(n log m + hits) instead of n × m), visited in
        // index order so that the graph is built in mir_eval's order.
        var byKey = Enumerable.Range(0, estimated.Length).OrderBy(window.EstimateKey).ToArray();
        var keys = byKey.Select(window.EstimateKey).ToArray();
        var graphKeys = new List<int>();
        var graph = new Dictionary<int, List<int>>();
        var candidates = new List<int>();
        for (int i = 0; i < reference.Length; i++)
        {
            candidates.Clear();
            for (int k = BeatEvaluation.LowerBound(keys, window.Low(i)); k < keys.Length && keys[k] <= window.High(i); k++) candidates.Add(byKey[k]);
            candidates.Sort();
            foreach (var j in candidates)
            {
                if (!hit(i, j)) continue;
                if (!graph.TryGetValue(j, out var list)) { graph[j] = list = []; graphKeys.Add(j); }
                list.Add(i);
            }
        }

        var matching = new Dictionary<int, int>(); // reference → estimate
        foreach (var u in graphKeys)
            foreach (var v in graph[u])
                if (!matching.ContainsKey(v)) { matching[v] = u; break; }

        const int Free = -1; // stands for mir_eval's `unmatched` sentinel in pred
        while (true)
        {
            var preds = new Dictionary<int, List<int>>();
            var unmatched = new List<int>();
            var pred = new Dictionary<int, int>();
            foreach (var u in graphKeys) pred[u] = Free;
            foreach (var u in matching.Values) pred.Remove(u);
            var layer = graphKeys.Where(pred.ContainsKey).ToList();
            while (layer.Count > 0 && unmatched.Count == 0)
            {
                var newLayerKeys = new List<int>();
                var newLayer = new Dictionary<int, List<int>>();
                foreach (var u in layer)
                    foreach (var v in graph[u])
                    {
                        if (preds.ContainsKey(v)) continue;
                        if (!newLayer.TryGetValue(v, out var list)) { newLayer[v] = list = []; newLayerKeys.Add(v); }
                        list.Add(u);
                    }
                layer = [];
                foreach (var v in newLayerKeys)
                {
                    preds[v] = newLayer[v];
                    if (matching.TryGetValue(v, out var u)) { layer.Add(u); pred[u] = v; }
                    else unmatched.Add(v);
                }
            }
            if (unmatched.Count == 0)
                return matching.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)).ToList();

            bool Recurse(int v)
            {
                if (!preds.Remove(v, out var candidates)) return false;
                foreach (var u in candidates)
                {
                    if (!pred.Remove(u, out var pu)) continue;
                    if (pu == Free || Recurse(pu))
                    {
                        matching[v] = u;
                        return true;
                    }
                }
                return false;
            }
            foreach (var v in unmatched) Recurse(v);
        }
    }
}
