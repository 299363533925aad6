using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>How many features a tree node considers when it looks for its split (scikit-learn's <c>max_features</c>).</summary>
public enum MaxFeatures
{
    /// <summary>Every feature (<c>None</c>, the decision tree's default).</summary>
    All,
    /// <summary>max(1, ⌊√features⌋) (<c>'sqrt'</c>, the random forest's default).</summary>
    Sqrt,
    /// <summary>max(1, ⌊log₂ features⌋) (<c>'log2'</c>).</summary>
    Log2,
}

/// <summary>Hyper-parameters of <see cref="DecisionTreeClassifier"/> (scikit-learn's names and defaults).</summary>
public sealed record DecisionTreeOptions
{
    /// <summary>Deepest level a node may sit at, the root at 0 (<c>max_depth</c>); null grows until leaves are pure.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>Fewest samples a node needs to be split (<c>min_samples_split</c>).</summary>
    public int MinSamplesSplit { get; init; } = 2;

    /// <summary>Fewest samples each child of a split must keep (<c>min_samples_leaf</c>).</summary>
    public int MinSamplesLeaf { get; init; } = 1;

    /// <summary>Features examined per split (<c>max_features</c>).</summary>
    public MaxFeatures MaxFeatures { get; init; } = MaxFeatures.All;

    /// <summary>Weighted impurity decrease a split must reach (<c>min_impurity_decrease</c>).</summary>
    public double MinImpurityDecrease { get; init; }

    /// <summary>Seed of the feature order at each node (<c>random_state</c>, 0 … 2³¹ − 1), which decides ties between
    /// equally good splits; drawn as scikit-learn draws it, so the same seed visits features in the same order.</summary>
    public int Seed { get; init; }

    internal void Validate(string owner) => Errors(new OptionErrors(owner)).ThrowIfAny();

    internal OptionErrors Errors(OptionErrors errors) => errors
        .Require(Seed >= 0, nameof(Seed), $"{Seed} must be non-negative (numpy's seed range)")
        .Require(MaxDepth is null or >= 1, nameof(MaxDepth), $"{MaxDepth} must be at least 1 (or unset for no limit)")
        .Require(MinSamplesSplit >= 2, nameof(MinSamplesSplit), $"{MinSamplesSplit} must be at least 2")
        .Require(MinSamplesLeaf >= 1, nameof(MinSamplesLeaf), $"{MinSamplesLeaf} must be at least 1")
        .Require(Enum.IsDefined(MaxFeatures), nameof(MaxFeatures), $"{MaxFeatures} is not all, sqrt or log2")
        .Require(MinImpurityDecrease >= 0 && double.IsFinite(MinImpurityDecrease), nameof(MinImpurityDecrease), $"{MinImpurityDecrease} must be a non-negative finite number");
}

/// <summary>
/// A fitted CART tree in flat arrays (scikit-learn's <c>tree_</c>): node i is a leaf when <see cref="Feature"/>[i] is
/// −1; otherwise rows with x[feature] ≤ threshold go to <see cref="Left"/>[i], the rest to <see cref="Right"/>[i].
/// </summary>
/// <param name="Feature">Split feature per node; −1 for a leaf.</param>
/// <param name="Threshold">Split threshold per node (0 for a leaf).</param>
/// <param name="Left">Left child per node (−1 for a leaf).</param>
/// <param name="Right">Right child per node (−1 for a leaf).</param>
/// <param name="Value">Class probabilities per node (weighted class shares of its training samples).</param>
public sealed record TreeNodes(int[] Feature, double[] Threshold, int[] Left, int[] Right, double[][] Value)
{
    /// <summary>Number of nodes.</summary>
    public int Count => Feature.Length;

    /// <summary>The leaf <paramref name="row"/> falls into.</summary>
    public int Leaf(double[] row)
    {
        int node = 0;
        while (Feature[node] >= 0) node = row[Feature[node]] <= Threshold[node] ? Left[node] : Right[node];
        return node;
    }

    /// <summary>Depth of the deepest leaf (the root alone has depth 0), as <c>get_depth()</c>.</summary>
    public int Depth()
    {
        int best = 0;
        var stack = new Stack<(int Node, int Depth)>([(0, 0)]);
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            best = Math.Max(best, depth);
            if (Feature[node] >= 0)
            {
                stack.Push((Left[node], depth + 1));
                stack.Push((Right[node], depth + 1));
            }
        }
        return best;
    }

    /// <summary>Number of leaves, as <c>get_n_leaves()</c>.</summary>
    public int LeafCount() => Feature.Count(f => f < 0);

    internal void Check(int features, int classes)
    {
        int n = Feature?.Length ?? 0;
        if (n == 0 || Threshold?.Length != n || Left?.Length != n || Right?.Length != n || Value?.Length != n)
            throw new MusicMLException("a tree's node arrays are missing or of different lengths.");
        for (int i = 0; i < n; i++)
        {
            StateCheck.Vector(Value![i], classes, "value");
            if (Feature![i] < 0) continue;
            if (Feature[i] >= features || Left![i] <= i || Right![i] <= i || Left[i] >= n || Right[i] >= n || !double.IsFinite(Threshold![i]))
                throw new MusicMLException($"tree node {i} points outside the tree or at feature {Feature[i]} of {features}.");
        }
    }
}

