using MusicML.Core;

namespace MusicML.Similarity.Tests;

public sealed class EmbeddingStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-store-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static float[] RandomUnitVectors(int count, int dimension, int seed)
    {
        var random = new Random(seed);
        var data = new float[count * dimension];
        for (int i = 0; i < count; i++)
        {
            double norm = 0;
            for (int j = 0; j < dimension; j++)
            {
                // Box–Muller: Gaussian components make the directions uniform on the sphere.
                double g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                data[i * dimension + j] = (float)g;
                norm += g * g;
            }
            float scale = (float)(1 / Math.Sqrt(norm));
            for (int j = 0; j < dimension; j++) data[i * dimension + j] *= scale;
        }
        return data;
    }

    private static EmbeddingSpace TaggerSpace(int dimension) => new(EmbeddingSpace.TaggerKind, "musicml_synth", new string('a', 64), dimension, [], []);

    [Fact]
    public void RoundTripsIdsPathsVectorsAndSpaceExactly()
    {
        var space = new EmbeddingSpace(EmbeddingSpace.FeaturesKind, "musicml.summary/1", "", 3, [1.5, -2, 0.25], [2, 1, 0.5]);
        var store = new EmbeddingStore(space);
        store.Add("a", "dir/a.wav", [3, 4, 0]);
        store.Add("ü b", "dir/ü b.flac", [0, 0, -2]);
        string path = Path.Combine(_folder, "s.mmemb");
        store.Save(path);

        var loaded = EmbeddingStore.Load(path);
        Assert.Equal(space, loaded.Space);
        Assert.Equal(["a", "ü b"], loaded.Ids);
        Assert.Equal(["dir/a.wav", "dir/ü b.flac"], loaded.Paths);
        // Stored L2-normalised: (3, 4, 0) / 5.
        Assert.Equal([0.6f, 0.8f, 0f], loaded.Vector(0).ToArray());
        Assert.Equal([0f, 0f, -1f], loaded.Vector(1).ToArray());
        Assert.Equal(1, loaded.RowOf("dir/ü b.flac"));
    }

    [Fact]
    public void AppendingKeepsRowsAndTheSamePathReplacesItsVector()
    {
        string path = Path.Combine(_folder, "s.mmemb");
        var store = new EmbeddingStore(TaggerSpace(2));
        store.Add("a", "a.wav", [1, 0]);
        store.Save(path);
        var again = EmbeddingStore.Load(path);
        again.Add("b", "b.wav", [0, 1]);
        again.Add("a", "a.wav", [0, -1]);
        again.Save(path);
        var loaded = EmbeddingStore.Load(path);
        Assert.Equal(["a", "b"], loaded.Ids);
        Assert.Equal([0f, -1f], loaded.Vector(0).ToArray());
    }

    [Fact]
    public void ExportsTheVectorsAsNpy()
    {
        var vectors = RandomUnitVectors(5, 4, 1);
        var store = new EmbeddingStore(TaggerSpace(4));
        for (int i = 0; i < 5; i++) store.Add($"t{i}", $"t{i}.wav", vectors.AsSpan(i * 4, 4));
        string npy = Path.Combine(_folder, "v.npy");
        store.ExportNpy(npy);
        var array = NpyFile.Read(npy);
        Assert.Equal([5, 4], array.Shape);
        Assert.Equal(store.Vectors.ToArray(), array.ToFloat32());
    }

    [Fact]
    public void RefusesTruncatedDamagedAndForeignFiles()
    {
        string path = Path.Combine(_folder, "s.mmemb");
        var store = new EmbeddingStore(TaggerSpace(8));
        var vectors = RandomUnitVectors(10, 8, 2);
        for (int i = 0; i < 10; i++) store.Add($"t{i}", $"t{i}.wav", vectors.AsSpan(i * 8, 8));
        store.Save(path);
        var bytes = File.ReadAllBytes(path);

        // Every possible truncation is refused (never loads as a shorter valid store).
        for (int cut = 0; cut < bytes.Length; cut += 7)
        {
            File.WriteAllBytes(path, bytes[..cut]);
            var e = Assert.Throws<MusicMLException>(() => EmbeddingStore.Load(path));
            Assert.StartsWith(path, e.Message);
        }

        var damaged = (byte[])bytes.Clone();
        damaged[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, damaged);
        Assert.Contains("CRC-32", Assert.Throws<MusicMLException>(() => EmbeddingStore.Load(path)).Message);

        File.WriteAllText(path, "id,vector\n");
        Assert.Contains("not a MusicML embedding store", Assert.Throws<MusicMLException>(() => EmbeddingStore.Load(path)).Message);
        Assert.Contains("not found", Assert.Throws<MusicMLException>(() => EmbeddingStore.Load(Path.Combine(_folder, "none"))).Message);
    }

    [Fact]
    public void RefusesVectorsThatCannotBeCompared()
    {
        var store = new EmbeddingStore(TaggerSpace(2));
        Assert.Contains("2", Assert.Throws<MusicMLException>(() => store.Add("a", "a.wav", [1, 2, 3])).Message);
        Assert.Contains("NaN", Assert.Throws<MusicMLException>(() => store.Add("a", "a.wav", [float.NaN, 1])).Message);
        Assert.Contains("all zero", Assert.Throws<MusicMLException>(() => store.Add("a", "a.wav", [0, 0])).Message);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void SpacesOfAnotherModelKindOrDimensionAreIncompatible()
    {
        var space = TaggerSpace(4);
        space.RequireCompatible(TaggerSpace(4) with { Model = "models/musicml_synth.safetensors" }, "index");
        Assert.Contains("--model musicml_synth",
            Assert.Throws<MusicMLException>(() => space.RequireCompatible(space with { ModelSha256 = new string('b', 64), Model = "mtat_fcn" }, "index")).Message);
        Assert.Contains("--embedding tagger",
            Assert.Throws<MusicMLException>(() => space.RequireCompatible(new EmbeddingSpace(EmbeddingSpace.FeaturesKind, "musicml.summary/1", "", 4, [0, 0, 0, 0], [1, 1, 1, 1]), "index")).Message);
        Assert.Contains("4-dimensional", Assert.Throws<MusicMLException>(() => space.RequireCompatible(TaggerSpace(8), "index")).Message);
    }
}
