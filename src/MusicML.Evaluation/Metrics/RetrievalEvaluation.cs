namespace MusicML.Evaluation;

/// <summary>
/// Ranking scores for retrieval and recommendation (Manning, Raghavan &amp; Schütze, "Introduction to Information
/// Retrieval", 2008, ch. 8; Järvelin &amp; Kekäläinen, "Cumulated gain-based evaluation of IR techniques", ACM TOIS
/// 2002). A ranking is a list of item ids, best first; relevance is a set of ids (binary) or a map of id → gain.
/// Definitions: precision@k = relevant items in the top k / k (a ranking shorter than k is padded with misses);
/// recall@k = relevant items in the top k / all relevant; AP@k = Σᵢ≤ₖ precision@i · relᵢ / min(|relevant|, k);
/// DCG@k = Σᵢ≤ₖ gainᵢ / log2(i + 1), NDCG@k = DCG@k / the DCG@k of the ideal ranking; reciprocal rank = 1 / rank of
/// the first relevant item (0 if none). The mean over queries gives MAP@k and MRR. Queries with no relevant item
/// score 0.
/// </summary>
public static class RetrievalEvaluation
{
    /// <summary>Fraction of the top <paramref name="k"/> that is relevant.</summary>
    public static double PrecisionAtK<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k)
    {
        CheckK(k);
        return (double)HitsInTop(ranking, relevant, k) / k;
    }

    /// <summary>Fraction of the relevant items found in the top <paramref name="k"/> (0 when nothing is relevant).</summary>
    public static double RecallAtK<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k)
    {
        CheckK(k);
        ArgumentNullException.ThrowIfNull(relevant);
        return relevant.Count == 0 ? 0.0 : (double)HitsInTop(ranking, relevant, k) / relevant.Count;
    }

    /// <summary>Average precision over the top <paramref name="k"/>, normalised by min(|relevant|, k).</summary>
    public static double AveragePrecisionAtK<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k)
    {
        CheckK(k);
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(relevant);
        if (relevant.Count == 0) return 0.0;
        var seen = new HashSet<T>();
        double sum = 0;
        int hits = 0;
        for (int i = 0; i < Math.Min(k, ranking.Count); i++)
        {
            // A repeated item counts once, so a ranking cannot earn credit twice for the same relevant item.
            if (relevant.Contains(ranking[i]) && seen.Add(ranking[i]))
            {
                hits++;
                sum += (double)hits / (i + 1);
            }
        }
        return sum / Math.Min(relevant.Count, k);
    }

    /// <summary>Normalised discounted cumulative gain at <paramref name="k"/> with graded gains (items not in <paramref name="gains"/> gain 0).</summary>
    public static double NdcgAtK<T>(IReadOnlyList<T> ranking, IReadOnlyDictionary<T, double> gains, int k)
    {
        CheckK(k);
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(gains);
        foreach (var g in gains.Values)
            if (!(g >= 0) || !double.IsFinite(g)) throw new AnnotationException($"Relevance gains must be finite and non-negative, got {g}.");
        var seen = new HashSet<T>();
        double dcg = 0;
        for (int i = 0; i < Math.Min(k, ranking.Count); i++)
            if (seen.Add(ranking[i]) && gains.TryGetValue(ranking[i], out var gain)) dcg += gain / Math.Log2(i + 2);
        var ideal = gains.Values.OrderDescending().Take(k).ToArray();
        double idcg = 0;
        for (int i = 0; i < ideal.Length; i++) idcg += ideal[i] / Math.Log2(i + 2);
        return idcg == 0 ? 0.0 : dcg / idcg;
    }

    /// <summary>NDCG at <paramref name="k"/> with binary relevance (gain 1 for each relevant item).</summary>
    public static double NdcgAtK<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(relevant);
        return NdcgAtK(ranking, relevant.ToDictionary(r => r, _ => 1.0), k);
    }

    /// <summary>1 / (1-based rank of the first relevant item), 0 when none is ranked.</summary>
    public static double ReciprocalRank<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(relevant);
        for (int i = 0; i < ranking.Count; i++) if (relevant.Contains(ranking[i])) return 1.0 / (i + 1);
        return 0.0;
    }

    /// <summary>Mean of <see cref="AveragePrecisionAtK"/> over queries (MAP@k).</summary>
    public static double MeanAveragePrecisionAtK<T>(IReadOnlyList<IReadOnlyList<T>> rankings, IReadOnlyList<IReadOnlySet<T>> relevant, int k) =>
        MeanOverQueries(rankings, relevant, (r, s) => AveragePrecisionAtK(r, s, k));

    /// <summary>Mean of <see cref="ReciprocalRank"/> over queries (MRR).</summary>
    public static double MeanReciprocalRank<T>(IReadOnlyList<IReadOnlyList<T>> rankings, IReadOnlyList<IReadOnlySet<T>> relevant) =>
        MeanOverQueries(rankings, relevant, ReciprocalRank);

    private static double MeanOverQueries<T>(IReadOnlyList<IReadOnlyList<T>> rankings, IReadOnlyList<IReadOnlySet<T>> relevant, Func<IReadOnlyList<T>, IReadOnlySet<T>, double> metric)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        ArgumentNullException.ThrowIfNull(relevant);
        if (rankings.Count != relevant.Count) throw new AnnotationException($"{rankings.Count} rankings but {relevant.Count} relevance sets.");
        if (rankings.Count == 0) throw new AnnotationException("No queries to score.");
        double sum = 0;
        for (int q = 0; q < rankings.Count; q++) sum += metric(rankings[q], relevant[q]);
        return sum / rankings.Count;
    }

    private static int HitsInTop<T>(IReadOnlyList<T> ranking, IReadOnlySet<T> relevant, int k)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        ArgumentNullException.ThrowIfNull(relevant);
        var seen = new HashSet<T>();
        int hits = 0;
        for (int i = 0; i < Math.Min(k, ranking.Count); i++) if (relevant.Contains(ranking[i]) && seen.Add(ranking[i])) hits++;
        return hits;
    }

    private static void CheckK(int k)
    {
        if (k < 1) throw new AnnotationException($"k must be at least 1, got {k}.");
    }
}
