using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;
using Xunit.Abstractions;
using static MusicML.Learning.Tests.SklearnReference;

namespace MusicML.Learning.Tests;

/// <summary>Behaviour beyond the reference arrays: cross-validation, grid search, seeding, binary problems, bad input.</summary>
public sealed class LearnerBehaviourTests(ITestOutputHelper output)
{
    [Fact]
    public void CrossValidationOnScikitLearnsFoldsGivesItsPerFoldScores()
    {
        // cross_validate(KNeighborsClassifier(5), Z, y, cv=StratifiedKFold(5)): with the folds identical to sklearn's
        // stored ones and k-NN's predictions identical too, each fold's accuracy must equal a fit on that fold's rows
        // of the reference fold array, computed here independently.
        var x = ZTrain;
        var y = YTrain;
        var result = ModelSelection.CrossValidate(() => new KNeighborsClassifier(), x, y, new StratifiedKFold(5));
        var referenceFolds = Labels("stratified_5fold");
        for (int f = 0; f < 5; f++)
        {
            var train = Enumerable.Range(0, y.Length).Where(i => referenceFolds[i] != f).ToArray();
            var test = Enumerable.Range(0, y.Length).Where(i => referenceFolds[i] == f).ToArray();
            var knn = new KNeighborsClassifier();
            knn.Fit(Rows(x, train), [.. train.Select(i => y[i])]);
            var predicted = knn.Predict(Rows(x, test));
            Assert.Equal(ClassificationMetrics.Accuracy([.. test.Select(i => y[i])], predicted), result.FoldAccuracy[f], 12);
            Assert.Equal(predicted, test.Select(i => result.OutOfFoldPredictions[i]));
        }
        output.WriteLine($"5-fold k-NN: accuracy {result.MeanAccuracy:F4}, macro F1 {result.MeanMacroF1:F4}");
        Assert.InRange(result.MeanAccuracy, 0.5, 1.0); // four classes: far above the 0.25 of chance
    }

    [Fact]
    public void GridSearchKeepsTheBestMeanAccuracyAndRefitsIt()
    {
        // GridSearchCV(KNeighborsClassifier, {k: 1, 3, 5, 9}, cv=5): candidates in grid order, the best the highest
        // mean accuracy (first on a tie), and the returned model a refit on all rows with those parameters.
        var grid = new Dictionary<string, IReadOnlyList<string>> { ["k"] = ["1", "3", "5", "9"] };
        var result = ModelSelection.GridSearch(p => (IClassifier)ClassifierCatalog.Create("knn", p), grid, ZTrain, YTrain, new StratifiedKFold(5));
        Assert.Equal(["1", "3", "5", "9"], result.Candidates.Select(c => c.Parameters["k"]));
        var means = result.Candidates.Select(c => c.Scores.MeanAccuracy).ToArray();
        Assert.Equal(System.Array.IndexOf(means, means.Max()), result.BestIndex);
        var refit = new KNeighborsClassifier(new KNeighborsOptions { Neighbors = int.Parse(result.Best.Parameters["k"]) });
        refit.Fit(ZTrain, YTrain);
        Assert.Equal(refit.Predict(ZTest), result.BestModel.Predict(ZTest));
        output.WriteLine(string.Join(", ", result.Candidates.Select(c => $"k={c.Parameters["k"]}: {c.Scores.MeanAccuracy:F4}")));
    }

    [Fact]
    public void GridOrderMatchesParameterGrid()
    {
        // ParameterGrid sorts the names and varies the last fastest: {weights, k} → (k=1, uniform), (k=1, distance), (k=3, …).
        var grid = new Dictionary<string, IReadOnlyList<string>> { ["weights"] = ["uniform", "distance"], ["k"] = ["1", "3"] };
        var result = ModelSelection.GridSearch(p => (IClassifier)ClassifierCatalog.Create("knn", p), grid, ZTrain, YTrain, new StratifiedKFold(3));
        Assert.Equal(["1/uniform", "1/distance", "3/uniform", "3/distance"], result.Candidates.Select(c => c.Parameters["k"] + "/" + c.Parameters["weights"]));
    }

