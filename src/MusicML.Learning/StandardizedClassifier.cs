using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>
/// A <see cref="StandardScaler"/> followed by a classifier, as scikit-learn's
/// <c>make_pipeline(StandardScaler(), classifier)</c>: both are fitted on the training rows, and new rows are scaled
/// with the training statistics before the classifier sees them. Saved as one model file holding both.
/// </summary>
public sealed class StandardizedClassifier : LearnedModel, IProbabilisticClassifier
{
    /// <summary>Wraps <paramref name="classifier"/> (any of this library's saveable classifiers).</summary>
    public StandardizedClassifier(LearnedModel classifier, StandardScaler? scaler = null)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        if (classifier is not IClassifier || classifier is StandardizedClassifier)
            throw new MusicMLException($"{nameof(StandardizedClassifier)}: {classifier.ModelName} is not a classifier that can be standardised.");
        Classifier = classifier;
        Scaler = scaler ?? new StandardScaler();
    }

    /// <summary>The scaler step.</summary>
    public StandardScaler Scaler { get; }

    /// <summary>The classifier step.</summary>
    public LearnedModel Classifier { get; }

    private IClassifier Inner => (IClassifier)Classifier;

    /// <inheritdoc />
    public override string ModelName => nameof(StandardizedClassifier);

    /// <inheritdoc />
    public override bool IsFitted => Scaler.IsFitted && Classifier.IsFitted;

    /// <inheritdoc />
    public IReadOnlyList<int> Classes => Inner.Classes;

    /// <inheritdoc />
    public void Fit(Matrix<double> x, IReadOnlyList<int> y) => Inner.Fit(Scaler.FitTransform(x), y);

    /// <inheritdoc />
    public int[] Predict(Matrix<double> x)
    {
        RequireFitted();
        return Inner.Predict(Scaler.Transform(x));
    }

    /// <inheritdoc />
    public Matrix<double> PredictProba(Matrix<double> x)
    {
        RequireFitted();
        if (Classifier is not IProbabilisticClassifier probabilistic)
            throw new MusicMLException($"{Classifier.ModelName} gives no probabilities, only labels.");
        return probabilistic.PredictProba(Scaler.Transform(x));
    }

    internal override JsonNode OptionsJson() => new JsonObject
    {
        ["scaler"] = ModelFile.ToNode(Scaler),
        ["classifier"] = ModelFile.ToNode(Classifier),
    };

    internal override JsonNode? StateJson() => null; // both steps carry their own state

    internal static StandardizedClassifier Restore(JsonNode? options, JsonNode? state)
    {
        if (ModelFile.FromNode(options?["scaler"]) is not StandardScaler scaler)
            throw new MusicMLException("the \"scaler\" step is not a StandardScaler.");
        return new StandardizedClassifier(ModelFile.FromNode(options?["classifier"]), scaler);
    }
}
