using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace MusicML.Learning;

/// <summary>
/// Base of every learner that can be saved with <see cref="ModelFile"/>: a hyper-parameter object validated when the
/// model is constructed, and the fitted state, both written as readable JSON.
/// </summary>
public abstract class LearnedModel
{
    /// <summary>The name written in the model file's <c>model</c> field, e.g. <c>KNeighborsClassifier</c>.</summary>
    public abstract string ModelName { get; }

    /// <summary>Whether <c>Fit</c> has run (or the model was loaded fitted).</summary>
    public abstract bool IsFitted { get; }

    /// <summary>The hyper-parameters as a JSON object (the <c>options</c> field of the model file).</summary>
    internal abstract JsonNode OptionsJson();

    /// <summary>The fitted state as a JSON object (the <c>state</c> field), or null when not fitted.</summary>
    internal abstract JsonNode? StateJson();

    /// <summary>Throws the one error a caller gets for using an unfitted model.</summary>
    protected void RequireFitted()
    {
        if (!IsFitted) throw new Core.MusicMLException($"{ModelName} is not fitted: call Fit first (or load a fitted model file).");
    }
}

/// <summary>A classifier with scikit-learn's calling convention: integer class labels, <see cref="Classes"/> sorted.</summary>
public interface IClassifier
{
    /// <summary>The distinct training labels in increasing order (scikit-learn's <c>classes_</c>).</summary>
    IReadOnlyList<int> Classes { get; }

    /// <summary>Learns from <paramref name="x"/> (rows = samples, columns = features) and labels <paramref name="y"/>.</summary>
    void Fit(Matrix<double> x, IReadOnlyList<int> y);

    /// <summary>The predicted label of every row of <paramref name="x"/>.</summary>
    int[] Predict(Matrix<double> x);
}

/// <summary>A classifier that also gives class probabilities.</summary>
public interface IProbabilisticClassifier : IClassifier
{
    /// <summary>Class probabilities [rows, classes], columns in the order of <see cref="IClassifier.Classes"/>; rows sum to 1.</summary>
    Matrix<double> PredictProba(Matrix<double> x);
}

/// <summary>A regressor with scikit-learn's calling convention.</summary>
public interface IRegressor
{
    /// <summary>Learns from <paramref name="x"/> (rows = samples) and real targets <paramref name="y"/>.</summary>
    void Fit(Matrix<double> x, IReadOnlyList<double> y);

    /// <summary>The predicted target of every row of <paramref name="x"/>.</summary>
    double[] Predict(Matrix<double> x);
}

/// <summary>An unsupervised transform fitted on data and applied to new rows (scaling, projection).</summary>
public interface ITransformer
{
    /// <summary>Learns the transform from <paramref name="x"/>.</summary>
    void Fit(Matrix<double> x);

    /// <summary>Applies the fitted transform to <paramref name="x"/>.</summary>
    Matrix<double> Transform(Matrix<double> x);
}