    [Fact]
    public void KMeansPlusPlusIsSeededAndFindsAGoodOptimum()
    {
        // Same seed, same clustering; ten k-means++ restarts end no worse than 2 % above the inertia sklearn reached
        // from the first four rows (7262.53), a local optimum of the same objective.
        var a = new KMeans(new KMeansOptions { Clusters = 4, Seed = 11 });
        var b = new KMeans(new KMeansOptions { Clusters = 4, Seed = 11 });
        a.Fit(ZTrain);
        b.Fit(ZTrain);
        Assert.Equal(a.Centres.ToRowMajorArray(), b.Centres.ToRowMajorArray());
        Assert.Equal(a.Labels, b.Labels);
        output.WriteLine($"k-means++ inertia {a.Inertia:F3} vs {Metric("kmeans_inertia"):F3} from the given centres");
        Assert.True(a.Inertia <= Metric("kmeans_inertia") * 1.02, $"inertia {a.Inertia}");
    }

    [Fact]
    public void ForestsAndTreesAreReproducibleFromTheirSeed()
    {
        var first = new RandomForestClassifier(new RandomForestOptions { Trees = 30, Seed = 5 });
        var second = new RandomForestClassifier(new RandomForestOptions { Trees = 30, Seed = 5 });
        first.Fit(ClsTrain, YTrain);
        second.Fit(ClsTrain, YTrain);
        Assert.Equal(first.PredictProba(ClsTest).ToRowMajorArray(), second.PredictProba(ClsTest).ToRowMajorArray());
        var other = new RandomForestClassifier(new RandomForestOptions { Trees = 30, Seed = 6 });
        other.Fit(ClsTrain, YTrain);
        Assert.NotEqual(first.PredictProba(ClsTest).ToRowMajorArray(), other.PredictProba(ClsTest).ToRowMajorArray());
    }

    [Fact]
    public void BinaryLogisticRegressionIsTheSigmoidModelScikitLearnFits()
    {
        // Two classes: sklearn fits one coefficient row (sigmoid) minimising Σ log-loss + ‖w‖²/2; at our solution that
        // objective's gradient, written out here, must vanish, and the probabilities are [1 − σ(s), σ(s)].
        var keep = Enumerable.Range(0, YTrain.Length).Where(i => YTrain[i] < 2).ToArray();
        var x = Rows(ZTrain, keep);
        var y = keep.Select(i => YTrain[i]).ToArray();
        var model = new LogisticRegression();
        model.Fit(x, y);
        Assert.Equal(1, model.Coefficients.RowCount);
        var w = model.Coefficients.Row(0);
        var b = model.Intercepts[0];
        var gradient = w.Clone();
        double gb = 0;
        for (int i = 0; i < x.RowCount; i++)
        {
            var p = 1 / (1 + Math.Exp(-(x.Row(i).DotProduct(w) + b)));
            gradient += (p - y[i]) * x.Row(i);
            gb += p - y[i];
        }
        Assert.True(Math.Max(gradient.AbsoluteMaximum(), Math.Abs(gb)) <= 1e-9, $"gradient {gradient.AbsoluteMaximum():E2}, {gb:E2}");
        var proba = model.PredictProba(x);
        var s0 = x.Row(0).DotProduct(w) + b;
        Assert.Equal(1 / (1 + Math.Exp(-s0)), proba[0, 1], 14);
    }

    [Fact]
    public void RidgeClassifierWithZeroAlphaIsLeastSquaresOnPlusMinusOneTargets()
    {
        // RidgeClassifier: per class a ±1 target; with alpha = 0 its scores are LinearRegression's on those targets.
        var model = (RidgeClassifier)ClassifierCatalog.Create("linear");
        model.Fit(ZTrain, YTrain);
        var scores = model.DecisionFunction(ZTest);
        for (int c = 0; c < 4; c++)
        {
            var regression = new LinearRegression();
            regression.Fit(ZTrain, [.. YTrain.Select(v => v == c ? 1.0 : -1.0)]);
            Parity.AssertRelative(regression.Predict(ZTest), scores.Column(c).ToArray(), 1e-9, $"class {c} scores");
        }
        var accuracy = ClassificationMetrics.Accuracy(YTest, model.Predict(ZTest));
        Assert.InRange(accuracy, 0.4, 1.0); // a linear model on four classes, well above chance (0.25)
    }

