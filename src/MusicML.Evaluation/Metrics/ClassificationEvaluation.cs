namespace MusicML.Evaluation;

/// <summary>Precision, recall, F1 and support of one class.</summary>
/// <param name="Label">The class.</param>
/// <param name="Precision">Correct predictions of the class / predictions of it (0 when never predicted).</param>
/// <param name="Recall">Correct predictions of the class / true members (0 when it has none).</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Support">Number of true members.</param>
public readonly record struct ClassScores(string Label, double Precision, double Recall, double F1, int Support);

/// <summary>A confusion matrix: <see cref="Counts"/>[i, j] items of true class <see cref="Labels"/>[i] predicted as <see cref="Labels"/>[j].</summary>
/// <param name="Labels">Class names in row/column order (sorted ordinally unless given).</param>
/// <param name="Counts">Counts, rows = true class, columns = predicted class (scikit-learn's orientation).</param>
public sealed record ConfusionMatrix(string[] Labels, int[,] Counts);

/// <summary>
/// Single-label classification scores (genre, instrument, key-as-class) with scikit-learn's definitions: accuracy,
/// per-class precision/recall/F1 with 0 where a ratio is undefined (<c>zero_division=0</c>), macro F1, and the
/// confusion matrix (Sokolova &amp; Lapalme, "A systematic analysis of performance measures for classification tasks",
/// Information Processing &amp; Management 2009).
/// </summary>
public static class ClassificationEvaluation
{
    /// <summary>Fraction of items whose predicted label equals the true one.</summary>
    public static double Accuracy(IReadOnlyList<string> truth, IReadOnlyList<string> predicted)
    {
        Check(truth, predicted);
        int correct = 0;
        for (int i = 0; i < truth.Count; i++) if (truth[i] == predicted[i]) correct++;
        return (double)correct / truth.Count;
    }

    /// <summary>The confusion matrix over <paramref name="labels"/> (default: every label seen, sorted ordinally).</summary>
    public static ConfusionMatrix Confusion(IReadOnlyList<string> truth, IReadOnlyList<string> predicted, IReadOnlyList<string>? labels = null)
    {
        Check(truth, predicted);
        var names = labels?.ToArray() ?? truth.Concat(predicted).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>();
        for (int i = 0; i < names.Length; i++)
            if (!index.TryAdd(names[i], i)) throw new AnnotationException($"Class '{names[i]}' is listed twice.");
        var counts = new int[names.Length, names.Length];
        for (int i = 0; i < truth.Count; i++)
            if (index.TryGetValue(truth[i], out var t) && index.TryGetValue(predicted[i], out var p)) counts[t, p]++;
        return new ConfusionMatrix(names, counts);
    }

    /// <summary>Precision, recall, F1 and support for each class of the confusion matrix, in its label order.</summary>
    public static ClassScores[] PerClass(IReadOnlyList<string> truth, IReadOnlyList<string> predicted, IReadOnlyList<string>? labels = null)
    {
        var confusion = Confusion(truth, predicted, labels);
        int n = confusion.Labels.Length;
        var result = new ClassScores[n];
        for (int k = 0; k < n; k++)
        {
            int tp = confusion.Counts[k, k], predictedCount = 0, support = 0;
            for (int j = 0; j < n; j++) { predictedCount += confusion.Counts[j, k]; support += confusion.Counts[k, j]; }
            double precision = predictedCount == 0 ? 0 : (double)tp / predictedCount;
            double recall = support == 0 ? 0 : (double)tp / support;
            result[k] = new ClassScores(confusion.Labels[k], precision, recall, EventValidation.FMeasure(precision, recall), support);
        }
        return result;
    }

    /// <summary>Unweighted mean of the per-class F1 scores (sklearn's <c>f1_score(average='macro')</c>).</summary>
    public static double MacroF1(IReadOnlyList<string> truth, IReadOnlyList<string> predicted, IReadOnlyList<string>? labels = null) =>
        PerClass(truth, predicted, labels).Average(c => c.F1);

    private static void Check(IReadOnlyList<string> truth, IReadOnlyList<string> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count) throw new AnnotationException($"{truth.Count} true labels but {predicted.Count} predictions.");
        if (truth.Count == 0) throw new AnnotationException("No items to score.");
    }
}
