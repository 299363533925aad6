using MusicML.Core;
using MusicML.Learning;

namespace MusicML.Learning.Tests;

/// <summary>
/// <see cref="FeatureTable.WithLabelsFrom"/> (features keyed by path, labels from a manifest with text columns) and the
/// feature set a <see cref="NamedClassifier"/> records and reloads.
/// </summary>
public sealed class FeatureJoinTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-join-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ManifestRowsTakeTheirFileFeatureRowInManifestOrderAndMissingOnesAreReported()
    {
        var a = Path.Combine(_folder, "audio", "a.wav");
        var b = Path.Combine(_folder, "audio", "b.wav");
        var features = Write("f.csv", $"path,x,y\n{a},1,2\n{b},3,4\n/elsewhere/c.wav,5,6\n");
        // b by its path relative to the manifest, c by its unique file name, d not at all; the tags column is text.
        var manifest = Write("m.csv", "id,file,tags,label\n1,audio/b.wav,\"rock;loud\",B\n2,c.wav,pop,C\n3,d.wav,jazz,D\n4," + a + ",x,A\n");
        var skipped = new List<string>();
        var table = FeatureTable.ReadCsv(features).WithLabelsFrom(manifest, "label", skipped.Add);
        Assert.Equal(["B", "C", "A"], table.Labels);
        Assert.Equal([b, "/elsewhere/c.wav", a], table.Ids);
        Assert.Equal([3.0, 5.0, 1.0], table.Features.Column(0).ToArray());
        Assert.Single(skipped);
        Assert.Contains("d.wav", skipped[0]);

        var noLabel = Assert.Throws<MusicMLException>(() => FeatureTable.ReadCsv(features).WithLabelsFrom(manifest, "genre"));
        Assert.Contains("m.csv:1", noLabel.Message);
        var none = Write("none.csv", "file,label\nzzz.wav,A\n");
        Assert.Throws<MusicMLException>(() => FeatureTable.ReadCsv(features).WithLabelsFrom(none, "label"));
        var unkeyed = Write("unkeyed.csv", "x,y\n1,2\n");
        Assert.Contains("no path or file column", Assert.Throws<MusicMLException>(() => FeatureTable.ReadCsv(unkeyed).WithLabelsFrom(manifest, "label")).Message);
    }

    [Fact]
    public void TheFeatureSetIsSavedAndReadBackAndOldModelsHaveNone()
    {
        var table = FeatureTable.ReadCsv(Write("t.csv", "x,y,label\n0,0,a\n1,1,b\n0,1,a\n1,0,b\n"), "label");
        var model = new NamedClassifier(new GaussianNaiveBayes());
        model.Fit(table);
        Assert.Null(ModelFile.FromJson(ModelFile.ToJson(model)) is NamedClassifier n ? n.FeatureSet : "not named");
        model.FeatureSet = "musicml.summary/1";
        var back = (NamedClassifier)ModelFile.FromJson(ModelFile.ToJson(model));
        Assert.Equal("musicml.summary/1", back.FeatureSet);
        Assert.True(back.HasProbabilities);
        // In-memory rows predict by column name, in any order.
        var x = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(new double[,] { { 1, 1 } });
        Assert.Equal(model.Predict(table), back.Predict(["y", "x"], MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(new double[,] { { 0, 0 }, { 1, 1 }, { 1, 0 }, { 0, 1 } })));
        Assert.Throws<MusicMLException>(() => back.Predict(["x", "z"], x));
    }
}
