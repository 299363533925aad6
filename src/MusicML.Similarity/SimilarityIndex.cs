using System.Text.Json.Nodes;
using MusicML.Core;

namespace MusicML.Similarity;

/// <summary>One hit of <see cref="SimilarityIndex.Search"/>: the indexed track and its cosine similarity to the query.</summary>
/// <param name="Rank">1 for the most similar.</param>
/// <param name="Row">The track's row in the index's store.</param>
/// <param name="Id">Its track id.</param>
/// <param name="Path">Its path as given when it was indexed.</param>
/// <param name="Score">Cosine similarity in [−1, 1].</param>
public sealed record SimilarTrack(int Rank, int Row, string Id, string Path, float Score);

/// <summary>
/// A searchable catalogue on disk: a folder holding the tracks' <see cref="EmbeddingStore"/>
/// (<c>embeddings.mmemb</c>), the engine's files (<c>graph.usearch</c> for <see cref="HnswIndex"/>; nothing for
/// <see cref="ExactIndex"/>, which is rebuilt from the store on load) and <c>index.json</c> (format, engine and its
/// parameters, track count), each written atomically and <c>index.json</c> last. A build killed part-way leaves
/// either no <c>index.json</c> (the folder does not load) or the previous complete one; a graph that is behind
/// its store (killed between the two renames of an add) is brought up to date from the store on load.
/// </summary>
public sealed class SimilarityIndex : IDisposable
{
    /// <summary>The <c>index.json</c> format id.</summary>
    public const string Format = "musicml.index/1";

    /// <summary>File names inside the index folder.</summary>
    public const string ManifestFile = "index.json", StoreFile = "embeddings.mmemb", GraphFile = "graph.usearch";

    /// <summary>The engines <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Engines { get; } = ["hnsw", "exact"];

    private SimilarityIndex(EmbeddingStore store, IVectorIndex engine)
    {
        (Store, Engine) = (store, engine);
    }

    /// <summary>The tracks: ids, paths, vectors and their space.</summary>
    public EmbeddingStore Store { get; }

    /// <summary>The search engine over <see cref="Store"/>'s rows.</summary>
    public IVectorIndex Engine { get; }

    /// <summary>Number of indexed tracks.</summary>
    public int Count => Store.Count;

    /// <summary>An empty index of <paramref name="space"/> on <paramref name="engine"/> (<c>hnsw</c> or <c>exact</c>).</summary>
    /// <exception cref="MusicMLException">The engine is unknown or cannot start.</exception>
    public static SimilarityIndex Create(EmbeddingSpace space, string engine = "hnsw")
    {
        var store = new EmbeddingStore(space);
        return new SimilarityIndex(store, NewEngine(engine, space.Dimension));
    }

    private static IVectorIndex NewEngine(string engine, int dimension) => engine switch
    {
        "hnsw" => new HnswIndex(dimension),
        "exact" => new ExactIndex(dimension),
        _ => throw new MusicMLException($"unknown index engine '{engine}' (expected {string.Join(" or ", Engines)})"),
    };

    /// <summary>
    /// Adds a track; a path already indexed is left as it is (its row is returned and <paramref name="added"/> is false).
    /// </summary>
    /// <exception cref="MusicMLException">The vector does not fit the store (length, NaN, all zero).</exception>
    public int Add(string id, string path, ReadOnlySpan<float> vector, out bool added)
    {
        int existing = Store.RowOf(path);
        if (existing >= 0)
        {
            added = false;
            return existing;
        }
        int row = Store.Add(id, path, vector);
        Engine.Add(Store.Vector(row));
        added = true;
        return row;
    }

    /// <summary>
    /// The <paramref name="k"/> tracks most similar to <paramref name="query"/> (a vector of the index's space, any
    /// norm), best first, leaving out <paramref name="excludeRow"/> (the query's own row when it is indexed).
    /// </summary>
    /// <exception cref="MusicMLException">The query has the wrong length or is all zero, or k is not positive.</exception>
    public SimilarTrack[] Search(ReadOnlySpan<float> query, int k, int excludeRow = -1)
    {
        if (k <= 0) throw new MusicMLException($"k must be positive, got {k}");
        if (query.Length != Store.Dimension) throw new MusicMLException($"query has {query.Length} values, the index holds {Store.Dimension}");
        var unit = Normalised(query);
        var hits = Engine.Search(unit, excludeRow >= 0 ? k + 1 : k);
        var result = new List<SimilarTrack>(k);
        foreach (var hit in hits)
        {
            if (hit.Row == excludeRow) continue;
            if (result.Count == k) break;
            result.Add(new SimilarTrack(result.Count + 1, hit.Row, Store.Ids[hit.Row], Store.Paths[hit.Row], hit.Score));
        }
        return [.. result];
    }

