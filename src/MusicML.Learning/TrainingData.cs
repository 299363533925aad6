using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>
/// The input checks every learner makes before touching the numbers, so bad data gets one clear error instead of a
/// NaN result: non-empty, finite, labels matching the rows, the feature count the model was fitted with.
/// </summary>
internal static class TrainingData
{
    /// <summary>numpy's <c>finfo(float64).eps</c>, the rounding unit scikit-learn's thresholds are stated in.</summary>
    public const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>The rows of <paramref name="x"/> as arrays, after checking it is non-empty and finite.</summary>
    public static double[][] Rows(Matrix<double>? x, string owner, int expectedFeatures = -1)
    {
        if (x is null) throw new MusicMLException($"{owner}: the feature matrix is missing.");
        if (x.RowCount == 0 || x.ColumnCount == 0)
            throw new MusicMLException($"{owner}: the feature matrix is empty ({x.RowCount} rows, {x.ColumnCount} columns).");
        if (expectedFeatures >= 0 && x.ColumnCount != expectedFeatures)
            throw new MusicMLException($"{owner}: the data have {x.ColumnCount} features but the model was fitted on {expectedFeatures}.");
        var rows = x.ToRowArrays();
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[i].Length; j++)
                if (!double.IsFinite(rows[i][j]))
                    throw new MusicMLException($"{owner}: feature {j} of row {i} is {rows[i][j]}; every value must be finite.");
        return rows;
    }

    /// <summary>Checks the label count matches the rows; returns the labels as an array.</summary>
    public static int[] Labels(IReadOnlyList<int>? y, int rows, string owner)
    {
        if (y is null) throw new MusicMLException($"{owner}: the labels are missing.");
        if (y.Count != rows) throw new MusicMLException($"{owner}: {y.Count} labels for {rows} rows.");
        return [.. y];
    }

    /// <summary>Checks the target count matches the rows and every target is finite.</summary>
    public static double[] Targets(IReadOnlyList<double>? y, int rows, string owner)
    {
        if (y is null) throw new MusicMLException($"{owner}: the targets are missing.");
        if (y.Count != rows) throw new MusicMLException($"{owner}: {y.Count} targets for {rows} rows.");
        var result = y.ToArray();
        for (int i = 0; i < result.Length; i++)
            if (!double.IsFinite(result[i])) throw new MusicMLException($"{owner}: target {i} is {result[i]}; every target must be finite.");
        return result;
    }

    /// <summary>The sorted distinct labels, and each sample's index into them (scikit-learn's LabelEncoder).</summary>
    public static (int[] Classes, int[] Encoded) EncodeLabels(int[] y)
    {
        var classes = y.Distinct().Order().ToArray();
        var index = new Dictionary<int, int>(classes.Length);
        for (int k = 0; k < classes.Length; k++) index[classes[k]] = k;
        var encoded = new int[y.Length];
        for (int i = 0; i < y.Length; i++) encoded[i] = index[y[i]];
        return (classes, encoded);
    }

    /// <summary>Requires at least two classes, the minimum a classifier can learn to separate.</summary>
    public static void RequireTwoClasses(int[] classes, string owner)
    {
        if (classes.Length < 2)
            throw new MusicMLException($"{owner}: the labels hold only one class ({string.Join(", ", classes)}); a classifier needs at least two.");
    }

    /// <summary>A matrix from row arrays.</summary>
    public static Matrix<double> Matrix(double[][] rows, int columns)
    {
        var m = Matrix<double>.Build.Dense(rows.Length, columns);
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < columns; j++) m[i, j] = rows[i][j];
        return m;
    }

    /// <summary>The rows <paramref name="indices"/> of <paramref name="x"/>, in that order.</summary>
    public static Matrix<double> SelectRows(Matrix<double> x, int[] indices) =>
        Matrix<double>.Build.Dense(indices.Length, x.ColumnCount, (i, j) => x[indices[i], j]);

    /// <summary>Squared Euclidean distance between two equal-length rows.</summary>
    public static double SquaredDistance(double[] a, double[] b)
    {
        double s = 0;
        for (int j = 0; j < a.Length; j++)
        {
            var d = a[j] - b[j];
            s += d * d;
        }
        return s;
    }
}
