using MusicML.Core;

namespace MusicML.Similarity;

/// <summary>One search hit: the row of the indexed vector and its cosine similarity to the query (1 = same direction).</summary>
public readonly record struct Neighbor(int Row, float Score);

/// <summary>
/// Cosine nearest-neighbour search over unit vectors, rows numbered in the order they were added. The one interface
/// every engine sits behind: <see cref="ExactIndex"/> (every row scored; the reference) and <see cref="HnswIndex"/>
/// (USearch's HNSW graph; approximate, sub-linear). Vectors are expected L2-normalised (as
/// <see cref="EmbeddingStore"/> keeps them), so the dot product is the cosine.
/// </summary>
public interface IVectorIndex : IDisposable
{
    /// <summary>Floats per vector.</summary>
    int Dimension { get; }

    /// <summary>Rows indexed so far.</summary>
    int Count { get; }

    /// <summary>The engine's name as <c>musicml index info</c> prints it (<c>exact</c>, <c>hnsw</c>).</summary>
    string Engine { get; }

    /// <summary>Appends the rows of <paramref name="vectors"/> (a multiple of <see cref="Dimension"/> floats) as rows <see cref="Count"/>, <see cref="Count"/> + 1, ….</summary>
    /// <exception cref="MusicMLException">The length is not a multiple of the dimension.</exception>
    void Add(ReadOnlySpan<float> vectors);

    /// <summary>The <paramref name="k"/> rows most similar to <paramref name="query"/>, best first (fewer when the index is smaller).</summary>
    /// <exception cref="MusicMLException">The query has the wrong length or k is not positive.</exception>
    Neighbor[] Search(ReadOnlySpan<float> query, int k);
}

/// <summary>Argument checks every engine shares.</summary>
internal static class IndexChecks
{
    public static int Rows(ReadOnlySpan<float> vectors, int dimension)
    {
        if (vectors.Length % dimension != 0)
            throw new MusicMLException($"{vectors.Length} floats are not whole {dimension}-dimensional vectors");
        foreach (var v in vectors)
            if (!float.IsFinite(v)) throw new MusicMLException("vectors to index hold NaN or infinite values");
        return vectors.Length / dimension;
    }

    public static void Query(ReadOnlySpan<float> query, int dimension, int k)
    {
        if (query.Length != dimension) throw new MusicMLException($"query has {query.Length} values, the index holds {dimension}-dimensional vectors");
        if (k <= 0) throw new MusicMLException($"k must be positive, got {k}");
        foreach (var v in query)
            if (!float.IsFinite(v)) throw new MusicMLException("query holds NaN or infinite values");
    }
}
