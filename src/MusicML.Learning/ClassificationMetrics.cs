using MusicML.Core;

namespace MusicML.Learning;

/// <summary>Classification scores with scikit-learn's definitions (<c>sklearn.metrics</c>).</summary>
public static class ClassificationMetrics
{
    /// <summary>Share of rows whose prediction equals the truth (<c>accuracy_score</c>).</summary>
    public static double Accuracy(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        Check(truth, predicted);
        int right = 0;
        for (int i = 0; i < truth.Count; i++) if (truth[i] == predicted[i]) right++;
        return (double)right / truth.Count;
    }

    /// <summary>
    /// The unweighted mean over classes of F1 = 2·TP / (2·TP + FP + FN) (<c>f1_score(average='macro')</c>), the classes
    /// being every label in the truth or the predictions; a class with no true or predicted rows scores 0
    /// (<c>zero_division</c>'s value).
    /// </summary>
    public static double MacroF1(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        Check(truth, predicted);
        var labels = truth.Concat(predicted).Distinct().Order().ToArray();
        double sum = 0;
        foreach (var label in labels)
        {
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < truth.Count; i++)
            {
                bool t = truth[i] == label, p = predicted[i] == label;
                if (t && p) tp++;
                else if (p) fp++;
                else if (t) fn++;
            }
            sum += 2 * tp + fp + fn == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn);
        }
        return sum / labels.Length;
    }

    /// <summary>Counts [true class, predicted class] over <paramref name="labels"/> (<c>confusion_matrix</c>); rows
    /// whose truth or prediction is not among the labels are left out.</summary>
    public static int[,] ConfusionMatrix(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<int> labels)
    {
        Check(truth, predicted);
        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i);
        var matrix = new int[labels.Count, labels.Count];
        for (int i = 0; i < truth.Count; i++)
            if (index.TryGetValue(truth[i], out var t) && index.TryGetValue(predicted[i], out var p)) matrix[t, p]++;
        return matrix;
    }

    private static void Check(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count) throw new MusicMLException($"{truth.Count} true labels but {predicted.Count} predictions.");
        if (truth.Count == 0) throw new MusicMLException("there are no labels to score.");
    }
}
