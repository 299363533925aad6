using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace MusicML.Learning;

/// <summary>How the neighbours' votes are weighted (scikit-learn's <c>weights</c>).</summary>
public enum NeighborWeights
{
    /// <summary>Every neighbour votes 1.</summary>
    Uniform,
    /// <summary>A neighbour votes 1/distance; neighbours at distance 0, if any, take the whole vote.</summary>
    Distance,
}

/// <summary>Hyper-parameters of <see cref="KNeighborsClassifier"/>.</summary>
public sealed record KNeighborsOptions
{
    /// <summary>How many neighbours vote (<c>n_neighbors</c>).</summary>
    public int Neighbors { get; init; } = 5;

    /// <summary>How their votes are weighted (<c>weights</c>).</summary>
    public NeighborWeights Weights { get; init; } = NeighborWeights.Uniform;

    internal void Validate() => new OptionErrors(nameof(KNeighborsClassifier))
        .Require(Neighbors >= 1, nameof(Neighbors), $"{Neighbors} must be at least 1")
        .Require(Enum.IsDefined(Weights), nameof(Weights), $"{Weights} is not uniform or distance")
        .ThrowIfAny();
}

/// <summary>
/// k-nearest-neighbour vote with Euclidean distance, as <c>sklearn.neighbors.KNeighborsClassifier</c> (brute force,
/// minkowski p = 2): the k closest training rows (ties by training order) vote, the probability of a class is its share
/// of the (weighted) vote, and the prediction is the most probable class, the smallest label on a tie.
/// </summary>
public sealed class KNeighborsClassifier : LearnedModel, IProbabilisticClassifier
{
    private double[][]? _x;
    private int[]? _y;
    private int[] _classes = [];

    /// <summary>Creates the classifier; invalid options throw a <see cref="Core.MusicMLException"/> naming them.</summary>
    public KNeighborsClassifier(KNeighborsOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public KNeighborsOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(KNeighborsClassifier);

    /// <inheritdoc />
    public override bool IsFitted => _x is not null;

    /// <inheritdoc />
    public IReadOnlyList<int> Classes => _classes;

    /// <inheritdoc />
    public void Fit(Matrix<double> x, IReadOnlyList<int> y)
    {
        var rows = TrainingData.Rows(x, ModelName);
        var labels = TrainingData.Labels(y, rows.Length, ModelName);
        if (Options.Neighbors > rows.Length)
            throw new Core.MusicMLException($"{ModelName}: Neighbors = {Options.Neighbors} exceeds the {rows.Length} training rows.");
        var (classes, encoded) = TrainingData.EncodeLabels(labels);
        _x = rows;
        _y = encoded;
        _classes = classes;
    }

    /// <inheritdoc />
    public Matrix<double> PredictProba(Matrix<double> x)
    {
        RequireFitted();
        var rows = TrainingData.Rows(x, ModelName, _x![0].Length);
        int k = Options.Neighbors;
        var proba = Matrix<double>.Build.Dense(rows.Length, _classes.Length);
        var distances = new double[_x.Length];
        var order = new int[k];
        for (int i = 0; i < rows.Length; i++)
        {
            // The k nearest by insertion into a sorted list of k; equal distances keep training order.
            int found = 0;
            for (int t = 0; t < _x.Length; t++)
            {
                var dist = distances[t] = Math.Sqrt(TrainingData.SquaredDistance(rows[i], _x[t]));
                if (found == k && dist >= distances[order[k - 1]]) continue;
                int slot = Math.Min(found, k - 1);
                while (slot > 0 && distances[order[slot - 1]] > dist)
                {
                    order[slot] = order[slot - 1];
                    slot--;
                }
                order[slot] = t;
                if (found < k) found++;
            }
            bool anyExact = Options.Weights == NeighborWeights.Distance && distances[order[0]] == 0;
            double total = 0;
            for (int r = 0; r < k; r++)
            {
                int t = order[r];
                double w = Options.Weights == NeighborWeights.Uniform ? 1
                    : anyExact ? (distances[t] == 0 ? 1 : 0)
                    : 1 / distances[t];
                proba[i, _y![t]] += w;
                total += w;
            }
            for (int c = 0; c < _classes.Length; c++) proba[i, c] /= total;
        }
        return proba;
    }

    /// <inheritdoc />
    public int[] Predict(Matrix<double> x) => ProbabilityArgmax.Labels(PredictProba(x), _classes);

    private sealed record State(int[] Classes, double[][] X, int[] Y);

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal override JsonNode? StateJson() =>
        IsFitted ? ModelFile.Node(new State(_classes, _x!, [.. _y!.Select(e => _classes[e])])) : null;

    internal static KNeighborsClassifier Restore(JsonNode? options, JsonNode? state)
    {
        var model = new KNeighborsClassifier(ModelFile.Options<KNeighborsOptions>(options));
        if (ModelFile.State<State>(state) is { } s)
        {
            var classes = StateCheck.Classes(s.Classes);
            var n = s.X?.Length ?? 0;
            var x = StateCheck.Matrix(s.X, n, s.X is { Length: > 0 } ? s.X[0]?.Length ?? 0 : 0, "x");
            if (s.Y is null || s.Y.Length != n) throw new Core.MusicMLException("state field \"y\" must hold one label per row of \"x\".");
            var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
            model._y = [.. s.Y.Select(label => index.TryGetValue(label, out var e) ? e : throw new Core.MusicMLException($"state label {label} is not among the classes."))];
            model._x = x;
            model._classes = classes;
        }
        return model;
    }
}

/// <summary>The label of each row's most probable class; the first (smallest) class wins a tie, like numpy's argmax.</summary>
internal static class ProbabilityArgmax
{
    public static int[] Labels(Matrix<double> scores, IReadOnlyList<int> classes)
    {
        var labels = new int[scores.RowCount];
        for (int i = 0; i < scores.RowCount; i++)
        {
            int best = 0;
            for (int c = 1; c < scores.ColumnCount; c++)
                if (scores[i, c] > scores[i, best]) best = c;
            labels[i] = classes[best];
        }
        return labels;
    }
}