/// <summary>
/// Grows one CART classification tree with the Gini criterion the way scikit-learn's BestSplitter and depth-first
/// builder do: features visited in scikit-learn's seeded random order, every boundary between distinct sorted values (more than
/// 1e-7 apart) tried, the split with the best weighted Gini decrease kept (first found on a tie), the threshold the
/// midpoint of the two values; a node becomes a leaf when pure, too small, too deep, or no split improves it.
/// </summary>
internal sealed class TreeGrower
{
    private const double FeatureThreshold = 1e-7;
    private readonly double[][] _x;
    private readonly int[] _y;
    private readonly double[] _weight;
    private readonly int _classes;
    private readonly DecisionTreeOptions _options;
    private readonly int _maxFeatures;
    private readonly TreeRandom _random;
    private readonly int[] _features;
    private readonly int[] _constantFeatures;
    private readonly double _totalWeight;
    private readonly List<int> _feature = [];
    private readonly List<double> _threshold = [];
    private readonly List<int> _left = [];
    private readonly List<int> _right = [];
    private readonly List<double[]> _value = [];

    private TreeGrower(double[][] x, int[] y, double[] weight, int classes, DecisionTreeOptions options, int seed)
    {
        _x = x;
        _y = y;
        _weight = weight;
        _classes = classes;
        _options = options;
        int d = x[0].Length;
        _maxFeatures = options.MaxFeatures switch
        {
            MaxFeatures.Sqrt => Math.Max(1, (int)Math.Sqrt(d)),
            MaxFeatures.Log2 => Math.Max(1, (int)Math.Log2(d)),
            _ => d,
        };
        _random = new TreeRandom(seed);
        _features = Enumerable.Range(0, d).ToArray();
        _constantFeatures = new int[d];
        _totalWeight = weight.Sum();
    }

    /// <summary>Grows a tree on the samples with non-zero <paramref name="weight"/> (bootstrap counts, or all ones).</summary>
    public static TreeNodes Grow(double[][] x, int[] y, double[] weight, int classes, DecisionTreeOptions options, int seed)
    {
        var grower = new TreeGrower(x, y, weight, classes, options, seed);
        var samples = Enumerable.Range(0, x.Length).Where(i => weight[i] != 0).ToArray();
        grower.Build(samples, 0, samples.Length, 0, 0);
        return new TreeNodes([.. grower._feature], [.. grower._threshold], [.. grower._left], [.. grower._right], [.. grower._value]);
    }

