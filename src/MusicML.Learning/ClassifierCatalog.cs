using System.Globalization;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>
/// The classifiers by short name (<c>knn</c>, <c>logreg</c>, <c>linear</c>, <c>ridge</c>, <c>tree</c>, <c>forest</c>,
/// <c>gnb</c>) with hyper-parameters given as text under scikit-learn's names, so a command line or a grid search can
/// build any of them; unknown names and unparsable values are refused with the parameter named.
/// </summary>
public static class ClassifierCatalog
{
    private static readonly Dictionary<string, (string What, string[] Parameters)> Known = new()
    {
        ["knn"] = ("k-nearest neighbours (KNeighborsClassifier)", ["k", "n_neighbors", "weights"]),
        ["logreg"] = ("L2 logistic regression (LogisticRegression)", ["C", "max_iter", "fit_intercept"]),
        ["linear"] = ("least-squares classifier (RidgeClassifier, alpha = 0)", ["fit_intercept"]),
        ["ridge"] = ("ridge classifier (RidgeClassifier)", ["alpha", "fit_intercept"]),
        ["tree"] = ("CART decision tree (DecisionTreeClassifier)", ["max_depth", "min_samples_split", "min_samples_leaf", "max_features", "random_state"]),
        ["forest"] = ("random forest (RandomForestClassifier)", ["n_estimators", "max_depth", "min_samples_split", "min_samples_leaf", "max_features", "bootstrap", "random_state"]),
        ["gnb"] = ("Gaussian naive Bayes (GaussianNB)", ["var_smoothing"]),
    };

    /// <summary>The algorithm names, in a stable order.</summary>
    public static IReadOnlyList<string> Algorithms { get; } = [.. Known.Keys];

    /// <summary>The hyper-parameter names <paramref name="algorithm"/> accepts.</summary>
    public static IReadOnlyList<string> Parameters(string algorithm) => Lookup(algorithm).Parameters;

    /// <summary>Builds an unfitted classifier; <paramref name="standardize"/> puts a <see cref="StandardScaler"/> before it.</summary>
    /// <exception cref="MusicMLException">Unknown algorithm or parameter, or a value that does not parse or is out of range.</exception>
    public static LearnedModel Create(string algorithm, IReadOnlyDictionary<string, string>? parameters = null, bool standardize = false)
    {
        var (_, allowed) = Lookup(algorithm);
        parameters ??= new Dictionary<string, string>();
        foreach (var name in parameters.Keys)
            if (!allowed.Contains(name))
                throw new MusicMLException($"{algorithm}: unknown hyper-parameter '{name}'; it takes {string.Join(", ", allowed)}.");
        var p = new Reader(algorithm, parameters);
        LearnedModel model = algorithm switch
        {
            "knn" => new KNeighborsClassifier(new KNeighborsOptions
            {
                Neighbors = p.Int("k") ?? p.Int("n_neighbors") ?? 5,
                Weights = p.Enum<NeighborWeights>("weights") ?? NeighborWeights.Uniform,
            }),
            "logreg" => new LogisticRegression(new LogisticRegressionOptions
            {
                C = p.Double("C") ?? 1.0,
                MaxIterations = p.Int("max_iter") ?? 100,
                FitIntercept = p.Bool("fit_intercept") ?? true,
            }),
            "linear" => new RidgeClassifier(new RidgeOptions { Alpha = 0, FitIntercept = p.Bool("fit_intercept") ?? true }),
            "ridge" => new RidgeClassifier(new RidgeOptions { Alpha = p.Double("alpha") ?? 1.0, FitIntercept = p.Bool("fit_intercept") ?? true }),
            "tree" => new DecisionTreeClassifier(new DecisionTreeOptions
            {
                MaxDepth = p.Int("max_depth"),
                MinSamplesSplit = p.Int("min_samples_split") ?? 2,
                MinSamplesLeaf = p.Int("min_samples_leaf") ?? 1,
                MaxFeatures = p.Enum<MaxFeatures>("max_features") ?? MaxFeatures.All,
                Seed = p.Int("random_state") ?? 0,
            }),
            "forest" => new RandomForestClassifier(new RandomForestOptions
            {
                Trees = p.Int("n_estimators") ?? 100,
                MaxDepth = p.Int("max_depth"),
                MinSamplesSplit = p.Int("min_samples_split") ?? 2,
                MinSamplesLeaf = p.Int("min_samples_leaf") ?? 1,
                MaxFeatures = p.Enum<MaxFeatures>("max_features") ?? MaxFeatures.Sqrt,
                Bootstrap = p.Bool("bootstrap") ?? true,
                Seed = p.Int("random_state") ?? 0,
            }),
            "gnb" => new GaussianNaiveBayes(new GaussianNaiveBayesOptions { VarSmoothing = p.Double("var_smoothing") ?? 1e-9 }),
            _ => throw new InvalidOperationException(algorithm),
        };
        return standardize ? new StandardizedClassifier(model) : model;
    }

    private static (string What, string[] Parameters) Lookup(string algorithm) =>
        algorithm is not null && Known.TryGetValue(algorithm, out var entry)
            ? entry
            : throw new MusicMLException($"unknown classifier '{algorithm}'; choose one of {string.Join(", ", Known.Keys)}.");

    private sealed class Reader(string algorithm, IReadOnlyDictionary<string, string> values)
    {
        public int? Int(string name) => Parse(name, s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (int?)null, "an integer");

        public double? Double(string name) =>
            Parse(name, s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : (double?)null, "a number");

        public bool? Bool(string name) => Parse(name, s => bool.TryParse(s, out var v) ? v : (bool?)null, "true or false");

        public T? Enum<T>(string name) where T : struct, System.Enum =>
            Parse(name, s => System.Enum.TryParse<T>(s, ignoreCase: true, out var v) && System.Enum.IsDefined(v) && !int.TryParse(s, out _) ? v : (T?)null,
                string.Join(" or ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant())));

        private T? Parse<T>(string name, Func<string, T?> parse, string expected) where T : struct
        {
            if (!values.TryGetValue(name, out var text)) return null;
            return parse(text.Trim()) ?? throw new MusicMLException($"{algorithm}: {name} = '{text}' is not {expected}.");
        }
    }
}
