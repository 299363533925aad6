using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;
using static MusicML.Learning.Tests.SklearnReference;

namespace MusicML.Learning.Tests;

/// <summary>
/// Parity with scikit-learn 1.2.1 on the reference arrays, at the tolerances of the reference README: closed forms
/// 1e-6 relative (max |ours − ref| / max |ref|) with identical labels and folds; logistic regression 1e-4 on the
/// coefficients and 1e-5 on the probabilities; tree predictions ≥ 98 % identical; forest accuracy within 0.03;
/// t-SNE trustworthiness at least the reference minus 0.02. Each test prints the figure it measured.
/// </summary>
public sealed class SklearnParityTests(ITestOutputHelper output)
{
    private const double ClosedForm = 1e-6;

    [Fact]
    public void StandardScalerMatchesMeanScaleAndTransforms()
    {
        // StandardScaler().fit(cls_X_train): mean_, scale_ (ddof 0), and the standardised train and test rows.
        var scaler = new StandardScaler();
        var z = scaler.FitTransform(ClsTrain);
        Parity.AssertRelative(Vector("scaler_mean"), scaler.Mean, ClosedForm, "mean_");
        Parity.AssertRelative(Vector("scaler_scale"), scaler.Scale, ClosedForm, "scale_");
        Parity.AssertRelative(ZTrain, z, ClosedForm, "transform(train)");
        Parity.AssertRelative(ZTest, scaler.Transform(ClsTest), ClosedForm, "transform(test)");
        output.WriteLine($"scaler: mean {Parity.RelativeMaxError(Vector("scaler_mean"), scaler.Mean):E2}, scale {Parity.RelativeMaxError(Vector("scaler_scale"), scaler.Scale):E2}, Z test {Parity.RelativeMaxError(ZTest, scaler.Transform(ClsTest)):E2}");
    }

    [Theory]
    [InlineData(NeighborWeights.Uniform, "knn_uniform")]
    [InlineData(NeighborWeights.Distance, "knn_distance")]
    public void KNeighborsMatchesPredictionsAndProbabilities(NeighborWeights weights, string reference)
    {
        // KNeighborsClassifier(5, weights) on the standardised data: identical labels, probabilities to 1e-6.
        var knn = new KNeighborsClassifier(new KNeighborsOptions { Neighbors = 5, Weights = weights });
        knn.Fit(ZTrain, YTrain);
        Assert.Equal(Labels(reference + "_pred"), knn.Predict(ZTest));
        var error = Parity.RelativeMaxError(Matrix(reference + "_proba"), knn.PredictProba(ZTest));
        output.WriteLine($"{reference}: labels identical, proba error {error:E2}");
        Assert.True(error <= ClosedForm, $"proba error {error:E3}");
    }

    [Fact]
    public void LogisticRegressionReachesTheOptimumScikitLearnApproaches()
    {
        // LogisticRegression(C=1, lbfgs, max_iter=10000, tol=1e-12), multinomial, on Z. The objective
        // Σ log-loss + ‖W‖²/2 is strictly convex; our Newton solution has a gradient of ~1e-14 (machine precision),
        // while the gradient at scikit-learn's stored coefficients is 1.6e-3 (its L-BFGS stopped on the relative
        // objective decrease, 64·eps, about 3e-7 above the minimum). So the reference itself sits ~1e-5 from the
        // optimum: coef_ agree within the README's 1e-4 (measured 3.5e-5), while intercept_ (measured 1.6e-4
        // relative, its entries being small) and predict_proba (measured 3.8e-5 absolute) are held to 5e-4 and 1e-4,
        // the reference's own distance from the optimum, instead of the README's 1e-4 and 1e-5, which no exact solver
        // can meet against this reference. The labels, confusion matrix, accuracy 0.7267 and macro F1 0.7270 agree exactly.
        var model = new LogisticRegression();
        model.Fit(ZTrain, YTrain);
        Assert.True(model.Converged, $"Newton did not converge in {model.Iterations} iterations");
        var (ourObjective, ourGradient) = MultinomialObjective(model.Coefficients, [.. model.Intercepts]);
        var (referenceObjective, referenceGradient) = MultinomialObjective(Matrix("logreg_coef"), Vector("logreg_intercept"));
        output.WriteLine($"objective: ours {ourObjective:F12} (max |gradient| {ourGradient:E2}), sklearn {referenceObjective:F12} (max |gradient| {referenceGradient:E2})");
        Assert.True(ourGradient <= 1e-9, $"our gradient {ourGradient:E3}: not at the optimum");
        Assert.True(ourObjective <= referenceObjective, "scikit-learn's coefficients give a lower objective than ours");

        var coefError = Parity.RelativeMaxError(Matrix("logreg_coef"), model.Coefficients);
        var interceptError = Parity.RelativeMaxError(Vector("logreg_intercept"), model.Intercepts);
        var probaError = Parity.MaxAbsoluteError(Matrix("logreg_proba"), model.PredictProba(ZTest));
        output.WriteLine($"logreg: {model.Iterations} Newton iterations, coef {coefError:E2}, intercept {interceptError:E2}, proba max abs {probaError:E2}");
        Assert.True(coefError <= 1e-4, $"coef error {coefError:E3}");
        Assert.True(interceptError <= 5e-4, $"intercept error {interceptError:E3}");
        Assert.True(probaError <= 1e-4, $"proba error {probaError:E3}");

        var predicted = model.Predict(ZTest);
        Assert.Equal(Labels("logreg_pred"), predicted);
        var confusion = ClassificationMetrics.ConfusionMatrix(YTest, predicted, model.Classes);
        Assert.Equal(Labels("logreg_confusion"), confusion.Cast<int>().ToArray());
        Assert.Equal(Metric("logreg_accuracy"), ClassificationMetrics.Accuracy(YTest, predicted), 12);
        Assert.Equal(Metric("logreg_f1_macro"), ClassificationMetrics.MacroF1(YTest, predicted), 12);
    }

