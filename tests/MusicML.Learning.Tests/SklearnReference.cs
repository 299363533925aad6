using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;
using MusicML.TestSupport;

namespace MusicML.Learning.Tests;

/// <summary>
/// The scikit-learn 1.2.1 reference in ../shared/eval/sklearn_reference, read in place: arrays by their manifest name,
/// and the scalar figures of the manifest's "metrics".
/// </summary>
internal static class SklearnReference
{
    private static readonly Lazy<JsonElement> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllText(SharedData.Path("eval", "sklearn_reference", "manifest.json"))).RootElement);

    public static NpyArray Array(string name) => NpyFile.Read(SharedData.Path("eval", "sklearn_reference", name + ".npy"));

    public static Matrix<double> Matrix(string name)
    {
        var a = Array(name);
        Assert.Equal(2, a.Shape.Count);
        var values = a.ToFloat64();
        return Matrix<double>.Build.Dense(a.Shape[0], a.Shape[1], (i, j) => values[i * a.Shape[1] + j]);
    }

    public static double[] Vector(string name) => Array(name).ToFloat64();

    public static int[] Labels(string name) => [.. Array(name).ToInt64().Select(v => checked((int)v))];

    public static double Metric(string name) => Manifest.Value.GetProperty("metrics").GetProperty(name).GetDouble();

    public static Matrix<double> ClsTrain => Matrix("cls_X_train");
    public static Matrix<double> ClsTest => Matrix("cls_X_test");
    public static Matrix<double> ZTrain => Matrix("cls_Z_train");
    public static Matrix<double> ZTest => Matrix("cls_Z_test");
    public static int[] YTrain => Labels("cls_y_train");
    public static int[] YTest => Labels("cls_y_test");
}

/// <summary>The parity measure of the reference README: max |ours − ref| / max |ref| over the whole array.</summary>
internal static class Parity
{
    public static double RelativeMaxError(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(double.IsFinite(actual[i]), $"value {i} is {actual[i]}");
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    public static double RelativeMaxError(Matrix<double> expected, Matrix<double> actual)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnCount, actual.ColumnCount);
        return RelativeMaxError(expected.ToRowMajorArray(), actual.ToRowMajorArray());
    }

    public static double MaxAbsoluteError(Matrix<double> expected, Matrix<double> actual)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnCount, actual.ColumnCount);
        return (expected - actual).Enumerate().Max(Math.Abs);
    }

    public static void AssertRelative(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance, string what)
    {
        var error = RelativeMaxError(expected, actual);
        Assert.True(error <= tolerance, $"{what}: max|ours-ref|/max|ref| = {error:E3}, allowed {tolerance:E1}");
    }

    public static void AssertRelative(Matrix<double> expected, Matrix<double> actual, double tolerance, string what)
    {
        var error = RelativeMaxError(expected, actual);
        Assert.True(error <= tolerance, $"{what}: max|ours-ref|/max|ref| = {error:E3}, allowed {tolerance:E1}");
    }
}
