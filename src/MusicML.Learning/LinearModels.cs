using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>Hyper-parameters of <see cref="LinearRegression"/>.</summary>
public sealed record LinearRegressionOptions
{
    /// <summary>Learn an intercept by centring features and target first (<c>fit_intercept</c>).</summary>
    public bool FitIntercept { get; init; } = true;
}

/// <summary>Hyper-parameters of <see cref="RidgeRegression"/> and <see cref="RidgeClassifier"/>.</summary>
public sealed record RidgeOptions
{
    /// <summary>L2 penalty strength (<c>alpha</c>); 0 gives ordinary (minimum-norm) least squares.</summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>Learn an unpenalised intercept by centring first (<c>fit_intercept</c>).</summary>
    public bool FitIntercept { get; init; } = true;

    internal void Validate(string owner) => new OptionErrors(owner)
        .Require(Alpha >= 0 && double.IsFinite(Alpha), nameof(Alpha), $"{Alpha} must be a non-negative finite number")
        .ThrowIfAny();
}

/// <summary>The centred least-squares fit shared by the linear models: (Xc, Yc) → coefficients and intercepts.</summary>
internal static class CentredLeastSquares
{
    /// <summary>Coefficients [targets, features] and intercepts; alpha = 0 is scipy's lstsq, alpha &gt; 0 sklearn's
    /// Cholesky ridge solver on (XcᵀXc + αI) w = Xcᵀyc.</summary>
    public static (double[][] Coefficients, double[] Intercepts) Fit(double[][] rows, Matrix<double> y, double alpha, bool intercept)
    {
        int n = rows.Length, d = rows[0].Length, targets = y.ColumnCount;
        var x = TrainingData.Matrix(rows, d);
        var xMean = new double[d];
        var yMean = new double[targets];
        if (intercept)
        {
            for (int j = 0; j < d; j++) xMean[j] = x.Column(j).Sum() / n;
            for (int t = 0; t < targets; t++) yMean[t] = y.Column(t).Sum() / n;
            x = x.MapIndexed((i, j, v) => v - xMean[j]);
            y = y.MapIndexed((i, t, v) => v - yMean[t]);
        }
        Matrix<double> w; // d × targets
        if (alpha == 0) w = ThinSvd.Of(x).Solve(y);
        else
        {
            var gram = x.TransposeThisAndMultiply(x) + alpha * Matrix<double>.Build.DenseIdentity(d);
            w = gram.Cholesky().Solve(x.TransposeThisAndMultiply(y));
        }
        var coefficients = new double[targets][];
        var intercepts = new double[targets];
        for (int t = 0; t < targets; t++)
        {
            coefficients[t] = w.Column(t).ToArray();
            double dot = 0;
            for (int j = 0; j < d; j++) dot += xMean[j] * coefficients[t][j];
            intercepts[t] = intercept ? yMean[t] - dot : 0;
        }
        return (coefficients, intercepts);
    }

    public static double Apply(double[] row, double[] coefficients, double intercept)
    {
        double s = intercept;
        for (int j = 0; j < row.Length; j++) s += row[j] * coefficients[j];
        return s;
    }
}

/// <summary>
/// What ordinary least squares and ridge regression share: a centred least-squares fit with a penalty
/// <see cref="Alpha"/> (0 for plain least squares), one coefficient per feature, an intercept, and their model-file state.
/// </summary>
public abstract class LeastSquaresRegressor : LearnedModel, IRegressor
{
    private double[]? _coefficients;
    private double _intercept;

    private protected LeastSquaresRegressor()
    {
    }

    /// <summary>The L2 penalty α on the coefficients (0: ordinary least squares).</summary>
    private protected abstract double Alpha { get; }

    /// <summary>Whether an intercept is fitted (otherwise the data are taken as centred).</summary>
    private protected abstract bool FitIntercept { get; }

    /// <inheritdoc />
    public override bool IsFitted => _coefficients is not null;