    private int Build(int[] samples, int start, int end, int depth, int constants)
    {
        var counts = new double[_classes];
        double weight = 0;
        for (int p = start; p < end; p++)
        {
            counts[_y[samples[p]]] += _weight[samples[p]];
            weight += _weight[samples[p]];
        }
        double impurity = Gini(counts, weight);
        int node = _feature.Count;
        _feature.Add(-1);
        _threshold.Add(0);
        _left.Add(-1);
        _right.Add(-1);
        _value.Add([.. counts.Select(c => c / weight)]);

        int n = end - start;
        bool leaf = (_options.MaxDepth is { } maxDepth && depth >= maxDepth)
                    || n < _options.MinSamplesSplit || n < 2 * _options.MinSamplesLeaf
                    || impurity <= TrainingData.MachineEpsilon;
        if (leaf) return node;
        var split = BestSplit(samples, start, end, counts, weight, impurity, ref constants);
        if (split is null || split.Value.Improvement + TrainingData.MachineEpsilon < _options.MinImpurityDecrease) return node;

        var (feature, threshold, _) = split.Value;
        // Partition in place: rows with x[feature] <= threshold first.
        int i = start, j = end - 1;
        while (i <= j)
        {
            if (_x[samples[i]][feature] <= threshold)
            {
                i++;
                continue;
            }
            (samples[i], samples[j]) = (samples[j], samples[i]);
            j--;
        }
        _feature[node] = feature;
        _threshold[node] = threshold;
        _left[node] = Build(samples, start, i, depth + 1, constants);
        _right[node] = Build(samples, i, end, depth + 1, constants);
        return node;
    }

    /// <summary>
    /// scikit-learn's <c>BestSplitter.node_split</c>: a Fisher–Yates draw over the persistent feature array, skipping
    /// features known (from ancestors) or found to be constant, until <c>max_features</c> were visited and at least one
    /// was not constant; returns the best split, or null when no feature can split the node.
    /// </summary>
    private (int Feature, double Threshold, double Improvement)? BestSplit(int[] samples, int start, int end, double[] counts, double weight, double impurity, ref int constants)
    {
        int d = _x[0].Length, n = end - start;
        var order = new int[n];
        var values = new double[n];
        var left = new double[_classes];
        double bestProxy = double.NegativeInfinity;
        (int Feature, double Threshold, double LeftWeight, double[] LeftCounts)? best = null;
        int fi = d, visited = 0, found = 0, drawn = 0, known = constants, total = constants;
        while (fi > total && (visited < _maxFeatures || visited <= found + drawn))
        {
            visited++;
            int fj = _random.Next(drawn, fi - found);
            if (fj < known)
            {
                (_features[drawn], _features[fj]) = (_features[fj], _features[drawn]);
                drawn++;
                continue;
            }
            fj += found;
            int f = _features[fj];
            for (int p = 0; p < n; p++) order[p] = samples[start + p];
            for (int p = 0; p < n; p++) values[p] = _x[order[p]][f];
            Array.Sort(values, order);
            if (values[n - 1] <= values[0] + FeatureThreshold)
            {
                (_features[fj], _features[total]) = (_features[total], _features[fj]);
                found++;
                total++;
                continue;
            }
            fi--;
            (_features[fi], _features[fj]) = (_features[fj], _features[fi]);

            Array.Clear(left);
            double leftWeight = 0;
            for (int p = 1; p < n; p++)
            {
                int s = order[p - 1];
                left[_y[s]] += _weight[s];
                leftWeight += _weight[s];
                if (values[p] <= values[p - 1] + FeatureThreshold) continue;
                if (p < _options.MinSamplesLeaf || n - p < _options.MinSamplesLeaf) continue;
                double rightWeight = weight - leftWeight, leftSquares = 0, rightSquares = 0;
                for (int c = 0; c < _classes; c++)
                {
                    leftSquares += left[c] * left[c];
                    var r = counts[c] - left[c];
                    rightSquares += r * r;
                }
                // scikit-learn's proxy, in its own arithmetic so that near-ties round the same way: −w_R·gini_R − w_L·gini_L.
                double giniLeft = 1.0 - leftSquares / (leftWeight * leftWeight);
                double giniRight = 1.0 - rightSquares / (rightWeight * rightWeight);
                double proxy = -rightWeight * giniRight - leftWeight * giniLeft;
                if (proxy > bestProxy)
                {
                    bestProxy = proxy;
                    double threshold = values[p - 1] / 2.0 + values[p] / 2.0;
                    if (threshold == values[p] || !double.IsFinite(threshold)) threshold = values[p - 1];
                    best = (f, threshold, leftWeight, [.. left]);
                }
            }
        }
        // The known constants keep their order for siblings and children; the newly found ones are appended.
        Array.Copy(_constantFeatures, _features, known);
        Array.Copy(_features, known, _constantFeatures, known, found);
        constants = total;
        if (best is null) return null;
        var b = best.Value;
        var rightCounts = counts.Select((c, k) => c - b.LeftCounts[k]).ToArray();
        double wl = b.LeftWeight, wr = weight - wl;
        double improvement = weight / _totalWeight * (impurity - wr / weight * Gini(rightCounts, wr) - wl / weight * Gini(b.LeftCounts, wl));
        return (b.Feature, b.Threshold, improvement);
    }

