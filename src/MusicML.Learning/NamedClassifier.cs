using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>
/// A classifier trained on a <see cref="FeatureTable"/>: it remembers the feature columns it was trained on (so a
/// table with the columns in another order, or extra ones, still predicts correctly) and the label names (text labels
/// become class numbers 0, 1, … in ordinal order). What <c>musicml train classifier</c> saves and <c>predict</c> loads.
/// </summary>
public sealed class NamedClassifier : LearnedModel
{
    private string[] _featureNames = [];
    private string[] _labelNames = [];

    /// <summary>Wraps an unfitted classifier of this library.</summary>
    public NamedClassifier(LearnedModel classifier)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        if (classifier is not IClassifier) throw new MusicMLException($"{nameof(NamedClassifier)}: {classifier.ModelName} is not a classifier.");
        Classifier = classifier;
    }

    /// <summary>The classifier (possibly a <see cref="StandardizedClassifier"/>).</summary>
    public LearnedModel Classifier { get; }

    /// <summary>The feature columns, in the order the classifier sees them.</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames;

    /// <summary>The label names; class number i is <c>LabelNames[i]</c>.</summary>
    public IReadOnlyList<string> LabelNames => _labelNames;

    /// <summary>
    /// The named, versioned feature set the columns come from (e.g. <c>musicml.summary/1</c>), so a command that
    /// computes features itself can refuse a model trained on other ones; null for a table of unknown provenance.
    /// Saved with the model.
    /// </summary>
    public string? FeatureSet { get; set; }

    /// <summary>True when the classifier gives class probabilities (<see cref="PredictProba(FeatureTable)"/>).</summary>
    public bool HasProbabilities =>
        Classifier is IProbabilisticClassifier && !(Classifier is StandardizedClassifier s && s.Classifier is not IProbabilisticClassifier);

    /// <inheritdoc />
    public override string ModelName => nameof(NamedClassifier);

    /// <inheritdoc />
    public override bool IsFitted => Classifier.IsFitted && _featureNames.Length > 0;

    /// <summary>The class numbers of <paramref name="labels"/> (ordinal order of the distinct names) and those names.</summary>
    public static (int[] Classes, string[] Names) EncodeLabels(IReadOnlyList<string> labels)
    {
        var names = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        return ([.. labels.Select(l => index[l])], names);
    }

    /// <summary>Fits on the table's features and labels.</summary>
    public void Fit(FeatureTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Labels is null) throw new MusicMLException($"{table.Source}: the table has no label column to train on.") { FilePath = table.Source };
        var (classes, names) = EncodeLabels(table.Labels);
        ((IClassifier)Classifier).Fit(table.Features, classes);
        _featureNames = [.. table.FeatureNames];
        _labelNames = names;
    }

    /// <summary>The predicted label name of every row of the table (columns matched by name).</summary>
    public string[] Predict(FeatureTable table)
    {
        RequireFitted();
        ArgumentNullException.ThrowIfNull(table);
        return [.. ((IClassifier)Classifier).Predict(table.FeaturesFor(_featureNames)).Select(c => _labelNames[c])];
    }

    /// <summary>Class probabilities [rows, labels] in the order of <see cref="LabelNames"/>, for probabilistic classifiers.</summary>
    public Matrix<double> PredictProba(FeatureTable table)
    {
        RequireFitted();
        ArgumentNullException.ThrowIfNull(table);
        return Probabilistic().PredictProba(table.FeaturesFor(_featureNames));
    }

    /// <summary>
    /// The predicted label of each row of <paramref name="features"/>, whose columns are named <paramref name="names"/>
    /// (any order, extra columns ignored): for callers that compute features in memory instead of reading a table.
    /// </summary>
    /// <exception cref="MusicMLException">A column the model needs is not among <paramref name="names"/>.</exception>
    public string[] Predict(IReadOnlyList<string> names, Matrix<double> features)
    {
        RequireFitted();
        return [.. ((IClassifier)Classifier).Predict(Select(names, features)).Select(c => _labelNames[c])];
    }

    /// <summary>Class probabilities [rows, labels] of in-memory rows, columns named <paramref name="names"/>.</summary>
    /// <exception cref="MusicMLException">A column is missing, or the classifier gives no probabilities.</exception>
    public Matrix<double> PredictProba(IReadOnlyList<string> names, Matrix<double> features)
    {
        RequireFitted();
        return Probabilistic().PredictProba(Select(names, features));
    }

    private IProbabilisticClassifier Probabilistic() => HasProbabilities
        ? (IProbabilisticClassifier)Classifier
        : throw new MusicMLException($"this {ModelName}'s classifier gives no probabilities, only labels.");

    private Matrix<double> Select(IReadOnlyList<string> names, Matrix<double> features)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(features);
        if (names.Count != features.ColumnCount)
            throw new MusicMLException($"{names.Count} column names for {features.ColumnCount} feature columns.");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++) index.TryAdd(names[i], i);
        var columns = _featureNames.Select(n => index.TryGetValue(n, out var i) ? i
            : throw new MusicMLException($"the model needs feature column '{n}', which the features lack.")).ToArray();
        return Matrix<double>.Build.Dense(features.RowCount, columns.Length, (r, c) => features[r, columns[c]]);
    }

    // FeatureSet is optional so that models saved before it existed still load (as of unknown provenance).
    private sealed record State(string[] FeatureNames, string[] LabelNames, string? FeatureSet = null);

    internal override JsonNode OptionsJson() => new JsonObject { ["classifier"] = ModelFile.ToNode(Classifier) };

    internal override JsonNode? StateJson() => IsFitted ? ModelFile.Node(new State(_featureNames, _labelNames, FeatureSet)) : null;

    internal static NamedClassifier Restore(JsonNode? options, JsonNode? state)
    {
        var model = new NamedClassifier(ModelFile.FromNode(options?["classifier"]));
        if (ModelFile.State<State>(state) is { } s)
        {
            if (s.FeatureNames is not { Length: > 0 } || s.LabelNames is not { Length: > 0 })
                throw new MusicMLException("state fields \"featureNames\" and \"labelNames\" are required.");
            var classes = ((IClassifier)model.Classifier).Classes;
            if (classes.Count == 0 || classes[^1] >= s.LabelNames.Length || classes[0] < 0)
                throw new MusicMLException($"the classifier's classes do not match the {s.LabelNames.Length} label names.");
            model._featureNames = s.FeatureNames;
            model._labelNames = s.LabelNames;
            model.FeatureSet = s.FeatureSet;
        }
        return model;
    }
}