    /// <summary>Coefficients, one per feature (<c>coef_</c>).</summary>
    public IReadOnlyList<double> Coefficients { get { RequireFitted(); return _coefficients!; } }

    /// <summary>The intercept (<c>intercept_</c>).</summary>
    public double Intercept { get { RequireFitted(); return _intercept; } }

    /// <inheritdoc />
    public void Fit(Matrix<double> x, IReadOnlyList<double> y)
    {
        var rows = TrainingData.Rows(x, ModelName);
        var targets = TrainingData.Targets(y, rows.Length, ModelName);
        var (c, b) = CentredLeastSquares.Fit(rows, Matrix<double>.Build.DenseOfColumnArrays(targets), Alpha, FitIntercept);
        _coefficients = c[0];
        _intercept = b[0];
    }

    /// <inheritdoc />
    public double[] Predict(Matrix<double> x)
    {
        RequireFitted();
        return [.. TrainingData.Rows(x, ModelName, _coefficients!.Length).Select(r => CentredLeastSquares.Apply(r, _coefficients, _intercept))];
    }

    private sealed record State(double[] Coefficients, double Intercept);

    internal override JsonNode? StateJson() => IsFitted ? ModelFile.Node(new State(_coefficients!, _intercept)) : null;

    /// <summary>Reads back what <see cref="StateJson"/> wrote (nothing for an unfitted model).</summary>
    private protected void RestoreState(JsonNode? state)
    {
        if (ModelFile.State<State>(state) is not { } s) return;
        _coefficients = StateCheck.Vector(s.Coefficients, s.Coefficients?.Length ?? 0, "coefficients");
        _intercept = StateCheck.Vector([s.Intercept], 1, "intercept")[0];
    }
}

/// <summary>
/// Ordinary least squares, as <c>sklearn.linear_model.LinearRegression</c>: centre, then the minimum-norm solution by
/// SVD (scipy's <c>lstsq</c>), intercept = mean(y) − mean(x)·coef.
/// </summary>
public sealed class LinearRegression : LeastSquaresRegressor
{
    /// <summary>Creates the regressor (all options are valid).</summary>
    public LinearRegression(LinearRegressionOptions? options = null) => Options = options ?? new();

    /// <summary>The hyper-parameters.</summary>
    public LinearRegressionOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(LinearRegression);

    private protected override double Alpha => 0;

    private protected override bool FitIntercept => Options.FitIntercept;

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal static LinearRegression Restore(JsonNode? options, JsonNode? state)
    {
        var model = new LinearRegression(ModelFile.Options<LinearRegressionOptions>(options));
        model.RestoreState(state);
        return model;
    }
}

/// <summary>
/// Ridge regression, as <c>sklearn.linear_model.Ridge</c> (solver 'cholesky', the one sklearn picks for dense data):
/// minimises ‖y − Xw − b‖² + α‖w‖², the intercept unpenalised.
/// </summary>
public sealed class RidgeRegression : LeastSquaresRegressor
{
    /// <summary>Creates the regressor; invalid options throw a <see cref="MusicMLException"/> naming them.</summary>
    public RidgeRegression(RidgeOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate(nameof(RidgeRegression));
    }

    /// <summary>The hyper-parameters.</summary>
    public RidgeOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(RidgeRegression);

    private protected override double Alpha => Options.Alpha;

    private protected override bool FitIntercept => Options.FitIntercept;

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal static RidgeRegression Restore(JsonNode? options, JsonNode? state)
    {
        var model = new RidgeRegression(ModelFile.Options<RidgeOptions>(options));
        model.RestoreState(state);
        return model;
    }
}

/// <summary>
/// Least-squares classification, as <c>sklearn.linear_model.RidgeClassifier</c>: each class becomes a ±1 target column
/// (one column, the positive class, for two classes), a ridge regression is fitted to them (α = 0: plain least
/// squares, the "linear" classifier), and the prediction is the class with the largest score (score &gt; 0 → positive
/// class when there are two). It has no probabilities.
/// </summary>
public sealed class RidgeClassifier : LearnedModel, IClassifier
{
    private double[][]? _coefficients;
    private double[]? _intercepts;
    private int[] _classes = [];

