using MusicML.Core;
using MusicML.Evaluation;

namespace MusicML.Similarity.Recommendation;

/// <summary>Top-k scores of one method (<see cref="RecommenderEvaluation"/>).</summary>
/// <param name="Method">The method.</param>
/// <param name="Users">Users scored (at least one training and one held-out item).</param>
/// <param name="K">The cut-off.</param>
/// <param name="Precision">Mean precision@k.</param>
/// <param name="Recall">Mean recall@k (for the cold-start protocol: hits / min(k, |held-out|)).</param>
/// <param name="Map">Mean average precision@k.</param>
/// <param name="Ndcg">Mean NDCG@k with binary gains.</param>
/// <param name="Coverage">Distinct items recommended to anyone / candidate items.</param>
/// <param name="FitSeconds">Training wall time.</param>
public sealed record RecommenderScores(string Method, int Users, int K, double Precision, double Recall, double Map, double Ndcg, double Coverage, double FitSeconds);

/// <summary>
/// The two protocols of <c>../shared/eval/recsys/README.md</c>. <b>Held-out interactions</b>: each user's items are
/// shuffled with a fixed seed and 20 % (rounded, at least one for users with two or more items) held out; the model
/// is fitted on the rest and ranks every catalogue item the user has not trained on; precision, recall, MAP and
/// NDCG at k against the held-out items, and catalogue coverage. <b>Cold start</b>: every interaction with a cold
/// item is removed from training; each user with a training and a held-out (cold) interaction ranks the cold items
/// only; recall@k = |top k ∩ held-out| / min(k, |held-out|) and NDCG@k. Equal scores are ordered by a seeded random
/// permutation, so a method that cannot tell items apart scores at chance rather than by catalogue order.
/// </summary>
public static class RecommenderEvaluation
{
    /// <summary>Held-out share per user.</summary>
    public const double TestFraction = 0.2;

    /// <summary>Splits each user's items into training and held-out (seeded Fisher–Yates per user, in user order).</summary>
    public static (List<Interaction> Train, Dictionary<string, HashSet<string>> Test) Split(IReadOnlyList<Interaction> records, int seed)
    {
        ArgumentNullException.ThrowIfNull(records);
        var byUser = records.GroupBy(r => r.User, StringComparer.Ordinal).ToArray();
        var random = new Random(seed);
        var train = new List<Interaction>();
        var test = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var group in byUser)
        {
            var items = group.ToArray();
            for (int i = items.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
            int held = items.Length < 2 ? 0 : Math.Max(1, (int)Math.Round(items.Length * TestFraction));
            if (held > 0) test[group.Key] = [.. items.Take(held).Select(r => r.Item)];
            train.AddRange(items.Skip(held));
        }
        return (train, test);
    }

    /// <summary>Scores the model <paramref name="fit"/> makes from the training part with the held-out protocol.</summary>
    public static RecommenderScores HeldOut(string method, Func<Interactions, Recommender> fit, IReadOnlyList<Interaction> records, int k = 10, int seed = 0,
        IEnumerable<string>? extraItems = null)
    {
        var (train, test) = Split(records, seed);
        var data = Interactions.Create(train, extraItems);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = fit(data);
        double fitSeconds = clock.Elapsed.TotalSeconds;
        var tieBreak = TieBreak(data.Items.Count, seed);
        var rankings = new List<IReadOnlyList<string>>();
        var relevant = new List<IReadOnlySet<string>>();
        var recommended = new HashSet<int>();
        var scores = new float[data.Items.Count];
        foreach (var (user, heldOut) in test)
        {
            int u = data.UserNumber(user);
            if (u < 0) continue;
            model.Score(u, scores);
            var top = Recommender.Best(scores, data.ItemsOf(u), Enumerable.Range(0, data.Items.Count), i => tieBreak[i], k);
            recommended.UnionWith(top);
            rankings.Add([.. top.Select(i => data.Items[i])]);
            relevant.Add(heldOut);
        }
        if (rankings.Count == 0) throw new MusicMLException("no user has both training and held-out interactions; nothing to evaluate");
        return Summarise(method, rankings, relevant, k, (double)recommended.Count / data.Items.Count, fitSeconds, coldRecall: false);
    }

    /// <summary>Scores a method with the cold-start protocol: <paramref name="coldItems"/> never seen in training, ranked among themselves.</summary>
    public static RecommenderScores ColdStart(string method, Func<Interactions, Recommender> fit, IReadOnlyList<Interaction> records,
        IReadOnlyCollection<string> coldItems, int k = 3, int seed = 0)
    {
        var cold = coldItems.ToHashSet(StringComparer.Ordinal);
        var train = records.Where(r => !cold.Contains(r.Item)).ToList();
        var data = Interactions.Create(train, cold.Order(StringComparer.Ordinal));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = fit(data);
        double fitSeconds = clock.Elapsed.TotalSeconds;
        var candidates = cold.Select(data.ItemNumber).Order().ToArray();
        var tieBreak = TieBreak(data.Items.Count, seed);
        var heldOut = records.Where(r => cold.Contains(r.Item)).GroupBy(r => r.User, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(r => r.Item).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var rankings = new List<IReadOnlyList<string>>();
        var relevant = new List<IReadOnlySet<string>>();
        var recommended = new HashSet<int>();
        var scores = new float[data.Items.Count];
        foreach (var (user, items) in heldOut.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            int u = data.UserNumber(user);
            if (u < 0 || data.ItemsOf(u).IsEmpty) continue;
            model.Score(u, scores);
            var top = Recommender.Best(scores, [], candidates, i => tieBreak[i], k);
            recommended.UnionWith(top);
            rankings.Add([.. top.Select(i => data.Items[i])]);
            relevant.Add(items);
        }
        if (rankings.Count == 0) throw new MusicMLException("no user has both training and cold interactions; nothing to evaluate");
        return Summarise(method, rankings, relevant, k, (double)recommended.Count / candidates.Length, fitSeconds, coldRecall: true);
    }

    private static int[] TieBreak(int items, int seed)
    {
        var order = Enumerable.Range(0, items).ToArray();
        new Random(seed ^ 0x5EED).Shuffle(order);
        var rank = new int[items];
        for (int i = 0; i < items; i++) rank[order[i]] = i;
        return rank;
    }

    private static RecommenderScores Summarise(string method, List<IReadOnlyList<string>> rankings, List<IReadOnlySet<string>> relevant, int k,
        double coverage, double fitSeconds, bool coldRecall)
    {
        int n = rankings.Count;
        double precision = 0, recall = 0, map = 0, ndcg = 0;
        for (int q = 0; q < n; q++)
        {
            precision += RetrievalEvaluation.PrecisionAtK(rankings[q], relevant[q], k);
            recall += coldRecall
                ? (double)rankings[q].Take(k).Count(relevant[q].Contains) / Math.Min(k, relevant[q].Count)
                : RetrievalEvaluation.RecallAtK(rankings[q], relevant[q], k);
            map += RetrievalEvaluation.AveragePrecisionAtK(rankings[q], relevant[q], k);
            ndcg += RetrievalEvaluation.NdcgAtK(rankings[q], relevant[q].ToDictionary(i => i, _ => 1.0), k);
        }
        return new RecommenderScores(method, n, k, precision / n, recall / n, map / n, ndcg / n, coverage, fitSeconds);
    }
}