    private static float[] Normalised(ReadOnlySpan<float> query)
    {
        float scale = EmbeddingStore.InverseNorm(query, path: null);
        var unit = new float[query.Length];
        for (int i = 0; i < unit.Length; i++) unit[i] = query[i] * scale;
        return unit;
    }

    /// <summary>Writes the index folder (created if needed): store, graph, then <c>index.json</c>, each atomically.</summary>
    public void Save(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        Directory.CreateDirectory(folder);
        Store.Save(Path.Combine(folder, StoreFile));
        var manifest = new JsonObject
        {
            ["format"] = Format,
            ["engine"] = Engine.Engine,
            ["count"] = Store.Count,
            ["dimension"] = Store.Dimension,
        };
        if (Engine is HnswIndex hnsw)
        {
            hnsw.Save(Path.Combine(folder, GraphFile));
            manifest["connectivity"] = hnsw.Connectivity;
            manifest["expansion_add"] = hnsw.ExpansionAdd;
            manifest["expansion_search"] = hnsw.ExpansionSearch;
        }
        AtomicFile.WriteAllText(Path.Combine(folder, ManifestFile), manifest.ToJsonString(new() { WriteIndented = true }) + "\n");
    }

    /// <summary>Loads an index folder written by <see cref="Save"/>.</summary>
    /// <exception cref="MusicMLException">The folder is not an index, or a file in it is missing, truncated, damaged or inconsistent.</exception>
    public static SimilarityIndex Load(string folder)
    {
        var (manifest, manifestPath) = ReadManifest(folder);
        string engine = (string?)manifest["engine"] ?? "";
        var store = EmbeddingStore.Load(Path.Combine(folder, StoreFile));
        if (engine == "exact")
        {
            var exact = new ExactIndex(store.Dimension);
            exact.Add(store.Vectors);
            return new SimilarityIndex(store, exact);
        }
        if (engine != "hnsw") throw new MusicMLException($"{manifestPath}: unknown engine '{engine}'") { FilePath = manifestPath };
        var graph = HnswIndex.Load(Path.Combine(folder, GraphFile), store.Dimension,
            (int?)manifest["connectivity"] ?? HnswIndex.DefaultConnectivity,
            (int?)manifest["expansion_add"] ?? HnswIndex.DefaultExpansionAdd,
            (int?)manifest["expansion_search"] ?? HnswIndex.DefaultExpansionSearch);
        try
        {
            if (graph.Count > store.Count)
                throw new MusicMLException($"{folder}: the graph holds {graph.Count} tracks but the store only {store.Count}; rebuild the index") { FilePath = folder };
            // A kill between the store's rename and the graph's leaves the graph behind: catch it up.
            if (graph.Count < store.Count) graph.Add(store.Vectors[(graph.Count * store.Dimension)..]);
            return new SimilarityIndex(store, graph);
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Only the tracks of an index folder (its store), checked to be a complete index but without loading the
    /// engine: what evaluation and maps need, which score exactly whatever the engine.
    /// </summary>
    /// <exception cref="MusicMLException">The folder is not an index, or its store is missing, truncated or damaged.</exception>
    public static EmbeddingStore LoadStore(string folder)
    {
        _ = ReadManifest(folder);
        return EmbeddingStore.Load(Path.Combine(folder, StoreFile));
    }

    /// <summary>The folder's <c>index.json</c>, checked for this format.</summary>
    private static (JsonObject Manifest, string Path) ReadManifest(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string manifestPath = Path.Combine(folder, ManifestFile);
        if (!Directory.Exists(folder)) throw new MusicMLException($"{folder}: index not found (no such folder)") { FilePath = folder };
        if (!File.Exists(manifestPath))
            throw new MusicMLException($"{folder}: not a MusicML index (no {ManifestFile}; a build that was killed before it finished leaves none)") { FilePath = folder };
        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new MusicMLException($"{manifestPath}: not valid JSON ({e.Message})", e) { FilePath = manifestPath };
        }
        if ((string?)manifest["format"] != Format) throw new MusicMLException($"{manifestPath}: format is not {Format}") { FilePath = manifestPath };
        return (manifest, manifestPath);
    }

    /// <summary>Releases the engine.</summary>
    public void Dispose() => Engine.Dispose();
}