    /// <summary>Creates the classifier; invalid options throw a <see cref="MusicMLException"/> naming them.</summary>
    public RidgeClassifier(RidgeOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate(nameof(RidgeClassifier));
    }

    /// <summary>The hyper-parameters.</summary>
    public RidgeOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(RidgeClassifier);

    /// <inheritdoc />
    public override bool IsFitted => _coefficients is not null;

    /// <inheritdoc />
    public IReadOnlyList<int> Classes => _classes;

    /// <inheritdoc />
    public void Fit(Matrix<double> x, IReadOnlyList<int> y)
    {
        var rows = TrainingData.Rows(x, ModelName);
        var labels = TrainingData.Labels(y, rows.Length, ModelName);
        var (classes, encoded) = TrainingData.EncodeLabels(labels);
        TrainingData.RequireTwoClasses(classes, ModelName);
        int columns = classes.Length == 2 ? 1 : classes.Length;
        var targets = Matrix<double>.Build.Dense(rows.Length, columns,
            (i, c) => (columns == 1 ? encoded[i] == 1 : encoded[i] == c) ? 1.0 : -1.0);
        (_coefficients, _intercepts) = CentredLeastSquares.Fit(rows, targets, Options.Alpha, Options.FitIntercept);
        _classes = classes;
    }

    /// <summary>The decision scores [rows, score columns] (one column for two classes).</summary>
    public Matrix<double> DecisionFunction(Matrix<double> x)
    {
        RequireFitted();
        var rows = TrainingData.Rows(x, ModelName, _coefficients![0].Length);
        return Matrix<double>.Build.Dense(rows.Length, _coefficients.Length,
            (i, c) => CentredLeastSquares.Apply(rows[i], _coefficients[c], _intercepts![c]));
    }

    /// <inheritdoc />
    public int[] Predict(Matrix<double> x)
    {
        var scores = DecisionFunction(x);
        if (_classes.Length == 2)
            return [.. Enumerable.Range(0, scores.RowCount).Select(i => _classes[scores[i, 0] > 0 ? 1 : 0])];
        return ProbabilityArgmax.Labels(scores, _classes);
    }

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal override JsonNode? StateJson() => IsFitted ? ModelFile.Node(new LinearClassifierState(_classes, _coefficients!, _intercepts!)) : null;

    internal static RidgeClassifier Restore(JsonNode? options, JsonNode? state)
    {
        var model = new RidgeClassifier(ModelFile.Options<RidgeOptions>(options));
        if (ModelFile.State<LinearClassifierState>(state) is { } s)
            (model._classes, model._coefficients, model._intercepts) = s.Checked();
        return model;
    }
}

/// <summary>
/// The model-file state of a linear classifier (<see cref="LogisticRegression"/>, <see cref="RidgeClassifier"/>): the
/// classes, and one coefficient row and intercept per class (one row, for the positive class, with two classes).
/// </summary>
internal sealed record LinearClassifierState(int[] Classes, double[][] Coefficients, double[] Intercepts)
{
    /// <summary>The fields, checked for shape and finiteness.</summary>
    /// <exception cref="MusicMLException">A field is missing, misshapen or non-finite.</exception>
    public (int[] Classes, double[][] Coefficients, double[] Intercepts) Checked()
    {
        var classes = StateCheck.Classes(Classes);
        if (classes.Length < 2) throw new MusicMLException("state field \"classes\" must hold at least two classes.");
        int rows = classes.Length == 2 ? 1 : classes.Length;
        int d = Coefficients is { Length: > 0 } ? Coefficients[0]?.Length ?? 0 : 0;
        return (classes, StateCheck.Matrix(Coefficients, rows, d, "coefficients"), StateCheck.Vector(Intercepts, rows, "intercepts"));
    }
}
