using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>Hyper-parameters of <see cref="Pca"/>.</summary>
public sealed record PcaOptions
{
    /// <summary>Components kept (<c>n_components</c>); null keeps min(rows, features).</summary>
    public int? Components { get; init; }

    internal void Validate() => new OptionErrors(nameof(Pca))
        .Require(Components is null or >= 1, nameof(Components), $"{Components} must be at least 1 (or unset for all)")
        .ThrowIfAny();
}

/// <summary>
/// Principal component analysis, as <c>sklearn.decomposition.PCA</c> with the full SVD: centre, take the SVD of the
/// centred data, components = leading right singular vectors with the sign of scikit-learn's <c>svd_flip</c> (the
/// largest-|value| entry of each left singular vector positive), explained variance S²/(n − 1).
/// </summary>
public sealed class Pca : LearnedModel, ITransformer
{
    private double[]? _mean;
    private double[][]? _components;
    private double[]? _explainedVariance;
    private double[]? _explainedVarianceRatio;
    private double[]? _singularValues;

    /// <summary>Creates the projection; invalid options throw a <see cref="MusicMLException"/> naming them.</summary>
    public Pca(PcaOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public PcaOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(Pca);

    /// <inheritdoc />
    public override bool IsFitted => _components is not null;

    /// <summary>Per-feature training mean (<c>mean_</c>).</summary>
    public IReadOnlyList<double> Mean { get { RequireFitted(); return _mean!; } }

    /// <summary>The principal axes [components, features] (<c>components_</c>).</summary>
    public Matrix<double> Components { get { RequireFitted(); return Matrix<double>.Build.DenseOfRowArrays(_components!); } }

    /// <summary>Variance along each component, S²/(n − 1) (<c>explained_variance_</c>).</summary>
    public IReadOnlyList<double> ExplainedVariance { get { RequireFitted(); return _explainedVariance!; } }

    /// <summary>Share of the total variance along each component (<c>explained_variance_ratio_</c>).</summary>
    public IReadOnlyList<double> ExplainedVarianceRatio { get { RequireFitted(); return _explainedVarianceRatio!; } }

    /// <summary>The kept singular values of the centred data (<c>singular_values_</c>).</summary>
    public IReadOnlyList<double> SingularValues { get { RequireFitted(); return _singularValues!; } }

    /// <inheritdoc />
    public void Fit(Matrix<double> x)
    {
        var rows = TrainingData.Rows(x, ModelName);
        int n = rows.Length, d = x.ColumnCount, rank = Math.Min(n, d);
        int k = Options.Components ?? rank;
        if (k > rank) throw new MusicMLException($"{ModelName}: Components = {k} exceeds min(rows, features) = {rank}.");
        if (n < 2) throw new MusicMLException($"{ModelName}: at least 2 rows are needed to estimate variances.");
        var mean = new double[d];
        foreach (var r in rows) for (int j = 0; j < d; j++) mean[j] += r[j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        var centred = Matrix<double>.Build.Dense(n, d, (i, j) => rows[i][j] - mean[j]);
        var svd = ThinSvd.Of(centred);
        double total = 0;
        for (int c = 0; c < svd.S.Count; c++) total += svd.S[c] * svd.S[c] / (n - 1);
        var components = new double[k][];
        var variance = new double[k];
        var ratio = new double[k];
        var singular = new double[k];
        for (int c = 0; c < k; c++)
        {
            // svd_flip(u_based_decision=True): the entry of U's column with the largest magnitude (first on a tie) is positive.
            int argmax = 0;
            for (int i = 1; i < n; i++)
                if (Math.Abs(svd.U[i, c]) > Math.Abs(svd.U[argmax, c])) argmax = i;
            double sign = svd.U[argmax, c] < 0 ? -1 : 1;
            components[c] = [.. svd.VT.Row(c).Select(v => v * sign)];
            singular[c] = svd.S[c];
            variance[c] = svd.S[c] * svd.S[c] / (n - 1);
            ratio[c] = total > 0 ? variance[c] / total : 0;
        }
        _mean = mean;
        _components = components;
        _explainedVariance = variance;
        _explainedVarianceRatio = ratio;
        _singularValues = singular;
    }

    /// <summary>Projects <paramref name="x"/> on the components: (x − mean)·componentsᵀ.</summary>
    public Matrix<double> Transform(Matrix<double> x)
    {
        RequireFitted();
        var rows = TrainingData.Rows(x, ModelName, _mean!.Length);
        return Matrix<double>.Build.Dense(rows.Length, _components!.Length, (i, c) =>
        {
            double s = 0;
            for (int j = 0; j < _mean.Length; j++) s += (rows[i][j] - _mean[j]) * _components[c][j];
            return s;
        });
    }

    /// <summary>Fits on <paramref name="x"/> and returns its projection.</summary>
    public Matrix<double> FitTransform(Matrix<double> x)
    {
        Fit(x);
        return Transform(x);
    }

    private sealed record State(double[] Mean, double[][] Components, double[] ExplainedVariance, double[] ExplainedVarianceRatio, double[] SingularValues);

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal override JsonNode? StateJson() => IsFitted
        ? ModelFile.Node(new State(_mean!, _components!, _explainedVariance!, _explainedVarianceRatio!, _singularValues!))
        : null;

    internal static Pca Restore(JsonNode? options, JsonNode? state)
    {
        var model = new Pca(ModelFile.Options<PcaOptions>(options));
        if (ModelFile.State<State>(state) is { } s)
        {
            int d = s.Mean?.Length ?? 0, k = s.Components?.Length ?? 0;
            if (d < 1 || k < 1) throw new MusicMLException("state fields \"mean\" and \"components\" are required.");
            model._mean = StateCheck.Vector(s.Mean, d, "mean");
            model._components = StateCheck.Matrix(s.Components, k, d, "components");
            model._explainedVariance = StateCheck.Vector(s.ExplainedVariance, k, "explainedVariance");
            model._explainedVarianceRatio = StateCheck.Vector(s.ExplainedVarianceRatio, k, "explainedVarianceRatio");
            model._singularValues = StateCheck.Vector(s.SingularValues, k, "singularValues");
        }
        return model;
    }
}