    private static double Gini(double[] counts, double weight)
    {
        double s = 0;
        foreach (var c in counts) s += c * c;
        return 1 - s / (weight * weight);
    }
}

/// <summary>
/// A CART decision tree classifier with the Gini criterion, as <c>sklearn.tree.DecisionTreeClassifier</c> with its
/// defaults (grown until pure, thresholds midway between sorted values). Ties between equally good splits are broken by
/// the feature order, drawn with scikit-learn's own generators from <see cref="DecisionTreeOptions.Seed"/>, so the same
/// seed as <c>random_state</c> grows the same tree up to rounding.
/// </summary>
public sealed class DecisionTreeClassifier : LearnedModel, IProbabilisticClassifier
{
    private TreeNodes? _tree;
    private int[] _classes = [];
    private int _features;

    /// <summary>Creates the classifier; invalid options throw a <see cref="MusicMLException"/> naming them.</summary>
    public DecisionTreeClassifier(DecisionTreeOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate(nameof(DecisionTreeClassifier));
    }

    /// <summary>The hyper-parameters.</summary>
    public DecisionTreeOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(DecisionTreeClassifier);

    /// <inheritdoc />
    public override bool IsFitted => _tree is not null;

    /// <inheritdoc />
    public IReadOnlyList<int> Classes => _classes;

    /// <summary>The fitted tree.</summary>
    public TreeNodes Tree { get { RequireFitted(); return _tree!; } }

    /// <inheritdoc />
    public void Fit(Matrix<double> x, IReadOnlyList<int> y)
    {
        var rows = TrainingData.Rows(x, ModelName);
        var labels = TrainingData.Labels(y, rows.Length, ModelName);
        var (classes, encoded) = TrainingData.EncodeLabels(labels);
        _tree = TreeGrower.Grow(rows, encoded, [.. Enumerable.Repeat(1.0, rows.Length)], classes.Length, Options, Options.Seed);
        _classes = classes;
        _features = x.ColumnCount;
    }

    /// <inheritdoc />
    public Matrix<double> PredictProba(Matrix<double> x)
    {
        RequireFitted();
        var rows = TrainingData.Rows(x, ModelName, _features);
        return Matrix<double>.Build.DenseOfRowArrays(rows.Select(r => _tree!.Value[_tree.Leaf(r)]));
    }

    /// <inheritdoc />
    public int[] Predict(Matrix<double> x) => ProbabilityArgmax.Labels(PredictProba(x), _classes);

    private sealed record State(int[] Classes, int Features, TreeNodes Tree);

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal override JsonNode? StateJson() => IsFitted ? ModelFile.Node(new State(_classes, _features, _tree!)) : null;

    internal static DecisionTreeClassifier Restore(JsonNode? options, JsonNode? state)
    {
        var model = new DecisionTreeClassifier(ModelFile.Options<DecisionTreeOptions>(options));
        if (ModelFile.State<State>(state) is { } s)
        {
            model._classes = StateCheck.Classes(s.Classes);
            if (s.Features < 1 || s.Tree is null) throw new MusicMLException("state fields \"features\" and \"tree\" are required.");
            s.Tree.Check(s.Features, model._classes.Length);
            model._features = s.Features;
            model._tree = s.Tree;
        }
        return model;
    }
}
