using System.Numerics.Tensors;
using MusicML.Core;
using static MusicML.Similarity.Tests.EmbeddingStoreTests;

namespace MusicML.Similarity.Tests;

public sealed class VectorIndexTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-index-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The reference: every row scored in double, sorted by score then row.</summary>
    private static int[] BruteForce(float[] data, int dimension, ReadOnlySpan<float> query, int k)
    {
        int n = data.Length / dimension;
        var q = query.ToArray();
        return Enumerable.Range(0, n)
            .Select(i => (Row: i, Score: TensorPrimitives.Dot(q, data.AsSpan(i * dimension, dimension))))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Row).Take(k).Select(p => p.Row).ToArray();
    }

    [Fact]
    public void ExactSearchEqualsBruteForceOnOneThreadAndMany()
    {
        // More than one block (8,192 rows) so the parallel merge runs.
        const int n = 20_000, d = 32;
        var data = RandomUnitVectors(n, d, 3);
        using var parallel = new ExactIndex(d);
        using var serial = new ExactIndex(d, maxThreads: 1);
        parallel.Add(data);
        serial.Add(data.AsSpan(0, 10_000 * d));
        serial.Add(data.AsSpan(10_000 * d));
        var queries = RandomUnitVectors(20, d, 4);
        for (int q = 0; q < 20; q++)
        {
            var query = queries.AsSpan(q * d, d);
            var expected = BruteForce(data, d, query, 10);
            Assert.Equal(expected, parallel.Search(query, 10).Select(h => h.Row));
            Assert.Equal(expected, serial.Search(query, 10).Select(h => h.Row));
            var hit = parallel.Search(query, 1)[0];
            Assert.Equal(TensorPrimitives.Dot(query, data.AsSpan(hit.Row * d, d)), hit.Score);
        }
    }

    [Fact]
    public void ExactSearchBreaksTiesByRowAndReturnsAtMostCount()
    {
        using var index = new ExactIndex(2);
        index.Add([1, 0, 0, 1, 1, 0, 1, 0]);
        Assert.Equal([0, 2, 3], index.Search([1, 0], 3).Select(h => h.Row));
        Assert.Equal(4, index.Search([1, 0], 50).Length);
        Assert.Throws<MusicMLException>(() => index.Search([1, 0, 0], 3));
        Assert.Throws<MusicMLException>(() => index.Search([1, 0], 0));
    }

    /// <summary>
    /// 5,000 random 64-d unit vectors, queries near indexed points (a perturbed copy): HNSW at its defaults must find
    /// at least 95 % of the exact top 10. Random unit vectors are the hardest case for a graph index (no cluster
    /// structure); the 1M × 128 figure is measured by the benchmark, not here.
    /// </summary>
    [Fact]
    public void HnswFindsTheExactNeighboursOfPerturbedQueries()
    {
        const int n = 5_000, d = 64, k = 10;
        var data = RandomUnitVectors(n, d, 5);
        using var hnsw = new HnswIndex(d);
        hnsw.Add(data);
        Assert.Equal(n, hnsw.Count);
        var noise = RandomUnitVectors(100, d, 6);
        var random = new Random(7);
        int found = 0;
        for (int q = 0; q < 100; q++)
        {
            int source = random.Next(n);
            var query = new float[d];
            for (int j = 0; j < d; j++) query[j] = data[source * d + j] + 0.3f * noise[q * d + j];
            var expected = BruteForce(data, d, query, k).ToHashSet();
            var hits = hnsw.Search(query, k);
            found += hits.Count(h => expected.Contains(h.Row));
            Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        }
        double recall = found / (100.0 * k);
        Assert.True(recall >= 0.95, $"recall@10 {recall:F3}, expected ≥ 0.95");
    }

    [Fact]
    public void HnswRoundTripsThroughItsFileAndGrowsIncrementally()
    {
        const int d = 16;
        var data = RandomUnitVectors(600, d, 8);
        string path = Path.Combine(_folder, "g.usearch");
        using (var hnsw = new HnswIndex(d))
        {
            hnsw.Add(data.AsSpan(0, 500 * d));
            hnsw.Save(path);
        }
        using var loaded = HnswIndex.Load(path, d);
        Assert.Equal(500, loaded.Count);
        loaded.Add(data.AsSpan(500 * d));
        Assert.Equal(600, loaded.Count);
        // Every vector finds itself, including the ones added after loading.
        for (int row = 0; row < 600; row += 37) Assert.Equal(row, loaded.Search(data.AsSpan(row * d, d), 1)[0].Row);
        Assert.Contains("16-dimensional", Assert.Throws<MusicMLException>(() => HnswIndex.Load(path, 32)).Message);
    }

    [Fact]
    public void HnswRefusesTruncatedAndForeignGraphFiles()
    {
        const int d = 8;
        string path = Path.Combine(_folder, "g.usearch");
        using (var hnsw = new HnswIndex(d))
        {
            hnsw.Add(RandomUnitVectors(200, d, 9));
            hnsw.Save(path);
        }
        var bytes = File.ReadAllBytes(path);
        foreach (int cut in new[] { 0, 10, 64, bytes.Length / 2, bytes.Length - 1 })
        {
            File.WriteAllBytes(path, bytes[..cut]);
            var e = Assert.Throws<MusicMLException>(() => HnswIndex.Load(path, d));
            Assert.StartsWith(path, e.Message);
        }
        File.WriteAllText(path, "not a graph at all, just some text that is long enough to be read as a header");
        Assert.Throws<MusicMLException>(() => HnswIndex.Load(path, d));
    }
}
