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
        if (Classifier is not IProbabilisticClassifier probabilistic || (Classifier is StandardizedClassifier s && s.Classifier is not IProbabilisticClassifier))
            throw new MusicMLException($"this {ModelName}'s classifier gives no probabilities, only labels.");
        return probabilistic.PredictProba(table.FeaturesFor(_featureNames));
    }

    private sealed record State(string[] FeatureNames, string[] LabelNames);

    internal override JsonNode OptionsJson() => new JsonObject { ["classifier"] = ModelFile.ToNode(Classifier) };

    internal override JsonNode? StateJson() => IsFitted ? ModelFile.Node(new State(_featureNames, _labelNames)) : null;

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
        }
        return model;
    }
}