    /// <summary>Σᵢ log-loss + ‖W‖²/(2C), C = 1, on the training rows, and its largest gradient entry, written out
    /// independently of the library's solver.</summary>
    private static (double Objective, double MaxGradient) MultinomialObjective(Matrix<double> w, double[] b)
    {
        var x = ZTrain;
        var y = YTrain;
        int k = w.RowCount, d = w.ColumnCount;
        var gw = new double[k, d];
        var gb = new double[k];
        double loss = 0;
        for (int i = 0; i < x.RowCount; i++)
        {
            var s = new double[k];
            for (int c = 0; c < k; c++)
            {
                s[c] = b[c];
                for (int j = 0; j < d; j++) s[c] += x[i, j] * w[c, j];
            }
            var max = s.Max();
            var e = s.Select(v => Math.Exp(v - max)).ToArray();
            var z = e.Sum();
            loss += Math.Log(z) + max - s[y[i]];
            for (int c = 0; c < k; c++)
            {
                var r = e[c] / z - (y[i] == c ? 1 : 0);
                gb[c] += r;
                for (int j = 0; j < d; j++) gw[c, j] += r * x[i, j];
            }
        }
        double penalty = 0;
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
            {
                gw[c, j] += w[c, j];
                penalty += w[c, j] * w[c, j];
            }
        return (loss + 0.5 * penalty, Math.Max(gw.Cast<double>().Max(Math.Abs), gb.Max(Math.Abs)));
    }

    [Fact]
    public void LinearRegressionMatchesCoefficientsAndPredictions()
    {
        // LinearRegression().fit(reg_X_train, reg_y_train): coef_, intercept_, predict(reg_X_test) to 1e-6.
        var model = new LinearRegression();
        model.Fit(Matrix("reg_X_train"), Vector("reg_y_train"));
        Parity.AssertRelative(Vector("linreg_coef"), model.Coefficients, ClosedForm, "coef_");
        Parity.AssertRelative(Vector("linreg_intercept"), [model.Intercept], ClosedForm, "intercept_");
        Parity.AssertRelative(Vector("linreg_pred"), model.Predict(Matrix("reg_X_test")), ClosedForm, "predict");
        output.WriteLine($"linreg: coef {Parity.RelativeMaxError(Vector("linreg_coef"), model.Coefficients):E2}, pred {Parity.RelativeMaxError(Vector("linreg_pred"), model.Predict(Matrix("reg_X_test"))):E2}");
    }

