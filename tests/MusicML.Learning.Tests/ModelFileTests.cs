using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;
using static MusicML.Learning.Tests.SklearnReference;

namespace MusicML.Learning.Tests;

/// <summary>Models survive a save and load as readable JSON with bit-identical predictions; bad files fail clearly.</summary>
public sealed class ModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-learning-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Classifiers => [.. ClassifierCatalog.Algorithms];

    [Theory]
    [MemberData(nameof(Classifiers))]
    public void EveryClassifierRoundTripsWithIdenticalPredictions(string algorithm)
    {
        // Fit on the reference training rows, save, load: the loaded model predicts the same labels (and, where it has
        // them, bit-identical probabilities: System.Text.Json writes doubles in round-trip form).
        var parameters = algorithm == "forest" ? new Dictionary<string, string> { ["n_estimators"] = "20" } : null;
        var model = ClassifierCatalog.Create(algorithm, parameters, standardize: true);
        ((IClassifier)model).Fit(ClsTrain, YTrain);
        var path = Path.Combine(_folder, algorithm + ".json");
        ModelFile.Save(model, path);
        var loaded = ModelFile.Load<StandardizedClassifier>(path);
        Assert.Equal(((IClassifier)model).Predict(ClsTest), loaded.Predict(ClsTest));
        if (((StandardizedClassifier)model).Classifier is IProbabilisticClassifier)
            Assert.Equal(((IProbabilisticClassifier)model).PredictProba(ClsTest).ToRowMajorArray(), loaded.PredictProba(ClsTest).ToRowMajorArray());
        // Readable: the file names the model and its options in plain JSON.
        var text = File.ReadAllText(path);
        Assert.Contains("\"format\": \"musicml.learning\"", text);
        Assert.Contains("\"model\": \"StandardizedClassifier\"", text);
    }

    [Fact]
    public void RegressorsAndTransformersRoundTrip()
    {
        // LinearRegression, RidgeRegression, PCA, k-means and the scaler give identical outputs after a JSON round trip.
        var linear = new LinearRegression();
        linear.Fit(Matrix("reg_X_train"), Vector("reg_y_train"));
        Assert.Equal(linear.Predict(Matrix("reg_X_test")), RoundTrip<LinearRegression>(linear).Predict(Matrix("reg_X_test")));
        var ridge = new RidgeRegression(new RidgeOptions { Alpha = 2.5 });
        ridge.Fit(Matrix("reg_X_train"), Vector("reg_y_train"));
        var ridgeBack = RoundTrip<RidgeRegression>(ridge);
        Assert.Equal(2.5, ridgeBack.Options.Alpha);
        Assert.Equal(ridge.Predict(Matrix("reg_X_test")), ridgeBack.Predict(Matrix("reg_X_test")));
        var pca = new Pca(new PcaOptions { Components = 3 });
        pca.Fit(ZTrain);
        Assert.Equal(pca.Transform(ZTest).ToRowMajorArray(), RoundTrip<Pca>(pca).Transform(ZTest).ToRowMajorArray());
        var kmeans = new KMeans(new KMeansOptions { Clusters = 4, Seed = 3 });
        kmeans.Fit(ZTrain);
        Assert.Equal(kmeans.Predict(ZTest), RoundTrip<KMeans>(kmeans).Predict(ZTest));
        var scaler = new StandardScaler();
        scaler.Fit(ClsTrain);
        Assert.Equal(scaler.Transform(ClsTest).ToRowMajorArray(), RoundTrip<StandardScaler>(scaler).Transform(ClsTest).ToRowMajorArray());
    }

    [Fact]
    public void AnUnfittedModelRoundTripsUnfitted()
    {
        var back = RoundTrip<KNeighborsClassifier>(new KNeighborsClassifier(new KNeighborsOptions { Neighbors = 7, Weights = NeighborWeights.Distance }));
        Assert.False(back.IsFitted);
        Assert.Equal(7, back.Options.Neighbors);
        Assert.Equal(NeighborWeights.Distance, back.Options.Weights);
    }

    [Fact]
    public void BadModelFilesAreRefusedNamingTheFile()
    {
        var missing = Path.Combine(_folder, "missing.json");
        Assert.Contains("missing.json", Assert.Throws<MusicMLException>(() => ModelFile.Load(missing)).Message);

        var notJson = Path.Combine(_folder, "bad.json");
        File.WriteAllText(notJson, "{ not json");
        var e = Assert.Throws<MusicMLException>(() => ModelFile.Load(notJson));
        Assert.Contains("bad.json", e.Message);
        Assert.Equal(notJson, e.FilePath);

        var unknown = Path.Combine(_folder, "unknown.json");
        File.WriteAllText(unknown, """{"format": "musicml.learning", "version": 1, "model": "Perceptron", "options": {}}""");
        Assert.Contains("unknown model \"Perceptron\"", Assert.Throws<MusicMLException>(() => ModelFile.Load(unknown)).Message);

        // A hand-edited state whose arrays disagree with the classes is refused, not used to mispredict.
        var model = new LogisticRegression();
        model.Fit(ZTrain, YTrain);
        var broken = ModelFile.ToJson(model).Replace("\"classes\": [\n      0,", "\"classes\": [");
        Assert.Throws<MusicMLException>(() => ModelFile.FromJson(broken));

        var wrongOptions = """{"format": "musicml.learning", "version": 1, "model": "KNeighborsClassifier", "options": {"neighbors": 0}}""";
        Assert.Contains("Neighbors", Assert.Throws<MusicMLException>(() => ModelFile.FromJson(wrongOptions)).Message);
        Assert.Throws<MusicMLException>(() => ModelFile.FromJson("""{"format": "musicml.learning", "version": 2, "model": "Pca"}"""));
    }

    private static T RoundTrip<T>(LearnedModel model) where T : LearnedModel =>
        Assert.IsType<T>(ModelFile.FromJson(ModelFile.ToJson(model)));
}
