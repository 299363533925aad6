using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation;

/// <summary>Three related scores, e.g. precision, recall and F-measure, or over-, under-segmentation and their F-measure.</summary>
/// <param name="First">Precision (or over-segmentation score).</param>
/// <param name="Second">Recall (or under-segmentation score).</param>
/// <param name="FMeasure">Their weighted harmonic mean.</param>
public readonly record struct ScoreTriple(double First, double Second, double FMeasure);

/// <summary>
/// Music structure (segmentation) scores with mir_eval's <c>segment</c> definitions: boundary hit rates at 0.5 s and
/// 3 s (Turnbull et al., ISMIR 2007) and median deviations; frame-clustering scores on a 0.1 s grid: pairwise
/// precision/recall (Levy &amp; Sandler, IEEE TASLP 2008), Rand index and its adjusted form (Hubert &amp; Arabie 1985),
/// mutual information and its adjusted (Vinh, Epps &amp; Bailey, JMLR 2010) and normalised forms, normalised conditional
/// entropies (Lukashevich, ISMIR 2008) and V-measure (Rosenberg &amp; Hirschberg, EMNLP 2007). Labels compare
/// case-insensitively, as mir_eval's <c>index_labels</c>.
/// </summary>
public static class SegmentEvaluation
{
    /// <summary>mir_eval's default frame size for the clustering scores: 0.1 s.</summary>
    public const double DefaultFrameSize = 0.1;

    /// <summary>
    /// Boundary detection: precision, recall and F-measure of estimated segment boundaries within ±<paramref name="window"/>
    /// seconds of reference ones (boundaries rounded to 10 µs). With <paramref name="trim"/>, the first and last boundary are ignored.
    /// </summary>
    public static ScoreTriple Detection(ReadOnlySpan<TimeInterval> reference, ReadOnlySpan<TimeInterval> estimated,
        double window = 0.5, double beta = 1.0, bool trim = false)
    {
        var (r, e) = BoundaryPair(reference, estimated, trim);
        if (r.Length == 0 || e.Length == 0) return new ScoreTriple(0, 0, 0);
        int matched = EventValidation.MatchCount(r, e, window);
        double precision = (double)matched / e.Length, recall = (double)matched / r.Length;
        return new ScoreTriple(precision, recall, EventValidation.FMeasure(precision, recall, beta));
    }

    /// <summary>
    /// Median distance in seconds from each reference boundary to its nearest estimated one, and from each estimated
    /// boundary to its nearest reference one (NaN when either side has no boundary).
    /// </summary>
    public static (double ReferenceToEstimated, double EstimatedToReference) Deviation(
        ReadOnlySpan<TimeInterval> reference, ReadOnlySpan<TimeInterval> estimated, bool trim = false)
    {
        var (r, e) = BoundaryPair(reference, estimated, trim);
        if (r.Length == 0 || e.Length == 0) return (double.NaN, double.NaN);
        return (MedianNearest(r, e), MedianNearest(e, r));
    }

    /// <summary>Pairwise frame-clustering precision, recall and F-measure: pairs of frames labelled alike in both annotations.</summary>
    public static ScoreTriple Pairwise(LabeledIntervals reference, LabeledIntervals estimated, double frameSize = DefaultFrameSize, double beta = 1.0)
    {
        if (Empty(reference, estimated)) return new ScoreTriple(0, 0, 0);
        var c = Frames(reference, estimated, frameSize);
        double nAgreeRef = (c.SumSquaresRows - c.N) / 2.0, nAgreeEst = (c.SumSquaresColumns - c.N) / 2.0, nMatches = (c.SumSquaresCells - c.N) / 2.0;
        double precision = nMatches / nAgreeEst, recall = nMatches / nAgreeRef;
        return new ScoreTriple(precision, recall, EventValidation.FMeasure(precision, recall, beta));
    }

    /// <summary>Rand index of the two frame clusterings: the fraction of frame pairs on which they agree.</summary>
    public static double RandIndex(LabeledIntervals reference, LabeledIntervals estimated, double frameSize = DefaultFrameSize)
    {
        if (Empty(reference, estimated)) return 0.0;
        var c = Frames(reference, estimated, frameSize);
        double n = c.N;
        double pairs = n * (n - 1) / 2.0;
        double positive = (c.SumSquaresCells - n) / 2.0;
        double negative = (n * n - c.SumSquaresRows - c.SumSquaresColumns + c.SumSquaresCells) / 2.0;
        return (positive + negative) / pairs;
    }

