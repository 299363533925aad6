using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace MusicML.Learning;

/// <summary>Hyper-parameters of <see cref="StandardScaler"/> (scikit-learn's names and defaults).</summary>
public sealed record StandardScalerOptions
{
    /// <summary>Subtract the per-feature mean (<c>with_mean</c>).</summary>
    public bool WithMean { get; init; } = true;

    /// <summary>Divide by the per-feature population standard deviation (<c>with_std</c>).</summary>
    public bool WithStd { get; init; } = true;
}

/// <summary>
/// Standardisation, as <c>sklearn.preprocessing.StandardScaler</c>: <c>(x − mean) / scale</c> with the population
/// standard deviation (ddof = 0) as scale; a feature constant up to rounding gets scale 1, so it maps to 0 and not NaN.
/// </summary>
public sealed class StandardScaler : LearnedModel, ITransformer
{
    private double[]? _mean;
    private double[]? _scale;

    /// <summary>Creates the scaler (all options are valid).</summary>
    public StandardScaler(StandardScalerOptions? options = null) => Options = options ?? new();

    /// <summary>The hyper-parameters.</summary>
    public StandardScalerOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(StandardScaler);

    /// <inheritdoc />
    public override bool IsFitted => _mean is not null;

    /// <summary>Per-feature mean (<c>mean_</c>); zeros when <see cref="StandardScalerOptions.WithMean"/> is off.</summary>
    public IReadOnlyList<double> Mean { get { RequireFitted(); return _mean!; } }

    /// <summary>Per-feature scale (<c>scale_</c>): the population standard deviation, 1 for constant features.</summary>
    public IReadOnlyList<double> Scale { get { RequireFitted(); return _scale!; } }

    /// <inheritdoc />
    public void Fit(Matrix<double> x)
    {
        var rows = TrainingData.Rows(x, ModelName);
        int n = rows.Length, d = x.ColumnCount;
        var mean = new double[d];
        var scale = new double[d];
        for (int j = 0; j < d; j++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += rows[i][j];
            double m = sum / n, correction = 0, squares = 0;
            for (int i = 0; i < n; i++)
            {
                var t = rows[i][j] - m;
                correction += t;
                squares += t * t;
            }
            // scikit-learn's two-pass variance with the rounding correction term (_incremental_mean_and_var).
            var variance = (squares - correction * correction / n) / n;
            // _is_constant_feature: a variance within the rounding error of the computation counts as zero.
            const double eps = TrainingData.MachineEpsilon;
            var bound = n * eps * variance + Math.Pow(n * m * eps, 2);
            mean[j] = Options.WithMean ? m : 0;
            scale[j] = !Options.WithStd || variance <= bound ? 1 : Math.Sqrt(variance);
        }
        _mean = mean;
        _scale = scale;
    }

    /// <inheritdoc />
    public Matrix<double> Transform(Matrix<double> x)
    {
        RequireFitted();
        var rows = TrainingData.Rows(x, ModelName, _mean!.Length);
        var result = Matrix<double>.Build.Dense(rows.Length, _mean.Length);
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < _mean.Length; j++)
                result[i, j] = (rows[i][j] - _mean[j]) / _scale![j];
        return result;
    }

    /// <summary>Fits on <paramref name="x"/> and returns its standardised copy.</summary>
    public Matrix<double> FitTransform(Matrix<double> x)
    {
        Fit(x);
        return Transform(x);
    }

    private sealed record State(double[] Mean, double[] Scale);

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal override JsonNode? StateJson() => IsFitted ? ModelFile.Node(new State(_mean!, _scale!)) : null;

    internal static StandardScaler Restore(JsonNode? options, JsonNode? state)
    {
        var scaler = new StandardScaler(ModelFile.Options<StandardScalerOptions>(options));
        if (ModelFile.State<State>(state) is { } s)
        {
            var d = s.Mean?.Length ?? 0;
            scaler._mean = StateCheck.Vector(s.Mean, d, "mean");
            scaler._scale = StateCheck.Vector(s.Scale, d, "scale");
            if (scaler._scale.Any(v => v <= 0)) throw new Core.MusicMLException("state field \"scale\" must be positive.");
        }
        return scaler;
    }
}
