using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>Hyper-parameters of <see cref="GaussianNaiveBayes"/>.</summary>
public sealed record GaussianNaiveBayesOptions
{
    /// <summary>Share of the largest feature variance added to every variance (<c>var_smoothing</c>), so a feature that
    /// is constant within a class does not give a zero variance.</summary>
    public double VarSmoothing { get; init; } = 1e-9;

    internal void Validate() => new OptionErrors(nameof(GaussianNaiveBayes))
        .Require(VarSmoothing >= 0 && double.IsFinite(VarSmoothing), nameof(VarSmoothing), $"{VarSmoothing} must be a non-negative finite number")
        .ThrowIfAny();
}

/// <summary>
/// Gaussian naive Bayes, as <c>sklearn.naive_bayes.GaussianNB</c>: per class, the feature means (<c>theta_</c>) and
/// population variances plus ε = var_smoothing · max feature variance (<c>var_</c>), priors the class frequencies.
/// </summary>
public sealed class GaussianNaiveBayes : LearnedModel, IProbabilisticClassifier
{
    private double[][]? _theta;
    private double[][]? _variance;
    private double[]? _prior;
    private int[] _classes = [];

    /// <summary>Creates the classifier; invalid options throw a <see cref="MusicMLException"/> naming them.</summary>
    public GaussianNaiveBayes(GaussianNaiveBayesOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public GaussianNaiveBayesOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(GaussianNaiveBayes);

    /// <inheritdoc />
    public override bool IsFitted => _theta is not null;

    /// <inheritdoc />
    public IReadOnlyList<int> Classes => _classes;

    /// <summary>Per-class feature means [classes, features] (<c>theta_</c>).</summary>
    public Matrix<double> Theta { get { RequireFitted(); return Matrix<double>.Build.DenseOfRowArrays(_theta!); } }

    /// <summary>Per-class feature variances including the smoothing [classes, features] (<c>var_</c>).</summary>
    public Matrix<double> Variance { get { RequireFitted(); return Matrix<double>.Build.DenseOfRowArrays(_variance!); } }

    /// <summary>Class priors (<c>class_prior_</c>).</summary>
    public IReadOnlyList<double> ClassPrior { get { RequireFitted(); return _prior!; } }

    /// <inheritdoc />
    public void Fit(Matrix<double> x, IReadOnlyList<int> y)
    {
        var rows = TrainingData.Rows(x, ModelName);
        var labels = TrainingData.Labels(y, rows.Length, ModelName);
        var (classes, encoded) = TrainingData.EncodeLabels(labels);
        int n = rows.Length, d = x.ColumnCount, k = classes.Length;
        double maxVariance = 0;
        for (int j = 0; j < d; j++) maxVariance = Math.Max(maxVariance, PopulationVariance(Enumerable.Range(0, n).Select(i => rows[i][j]).ToArray()));
        double epsilon = Options.VarSmoothing * maxVariance;
        var theta = new double[k][];
        var variance = new double[k][];
        var prior = new double[k];
        for (int c = 0; c < k; c++)
        {
            var members = Enumerable.Range(0, n).Where(i => encoded[i] == c).ToArray();
            prior[c] = (double)members.Length / n;
            theta[c] = new double[d];
            variance[c] = new double[d];
            for (int j = 0; j < d; j++)
            {
                var values = members.Select(i => rows[i][j]).ToArray();
                theta[c][j] = values.Sum() / values.Length;
                variance[c][j] = PopulationVariance(values) + epsilon;
            }
            if (variance[c].Any(v => v <= 0))
                throw new MusicMLException($"{ModelName}: class {classes[c]} has a feature of zero variance and VarSmoothing adds nothing (all features constant?).");
        }
        _theta = theta;
        _variance = variance;
        _prior = prior;
        _classes = classes;
    }

    private static double PopulationVariance(double[] values)
    {
        double mean = values.Sum() / values.Length, s = 0;
        foreach (var v in values) s += (v - mean) * (v - mean);
        return s / values.Length;
    }

    /// <summary>The joint log-likelihood log P(c) + log P(x | c) [rows, classes].</summary>
    public Matrix<double> JointLogLikelihood(Matrix<double> x)
    {
        RequireFitted();
        var rows = TrainingData.Rows(x, ModelName, _theta![0].Length);
        var result = Matrix<double>.Build.Dense(rows.Length, _classes.Length);
        for (int c = 0; c < _classes.Length; c++)
        {
            double normaliser = 0;
            foreach (var v in _variance![c]) normaliser += Math.Log(2 * Math.PI * v);
            for (int i = 0; i < rows.Length; i++)
            {
                double s = 0;
                for (int j = 0; j < rows[i].Length; j++)
                {
                    var diff = rows[i][j] - _theta[c][j];
                    s += diff * diff / _variance[c][j];
                }
                result[i, c] = Math.Log(_prior![c]) - 0.5 * normaliser - 0.5 * s;
            }
        }
        return result;
    }

    /// <inheritdoc />
    public Matrix<double> PredictProba(Matrix<double> x)
    {
        var jll = JointLogLikelihood(x);
        for (int i = 0; i < jll.RowCount; i++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < jll.ColumnCount; c++) max = Math.Max(max, jll[i, c]);
            for (int c = 0; c < jll.ColumnCount; c++) sum += Math.Exp(jll[i, c] - max);
            double logSum = max + Math.Log(sum);
            for (int c = 0; c < jll.ColumnCount; c++) jll[i, c] = Math.Exp(jll[i, c] - logSum);
        }
        return jll;
    }

    /// <inheritdoc />
    public int[] Predict(Matrix<double> x) => ProbabilityArgmax.Labels(JointLogLikelihood(x), _classes);

    private sealed record State(int[] Classes, double[][] Theta, double[][] Variance, double[] ClassPrior);

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal override JsonNode? StateJson() => IsFitted ? ModelFile.Node(new State(_classes, _theta!, _variance!, _prior!)) : null;

    internal static GaussianNaiveBayes Restore(JsonNode? options, JsonNode? state)
    {
        var model = new GaussianNaiveBayes(ModelFile.Options<GaussianNaiveBayesOptions>(options));
        if (ModelFile.State<State>(state) is { } s)
        {
            var classes = StateCheck.Classes(s.Classes);
            int d = s.Theta is { Length: > 0 } ? s.Theta[0]?.Length ?? 0 : 0;
            model._theta = StateCheck.Matrix(s.Theta, classes.Length, d, "theta");
            model._variance = StateCheck.Matrix(s.Variance, classes.Length, d, "variance");
            model._prior = StateCheck.Vector(s.ClassPrior, classes.Length, "classPrior");
            if (model._variance.Any(r => r.Any(v => v <= 0)) || model._prior.Any(p => p <= 0))
                throw new MusicMLException("state fields \"variance\" and \"classPrior\" must be positive.");
            model._classes = classes;
        }
        return model;
    }
}
