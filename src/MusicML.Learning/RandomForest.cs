using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>Hyper-parameters of <see cref="RandomForestClassifier"/> (scikit-learn's names and defaults).</summary>
public sealed record RandomForestOptions
{
    /// <summary>Number of trees (<c>n_estimators</c>).</summary>
    public int Trees { get; init; } = 100;

    /// <summary>Deepest level of each tree (<c>max_depth</c>); null grows until leaves are pure.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>Fewest samples a node needs to be split (<c>min_samples_split</c>).</summary>
    public int MinSamplesSplit { get; init; } = 2;

    /// <summary>Fewest samples each child of a split must keep (<c>min_samples_leaf</c>).</summary>
    public int MinSamplesLeaf { get; init; } = 1;

    /// <summary>Features examined per split (<c>max_features</c>).</summary>
    public MaxFeatures MaxFeatures { get; init; } = MaxFeatures.Sqrt;

    /// <summary>Train each tree on a bootstrap sample (n draws with replacement) rather than on all rows (<c>bootstrap</c>).</summary>
    public bool Bootstrap { get; init; } = true;

    /// <summary>Seed of the bootstrap samples and the trees' feature draws (<c>random_state</c>, 0 … 2³¹ − 1): the same
    /// seed gives the same forest.</summary>
    public int Seed { get; init; }

    internal DecisionTreeOptions TreeOptions(int seed) => new()
    {
        MaxDepth = MaxDepth,
        MinSamplesSplit = MinSamplesSplit,
        MinSamplesLeaf = MinSamplesLeaf,
        MaxFeatures = MaxFeatures,
        Seed = seed,
    };

    internal void Validate() => TreeOptions(0).Errors(new OptionErrors(nameof(RandomForestClassifier)))
        .Require(Trees >= 1, nameof(Trees), $"{Trees} must be at least 1")
        .Require(Seed >= 0, nameof(Seed), $"{Seed} must be non-negative (numpy's seed range)")
        .ThrowIfAny();
}

/// <summary>
/// A random forest, as <c>sklearn.ensemble.RandomForestClassifier</c>: each tree is grown on a bootstrap sample (as
/// per-row counts) with √features examined per split, and the forest's probabilities are the mean of the trees'. The
/// seeds, bootstrap samples and feature draws follow scikit-learn's generators from the same seed, and the tree seeds
/// are drawn before the trees are grown in parallel, so the result does not depend on the thread count.
/// </summary>
public sealed class RandomForestClassifier : LearnedModel, IProbabilisticClassifier
{
    private TreeNodes[]? _trees;
    private int[] _classes = [];
    private int _features;

    /// <summary>Creates the classifier; invalid options throw a <see cref="MusicMLException"/> naming them.</summary>
    public RandomForestClassifier(RandomForestOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public RandomForestOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(RandomForestClassifier);

    /// <inheritdoc />
    public override bool IsFitted => _trees is not null;

    /// <inheritdoc />
    public IReadOnlyList<int> Classes => _classes;

    /// <summary>The fitted trees.</summary>
    public IReadOnlyList<TreeNodes> Trees { get { RequireFitted(); return _trees!; } }

    /// <inheritdoc />
    public void Fit(Matrix<double> x, IReadOnlyList<int> y)
    {
        var rows = TrainingData.Rows(x, ModelName);
        var labels = TrainingData.Labels(y, rows.Length, ModelName);
        var (classes, encoded) = TrainingData.EncodeLabels(labels);
        // scikit-learn's draws: one int32 seed per tree from RandomState(random_state), each tree's bootstrap from
        // RandomState(its seed).randint(0, n, n), and the tree's own splitter seeded from that seed again.
        var master = new NumpyRandomState((uint)Options.Seed);
        var seeds = Enumerable.Range(0, Options.Trees).Select(_ => (int)master.RandInt(0, int.MaxValue)).ToArray();
        var trees = new TreeNodes[Options.Trees];
        int n = rows.Length;
        var treeOptions = Options.TreeOptions(0); // each tree's seed is passed to the grower directly
        Parallel.For(0, Options.Trees, t =>
        {
            var weight = new double[n];
            if (Options.Bootstrap)
            {
                var random = new NumpyRandomState((uint)seeds[t]);
                for (int i = 0; i < n; i++) weight[random.RandInt(0, n)] += 1;
            }
            else Array.Fill(weight, 1.0);
            trees[t] = TreeGrower.Grow(rows, encoded, weight, classes.Length, treeOptions, seeds[t]);
        });
        _trees = trees;
        _classes = classes;
        _features = x.ColumnCount;
    }

    /// <inheritdoc />
    public Matrix<double> PredictProba(Matrix<double> x)
    {
        RequireFitted();
        var rows = TrainingData.Rows(x, ModelName, _features);
        var proba = Matrix<double>.Build.Dense(rows.Length, _classes.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            foreach (var tree in _trees!)
            {
                var value = tree.Value[tree.Leaf(rows[i])];
                for (int c = 0; c < value.Length; c++) proba[i, c] += value[c];
            }
            for (int c = 0; c < _classes.Length; c++) proba[i, c] /= _trees.Length;
        }
        return proba;
    }

    /// <inheritdoc />
    public int[] Predict(Matrix<double> x) => ProbabilityArgmax.Labels(PredictProba(x), _classes);

    private sealed record State(int[] Classes, int Features, TreeNodes[] Trees);

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal override JsonNode? StateJson() => IsFitted ? ModelFile.Node(new State(_classes, _features, _trees!)) : null;

    internal static RandomForestClassifier Restore(JsonNode? options, JsonNode? state)
    {
        var model = new RandomForestClassifier(ModelFile.Options<RandomForestOptions>(options));
        if (ModelFile.State<State>(state) is { } s)
        {
            model._classes = StateCheck.Classes(s.Classes);
            if (s.Features < 1 || s.Trees is not { Length: > 0 }) throw new MusicMLException("state fields \"features\" and \"trees\" are required.");
            foreach (var tree in s.Trees) (tree ?? throw new MusicMLException("a tree is null.")).Check(s.Features, model._classes.Length);
            model._features = s.Features;
            model._trees = s.Trees;
        }
        return model;
    }
}
