using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;
using MusicML.Learning;

namespace MusicML.Similarity;

/// <summary>One track on a catalogue map.</summary>
/// <param name="Id">Track id.</param>
/// <param name="Path">Track path as stored.</param>
/// <param name="X">First map coordinate (PCA: first principal component; t-SNE: first axis).</param>
/// <param name="Y">Second map coordinate.</param>
/// <param name="Cluster">k-means cluster of the track's full embedding, 0-based.</param>
public sealed record MapPoint(string Id, string Path, double X, double Y, int Cluster);

/// <summary>
/// An unsupervised picture of a set of embeddings: k-means clusters of the full vectors (scikit-learn's k-means++
/// with restarts, <see cref="KMeans"/>) and a 2-D layout by PCA (<see cref="Pca"/>) or t-SNE (<see cref="Tsne"/>,
/// van der Maaten &amp; Hinton 2008; at most <see cref="Tsne.MaxRows"/> tracks, its perplexity capped below a third of
/// the track count so small sets work), all seeded.
/// </summary>
public static class CatalogueMap
{
    /// <summary>The layouts <see cref="Compute"/> accepts.</summary>
    public static IReadOnlyList<string> Methods { get; } = ["tsne", "pca"];

    /// <summary>Maps every track of <paramref name="store"/>.</summary>
    /// <param name="store">At least three tracks.</param>
    /// <param name="method"><c>tsne</c> or <c>pca</c>.</param>
    /// <param name="clusters">k of k-means (1 … track count).</param>
    /// <param name="seed">Seed of k-means and t-SNE.</param>
    /// <exception cref="MusicMLException">Too few tracks, an unknown method, k out of range, or t-SNE on more than <see cref="Tsne.MaxRows"/> tracks.</exception>
    public static MapPoint[] Compute(EmbeddingStore store, string method = "tsne", int clusters = 8, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(store);
        int n = store.Count;
        if (n < 3) throw new MusicMLException($"a map needs at least 3 tracks, the store has {n}");
        if (!Methods.Contains(method)) throw new MusicMLException($"unknown map method '{method}' (expected {string.Join(" or ", Methods)})");
        if (clusters < 1 || clusters > n) throw new MusicMLException($"clusters must be between 1 and the {n} tracks, got {clusters}");
        if (method == "tsne" && n > Tsne.MaxRows)
            throw new MusicMLException($"t-SNE maps at most {Tsne.MaxRows} tracks (exact gradients), the store has {n}; use the pca method");
        var x = Matrix<double>.Build.Dense(n, store.Dimension, (r, c) => store.Vector(r)[c]);
        var kmeans = new KMeans(new KMeansOptions { Clusters = clusters, Seed = seed });
        kmeans.Fit(x);
        Matrix<double> layout = method == "pca"
            ? new Pca(new PcaOptions { Components = 2 }).FitTransform(x)
            : new Tsne(new TsneOptions { Seed = seed, Perplexity = Math.Min(30, (n - 1) / 3.0) }).FitTransform(x);
        return [.. Enumerable.Range(0, n).Select(r => new MapPoint(store.Ids[r], store.Paths[r], layout[r, 0], layout[r, 1], kmeans.Labels[r]))];
    }
}
