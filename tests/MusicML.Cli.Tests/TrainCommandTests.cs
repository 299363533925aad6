using System.Globalization;
using System.Text;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;
using MusicML.Learning;
using MusicML.TestSupport;

namespace MusicML.Cli.Tests;

/// <summary>
/// <c>musicml train classifier</c> on a manifest written from the scikit-learn reference data (450 training rows, 20
/// features, four classes): the printed cross-validated figures are the library's own for the same learner and folds,
/// the saved model is a readable JSON that predicts by column name, and bad input gives one error line.
/// </summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-train-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Matrix<double> Read(string name)
    {
        var a = NpyFile.Read(SharedData.Path("eval", "sklearn_reference", name + ".npy"));
        var v = a.ToFloat64();
        return Matrix<double>.Build.Dense(a.Shape[0], a.Shape[1], (i, j) => v[i * a.Shape[1] + j]);
    }

    private static int[] Labels(string name) =>
        [.. NpyFile.Read(SharedData.Path("eval", "sklearn_reference", name + ".npy")).ToInt64().Select(v => (int)v)];

    /// <summary>Writes path, f0..f19 (in <paramref name="order"/>), genre = "c" + label.</summary>
    private string WriteManifest(string file, Matrix<double> x, int[] y, int[]? order = null)
    {
        order ??= [.. Enumerable.Range(0, x.ColumnCount)];
        var text = new StringBuilder("path," + string.Join(",", order.Select(j => $"f{j}")) + ",genre\n");
        for (int i = 0; i < x.RowCount; i++)
            text.Append($"track_{i}.wav,").Append(string.Join(",", order.Select(j => x[i, j].ToString("R", CultureInfo.InvariantCulture)))).Append($",c{y[i]}\n");
        var path = Path.Combine(_folder, file);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static double Figure(string output, string before)
    {
        int at = output.IndexOf(before, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{before}' not in:\n{output}");
        var rest = output[(at + before.Length)..].TrimStart();
        return double.Parse(rest[..rest.IndexOfAny([' ', ',', '\n'])], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void PrintsTheLibrarysCrossValidatedFiguresAndSavesAModelThatPredictsByColumnName()
    {
        // Expected: the accuracy and macro F1 of ModelSelection.CrossValidate for standardised k-NN (k = 5) on the same
        // rows and StratifiedKFold(5), to the 4 printed decimals; the saved model then labels the 150 test rows exactly
        // as the same pipeline fitted in-process, even with the test table's columns in reverse order.
        var x = Read("cls_X_train");
        var y = Labels("cls_y_train");
        var manifest = WriteManifest("train.csv", x, y);
        var model = Path.Combine(_folder, "knn.json");
        var (code, output, error) = CliRun.Run("train", "classifier", "--algo", "knn", "--manifest", manifest, "--label", "genre", "--cv", "5", "--out", model);
        Assert.True(code == 0, error);
        var expected = ModelSelection.CrossValidate(() => (IClassifier)ClassifierCatalog.Create("knn", null, standardize: true), x, y, new StratifiedKFold(5));
        Assert.Equal(Math.Round(expected.MeanAccuracy, 4), Figure(output, "5-fold cross-validation: accuracy"), 4);
        Assert.Equal(Math.Round(expected.MeanMacroF1, 4), Figure(output, "macro F1"), 4);
        Assert.Contains("450 rows, 20 features, label 'genre' with 4 classes", output);

        var loaded = ModelFile.Load<NamedClassifier>(model);
        Assert.Equal(["c0", "c1", "c2", "c3"], loaded.LabelNames);
        var testX = Read("cls_X_test");
        var reversed = WriteManifest("test.csv", testX, Labels("cls_y_test"), [.. Enumerable.Range(0, 20).Reverse()]);
        var predicted = loaded.Predict(FeatureTable.ReadCsv(reversed, "genre"));
        var reference = (IClassifier)ClassifierCatalog.Create("knn", null, standardize: true);
        reference.Fit(x, y);
        Assert.Equal(reference.Predict(testX).Select(c => $"c{c}"), predicted);
    }

    [Fact]
    public void AGridPrintsEveryPointAndKeepsTheBest()
    {
        // --grid k=1,3,9: one line per point with its mean accuracy, "best:" the point ModelSelection.GridSearch picks
        // on the same folds, and the final figure that point's.
        var x = Read("cls_X_train");
        var y = Labels("cls_y_train");
        var manifest = WriteManifest("train.csv", x, y);
        var model = Path.Combine(_folder, "grid.json");
        var (code, output, error) = CliRun.Run("train", "classifier", "--algo", "knn", "--manifest", manifest, "--label", "genre",
            "--grid", "k=1,3,9", "--param", "weights=distance", "--cv", "3", "--out", model);
        Assert.True(code == 0, error);
        var grid = new Dictionary<string, IReadOnlyList<string>> { ["k"] = ["1", "3", "9"] };
        var search = ModelSelection.GridSearch(p => (IClassifier)ClassifierCatalog.Create("knn", p, true), grid, x, y, new StratifiedKFold(3),
            new Dictionary<string, string> { ["weights"] = "distance" });
        foreach (var candidate in search.Candidates)
            Assert.Equal(Math.Round(candidate.Scores.MeanAccuracy, 4), Figure(output, $"grid k={candidate.Parameters["k"]}: accuracy"), 4);
        Assert.Contains($"best: k={search.Best.Parameters["k"]}", output);
        Assert.Equal(Math.Round(search.Best.Scores.MeanAccuracy, 4), Figure(output, "3-fold cross-validation: accuracy"), 4);
        var saved = ModelFile.Load<NamedClassifier>(model);
        var knn = Assert.IsType<KNeighborsClassifier>(Assert.IsType<StandardizedClassifier>(saved.Classifier).Classifier);
        Assert.Equal(int.Parse(search.Best.Parameters["k"], CultureInfo.InvariantCulture), knn.Options.Neighbors);
        Assert.Equal(NeighborWeights.Distance, knn.Options.Weights);
    }

    [Theory]
    [InlineData("logreg")]
    [InlineData("linear")]
    [InlineData("ridge")]
    [InlineData("tree")]
    [InlineData("forest")]
    [InlineData("gnb")]
    public void EveryAlgorithmTrainsAndBeatsChance(string algorithm)
    {
        // Four balanced classes: chance accuracy is 0.25; each learner's 5-fold accuracy on these informative features
        // is well above it (scikit-learn's test accuracies here are 0.61 for the tree, 0.73 logistic, 0.78 forest).
        var manifest = WriteManifest("train.csv", Read("cls_X_train"), Labels("cls_y_train"));
        var model = Path.Combine(_folder, algorithm + ".json");
        var extra = algorithm == "forest" ? new[] { "--param", "n_estimators=25" } : [];
        var (code, output, error) = CliRun.Run(["train", "classifier", "--algo", algorithm, "--manifest", manifest, "--label", "genre", "--out", model, .. extra]);
        Assert.True(code == 0, error);
        Assert.InRange(Figure(output, "5-fold cross-validation: accuracy"), 0.4, 1.0);
        Assert.True(ModelFile.Load<NamedClassifier>(model).IsFitted);
    }

    [Fact]
    public void BadInputGivesOneErrorLineAndKeepsTheOldModel()
    {
        var model = Path.Combine(_folder, "model.json");
        File.WriteAllText(model, "old");
        var bad = Path.Combine(_folder, "bad.csv");
        File.WriteAllText(bad, "path,a,b,genre\nx.wav,1,2,rock\ny.wav,3,oops,pop\n");
        var (code, _, error) = CliRun.Run("train", "classifier", "--algo", "gnb", "--manifest", bad, "--label", "genre", "--out", model);
        Assert.Equal(1, code);
        Assert.Contains("bad.csv:3: column 'b' holds 'oops'", error);
        Assert.Single(CliRun.Lines(error));
        Assert.Equal("old", File.ReadAllText(model));

        (code, _, error) = CliRun.Run("train", "classifier", "--algo", "gnb", "--manifest", bad, "--label", "style", "--out", model);
        Assert.Equal(1, code);
        Assert.Contains("no column 'style'", error);

        (code, _, error) = CliRun.Run("train", "classifier", "--algo", "svm", "--manifest", bad, "--label", "genre", "--out", model);
        Assert.Equal(2, code);

        (code, _, error) = CliRun.Run("train", "classifier", "--algo", "knn", "--manifest", bad, "--label", "genre", "--grid", "k=1,x", "--out", model);
        Assert.Equal(1, code);
        Assert.Contains("k = 'x' is not an integer", error);

        (code, _, error) = CliRun.Run("train", "classifier", "--algo", "knn", "--manifest", bad, "--label", "genre", "--grid", "k", "--out", model);
        Assert.Equal(2, code);
        Assert.Contains("expected name=value1,value2", error);
        Assert.Equal("old", File.ReadAllText(model));
    }
}