    [Fact]
    public void InvalidHyperParametersAreAllNamedAtOnce()
    {
        var e = Assert.Throws<MusicMLException>(() => new DecisionTreeClassifier(new DecisionTreeOptions { MinSamplesSplit = 1, MinSamplesLeaf = 0 }));
        Assert.Contains("MinSamplesSplit", e.Message);
        Assert.Contains("MinSamplesLeaf", e.Message);
        Assert.Contains("Neighbors", Assert.Throws<MusicMLException>(() => new KNeighborsClassifier(new KNeighborsOptions { Neighbors = 0 })).Message);
        Assert.Contains("C:", Assert.Throws<MusicMLException>(() => new LogisticRegression(new LogisticRegressionOptions { C = -1 })).Message);
        Assert.Contains("Alpha", Assert.Throws<MusicMLException>(() => new RidgeRegression(new RidgeOptions { Alpha = double.NaN })).Message);
        Assert.Contains("VarSmoothing", Assert.Throws<MusicMLException>(() => new GaussianNaiveBayes(new GaussianNaiveBayesOptions { VarSmoothing = -1 })).Message);
        Assert.Contains("Trees", Assert.Throws<MusicMLException>(() => new RandomForestClassifier(new RandomForestOptions { Trees = 0 })).Message);
        Assert.Contains("Clusters", Assert.Throws<MusicMLException>(() => new KMeans(new KMeansOptions { Clusters = 0 })).Message);
        Assert.Contains("Components", Assert.Throws<MusicMLException>(() => new Pca(new PcaOptions { Components = 0 })).Message);
        Assert.Contains("Perplexity", Assert.Throws<MusicMLException>(() => new Tsne(new TsneOptions { Perplexity = 0 })).Message);
        Assert.Contains("splits", Assert.Throws<MusicMLException>(() => new StratifiedKFold(1)).Message);
    }

    [Fact]
    public void CatalogRefusesUnknownNamesAndBadValues()
    {
        Assert.Contains("unknown classifier 'svm'", Assert.Throws<MusicMLException>(() => ClassifierCatalog.Create("svm")).Message);
        Assert.Contains("'depth'", Assert.Throws<MusicMLException>(() => ClassifierCatalog.Create("tree", new Dictionary<string, string> { ["depth"] = "3" })).Message);
        Assert.Contains("k = 'three'", Assert.Throws<MusicMLException>(() => ClassifierCatalog.Create("knn", new Dictionary<string, string> { ["k"] = "three" })).Message);
        Assert.Contains("weights", Assert.Throws<MusicMLException>(() => ClassifierCatalog.Create("knn", new Dictionary<string, string> { ["weights"] = "1" })).Message);
    }

    [Fact]
    public void BadDataGetOneClearError()
    {
        var x = ZTrain.Clone();
        x[3, 7] = double.NaN;
        Assert.Contains("feature 7 of row 3", Assert.Throws<MusicMLException>(() => new GaussianNaiveBayes().Fit(x, YTrain)).Message);
        Assert.Contains("not fitted", Assert.Throws<MusicMLException>(() => new LogisticRegression().Predict(ZTest)).Message);
        var knn = new KNeighborsClassifier();
        knn.Fit(ZTrain, YTrain);
        Assert.Contains("fitted on 20", Assert.Throws<MusicMLException>(() => knn.Predict(ZTest.SubMatrix(0, 5, 0, 10))).Message);
        Assert.Contains("labels for", Assert.Throws<MusicMLException>(() => knn.Fit(ZTrain, YTrain[..10])).Message);
        Assert.Contains("one class", Assert.Throws<MusicMLException>(() => new LogisticRegression().Fit(ZTrain, new int[ZTrain.RowCount])).Message);
        Assert.Contains("exceeds the row count", Assert.Throws<MusicMLException>(() => new StratifiedKFold(5).TestFolds([0, 0, 1, 1])).Message);
        Assert.Contains("Perplexity", Assert.Throws<MusicMLException>(() => new Tsne(new TsneOptions { Perplexity = 30 }).FitTransform(ZTrain.SubMatrix(0, 20, 0, 20))).Message);
        Assert.Contains("neighbors", Assert.Throws<MusicMLException>(() => EmbeddingQuality.Trustworthiness(ZTrain, ZTrain, 300)).Message);
    }

    private static Matrix<double> Rows(Matrix<double> x, int[] rows) =>
        Matrix<double>.Build.DenseOfRowVectors(rows.Select(x.Row));
}
