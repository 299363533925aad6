namespace MusicML.Evaluation;

/// <summary>
/// Multi-label auto-tagging scores, with scikit-learn's definitions (the ones tagging papers report, e.g. Choi, Fazekas
/// &amp; Sandler, "Automatic tagging using deep convolutional neural networks", ISMIR 2016). ROC-AUC is the area under the
/// ROC curve with ties between a positive and a negative counting one half (Hanley &amp; McNeil 1982; sklearn's
/// <c>roc_auc_score</c>); PR-AUC is average precision, Σₙ (Rₙ − Rₙ₋₁)·Pₙ over distinct score thresholds with no
/// interpolation (sklearn's <c>average_precision_score</c>). Macro scores are the unweighted mean over tags.
/// </summary>
public static class TaggingEvaluation
{
    /// <summary>
    /// ROC-AUC of <paramref name="scores"/> for the binary <paramref name="relevant"/> labels: the probability that a
    /// random positive scores above a random negative, ties counting ½. Undefined, and raised as in sklearn, when only
    /// one class is present.
    /// </summary>
    public static double RocAuc(ReadOnlySpan<bool> relevant, ReadOnlySpan<double> scores)
    {
        Check(relevant, scores);
        var order = SortedDescending(scores);
        long positives = 0, negatives = 0;
        foreach (var r in relevant) { if (r) positives++; else negatives++; }
        if (positives == 0 || negatives == 0)
            throw new AnnotationException($"ROC-AUC is undefined when only one class is present ({positives} positive, {negatives} negative).");
        // Walk groups of tied scores from the top: each negative in a group beats the positives already passed and ties with the group's positives.
        double area = 0;
        long positivesAbove = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            long groupPositives = 0, groupNegatives = 0;
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                if (relevant[order[end]]) groupPositives++; else groupNegatives++;
                end++;
            }
            area += groupNegatives * (positivesAbove + 0.5 * groupPositives);
            positivesAbove += groupPositives;
            start = end;
        }
        return area / ((double)positives * negatives);
    }

    /// <summary>
    /// Average precision (PR-AUC) of <paramref name="scores"/> for the binary <paramref name="relevant"/> labels; 0 when
    /// there is no positive, as sklearn returns.
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<bool> relevant, ReadOnlySpan<double> scores)
    {
        Check(relevant, scores);
        var order = SortedDescending(scores);
        long positives = 0;
        foreach (var r in relevant) if (r) positives++;
        if (positives == 0) return 0.0;
        double ap = 0, previousRecall = 0;
        long tp = 0, fp = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                if (relevant[order[end]]) tp++; else fp++;
                end++;
            }
            double recall = (double)tp / positives, precision = (double)tp / (tp + fp);
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
            start = end;
        }
        return ap;
    }

    /// <summary>ROC-AUC per tag of a track × tag matrix (<paramref name="relevant"/>[track][tag], <paramref name="scores"/> alike).</summary>
    public static double[] RocAucPerTag(IReadOnlyList<bool[]> relevant, IReadOnlyList<double[]> scores) => PerTag(relevant, scores, RocAucColumn);

    /// <summary>Average precision per tag of a track × tag matrix.</summary>
    public static double[] AveragePrecisionPerTag(IReadOnlyList<bool[]> relevant, IReadOnlyList<double[]> scores) => PerTag(relevant, scores, AveragePrecisionColumn);

    /// <summary>Macro ROC-AUC: the mean of <see cref="RocAucPerTag"/> (sklearn's <c>average='macro'</c>; raises if a tag has one class only).</summary>
    public static double MacroRocAuc(IReadOnlyList<bool[]> relevant, IReadOnlyList<double[]> scores) => RocAucPerTag(relevant, scores).Average();

    /// <summary>Macro PR-AUC: the mean of <see cref="AveragePrecisionPerTag"/>.</summary>
    public static double MacroAveragePrecision(IReadOnlyList<bool[]> relevant, IReadOnlyList<double[]> scores) => AveragePrecisionPerTag(relevant, scores).Average();

    /// <summary>
    /// Scores one track's tags: <c>precision</c>, <c>recall</c> and <c>f_measure</c> of the estimated tags scoring at
    /// least <paramref name="threshold"/>, and <c>roc_auc</c> / <c>pr_auc</c> of the estimated scores over the candidate
    /// tags (reference ∪ estimated; a tag the estimate omits scores 0). Tags compare case-insensitively. ROC-AUC is NaN
    /// when every candidate is relevant (no negative to rank against).
    /// </summary>
    public static Scores EvaluateTrack(Annotations.TagAnnotation reference, Annotations.TagAnnotation estimated, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(estimated);
        if (!double.IsFinite(threshold)) throw new AnnotationException($"Tag threshold must be finite, got {threshold}.");
        var truth = new HashSet<string>(reference.Tags.Select(t => t.Trim()), StringComparer.OrdinalIgnoreCase);
        var estimatedScores = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < estimated.Tags.Length; i++)
        {
            if (double.IsNaN(estimated.Values[i])) throw new AnnotationException($"Estimated tag '{estimated.Tags[i]}' has a NaN score.");
            estimatedScores[estimated.Tags[i].Trim()] = estimated.Values[i];
        }
        var predicted = estimatedScores.Where(p => p.Value >= threshold).Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        int hits = predicted.Count(truth.Contains);
        double precision = predicted.Count == 0 ? 0 : (double)hits / predicted.Count;
        double recall = truth.Count == 0 ? 0 : (double)hits / truth.Count;
        var candidates = truth.Union(estimatedScores.Keys, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToArray();
        var relevant = candidates.Select(truth.Contains).ToArray();
        var scores = candidates.Select(t => estimatedScores.GetValueOrDefault(t, 0.0)).ToArray();
        bool defined = relevant.Contains(true) && relevant.Contains(false);
        var result = new Scores();
        result.Add("precision", "Precision", precision);
        result.Add("recall", "Recall", recall);
        result.Add("f_measure", "F-measure", EventValidation.FMeasure(precision, recall));
        result.Add("roc_auc", "ROC-AUC", defined ? RocAuc(relevant, scores) : double.NaN);
        result.Add("pr_auc", "PR-AUC", AveragePrecision(relevant, scores));
        return result;
    }

    private static double RocAucColumn(bool[] relevant, double[] scores) => RocAuc(relevant, scores);

    private static double AveragePrecisionColumn(bool[] relevant, double[] scores) => AveragePrecision(relevant, scores);

    private static double[] PerTag(IReadOnlyList<bool[]> relevant, IReadOnlyList<double[]> scores, Func<bool[], double[], double> metric)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentNullException.ThrowIfNull(scores);
        if (relevant.Count != scores.Count) throw new AnnotationException($"{relevant.Count} label rows but {scores.Count} score rows.");
        if (relevant.Count == 0) throw new AnnotationException("No tracks to score.");
        int tags = relevant[0].Length;
        for (int t = 0; t < relevant.Count; t++)
            if (relevant[t].Length != tags || scores[t].Length != tags)
                throw new AnnotationException($"Track {t} has {relevant[t].Length} labels and {scores[t].Length} scores; expected {tags} tags each.");
        var result = new double[tags];
        var column = new bool[relevant.Count];
        var columnScores = new double[relevant.Count];
        for (int k = 0; k < tags; k++)
        {
            for (int t = 0; t < relevant.Count; t++) { column[t] = relevant[t][k]; columnScores[t] = scores[t][k]; }
            try { result[k] = metric(column, columnScores); }
            catch (AnnotationException e) { throw new AnnotationException($"Tag {k}: {e.Message}"); }
        }
        return result;
    }

    private static void Check(ReadOnlySpan<bool> relevant, ReadOnlySpan<double> scores)
    {
        if (relevant.Length != scores.Length) throw new AnnotationException($"{relevant.Length} labels but {scores.Length} scores.");
        foreach (var s in scores) if (double.IsNaN(s)) throw new AnnotationException("Tag scores contain NaN.");
    }

    private static int[] SortedDescending(ReadOnlySpan<double> scores)
    {
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order, Comparer<double>.Create((a, b) => b.CompareTo(a)));
        return order;
    }
}