    [Fact]
    public void RidgeMatchesCoefficientsAndPredictions()
    {
        // Ridge(alpha=1).fit(reg_X_train, reg_y_train), intercept unpenalised: coef_, intercept_, predictions to 1e-6.
        var model = new RidgeRegression(new RidgeOptions { Alpha = 1.0 });
        model.Fit(Matrix("reg_X_train"), Vector("reg_y_train"));
        Parity.AssertRelative(Vector("ridge_coef"), model.Coefficients, ClosedForm, "coef_");
        Parity.AssertRelative(Vector("ridge_intercept"), [model.Intercept], ClosedForm, "intercept_");
        Parity.AssertRelative(Vector("ridge_pred"), model.Predict(Matrix("reg_X_test")), ClosedForm, "predict");
        output.WriteLine($"ridge: coef {Parity.RelativeMaxError(Vector("ridge_coef"), model.Coefficients):E2}, pred {Parity.RelativeMaxError(Vector("ridge_pred"), model.Predict(Matrix("reg_X_test"))):E2}");
    }

    [Fact]
    public void GaussianNaiveBayesMatchesParametersAndProbabilities()
    {
        // GaussianNB(var_smoothing=1e-9) on the raw features: theta_, var_ (smoothing included), class_prior_ and
        // predict_proba to 1e-6.
        var model = new GaussianNaiveBayes();
        model.Fit(ClsTrain, YTrain);
        Parity.AssertRelative(Matrix("gnb_theta"), model.Theta, ClosedForm, "theta_");
        Parity.AssertRelative(Matrix("gnb_var"), model.Variance, ClosedForm, "var_");
        Parity.AssertRelative(Vector("gnb_prior"), model.ClassPrior, ClosedForm, "class_prior_");
        Parity.AssertRelative(Matrix("gnb_proba"), model.PredictProba(ClsTest), ClosedForm, "predict_proba");
        output.WriteLine($"gnb: var {Parity.RelativeMaxError(Matrix("gnb_var"), model.Variance):E2}, proba {Parity.RelativeMaxError(Matrix("gnb_proba"), model.PredictProba(ClsTest)):E2}");
    }

    [Fact]
    public void DecisionTreeAgreesOnAtLeast98PercentOfTestRows()
    {
        // DecisionTreeClassifier(gini, defaults, random_state=0) on the raw features: the README asks for ≥ 98 % of
        // the 150 test predictions identical. Our tree draws its feature order with scikit-learn's generators from the
        // same seed, so it is the same tree: depth 11, 87 leaves, test accuracy 0.6067, as the manifest records
        // (measured: 100 % identical).
        var model = new DecisionTreeClassifier();
        model.Fit(ClsTrain, YTrain);
        var predicted = model.Predict(ClsTest);
        var reference = Labels("tree_pred");
        double agreement = predicted.Zip(reference).Count(p => p.First == p.Second) / (double)reference.Length;
        output.WriteLine($"tree: agreement {agreement:P1}, depth {model.Tree.Depth()} (sklearn {Metric("tree_depth")}), leaves {model.Tree.LeafCount()} (sklearn {Metric("tree_leaves")}), accuracy {ClassificationMetrics.Accuracy(YTest, predicted):F4} (sklearn {Metric("tree_accuracy"):F4})");
        Assert.True(agreement >= 0.98, $"only {agreement:P1} of test predictions agree with scikit-learn's");
        Assert.Equal((int)Metric("tree_depth"), model.Tree.Depth());
        Assert.Equal((int)Metric("tree_leaves"), model.Tree.LeafCount());
        // A fully grown tree classifies its own training rows perfectly (the rows are distinct).
        Assert.Equal(1.0, ClassificationMetrics.Accuracy(YTrain, model.Predict(ClsTrain)));
    }

    [Fact]
    public void RandomForestAccuracyWithinThreeHundredthsOfScikitLearns()
    {
        // RandomForestClassifier(200 trees, sqrt features, bootstrap, random_state=0): the README takes only its test
        // accuracy 0.78 as the reference, within 0.03. Seeds and bootstrap samples follow scikit-learn's generators,
        // so the measured accuracy is 0.78 itself.
        var model = new RandomForestClassifier(new RandomForestOptions { Trees = 200, Seed = 0 });
        model.Fit(ClsTrain, YTrain);
        var accuracy = ClassificationMetrics.Accuracy(YTest, model.Predict(ClsTest));
        output.WriteLine($"forest: accuracy {accuracy:F4} (sklearn {Metric("forest_accuracy"):F4})");
        Assert.InRange(accuracy, Metric("forest_accuracy") - 0.03, Metric("forest_accuracy") + 0.03);
    }

    [Fact]
    public void StratifiedKFoldGivesIdenticalFolds()
    {
        // StratifiedKFold(5, shuffle=False).split(cls_Z_train, cls_y_train): the test fold of every row, identical.
        Assert.Equal(Labels("stratified_5fold"), new StratifiedKFold(5).TestFolds(YTrain));
    }

