using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation;

/// <summary>
/// Hierarchical structure scores with mir_eval's <c>hierarchy</c> definitions (McFee, Nieto, Farbood &amp; Bello,
/// "Evaluating hierarchical structure in music annotations", Frontiers in Psychology 2017): the T-measure compares,
/// for each 0.1 s frame, how the two hierarchies rank the other frames within ±<c>window</c> seconds by the depth of
/// their deepest common segment (reduced: adjacent depths only; full: all depth pairs); the L-measure ranks all frames
/// by the deepest level at which their labels agree. Levels are given top (coarsest) first; every level must span the
/// same time from 0 s. Rankings are compared through per-frame depth histograms, which gives mir_eval's inversion
/// counts without its sparse n×n matrices.
/// </summary>
public static class HierarchyEvaluation
{
    /// <summary>mir_eval's default T-measure window: 15 s.</summary>
    public const double DefaultWindow = 15.0;

    /// <summary>mir_eval's default frame size: 0.1 s.</summary>
    public const double DefaultFrameSize = 0.1;

    /// <summary>
    /// Every hierarchy score, as mir_eval's <c>hierarchy.evaluate</c>: <c>t_precision_reduced</c>,
    /// <c>t_recall_reduced</c>, <c>t_measure_reduced</c>, <c>t_precision_full</c>, <c>t_recall_full</c>,
    /// <c>t_measure_full</c>, <c>l_precision</c>, <c>l_recall</c>, <c>l_measure</c>. The reference levels are padded
    /// from 0 s and the estimate's trimmed/padded to the reference's end first.
    /// </summary>
    public static Scores Evaluate(IReadOnlyList<LabeledIntervals> reference, IReadOnlyList<LabeledIntervals> estimated,
        double window = DefaultWindow, double frameSize = DefaultFrameSize)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(estimated);
        if (reference.Count == 0 || estimated.Count == 0) throw new AnnotationException("A hierarchy needs at least one level.");
        if (reference.Count > 255 || estimated.Count > 255) throw new AnnotationException("Hierarchies deeper than 255 levels are not supported.");
        double tEnd = reference.Max(level => IntervalOperations.Max(level.Intervals));
        var r = reference.Select(level => Align(level, null)).ToArray();
        var e = estimated.Select(level => Align(level, tEnd)).ToArray();
        var scores = new Scores();
        var reduced = TMeasure(r, e, transitive: false, window, frameSize);
        scores.Add("t_precision_reduced", "T-Precision reduced", reduced.First);
        scores.Add("t_recall_reduced", "T-Recall reduced", reduced.Second);
        scores.Add("t_measure_reduced", "T-Measure reduced", reduced.FMeasure);
        var full = TMeasure(r, e, transitive: true, window, frameSize);
        scores.Add("t_precision_full", "T-Precision full", full.First);
        scores.Add("t_recall_full", "T-Recall full", full.Second);
        scores.Add("t_measure_full", "T-Measure full", full.FMeasure);
        var l = LMeasure(r, e, frameSize);
        scores.Add("l_precision", "L-Precision", l.First);
        scores.Add("l_recall", "L-Recall", l.Second);
        scores.Add("l_measure", "L-Measure", l.FMeasure);
        return scores;
    }

    /// <summary>T-measure precision, recall and F-measure (boundary-based; labels are ignored).</summary>
    public static ScoreTriple TMeasure(IReadOnlyList<LabeledIntervals> reference, IReadOnlyList<LabeledIntervals> estimated,
        bool transitive = false, double window = DefaultWindow, double frameSize = DefaultFrameSize)
    {
        CheckFrameSize(frameSize);
        if (frameSize > window) throw new AnnotationException($"Frame size {frameSize} s cannot exceed the window {window} s.");
        int windowFrames = (int)(RoundDown(window, frameSize) / frameSize);
        ValidateHierarchy(reference, "Reference");
        ValidateHierarchy(estimated, "Estimated");
        var refDepth = new Depths(reference, frameSize, useLabels: false);
        var estDepth = new Depths(estimated, frameSize, useLabels: false);
        double recall = Gauc(refDepth, estDepth, transitive, windowFrames);
        double precision = Gauc(estDepth, refDepth, transitive, windowFrames);
        return new ScoreTriple(precision, recall, EventValidation.FMeasure(precision, recall));
    }

    /// <summary>L-measure precision, recall and F-measure (label-based, over all frame pairs).</summary>
    public static ScoreTriple LMeasure(IReadOnlyList<LabeledIntervals> reference, IReadOnlyList<LabeledIntervals> estimated, double frameSize = DefaultFrameSize)
    {
        CheckFrameSize(frameSize);
        ValidateHierarchy(reference, "Reference");
        ValidateHierarchy(estimated, "Estimated");
        var refMeet = new Depths(reference, frameSize, useLabels: true);
        var estMeet = new Depths(estimated, frameSize, useLabels: true);
        double recall = Gauc(refMeet, estMeet, transitive: true, window: null);
        double precision = Gauc(estMeet, refMeet, transitive: true, window: null);
        return new ScoreTriple(precision, recall, EventValidation.FMeasure(precision, recall));
    }

    private static LabeledIntervals Align(LabeledIntervals level, double? tMax)
    {
        var (intervals, labels) = IntervalOperations.Adjust(level.Intervals, level.Labels, 0.0, tMax, "__T_MIN", "__T_MAX");
        return new LabeledIntervals(intervals, labels);
    }

    private static void CheckFrameSize(double frameSize)
    {
        if (!(frameSize > 0) || !double.IsFinite(frameSize)) throw new AnnotationException($"Frame size must be a positive number of seconds, got {frameSize}.");
    }

    /// <summary>mir_eval's <c>validate_hier_intervals</c>: every level starts at 0 and ends where the top level ends.</summary>
    private static void ValidateHierarchy(IReadOnlyList<LabeledIntervals> levels, string what)
    {
        if (levels.Count == 0) throw new AnnotationException($"{what} hierarchy has no level.");
        double top = IntervalOperations.Max(levels[0].Intervals);
        for (int k = 0; k < levels.Count; k++)
        {
            var level = levels[k];
            IntervalOperations.Validate(level.Intervals, $"{what} level {k}");
            if (level.Intervals.Length != level.Labels.Length)
                throw new AnnotationException($"{what} level {k}: {level.Intervals.Length} intervals but {level.Labels.Length} labels.");
            if (level.Count == 0) throw new AnnotationException($"{what} level {k} is empty.");
            if (!(Math.Abs(IntervalOperations.Min(level.Intervals)) <= 1e-8)) throw new AnnotationException($"{what} level {k} does not start at 0 s.");
            double end = IntervalOperations.Max(level.Intervals);
            if (!(Math.Abs(end - top) <= 1e-8 + 1e-5 * Math.Abs(top)))
                throw new AnnotationException($"{what} level {k} ends at {EventValidation.Format(end)} s, the top level at {EventValidation.Format(top)} s.");
        }
    }

    /// <summary>mir_eval's <c>_round</c>: t − (t mod frameSize), with numpy's floored modulo.</summary>
    private static double RoundDown(double t, double frameSize)
    {
        double mod = t % frameSize;
        if (mod != 0 && (frameSize < 0) != (mod < 0)) mod += frameSize;
        return t - mod;
    }

    /// <summary>
    /// The depth of two frames' deepest shared segment (T-measure's LCA) or deepest agreeing label (L-measure's meet):
    /// the largest level at which they share an interval or a label, 0 when none.
    /// </summary>
    private sealed class Depths
    {
        private readonly int[][] _classes; // per level, per frame: interval or label class, −1 where uncovered

        public Depths(IReadOnlyList<LabeledIntervals> levels, double frameSize, bool useLabels)
        {
            double start = double.PositiveInfinity, end = double.NegativeInfinity;
            foreach (var level in levels)
            {
                start = Math.Min(start, IntervalOperations.Min(level.Intervals));
                end = Math.Max(end, IntervalOperations.Max(level.Intervals));
            }
            Count = (int)((RoundDown(end, frameSize) - RoundDown(start, frameSize)) / frameSize);
            _classes = new int[levels.Count][];
            for (int k = 0; k < levels.Count; k++)
            {
                var classes = new int[Count];
                Array.Fill(classes, -1);
                var level = levels[k];
                var labelIds = new Dictionary<string, int>();
                for (int s = 0; s < level.Count; s++)
                {
                    int id = s;
                    if (useLabels)
                    {
                        var label = level.Labels[s].ToLowerInvariant();
                        if (!labelIds.TryGetValue(label, out id)) labelIds[label] = id = labelIds.Count;
                    }
                    int from = (int)(RoundDown(level.Intervals[s].Start, frameSize) / frameSize);
                    int to = (int)(RoundDown(level.Intervals[s].End, frameSize) / frameSize);
                    for (int f = Math.Max(from, 0); f < Math.Min(to, Count); f++) classes[f] = id;
                }
                _classes[k] = classes;
            }
        }

        public int Count { get; }

        public int Levels => _classes.Length;

        public int At(int q, int r)
        {
            for (int k = _classes.Length - 1; k >= 0; k--)
            {
                int c = _classes[k][q];
                if (c >= 0 && c == _classes[k][r]) return k + 1;
            }
            return 0;
        }
    }

    /// <summary>
    /// mir_eval's <c>_gauc</c>: the mean over query frames of 1 − (ranking inversions / comparable pairs), where a pair
    /// of frames is comparable when the reference gives them different depths (adjacent depths only unless transitive)
    /// and an inversion is the estimate not ranking the deeper one strictly higher.
    /// </summary>
    private static double Gauc(Depths reference, Depths estimated, bool transitive, int? window)
    {
        if (reference.Count != estimated.Count)
            throw new AnnotationException($"Estimated and reference hierarchies must span the same frames ({estimated.Count} vs {reference.Count}).");
        int n = reference.Count, w = window ?? n;
        int refLevels = reference.Levels + 1, estLevels = estimated.Levels + 1;
        var histogram = new long[refLevels * estLevels]; // [ref depth, est depth] counts for one query
        var refCounts = new long[refLevels];
        double score = 0;
        int frames = 0;
        for (int q = 0; q < n; q++)
        {
            Array.Clear(histogram);
            Array.Clear(refCounts);
            int from = Math.Max(0, q - w), to = Math.Min(n, q + w);
            for (int r = from; r < to; r++)
            {
                if (r == q) continue;
                int rd = reference.At(q, r), ed = estimated.At(q, r);
                histogram[rd * estLevels + ed]++;
                refCounts[rd]++;
            }
            double normalizer = 0, inversions = 0;
            for (int low = 0; low < refLevels; low++)
            {
                if (refCounts[low] == 0) continue;
                for (int high = low + 1; high < refLevels; high++)
                {
                    if (!transitive && high != low + 1) break;
                    if (refCounts[high] == 0) continue;
                    normalizer += (double)refCounts[low] * refCounts[high];
                    // Pairs (x from the lower reference depth, y from the higher) with est(x) ≥ est(y) are inversions.
                    long atLeast = 0;
                    for (int v = estLevels - 1; v >= 0; v--)
                    {
                        atLeast += histogram[low * estLevels + v];
                        inversions += (double)atLeast * histogram[high * estLevels + v];
                    }
                }
            }
            if (normalizer > 0)
            {
                score += 1.0 - inversions / normalizer;
                frames++;
            }
        }
        return frames > 0 ? score / frames : 0.0;
    }
}
