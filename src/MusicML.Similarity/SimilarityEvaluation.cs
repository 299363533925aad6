using MusicML.Core;
using MusicML.Evaluation;

namespace MusicML.Similarity;

/// <summary>Retrieval scores of an index against labels (<see cref="SimilarityEvaluation.Evaluate"/>).</summary>
/// <param name="Queries">Labelled tracks used as queries (each with at least one other track of its label).</param>
/// <param name="MeanAveragePrecision">MAP over the full ranking of the other labelled tracks.</param>
/// <param name="PrecisionAt1">Mean precision@1.</param>
/// <param name="PrecisionAt3">Mean precision@3.</param>
/// <param name="Unmatched">Labelled ids the index does not hold, or indexed tracks without a label (ignored).</param>
public sealed record SimilarityScores(int Queries, double MeanAveragePrecision, double PrecisionAt1, double PrecisionAt3, IReadOnlyList<string> Unmatched);

/// <summary>
/// Query-by-example evaluation: every labelled track of the index is a query against all the other labelled tracks,
/// which are ranked by cosine similarity; tracks sharing its label are relevant. Scored with
/// <see cref="RetrievalEvaluation"/> (Manning et al. 2008): average precision over the whole ranking (so MAP does
/// not depend on a cut-off) and precision@1 and @3. Exact search is used whatever the index's engine, so the figure
/// measures the embedding, not the approximation.
/// </summary>
public static class SimilarityEvaluation
{
    /// <summary>Scores <paramref name="store"/>'s vectors against <paramref name="labels"/> (track id → label).</summary>
    /// <exception cref="MusicMLException">No label group has two indexed tracks, so nothing can be scored.</exception>
    public static SimilarityScores Evaluate(EmbeddingStore store, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(labels);
        var rows = Enumerable.Range(0, store.Count).Where(r => labels.ContainsKey(store.Ids[r])).ToArray();
        var indexedIds = store.Ids.ToHashSet(StringComparer.Ordinal);
        var unmatched = labels.Keys.Where(id => !indexedIds.Contains(id))
            .Concat(store.Ids.Where(id => !labels.ContainsKey(id))).Order(StringComparer.Ordinal).ToArray();
        var exact = new ExactIndex(store.Dimension);
        foreach (int r in rows) exact.Add(store.Vector(r));
        var rankings = new List<IReadOnlyList<int>>();
        var relevant = new List<IReadOnlySet<int>>();
        for (int q = 0; q < rows.Length; q++)
        {
            string label = labels[store.Ids[rows[q]]];
            var same = Enumerable.Range(0, rows.Length).Where(o => o != q && labels[store.Ids[rows[o]]] == label).ToHashSet();
            if (same.Count == 0) continue;
            var ranking = exact.Search(store.Vector(rows[q]), rows.Length).Select(n => n.Row).Where(o => o != q).ToArray();
            rankings.Add(ranking);
            relevant.Add(same);
        }
        if (rankings.Count == 0)
            throw new MusicMLException($"no label has two indexed tracks ({rows.Length} of {store.Count} indexed tracks are labelled), so there is nothing to retrieve");
        int depth = Math.Max(1, rows.Length - 1);
        return new SimilarityScores(rankings.Count,
            RetrievalEvaluation.MeanAveragePrecisionAtK(rankings, relevant, depth),
            Enumerable.Range(0, rankings.Count).Average(i => RetrievalEvaluation.PrecisionAtK(rankings[i], relevant[i], 1)),
            Enumerable.Range(0, rankings.Count).Average(i => RetrievalEvaluation.PrecisionAtK(rankings[i], relevant[i], 3)),
            unmatched);
    }
}
