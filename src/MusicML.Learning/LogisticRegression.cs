using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>Hyper-parameters of <see cref="LogisticRegression"/> (scikit-learn's names and defaults where they exist).</summary>
public sealed record LogisticRegressionOptions
{
    /// <summary>Inverse of the L2 penalty strength (<c>C</c>): the objective adds ‖W‖² / (2C) to the summed log-loss.</summary>
    public double C { get; init; } = 1.0;

    /// <summary>Learn an (unpenalised) intercept per class (<c>fit_intercept</c>).</summary>
    public bool FitIntercept { get; init; } = true;

    /// <summary>Newton iterations allowed; the problem is smooth and strictly convex, so a few tens reach machine precision.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Stop when the largest gradient entry of the mean log-loss falls to this.</summary>
    public double Tolerance { get; init; } = 1e-12;

    internal void Validate() => new OptionErrors(nameof(LogisticRegression))
        .Require(C > 0 && double.IsFinite(C), nameof(C), $"{C} must be a positive finite number")
        .Require(MaxIterations >= 1, nameof(MaxIterations), $"{MaxIterations} must be at least 1")
        .Require(Tolerance >= 0 && double.IsFinite(Tolerance), nameof(Tolerance), $"{Tolerance} must be a non-negative finite number")
        .ThrowIfAny();
}

/// <summary>
/// L2-regularised logistic regression, as <c>sklearn.linear_model.LogisticRegression(penalty='l2', solver='lbfgs')</c>:
/// multinomial (softmax) for three or more classes, one sigmoid for two (sklearn's <c>multi_class='auto'</c>). The
/// objective, Σ log-loss + ‖W‖²/(2C) with the intercept unpenalised, is strictly convex, so its one minimum is found by
/// Newton's method with a backtracking line search (the Hessian is small: classes × features) instead of L-BFGS; the
/// softmax intercepts, defined only up to a common shift, are fixed to sum to zero as sklearn's solver leaves them.
/// </summary>
public sealed class LogisticRegression : LearnedModel, IProbabilisticClassifier
{
    private double[][]? _coefficients;
    private double[]? _intercepts;
    private int[] _classes = [];

    /// <summary>Creates the classifier; invalid options throw a <see cref="MusicMLException"/> naming them.</summary>
    public LogisticRegression(LogisticRegressionOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public LogisticRegressionOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(LogisticRegression);

    /// <inheritdoc />
    public override bool IsFitted => _coefficients is not null;

    /// <inheritdoc />
    public IReadOnlyList<int> Classes => _classes;

    /// <summary>Coefficients [classes, features] (<c>coef_</c>); one row for a two-class problem (the positive class).</summary>
    public Matrix<double> Coefficients { get { RequireFitted(); return Matrix<double>.Build.DenseOfRowArrays(_coefficients!); } }

    /// <summary>Intercepts (<c>intercept_</c>), one per row of <see cref="Coefficients"/>.</summary>
    public IReadOnlyList<double> Intercepts { get { RequireFitted(); return _intercepts!; } }

    /// <summary>Newton iterations the last <see cref="Fit"/> took.</summary>
    public int Iterations { get; private set; }

    /// <summary>Whether the last <see cref="Fit"/> reached <see cref="LogisticRegressionOptions.Tolerance"/>.</summary>
    public bool Converged { get; private set; }

    /// <inheritdoc />
    public void Fit(Matrix<double> x, IReadOnlyList<int> y)
    {
        var rows = TrainingData.Rows(x, ModelName);
        var labels = TrainingData.Labels(y, rows.Length, ModelName);
        var (classes, encoded) = TrainingData.EncodeLabels(labels);
        TrainingData.RequireTwoClasses(classes, ModelName);
        int n = rows.Length, d = x.ColumnCount;
        bool binary = classes.Length == 2, intercept = Options.FitIntercept;
        int columns = binary ? 1 : classes.Length, m = d + (intercept ? 1 : 0), size = columns * m;

        // Design matrix with a ones column for the intercept; targets one-hot over the parameter columns.
        var design = Matrix<double>.Build.Dense(n, m, (i, j) => j < d ? rows[i][j] : 1.0);
        var target = Matrix<double>.Build.Dense(n, columns, (i, c) => (binary ? encoded[i] == 1 : encoded[i] == c) ? 1.0 : 0.0);
        var theta = Vector<double>.Build.Dense(size);
        double invC = 1 / Options.C;

        double Objective(Vector<double> t, out Matrix<double> probabilities)
        {
            var w = Matrix<double>.Build.Dense(m, columns, t.ToArray());
            var scores = design * w;
            probabilities = Matrix<double>.Build.Dense(n, columns);
            double loss = 0;
            for (int i = 0; i < n; i++)
            {
                // Full softmax scores: the binary model is a softmax whose class-0 score is fixed at 0.
                double max = binary ? Math.Max(0, scores[i, 0]) : double.NegativeInfinity;
                if (!binary) for (int c = 0; c < columns; c++) max = Math.Max(max, scores[i, c]);
                double sum = binary ? Math.Exp(-max) : 0;
                for (int c = 0; c < columns; c++) sum += Math.Exp(scores[i, c] - max);
                double logSum = max + Math.Log(sum);
                int yc = binary ? -1 : encoded[i];
                double own = binary ? (encoded[i] == 1 ? scores[i, 0] : 0) : scores[i, yc];
                loss += logSum - own;
                for (int c = 0; c < columns; c++) probabilities[i, c] = Math.Exp(scores[i, c] - logSum);
            }
            double penalty = 0, interceptSum = 0;
            for (int c = 0; c < columns; c++)
            {
                for (int j = 0; j < d; j++) penalty += t[c * m + j] * t[c * m + j];
                if (intercept) interceptSum += t[c * m + d];
            }
            loss += 0.5 * invC * penalty;
            // The softmax is unchanged by a common intercept shift; this term (zero at the sum-zero optimum) removes
            // that flat direction so the Hessian is positive definite.
            if (!binary && intercept) loss += 0.5 * interceptSum * interceptSum;
            return loss;
        }

        double current = Objective(theta, out var p);
        Converged = false;
        Iterations = 0;
        for (int iteration = 1; iteration <= Options.MaxIterations; iteration++)
        {
            Iterations = iteration;
            var residual = p - target;
            var gradientMatrix = design.TransposeThisAndMultiply(residual); // m × columns
            var gradient = Vector<double>.Build.Dense(size);
            double interceptSum = 0;
            if (intercept) for (int c = 0; c < columns; c++) interceptSum += theta[c * m + d];
            for (int c = 0; c < columns; c++)
                for (int j = 0; j < m; j++)
                    gradient[c * m + j] = gradientMatrix[j, c]
                        + (j < d ? invC * theta[c * m + j] : (!binary ? interceptSum : 0));
            if (gradient.AbsoluteMaximum() / n <= Options.Tolerance)
            {
                Converged = true;
                break;
            }

            var hessian = Matrix<double>.Build.Dense(size, size);
            for (int c = 0; c < columns; c++)
                for (int c2 = c; c2 < columns; c2++)
                {
                    var weights = Vector<double>.Build.Dense(n, i => (c == c2 ? p[i, c] : 0) - p[i, c] * p[i, c2]);
                    var block = design.TransposeThisAndMultiply(design.MapIndexed((i, j, v) => v * weights[i]));
                    hessian.SetSubMatrix(c * m, c2 * m, block);
                    if (c2 != c) hessian.SetSubMatrix(c2 * m, c * m, block.Transpose());
                }
            for (int c = 0; c < columns; c++)
            {
                for (int j = 0; j < d; j++) hessian[c * m + j, c * m + j] += invC;
                if (!binary && intercept)
                    for (int c2 = 0; c2 < columns; c2++) hessian[c * m + d, c2 * m + d] += 1;
            }
            var step = hessian.Cholesky().Solve(-gradient);
            double slope = gradient.DotProduct(step), length = 1;
            Vector<double> next;
            double candidate;
            Matrix<double> nextP;
            int halvings = 0;
            while (true)
            {
                next = theta + length * step;
                candidate = Objective(next, out nextP);
                if (candidate <= current + 1e-4 * length * slope || ++halvings > 60) break;
                length /= 2;
            }
            if (candidate > current) break; // no descent left at machine precision
            theta = next;
            current = candidate;
            p = nextP;
        }
        if (!double.IsFinite(current)) throw new MusicMLException($"{ModelName}: the optimisation diverged (objective {current}).");

        var coefficients = new double[columns][];
        var intercepts = new double[columns];
        for (int c = 0; c < columns; c++)
        {
            coefficients[c] = new double[d];
            for (int j = 0; j < d; j++) coefficients[c][j] = theta[c * m + j];
            intercepts[c] = intercept ? theta[c * m + d] : 0;
        }
        _coefficients = coefficients;
        _intercepts = intercepts;
        _classes = classes;
    }

    /// <summary>The decision scores [rows, coefficient rows]: x·coefᵀ + intercept.</summary>
    public Matrix<double> DecisionFunction(Matrix<double> x)
    {
        RequireFitted();
        var rows = TrainingData.Rows(x, ModelName, _coefficients![0].Length);
        var scores = Matrix<double>.Build.Dense(rows.Length, _coefficients.Length);
        for (int i = 0; i < rows.Length; i++)
            for (int c = 0; c < _coefficients.Length; c++)
            {
                double s = _intercepts![c];
                for (int j = 0; j < rows[i].Length; j++) s += rows[i][j] * _coefficients[c][j];
                scores[i, c] = s;
            }
        return scores;
    }

    /// <inheritdoc />
    public Matrix<double> PredictProba(Matrix<double> x)
    {
        var scores = DecisionFunction(x);
        var proba = Matrix<double>.Build.Dense(scores.RowCount, _classes.Length);
        for (int i = 0; i < scores.RowCount; i++)
        {
            if (_classes.Length == 2)
            {
                var p1 = 1 / (1 + Math.Exp(-scores[i, 0]));
                proba[i, 0] = 1 - p1;
                proba[i, 1] = p1;
                continue;
            }
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < scores.ColumnCount; c++) max = Math.Max(max, scores[i, c]);
            for (int c = 0; c < scores.ColumnCount; c++) sum += proba[i, c] = Math.Exp(scores[i, c] - max);
            for (int c = 0; c < scores.ColumnCount; c++) proba[i, c] /= sum;
        }
        return proba;
    }

    /// <inheritdoc />
    public int[] Predict(Matrix<double> x) => ProbabilityArgmax.Labels(PredictProba(x), _classes);

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal override JsonNode? StateJson() => IsFitted ? ModelFile.Node(new LinearClassifierState(_classes, _coefficients!, _intercepts!)) : null;

    internal static LogisticRegression Restore(JsonNode? options, JsonNode? state)
    {
        var model = new LogisticRegression(ModelFile.Options<LogisticRegressionOptions>(options));
        if (ModelFile.State<LinearClassifierState>(state) is { } s)
            (model._classes, model._coefficients, model._intercepts) = s.Checked();
        return model;
    }
}
