using MusicML.Core;
using static MusicML.Similarity.Tests.EmbeddingStoreTests;

namespace MusicML.Similarity.Tests;

public sealed class SimilarityIndexTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-simindex-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static EmbeddingSpace Space(int d) => new(EmbeddingSpace.TaggerKind, "m", new string('c', 64), d, [], []);

    [Theory]
    [InlineData("hnsw")]
    [InlineData("exact")]
    public void SavesLoadsAndSearchesLeavingOutTheQuery(string engine)
    {
        const int d = 12;
        var data = RandomUnitVectors(300, d, 10);
        string folder = Path.Combine(_folder, engine);
        using (var index = SimilarityIndex.Create(Space(d), engine))
        {
            for (int i = 0; i < 300; i++) index.Add($"t{i}", $"music/t{i}.wav", data.AsSpan(i * d, d), out _);
            index.Add("t0", "music/t0.wav", data.AsSpan(d, d), out bool added);
            Assert.False(added);
            index.Save(folder);
        }
        using var loaded = SimilarityIndex.Load(folder);
        Assert.Equal(engine, loaded.Engine.Engine);
        Assert.Equal(300, loaded.Count);
        var hits = loaded.Search(data.AsSpan(5 * d, d), 5, excludeRow: 5);
        Assert.Equal(5, hits.Length);
        Assert.DoesNotContain(hits, h => h.Row == 5);
        Assert.Equal([1, 2, 3, 4, 5], hits.Select(h => h.Rank));
        Assert.Equal($"music/t{hits[0].Row}.wav", hits[0].Path);
        // Without exclusion the query's own row comes first, with similarity 1.
        var self = loaded.Search(data.AsSpan(5 * d, d), 1)[0];
        Assert.Equal(5, self.Row);
        Assert.Equal(1f, self.Score, 5);
    }

    [Fact]
    public void AGraphBehindItsStoreIsCaughtUpOnLoad()
    {
        // A kill between the store's rename and the graph's in `index add` leaves exactly this.
        const int d = 8;
        var data = RandomUnitVectors(50, d, 11);
        string folder = Path.Combine(_folder, "behind");
        using (var index = SimilarityIndex.Create(Space(d)))
        {
            for (int i = 0; i < 40; i++) index.Add($"t{i}", $"t{i}.wav", data.AsSpan(i * d, d), out _);
            index.Save(folder);
            for (int i = 40; i < 50; i++) index.Add($"t{i}", $"t{i}.wav", data.AsSpan(i * d, d), out _);
            index.Store.Save(Path.Combine(folder, SimilarityIndex.StoreFile));
        }
        using var loaded = SimilarityIndex.Load(folder);
        Assert.Equal(50, loaded.Engine.Count);
        Assert.Equal(45, loaded.Search(data.AsSpan(45 * d, d), 1)[0].Row);
    }

    [Fact]
    public void AFolderWithoutItsManifestOrWithADamagedStoreIsRefused()
    {
        string folder = Path.Combine(_folder, "broken");
        using (var index = SimilarityIndex.Create(Space(4), "exact"))
        {
            index.Add("a", "a.wav", [1, 0, 0, 0], out _);
            index.Add("b", "b.wav", [0, 1, 0, 0], out _);
            index.Save(folder);
        }
        string store = Path.Combine(folder, SimilarityIndex.StoreFile);
        var bytes = File.ReadAllBytes(store);
        File.WriteAllBytes(store, bytes[..^3]);
        Assert.Contains("truncated", Assert.Throws<MusicMLException>(() => SimilarityIndex.Load(folder)).Message);
        File.Delete(Path.Combine(folder, SimilarityIndex.ManifestFile));
        Assert.Contains("not a MusicML index", Assert.Throws<MusicMLException>(() => SimilarityIndex.Load(folder)).Message);
        Assert.Contains("not found", Assert.Throws<MusicMLException>(() => SimilarityIndex.Load(Path.Combine(_folder, "none"))).Message);
    }

    [Fact]
    public void EvaluationScoresMapAndPrecisionAsDefined()
    {
        // Four labelled tracks in two groups, and one unlabelled. Cosines worked by hand from the unit vectors.
        var store = new EmbeddingStore(Space(2));
        store.Add("a0", "a0.wav", [1, 0]);
        store.Add("a1", "a1.wav", [0.95f, 0.31f]);
        store.Add("b0", "b0.wav", [0.2f, 0.98f]);
        store.Add("b1", "b1.wav", [0.7f, 0.71f]);
        store.Add("x", "x.wav", [-1, 0]);
        var labels = new Dictionary<string, string> { ["a0"] = "a", ["a1"] = "a", ["b0"] = "b", ["b1"] = "b", ["missing"] = "c" };
        var scores = SimilarityEvaluation.Evaluate(store, labels);
        Assert.Equal(4, scores.Queries);
        // a0: [a1 .951, b1 .702, b0 .200] → AP 1. a1: [a0 .951, b1 .888, b0 .494] → 1. b0: [b1 .838, a1 .494, a0 .200] → 1.
        // b1: [a1 .888, b0 .838, a0 .702] → 1/2 (its one relevant track at rank 2).
        Assert.Equal((1 + 1 + 1 + 0.5) / 4, scores.MeanAveragePrecision, 12);
        Assert.Equal(0.75, scores.PrecisionAt1, 12);
        Assert.Equal(1.0 / 3, scores.PrecisionAt3, 12);
        Assert.Equal(["missing", "x"], scores.Unmatched);
    }
}