    /// <summary>Adjusted Rand index (Hubert &amp; Arabie): the Rand index corrected for chance.</summary>
    public static double AdjustedRandIndex(LabeledIntervals reference, LabeledIntervals estimated, double frameSize = DefaultFrameSize)
    {
        if (Empty(reference, estimated)) return 0.0;
        var c = Frames(reference, estimated, frameSize);
        int r = c.RowSums.Length, k = c.ColumnSums.Length;
        if ((r == 1 && k == 1) || (r == 0 && k == 0) || (r == k && r == c.N)) return 1.0;
        Int128 sumCombC = 0, sumCombK = 0, sumComb = 0;
        foreach (var n in c.RowSums) sumCombC += Comb2(n);
        foreach (var n in c.ColumnSums) sumCombK += Comb2(n);
        foreach (var n in c.Cells) sumComb += Comb2(n);
        double prodComb = (double)(sumCombC * sumCombK) / (double)Comb2(c.N);
        double meanComb = (double)(sumCombK + sumCombC) / 2.0;
        return ((double)sumComb - prodComb) / (meanComb - prodComb);
    }

    /// <summary>Mutual information (nats) of the two frame clusterings, its chance-adjusted form and its normalised form.</summary>
    public static (double MutualInformation, double Adjusted, double Normalized) MutualInformation(
        LabeledIntervals reference, LabeledIntervals estimated, double frameSize = DefaultFrameSize)
    {
        if (Empty(reference, estimated)) return (0, 0, 0);
        var c = Frames(reference, estimated, frameSize);
        double mi = MutualInfo(c);
        int r = c.RowSums.Length, k = c.ColumnSums.Length;
        bool trivial = (r == 1 && k == 1) || (r == 0 && k == 0);
        double hRef = Entropy(c.RowSums, c.N), hEst = Entropy(c.ColumnSums, c.N);
        double ami = 1.0;
        if (!trivial)
        {
            double emi = ExpectedMutualInfo(c);
            ami = (mi - emi) / (Math.Max(hRef, hEst) - emi);
        }
        double nmi = trivial ? 1.0 : mi / Math.Max(Math.Sqrt(hRef * hEst), 1e-10);
        return (mi, ami, nmi);
    }

    /// <summary>
    /// Normalised conditional entropies (Lukashevich): over-segmentation 1 − H(est|ref)/log2|est labels| and
    /// under-segmentation 1 − H(ref|est)/log2|ref labels|, with their F-measure. With <paramref name="marginal"/>, the
    /// marginal entropies normalise instead, which is the V-measure.
    /// </summary>
    public static ScoreTriple Nce(LabeledIntervals reference, LabeledIntervals estimated, double frameSize = DefaultFrameSize, double beta = 1.0, bool marginal = false)
    {
        if (Empty(reference, estimated)) return new ScoreTriple(0, 0, 0);
        var c = Frames(reference, estimated, frameSize);
        int rows = c.RowSums.Length, cols = c.ColumnSums.Length;
        double n = c.N;
        double trueGivenEst = 0, predGivenRef = 0;
        for (int j = 0; j < cols; j++)
        {
            double pj = c.ColumnSums[j] / n;
            double h = 0;
            for (int i = 0; i < rows; i++) h += Entr(c.Cell(i, j) / (double)c.ColumnSums[j]);
            trueGivenEst += pj * (h / Math.Log(2));
        }
        for (int i = 0; i < rows; i++)
        {
            double pi = c.RowSums[i] / n;
            double h = 0;
            for (int j = 0; j < cols; j++) h += Entr(c.Cell(i, j) / (double)c.RowSums[i]);
            predGivenRef += pi * (h / Math.Log(2));
        }
        double zRef, zEst;
        if (marginal)
        {
            zRef = 0;
            foreach (var s in c.RowSums) zRef += Entr(s / n);
            zRef /= Math.Log(2);
            zEst = 0;
            foreach (var s in c.ColumnSums) zEst += Entr(s / n);
            zEst /= Math.Log(2);
        }
        else
        {
            zRef = Math.Log2(rows);
            zEst = Math.Log2(cols);
        }
        double under = zRef > 0 ? 1.0 - trueGivenEst / zRef : 0.0;
        double over = zEst > 0 ? 1.0 - predGivenRef / zEst : 0.0;
        return new ScoreTriple(over, under, EventValidation.FMeasure(over, under, beta));
    }

    /// <summary>V-measure: homogeneity (precision), completeness (recall) and their F-measure (<see cref="Nce"/> with marginal normalisation).</summary>
    public static ScoreTriple VMeasure(LabeledIntervals reference, LabeledIntervals estimated, double frameSize = DefaultFrameSize, double beta = 1.0) =>
        Nce(reference, estimated, frameSize, beta, marginal: true);

