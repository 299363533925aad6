using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>Per-fold and mean scores of one cross-validated classifier.</summary>
/// <param name="FoldAccuracy">Test accuracy of each fold.</param>
/// <param name="FoldMacroF1">Test macro F1 of each fold.</param>
/// <param name="OutOfFoldPredictions">Each row's prediction by the model that did not see it (<c>cross_val_predict</c>).</param>
public sealed record CrossValidationResult(double[] FoldAccuracy, double[] FoldMacroF1, int[] OutOfFoldPredictions)
{
    /// <summary>Mean test accuracy over the folds (what <c>cross_val_score</c> averages).</summary>
    public double MeanAccuracy => FoldAccuracy.Average();

    /// <summary>Mean test macro F1 over the folds (<c>scoring='f1_macro'</c>).</summary>
    public double MeanMacroF1 => FoldMacroF1.Average();
}

/// <summary>One grid point and its cross-validated scores.</summary>
/// <param name="Parameters">The hyper-parameters of this point.</param>
/// <param name="Scores">Its cross-validated scores.</param>
public sealed record GridCandidate(IReadOnlyDictionary<string, string> Parameters, CrossValidationResult Scores);

/// <summary>The outcome of <see cref="ModelSelection.GridSearch"/>.</summary>
/// <param name="Candidates">Every grid point in scikit-learn's <c>ParameterGrid</c> order.</param>
/// <param name="BestIndex">The point with the highest mean accuracy (the first on a tie, as <c>best_index_</c>).</param>
/// <param name="BestModel">A fresh model with the best parameters, refitted on all rows (<c>best_estimator_</c>).</param>
public sealed record GridSearchResult(IReadOnlyList<GridCandidate> Candidates, int BestIndex, IClassifier BestModel)
{
    /// <summary>The winning point.</summary>
    public GridCandidate Best => Candidates[BestIndex];
}

/// <summary>Cross-validation and grid search over classifiers, as <c>sklearn.model_selection</c>'s.</summary>
public static class ModelSelection
{
    /// <summary>
    /// Fits a fresh classifier from <paramref name="create"/> on each fold's training rows and scores it on the fold's
    /// test rows (<c>cross_validate</c> with accuracy and macro F1).
    /// </summary>
    public static CrossValidationResult CrossValidate(Func<IClassifier> create, Matrix<double> x, IReadOnlyList<int> y, StratifiedKFold folds)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(folds);
        var rows = TrainingData.Rows(x, nameof(CrossValidate));
        var labels = TrainingData.Labels(y, rows.Length, nameof(CrossValidate));
        var splits = folds.Split(labels);
        var accuracy = new double[splits.Count];
        var f1 = new double[splits.Count];
        var outOfFold = new int[rows.Length];
        for (int f = 0; f < splits.Count; f++)
        {
            var (train, test) = splits[f];
            if (train.Length == 0 || test.Length == 0)
                throw new MusicMLException($"{nameof(CrossValidate)}: fold {f} has no {(train.Length == 0 ? "training" : "test")} rows; use fewer folds.");
            var model = create();
            model.Fit(TrainingData.SelectRows(x, train), [.. train.Select(i => labels[i])]);
            var predicted = model.Predict(TrainingData.SelectRows(x, test));
            var truth = test.Select(i => labels[i]).ToArray();
            accuracy[f] = ClassificationMetrics.Accuracy(truth, predicted);
            f1[f] = ClassificationMetrics.MacroF1(truth, predicted);
            for (int t = 0; t < test.Length; t++) outOfFold[test[t]] = predicted[t];
        }
        return new CrossValidationResult(accuracy, f1, outOfFold);
    }

    /// <summary>
    /// Cross-validates every combination of <paramref name="grid"/> (names sorted, the last varying fastest, as
    /// <c>ParameterGrid</c>), each combined with <paramref name="fixedParameters"/>, keeps the best mean accuracy and
    /// refits it on all rows (<c>GridSearchCV(refit=True)</c>).
    /// </summary>
    public static GridSearchResult GridSearch(
        Func<IReadOnlyDictionary<string, string>, IClassifier> create,
        IReadOnlyDictionary<string, IReadOnlyList<string>> grid,
        Matrix<double> x, IReadOnlyList<int> y, StratifiedKFold folds,
        IReadOnlyDictionary<string, string>? fixedParameters = null)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(grid);
        foreach (var (name, values) in grid)
            if (values is null || values.Count == 0) throw new MusicMLException($"grid parameter '{name}' has no values.");
        var names = grid.Keys.Order(StringComparer.Ordinal).ToArray();
        var combinations = new List<Dictionary<string, string>> { new(fixedParameters ?? new Dictionary<string, string>()) };
        foreach (var name in names)
            combinations = [.. combinations.SelectMany(c => grid[name].Select(v => new Dictionary<string, string>(c) { [name] = v }))];
        var candidates = combinations
            .Select(parameters => new GridCandidate(parameters, CrossValidate(() => create(parameters), x, y, folds)))
            .ToList();
        int best = 0;
        for (int i = 1; i < candidates.Count; i++)
            if (candidates[i].Scores.MeanAccuracy > candidates[best].Scores.MeanAccuracy) best = i;
        var model = create(candidates[best].Parameters);
        model.Fit(x, y);
        return new GridSearchResult(candidates, best, model);
    }
}