    [Fact]
    public void KMeansFromGivenCentresMatchesCentresLabelsInertiaAndIterations()
    {
        // KMeans(4, init = rows 0..3 of Z, n_init=1, tol=0, lloyd): identical labels, centres to 1e-6, inertia
        // 7262.534266 to 1e-6 relative, and the same 9 iterations (tol = 0 stops only when no label changes).
        var model = new KMeans(new KMeansOptions { Clusters = 4, InitialCentres = Matrix("kmeans_init").ToRowArrays(), Tolerance = 0 });
        model.Fit(ZTrain);
        Assert.Equal(Labels("kmeans_labels"), model.Labels);
        Parity.AssertRelative(Matrix("kmeans_centers"), model.Centres, ClosedForm, "cluster_centers_");
        Assert.True(Math.Abs(model.Inertia / Metric("kmeans_inertia") - 1) <= ClosedForm, $"inertia {model.Inertia} vs {Metric("kmeans_inertia")}");
        Assert.Equal((int)Metric("kmeans_n_iter"), model.Iterations);
        output.WriteLine($"kmeans: inertia {model.Inertia:F6} (sklearn {Metric("kmeans_inertia"):F6}), {model.Iterations} iterations, centres {Parity.RelativeMaxError(Matrix("kmeans_centers"), model.Centres):E2}");
    }

    [Fact]
    public void PcaMatchesComponentsWithTheSvdFlipSignAndVariances()
    {
        // PCA(5).fit(Z): components_ (sign by svd_flip), explained_variance_ (ddof 1), its ratio and transform(Z test), 1e-6.
        var model = new Pca(new PcaOptions { Components = 5 });
        model.Fit(ZTrain);
        Parity.AssertRelative(Matrix("pca_components"), model.Components, ClosedForm, "components_");
        Parity.AssertRelative(Vector("pca_explained_variance"), model.ExplainedVariance, ClosedForm, "explained_variance_");
        Parity.AssertRelative(Vector("pca_explained_variance_ratio"), model.ExplainedVarianceRatio, ClosedForm, "explained_variance_ratio_");
        Parity.AssertRelative(Matrix("pca_transform_test"), model.Transform(ZTest), ClosedForm, "transform");
        output.WriteLine($"pca: components {Parity.RelativeMaxError(Matrix("pca_components"), model.Components):E2}, variance {Parity.RelativeMaxError(Vector("pca_explained_variance"), model.ExplainedVariance):E2}, ratio {Parity.RelativeMaxError(Vector("pca_explained_variance_ratio"), model.ExplainedVarianceRatio):E2}, transform {Parity.RelativeMaxError(Matrix("pca_transform_test"), model.Transform(ZTest)):E2}");
    }

    [Fact]
    public void TrustworthinessOfThePcaPlaneMatchesScikitLearn()
    {
        // trustworthiness(Z, PCA(2).fit_transform(Z), n_neighbors=5) = 0.741961789844 in sklearn: deterministic, so 1e-9.
        var plane = new Pca(new PcaOptions { Components = 2 }).FitTransform(ZTrain);
        var t = EmbeddingQuality.Trustworthiness(ZTrain, plane, 5);
        output.WriteLine($"trustworthiness(PCA 2) = {t:F10} (sklearn {Metric("pca2_trustworthiness_k5"):F10})");
        Assert.Equal(Metric("pca2_trustworthiness_k5"), t, 9);
    }

    [Fact]
    public void TsneTrustworthinessIsWithinTwoHundredthsOfScikitLearns()
    {
        // TSNE(2, perplexity 30, init pca, learning_rate auto) on Z: stochastic, so the reference is the embedding's
        // trustworthiness at k = 5, 0.9269; ours must reach at least 0.9269 − 0.02.
        var tsne = new Tsne(new TsneOptions { Seed = 0 });
        var embedding = tsne.FitTransform(ZTrain);
        var t = EmbeddingQuality.Trustworthiness(ZTrain, embedding, 5);
        output.WriteLine($"t-SNE: trustworthiness {t:F4} (sklearn {Metric("tsne_trustworthiness_k5"):F4}), KL {tsne.KlDivergence:F4}, {tsne.IterationsRun} iterations");
        Assert.True(t >= Metric("tsne_trustworthiness_k5") - 0.02, $"trustworthiness {t:F4}");
    }
}
