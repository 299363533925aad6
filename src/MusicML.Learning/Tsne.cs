using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Random;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>How t-SNE places the points before optimising (scikit-learn's <c>init</c>).</summary>
public enum TsneInit
{
    /// <summary>The first principal components, scaled to a standard deviation of 1e-4 (<c>'pca'</c>, the default).</summary>
    Pca,
    /// <summary>Seeded normal noise with standard deviation 1e-4 (<c>'random'</c>).</summary>
    Random,
}

/// <summary>Hyper-parameters of <see cref="Tsne"/> (scikit-learn 1.2's names and defaults).</summary>
public sealed record TsneOptions
{
    /// <summary>Dimensions of the embedding (<c>n_components</c>).</summary>
    public int Components { get; init; } = 2;

    /// <summary>Effective number of neighbours each point's Gaussian covers (<c>perplexity</c>); below the row count.</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Factor on the affinities during the first 250 iterations (<c>early_exaggeration</c>).</summary>
    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Gradient-descent step (<c>learning_rate</c>); null is 'auto': max(rows / exaggeration / 4, 50).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Total iterations, the 250 exaggerated ones included (<c>n_iter</c>).</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Stop after this many iterations without a lower KL divergence (<c>n_iter_without_progress</c>).</summary>
    public int IterationsWithoutProgress { get; init; } = 300;

    /// <summary>Stop when the gradient norm falls to this (<c>min_grad_norm</c>).</summary>
    public double MinGradNorm { get; init; } = 1e-7;

    /// <summary>Initial placement (<c>init</c>).</summary>
    public TsneInit Init { get; init; } = TsneInit.Pca;

    /// <summary>Seed of the random initial placement (<c>random_state</c>); the PCA start is deterministic.</summary>
    public int Seed { get; init; }

    internal void Validate() => new OptionErrors(nameof(Tsne))
        .Require(Components >= 1, nameof(Components), $"{Components} must be at least 1")
        .Require(Perplexity > 0 && double.IsFinite(Perplexity), nameof(Perplexity), $"{Perplexity} must be a positive finite number")
        .Require(EarlyExaggeration >= 1 && double.IsFinite(EarlyExaggeration), nameof(EarlyExaggeration), $"{EarlyExaggeration} must be at least 1")
        .Require(LearningRate is null || (LearningRate > 0 && double.IsFinite(LearningRate.Value)), nameof(LearningRate), $"{LearningRate} must be positive (or unset for auto)")
        .Require(Iterations >= 250, nameof(Iterations), $"{Iterations} must be at least 250 (the exaggerated phase)")
        .Require(IterationsWithoutProgress >= 1, nameof(IterationsWithoutProgress), $"{IterationsWithoutProgress} must be at least 1")
        .Require(MinGradNorm >= 0 && double.IsFinite(MinGradNorm), nameof(MinGradNorm), $"{MinGradNorm} must be a non-negative finite number")
        .Require(Enum.IsDefined(Init), nameof(Init), $"{Init} is not pca or random")
        .ThrowIfAny();
}

/// <summary>
/// t-distributed stochastic neighbour embedding with the exact gradient, as <c>sklearn.manifold.TSNE(method='exact')</c>:
/// Gaussian affinities whose bandwidths match the perplexity (binary search on the entropy), symmetrised; Student-t
/// similarities with max(components − 1, 1) degrees of freedom in the embedding; gradient descent with momentum 0.5
/// for 250 exaggerated iterations, then 0.8, and scikit-learn's per-coordinate gains. Exact means O(rows²) time and
/// memory per iteration, so it refuses more than <see cref="MaxRows"/> rows. An embedding of the training rows only
/// (no transform of new data), hence not a saved model.
/// </summary>
public sealed class Tsne
{
    /// <summary>Most rows the exact method accepts (its pairwise matrices grow with the square).</summary>
    public const int MaxRows = 5000;

    private const int ExplorationIterations = 250;
    private const int CheckEvery = 50;
    private double[]? _similarities;
    private double[]? _attraction;
    private double[]? _repulsion;

    /// <summary>Creates the embedder; invalid options throw a <see cref="MusicMLException"/> naming them.</summary>
    public Tsne(TsneOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public TsneOptions Options { get; }

    /// <summary>The KL divergence at the end of the last <see cref="FitTransform"/> (<c>kl_divergence_</c>).</summary>
    public double KlDivergence { get; private set; } = double.NaN;

    /// <summary>Iterations the last <see cref="FitTransform"/> ran (<c>n_iter_</c>).</summary>
    public int IterationsRun { get; private set; }

    /// <summary>The embedding [rows, components] of <paramref name="x"/>.</summary>
    public Matrix<double> FitTransform(Matrix<double> x)
    {
        var rows = TrainingData.Rows(x, nameof(Tsne));
        int n = rows.Length, dims = Options.Components;
        if (n > MaxRows) throw new MusicMLException($"{nameof(Tsne)}: {n} rows exceed the exact method's limit of {MaxRows}.");
        if (Options.Perplexity >= n) throw new MusicMLException($"{nameof(Tsne)}: Perplexity = {Options.Perplexity} must be less than the {n} rows.");
        if (Options.Init == TsneInit.Pca && dims > Math.Min(n, x.ColumnCount))
            throw new MusicMLException($"{nameof(Tsne)}: Components = {dims} exceeds what a PCA start of {x.ColumnCount} features gives.");

        _similarities = _attraction = _repulsion = null;
        var p = JointProbabilities(rows, Options.Perplexity);
        var y = InitialEmbedding(x, n, dims);
        double learningRate = Options.LearningRate ?? Math.Max(n / Options.EarlyExaggeration / 4, 50);
        double dof = Math.Max(dims - 1, 1);

        for (int t = 0; t < p.Length; t++) p[t] *= Options.EarlyExaggeration;
        int last = Descend(p, y, n, dims, dof, learningRate, 0, ExplorationIterations, 0.5, ExplorationIterations);
        for (int t = 0; t < p.Length; t++) p[t] /= Options.EarlyExaggeration;
        if (Options.Iterations > ExplorationIterations)
            last = Descend(p, y, n, dims, dof, learningRate, last + 1, Options.Iterations, 0.8, Options.IterationsWithoutProgress);
        IterationsRun = last + 1;
        KlDivergence = Objective(p, y, n, dims, dof, null, computeError: true);
        return Matrix<double>.Build.Dense(n, dims, (i, c) => y[i * dims + c]);
    }

    /// <summary>scikit-learn's <c>_gradient_descent</c> from iteration <paramref name="first"/> to <paramref name="end"/>;
    /// returns the last iteration index run.</summary>
    private int Descend(double[] p, double[] y, int n, int dims, double dof, double learningRate, int first, int end, double momentum, int patience)
    {
        var update = new double[y.Length];
        var gains = Enumerable.Repeat(1.0, y.Length).ToArray();
        var gradient = new double[y.Length];
        double bestError = double.MaxValue;
        int bestIteration = first, i = first;
        for (; i < end; i++)
        {
            bool check = (i + 1) % CheckEvery == 0;
            double error = Objective(p, y, n, dims, dof, gradient, computeError: check || i == end - 1);
            double norm = 0;
            for (int t = 0; t < y.Length; t++)
            {
                if (update[t] * gradient[t] < 0) gains[t] += 0.2;
                else gains[t] *= 0.8;
                gains[t] = Math.Max(gains[t], 0.01);
                gradient[t] *= gains[t];
                norm += gradient[t] * gradient[t];
                update[t] = momentum * update[t] - learningRate * gradient[t];
                y[t] += update[t];
            }
            if (!check) continue;
            if (error < bestError)
            {
                bestError = error;
                bestIteration = i;
            }
            else if (i - bestIteration > patience) break;
            if (Math.Sqrt(norm) <= Options.MinGradNorm) break;
        }
        return Math.Min(i, end - 1);
    }

    /// <summary>KL(P‖Q) over the pairs and, when <paramref name="gradient"/> is given, its gradient (scikit-learn's
    /// <c>_kl_divergence</c>). <paramref name="p"/> holds each unordered pair once, i &lt; j, row by row.</summary>
    private double Objective(double[] p, double[] y, int n, int dims, double dof, double[]? gradient, bool computeError)
    {
        double factor = 2 * (dof + 1) / dof;
        if (gradient is not null && !computeError && FusedGradient(p, y, n, dims, dof, factor, gradient)) return double.NaN;
        var w = _similarities ??= new double[p.Length];
        double exponent = (dof + 1) / -2, sum = 0;
        for (int i = 0, t = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, t++)
            {
                w[t] = Similarity(y, i, j, dims, dof, exponent);
                sum += w[t];
            }
        double kl = 0;
        if (gradient is not null) Array.Clear(gradient);
        double half = 1 / (2 * sum);
        for (int i = 0, t = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, t++)
            {
                double q = Math.Max(w[t] * half, TrainingData.MachineEpsilon);
                if (computeError) kl += 2 * p[t] * Math.Log(Math.Max(p[t], TrainingData.MachineEpsilon) / q);
                if (gradient is null) continue;
                double g = factor * (p[t] - q) * w[t];
                for (int c = 0; c < dims; c++)
                {
                    var diff = g * (y[i * dims + c] - y[j * dims + c]);
                    gradient[i * dims + c] += diff;
                    gradient[j * dims + c] -= diff;
                }
            }
        return kl;
    }

    /// <summary>The unnormalised Student-t similarity (1 + ‖yᵢ − yⱼ‖²/ν)^(−(ν+1)/2) of embedded points i and j.</summary>
    private static double Similarity(double[] y, int i, int j, int dims, double dof, double exponent)
    {
        double d = 0;
        for (int c = 0; c < dims; c++)
        {
            var diff = y[i * dims + c] - y[j * dims + c];
            d += diff * diff;
        }
        return dof == 1 ? 1 / (1 + d) : Math.Pow(1 + d / dof, exponent);
    }

    /// <summary>
    /// The same gradient in one pass over the pairs: Σⱼ (pᵢⱼ − wᵢⱼ/2S)·wᵢⱼ·(yᵢ − yⱼ) = Σⱼ pᵢⱼwᵢⱼ(yᵢ − yⱼ) − (1/2S)·Σⱼ wᵢⱼ²(yᵢ − yⱼ),
    /// with S known only at the end. Exact as long as no qᵢⱼ falls below machine epsilon (where scikit-learn clamps it);
    /// returns false in that case and the two-pass form is used instead.
    /// </summary>
    private bool FusedGradient(double[] p, double[] y, int n, int dims, double dof, double factor, double[] gradient)
    {
        var attraction = _attraction ??= new double[y.Length];
        var repulsion = _repulsion ??= new double[y.Length];
        Array.Clear(attraction);
        Array.Clear(repulsion);
        double exponent = (dof + 1) / -2, sum = 0, smallest = double.PositiveInfinity;
        for (int i = 0, t = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, t++)
            {
                double w = Similarity(y, i, j, dims, dof, exponent);
                sum += w;
                smallest = Math.Min(smallest, w);
                double a = p[t] * w, r = w * w;
                for (int c = 0; c < dims; c++)
                {
                    var diff = y[i * dims + c] - y[j * dims + c];
                    attraction[i * dims + c] += a * diff;
                    attraction[j * dims + c] -= a * diff;
                    repulsion[i * dims + c] += r * diff;
                    repulsion[j * dims + c] -= r * diff;
                }
            }
        double half = 1 / (2 * sum);
        if (smallest * half < TrainingData.MachineEpsilon) return false;
        for (int t = 0; t < gradient.Length; t++) gradient[t] = factor * (attraction[t] - half * repulsion[t]);
        return true;
    }

    /// <summary>Symmetrised affinities, each unordered pair once: (p_j|i + p_i|j) / Σ, at least machine epsilon.</summary>
    internal static double[] JointProbabilities(double[][] rows, double perplexity)
    {
        int n = rows.Length;
        var distances = new double[n][];
        for (int i = 0; i < n; i++)
        {
            distances[i] = new double[n];
            for (int j = 0; j < n; j++) distances[i][j] = TrainingData.SquaredDistance(rows[i], rows[j]);
        }
        var conditional = new double[n][];
        for (int i = 0; i < n; i++) conditional[i] = ConditionalRow(distances[i], i, perplexity);
        var p = new double[n * (n - 1) / 2];
        double total = 0;
        for (int i = 0, t = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, t++) total += 2 * (p[t] = conditional[i][j] + conditional[j][i]);
        total = Math.Max(total, TrainingData.MachineEpsilon);
        for (int t = 0; t < p.Length; t++) p[t] = Math.Max(p[t] / total, TrainingData.MachineEpsilon);
        return p;
    }

    /// <summary>scikit-learn's <c>_binary_search_perplexity</c> for one row: the Gaussian precision β whose
    /// conditional distribution has entropy ln(perplexity), within 1e-5, in at most 100 steps.</summary>
    private static double[] ConditionalRow(double[] distances, int self, double perplexity)
    {
        const double Tolerance = 1e-5, SumFloor = 1e-8;
        double desired = Math.Log(perplexity), beta = 1, betaMin = double.NegativeInfinity, betaMax = double.PositiveInfinity;
        var row = new double[distances.Length];
        for (int step = 0; step < 100; step++)
        {
            double sum = 0;
            for (int j = 0; j < row.Length; j++) sum += row[j] = j == self ? 0 : Math.Exp(-distances[j] * beta);
            if (sum == 0) sum = SumFloor;
            double weighted = 0;
            for (int j = 0; j < row.Length; j++)
            {
                row[j] /= sum;
                weighted += distances[j] * row[j];
            }
            double entropy = Math.Log(sum) + beta * weighted, difference = entropy - desired;
            if (Math.Abs(difference) <= Tolerance) break;
            if (difference > 0)
            {
                betaMin = beta;
                beta = double.IsPositiveInfinity(betaMax) ? beta * 2 : (beta + betaMax) / 2;
            }
            else
            {
                betaMax = beta;
                beta = double.IsNegativeInfinity(betaMin) ? beta / 2 : (beta + betaMin) / 2;
            }
        }
        return row;
    }

    private double[] InitialEmbedding(Matrix<double> x, int n, int dims)
    {
        var y = new double[n * dims];
        if (Options.Init == TsneInit.Random)
        {
            var normal = new Normal(0, 1e-4, new MersenneTwister(Options.Seed));
            for (int t = 0; t < y.Length; t++) y[t] = normal.Sample();
            return y;
        }
        var projected = new Pca(new PcaOptions { Components = dims }).FitTransform(x);
        var first = projected.Column(0);
        double mean = first.Sum() / n, std = Math.Sqrt(first.Select(v => (v - mean) * (v - mean)).Sum() / n);
        if (std == 0) throw new MusicMLException($"{nameof(Tsne)}: the rows are all identical; there is nothing to embed.");
        for (int i = 0; i < n; i++)
            for (int c = 0; c < dims; c++) y[i * dims + c] = projected[i, c] / std * 1e-4;
        return y;
    }
}

/// <summary>Quality measures of a low-dimensional embedding.</summary>
public static class EmbeddingQuality
{
    /// <summary>
    /// How far the embedding keeps neighbourhoods, as <c>sklearn.manifold.trustworthiness</c> (Venna &amp; Kaski 2001):
    /// 1 − 2/(n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Nₖ(i) in the embedding} max(0, r(i, j) − k), where r(i, j) is j's rank among
    /// i's neighbours in the original space (Euclidean). 1 means every embedded k-neighbourhood is an original one.
    /// </summary>
    /// <exception cref="MusicMLException">Row counts differ, or <paramref name="neighbors"/> is not below half the rows.</exception>
    public static double Trustworthiness(Matrix<double> original, Matrix<double> embedded, int neighbors = 5)
    {
        var x = TrainingData.Rows(original, nameof(Trustworthiness));
        var e = TrainingData.Rows(embedded, nameof(Trustworthiness));
        int n = x.Length;
        if (e.Length != n) throw new MusicMLException($"{nameof(Trustworthiness)}: {n} original rows but {e.Length} embedded rows.");
        if (neighbors < 1 || neighbors >= n / 2.0)
            throw new MusicMLException($"{nameof(Trustworthiness)}: neighbors = {neighbors} must be at least 1 and below half the {n} rows.");
        double penalty = 0;
        var order = new int[n];
        var distance = new double[n];
        var rank = new int[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                order[j] = j;
                distance[j] = j == i ? double.PositiveInfinity : TrainingData.SquaredDistance(x[i], x[j]);
            }
            Array.Sort(order, (a, b) => distance[a] != distance[b] ? distance[a].CompareTo(distance[b]) : a.CompareTo(b));
            for (int r = 0; r < n; r++) rank[order[r]] = r + 1;
            for (int j = 0; j < n; j++)
            {
                order[j] = j;
                distance[j] = j == i ? double.PositiveInfinity : TrainingData.SquaredDistance(e[i], e[j]);
            }
            Array.Sort(order, (a, b) => distance[a] != distance[b] ? distance[a].CompareTo(distance[b]) : a.CompareTo(b));
            for (int r = 0; r < neighbors; r++) penalty += Math.Max(0, rank[order[r]] - neighbors);
        }
        return 1 - penalty * (2.0 / (n * neighbors * (2.0 * n - 3.0 * neighbors - 1.0)));
    }
}