    /// <summary>
    /// Every segment score, as mir_eval's <c>segment.evaluate</c>. The reference is padded from 0 s and the estimate
    /// padded/trimmed to the reference's span first. Names: <c>precision@0.5</c>, <c>recall@0.5</c>,
    /// <c>f_measure@0.5</c>, the same @3.0, <c>ref_to_est_deviation</c>, <c>est_to_ref_deviation</c>,
    /// <c>pairwise_precision</c>, <c>pairwise_recall</c>, <c>pairwise_f_measure</c>, <c>rand_index</c>,
    /// <c>adjusted_rand_index</c>, <c>mutual_information</c>, <c>adjusted_mutual_information</c>,
    /// <c>normalized_mutual_information</c>, <c>nce_over</c>, <c>nce_under</c>, <c>nce_f_measure</c>,
    /// <c>v_precision</c>, <c>v_recall</c>, <c>v_measure</c>.
    /// </summary>
    public static Scores Evaluate(LabeledIntervals reference, LabeledIntervals estimated)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(estimated);
        if (reference.Count == 0) throw new AnnotationException("Reference segmentation is empty.");
        var scores = new Scores();
        WarnAboutLayout(scores, "reference", reference.Intervals);
        WarnAboutLayout(scores, "estimate", estimated.Intervals);
        if (IntervalOperations.SpanWarning("The reference was", reference.Intervals, 0.0, null, "__T_MIN", "__T_MAX") is { } referenceSpan) scores.Warn(referenceSpan);
        var (ri, rl) = IntervalOperations.Adjust(reference.Intervals, reference.Labels, 0.0, null, "__T_MIN", "__T_MAX");
        if (IntervalOperations.SpanWarning("The estimate was", estimated.Intervals, 0.0, IntervalOperations.Max(ri), "__T_MIN", "__T_MAX") is { } estimateSpan)
            scores.Warn(estimateSpan);
        var (ei, el) = IntervalOperations.Adjust(estimated.Intervals, estimated.Labels, 0.0, IntervalOperations.Max(ri), "__T_MIN", "__T_MAX");
        var r = new LabeledIntervals(ri, rl);
        var e = new LabeledIntervals(ei, el);
        var d05 = Detection(ri, ei, 0.5);
        scores.Add("precision@0.5", "Precision@0.5", d05.First);
        scores.Add("recall@0.5", "Recall@0.5", d05.Second);
        scores.Add("f_measure@0.5", "F-measure@0.5", d05.FMeasure);
        var d3 = Detection(ri, ei, 3.0);
        scores.Add("precision@3.0", "Precision@3.0", d3.First);
        scores.Add("recall@3.0", "Recall@3.0", d3.Second);
        scores.Add("f_measure@3.0", "F-measure@3.0", d3.FMeasure);
        var (refToEst, estToRef) = Deviation(ri, ei);
        scores.Add("ref_to_est_deviation", "Ref-to-est deviation", refToEst);
        scores.Add("est_to_ref_deviation", "Est-to-ref deviation", estToRef);
        var pw = Pairwise(r, e);
        scores.Add("pairwise_precision", "Pairwise Precision", pw.First);
        scores.Add("pairwise_recall", "Pairwise Recall", pw.Second);
        scores.Add("pairwise_f_measure", "Pairwise F-measure", pw.FMeasure);
        scores.Add("rand_index", "Rand Index", RandIndex(r, e));
        scores.Add("adjusted_rand_index", "Adjusted Rand Index", AdjustedRandIndex(r, e));
        var (mi, ami, nmi) = MutualInformation(r, e);
        scores.Add("mutual_information", "Mutual Information", mi);
        scores.Add("adjusted_mutual_information", "Adjusted Mutual Information", ami);
        scores.Add("normalized_mutual_information", "Normalized Mutual Information", nmi);
        var nce = Nce(r, e);
        scores.Add("nce_over", "NCE Over", nce.First);
        scores.Add("nce_under", "NCE Under", nce.Second);
        scores.Add("nce_f_measure", "NCE F-measure", nce.FMeasure);
        var v = VMeasure(r, e);
        scores.Add("v_precision", "V Precision", v.First);
        scores.Add("v_recall", "V Recall", v.Second);
        scores.Add("v_measure", "V-measure", v.FMeasure);
        return scores;
    }

    /// <summary>
    /// Warns about gaps and overlaps between consecutive segments, which mir_eval's segment metrics accept: boundary
    /// scores use every interval end as given, and the frame-based scores (interpolate_intervals) leave frames in a gap
    /// unlabelled (their own class, None) and give a frame covered twice the label of the segment listed later.
    /// </summary>
    private static void WarnAboutLayout(Scores scores, string what, ReadOnlySpan<TimeInterval> intervals)
    {
        var (gaps, gapSeconds, overlaps, overlapSeconds) = IntervalOperations.GapsAndOverlaps(intervals);
        if (gaps > 0)
            scores.Warn($"The {what} leaves {gaps} gap(s) between consecutive segments ({EventValidation.Format(Math.Round(gapSeconds, 6))} s in all); " +
                        "as in mir_eval, frames in a gap form an unlabelled class of their own and each interval's ends count as boundaries.");
        if (overlaps > 0)
            scores.Warn($"The {what} has {overlaps} overlap(s) between consecutive segments ({EventValidation.Format(Math.Round(overlapSeconds, 6))} s in all); " +
                        "as in mir_eval, a frame covered twice takes the label of the segment listed later.");
    }

    private static (double[] Reference, double[] Estimated) BoundaryPair(ReadOnlySpan<TimeInterval> reference, ReadOnlySpan<TimeInterval> estimated, bool trim)
    {
        IntervalOperations.Validate(reference, "Reference segment");
        IntervalOperations.Validate(estimated, "Estimated segment");
        var r = IntervalOperations.Boundaries(reference);
        var e = IntervalOperations.Boundaries(estimated);
        if (trim)
        {
            r = r.Length > 2 ? r[1..^1] : [];
            e = e.Length > 2 ? e[1..^1] : [];
        }
        return (r, e);
    }

    private static double MedianNearest(double[] from, double[] to)
    {
        var distances = new double[from.Length];
        for (int i = 0; i < from.Length; i++) distances[i] = Math.Abs(to[BeatEvaluation.ArgMinDistance(from[i], to)] - from[i]);
        Array.Sort(distances);
        int n = distances.Length;
        return n % 2 == 1 ? distances[n / 2] : (distances[n / 2 - 1] + distances[n / 2]) / 2.0;
    }

    private static bool Empty(LabeledIntervals reference, LabeledIntervals estimated)
    {
        ValidateStructure(reference, "Reference");
        ValidateStructure(estimated, "Estimated");
        if (reference.Count > 0 && estimated.Count > 0)
        {
            double a = IntervalOperations.Max(reference.Intervals), b = IntervalOperations.Max(estimated.Intervals);
            if (!(Math.Abs(a - b) <= 1e-8 + 1e-5 * Math.Abs(b)))
                throw new AnnotationException($"Segment end times do not match: reference ends at {EventValidation.Format(a)} s, estimate at {EventValidation.Format(b)} s.");
        }
        return reference.Count == 0 || estimated.Count == 0;
    }

    private static void ValidateStructure(LabeledIntervals annotation, string what)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        IntervalOperations.Validate(annotation.Intervals, what + " segment");
        if (annotation.Intervals.Length != annotation.Labels.Length)
            throw new AnnotationException($"{what} segments: {annotation.Intervals.Length} intervals but {annotation.Labels.Length} labels.");
        if (annotation.Count > 0)
        {
            double min = IntervalOperations.Min(annotation.Intervals);
            if (!(Math.Abs(min) <= 1e-8)) throw new AnnotationException($"{what} segments start at {EventValidation.Format(min)} s, not 0 s.");
        }
    }

    /// <summary>Frame labels on mir_eval's float32 grid (i · frameSize), as class indices per side, tallied into a contingency table.</summary>
    private static Contingency Frames(LabeledIntervals reference, LabeledIntervals estimated, double frameSize)
    {
        if (!(frameSize > 0) || !double.IsFinite(frameSize)) throw new AnnotationException($"Frame size must be a positive number of seconds, got {frameSize}.");
        var refClasses = SampleLabels(reference, frameSize);
        var estClasses = SampleLabels(estimated, frameSize);
        return new Contingency(refClasses, estClasses);
    }

    private static int[] SampleLabels(LabeledIntervals annotation, double frameSize)
    {
        int count = (int)Math.Floor(IntervalOperations.Max(annotation.Intervals) / frameSize);
        var times = new double[count];
        float step = (float)frameSize;
        for (int i = 0; i < count; i++) times[i] = (float)i * step;
        var labels = new string[count];
        Array.Fill(labels, "none"); // mir_eval fills uncovered frames with None, which index_labels lower-cases to "none".
        for (int k = 0; k < annotation.Count; k++)
        {
            int start = BeatEvaluation.LowerBound(times, annotation.Intervals[k].Start);
            int end = UpperBound(times, annotation.Intervals[k].End);
            var label = annotation.Labels[k].ToLowerInvariant();
            for (int i = start; i < end; i++) labels[i] = label;
        }
        var distinct = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>();
        for (int i = 0; i < distinct.Length; i++) index[distinct[i]] = i;
        return labels.Select(l => index[l]).ToArray();
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static Int128 Comb2(long n) => (Int128)n * (n - 1) / 2;

    private static double Entr(double p) => p > 0 ? -p * Math.Log(p) : 0.0;

    private static double Entropy(long[] counts, long total)
    {
        if (total == 0) return 1.0;
        double h = 0, logTotal = Math.Log(total);
        foreach (var c in counts) if (c > 0) h += c / (double)total * (Math.Log(c) - logTotal);
        return -h;
    }

    private static double MutualInfo(Contingency c)
    {
        double n = c.N, logN = Math.Log(n);
        double logSumRows = Math.Log(n), logSumCols = Math.Log(n);
        double mi = 0;
        for (int i = 0; i < c.RowSums.Length; i++)
            for (int j = 0; j < c.ColumnSums.Length; j++)
            {
                long nij = c.Cell(i, j);
                if (nij == 0) continue;
                double p = nij / n;
                double logOuter = -Math.Log((double)c.RowSums[i] * c.ColumnSums[j]) + logSumRows + logSumCols;
                mi += p * (Math.Log(nij) - logN) + p * logOuter;
            }
        return mi;
    }

    /// <summary>Expected mutual information under the hypergeometric model (Vinh et al. 2010), as mir_eval/sklearn compute it.</summary>
    private static double ExpectedMutualInfo(Contingency c)
    {
        long total = c.N;
        double n = total;
        var logFactorial = LogFactorials(total);
        double emi = 0;
        foreach (var a in c.RowSums)
            foreach (var b in c.ColumnSums)
            {
                long start = Math.Max(a - total + b, 1), end = Math.Min(a, b) + 1;
                double logAb = Math.Log((double)a * b);
                double fixedPart = logFactorial[a] + logFactorial[b] + logFactorial[total - a] + logFactorial[total - b] - logFactorial[total];
                for (long nij = start; nij < end; nij++)
                {
                    double gln = fixedPart - logFactorial[nij] - logFactorial[a - nij] - logFactorial[b - nij] - logFactorial[total - a - b + nij];
                    emi += nij / n * (Math.Log(n * nij) - logAb) * Math.Exp(gln);
                }
            }
        return emi;
    }

    private static double[] LogFactorials(long n)
    {
        var table = new double[n + 1];
        double sum = 0, compensation = 0;
        for (long k = 2; k <= n; k++)
        {
            // Kahan summation keeps ln(k!) accurate to a few ulps for the long annotations of whole albums.
            double y = Math.Log(k) - compensation;
            double t = sum + y;
            compensation = t - sum - y;
            sum = t;
            table[k] = sum;
        }
        return table;
    }

    private sealed class Contingency
    {
        private readonly long[] _cells;

        public Contingency(int[] rowClass, int[] columnClass)
        {
            int rows = rowClass.Length == 0 ? 0 : rowClass.Max() + 1;
            int cols = columnClass.Length == 0 ? 0 : columnClass.Max() + 1;
            if (rowClass.Length != columnClass.Length)
                throw new AnnotationException($"Frame grids differ in length ({rowClass.Length} vs {columnClass.Length}); do both annotations end at the same time?");
            RowSums = new long[rows];
            ColumnSums = new long[cols];
            _cells = new long[rows * cols];
            Columns = cols;
            for (int t = 0; t < rowClass.Length; t++)
            {
                RowSums[rowClass[t]]++;
                ColumnSums[columnClass[t]]++;
                _cells[rowClass[t] * cols + columnClass[t]]++;
            }
            N = rowClass.Length;
            foreach (var s in RowSums) SumSquaresRows += (double)s * s;
            foreach (var s in ColumnSums) SumSquaresColumns += (double)s * s;
            foreach (var s in _cells) SumSquaresCells += (double)s * s;
        }

        public long N { get; }
        public int Columns { get; }
        public long[] RowSums { get; }
        public long[] ColumnSums { get; }
        public IEnumerable<long> Cells => _cells;
        public double SumSquaresRows { get; }
        public double SumSquaresColumns { get; }
        public double SumSquaresCells { get; }
        public long Cell(int row, int column) => _cells[row * Columns + column];
    }
}
