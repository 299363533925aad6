using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using MusicML.Core;

namespace MusicML.Similarity.Recommendation;

/// <summary>Most-popular baseline: every user gets the items most users have interacted with.</summary>
public sealed class PopularityRecommender : Recommender
{
    private float[] _popularity = [];

    /// <inheritdoc />
    public override string Method => "popularity";

    private protected override void FitCore(Interactions data)
    {
        _popularity = new float[data.Items.Count];
        for (int u = 0; u < data.Users.Count; u++)
            foreach (int i in data.ItemsOf(u)) _popularity[i]++;
    }

    /// <inheritdoc />
    public override void Score(int user, Span<float> scores) => _popularity.CopyTo(scores);

    private protected override JsonObject Parameters() => [];

    private protected override void WriteState(ChecksummedFile.Writer body) => body.WriteFloats(_popularity);

    private protected override void ReadState(ChecksummedFile.Reader body) => _popularity = ReadFloats(body, Data.Items.Count);
}

/// <summary>
/// Item-based collaborative filtering (Sarwar et al. 2001, "Item-based collaborative filtering recommendation
/// algorithms", WWW; Deshpande &amp; Karypis 2004): the cosine similarity of items' binary user columns, each item
/// keeping its <see cref="Neighbours"/> most similar items; a user's score for an item is the sum of its similarities
/// to the items the user has.
/// </summary>
public class ItemKnnRecommender : Recommender
{
    /// <summary>
    /// Neighbours kept per item unless told otherwise: on Last.fm 2k NDCG@10 was 0.197 / 0.209 / 0.214 / 0.215 with
    /// 100 / 200 / 1,000 / all neighbours (docs/similarity.md), so 1,000 keeps nearly all the accuracy at a bounded size.
    /// </summary>
    public const int DefaultNeighbours = 1000;

    private int[] _neighbourStart = [], _neighbour = [];
    private float[] _similarity = [];

    /// <summary>Creates the recommender.</summary>
    /// <param name="neighbours">Most similar items kept per item (at least 1).</param>
    /// <exception cref="MusicMLException">neighbours is below 1.</exception>
    public ItemKnnRecommender(int neighbours = DefaultNeighbours)
    {
        if (neighbours < 1) throw new MusicMLException($"neighbours must be at least 1, got {neighbours}");
        Neighbours = neighbours;
    }

    /// <summary>Most similar items kept per item.</summary>
    public int Neighbours { get; }

    /// <inheritdoc />
    public override string Method => "itemknn";

    internal static ItemKnnRecommender FromParameters(JsonObject p) => new((int?)p["neighbours"] ?? DefaultNeighbours);

    private protected override void FitCore(Interactions data)
    {
        int items = data.Items.Count;
        // Users of each item (the columns), then co-occurrence counts item by item.
        var usersOf = new List<int>[items];
        for (int i = 0; i < items; i++) usersOf[i] = [];
        for (int u = 0; u < data.Users.Count; u++)
            foreach (int i in data.ItemsOf(u)) usersOf[i].Add(u);
        var rows = new (int Item, float Similarity)[items][];
        Parallel.For(0, items, () => new float[items], (i, _, counts) =>
        {
            var touched = new List<int>();
            foreach (int u in usersOf[i])
                foreach (int j in data.ItemsOf(u))
                {
                    if (j == i) continue;
                    if (counts[j] == 0) touched.Add(j);
                    counts[j] += PathWeight(data.ItemsOf(u).Length);
                }
            var row = new (int, float)[touched.Count];
            for (int t = 0; t < touched.Count; t++)
            {
                int j = touched[t];
                row[t] = (j, (float)Similarity(counts[j], usersOf[i].Count, usersOf[j].Count));
                counts[j] = 0;
            }
            rows[i] = [.. row.OrderByDescending(r => r.Item2).ThenBy(r => r.Item1).Take(Neighbours)];
            return counts;
        }, _ => { });
        _neighbourStart = new int[items + 1];
        for (int i = 0; i < items; i++) _neighbourStart[i + 1] = _neighbourStart[i] + rows[i].Length;
        _neighbour = new int[_neighbourStart[^1]];
        _similarity = new float[_neighbourStart[^1]];
        for (int i = 0; i < items; i++)
            for (int t = 0; t < rows[i].Length; t++) (_neighbour[_neighbourStart[i] + t], _similarity[_neighbourStart[i] + t]) = rows[i][t];
    }

    /// <inheritdoc />
    public override void Score(int user, Span<float> scores)
    {
        scores.Clear();
        // sim is symmetric before pruning; scoring through each owned item's neighbour list is the usual approximation.
        foreach (int j in Data.ItemsOf(user))
            for (int t = _neighbourStart[j]; t < _neighbourStart[j + 1]; t++) scores[_neighbour[t]] += _similarity[t];
    }

    /// <summary>What one user who has both items adds to their co-occurrence (cosine: 1).</summary>
    private protected virtual float PathWeight(int itemsOfUser) => 1;

    /// <summary>The similarity from the summed co-occurrence and the two items' user counts (cosine: c / √(nᵢ nⱼ)).</summary>
    private protected virtual double Similarity(double cooccurrence, int usersOfItem, int usersOfNeighbour) =>
        cooccurrence / Math.Sqrt((double)usersOfItem * usersOfNeighbour);

    private protected override JsonObject Parameters() => new() { ["neighbours"] = Neighbours };

    private protected override void WriteState(ChecksummedFile.Writer body)
    {
        WriteInts(body, _neighbourStart);
        WriteInts(body, _neighbour);
        body.WriteFloats(_similarity);
    }

    private protected override void ReadState(ChecksummedFile.Reader body)
    {
        _neighbourStart = ReadInts(body, Data.Items.Count + 1);
        int total = _neighbourStart[^1];
        if (total < 0 || _neighbourStart[0] != 0) throw body.Damaged("neighbour lists are inconsistent");
        _neighbour = ReadInts(body, total);
        _similarity = ReadFloats(body, total);
        if (_neighbour.Any(j => j < 0 || j >= Data.Items.Count)) throw body.Damaged("a neighbour is outside the catalogue");
    }
}

/// <summary>
/// RP3β (Paudel, Christoffel, Newell &amp; Bernstein 2016, "Updatable, accurate, diverse, and scalable
/// recommendations for interactive applications", ACM TiiS): item-to-item transition probabilities of a random walk
/// item → user → item on the binary interaction graph, Σᵤ 1/|U(i)| · 1/|I(u)|, divided by the target item's
/// popularity to the power β so that the walk's pull towards hits is damped; scored like <see cref="ItemKnnRecommender"/>.
/// β trades accuracy against diversity and its best value depends on the data, so unless it is given it is chosen
/// on the training data itself: each user's training items are split 80/20 again (seed 1), every β of
/// <see cref="BetaCandidates"/> is scored by NDCG@10 on that inner split, and the best is refitted on everything.
/// </summary>
public sealed class Rp3BetaRecommender : ItemKnnRecommender
{
    /// <summary>The β values the inner validation chooses from.</summary>
    public static IReadOnlyList<double> BetaCandidates { get; } = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];

    private readonly bool _chooseBeta;

    /// <summary>Creates the recommender.</summary>
    /// <param name="neighbours">Most similar items kept per item.</param>
    /// <param name="beta">Popularity damping in [0, 1], or null to choose it by inner validation when fitting.</param>
    /// <exception cref="MusicMLException">neighbours is below 1 or β is outside [0, 1].</exception>
    public Rp3BetaRecommender(int neighbours = DefaultNeighbours, double? beta = null) : base(neighbours)
    {
        if (beta is { } b && !(b >= 0 && b <= 1)) throw new MusicMLException($"beta must be between 0 and 1, got {b}");
        (_chooseBeta, Beta) = (beta is null, beta ?? double.NaN);
    }

    /// <summary>Popularity damping exponent β (NaN until chosen by the first fit when it was not given).</summary>
    public double Beta { get; private set; }

    /// <summary>NDCG@10 of each candidate β on the inner split, when β was chosen.</summary>
    public IReadOnlyList<(double Beta, double Ndcg)> BetaValidation { get; private set; } = [];

    /// <inheritdoc />
    public override string Method => "rp3beta";

    internal static new Rp3BetaRecommender FromParameters(JsonObject p) => new((int?)p["neighbours"] ?? DefaultNeighbours, (double?)p["beta"] ?? 0.5);

    private protected override void FitCore(Interactions data)
    {
        if (_chooseBeta)
        {
            var records = new List<Interaction>(data.Count);
            for (int u = 0; u < data.Users.Count; u++)
            {
                var items = data.ItemsOf(u);
                var weights = data.WeightsOf(u);
                for (int k = 0; k < items.Length; k++) records.Add(new Interaction(data.Users[u], data.Items[items[k]], weights[k]));
            }
            BetaValidation = [.. BetaCandidates.Select(beta => (beta,
                RecommenderEvaluation.HeldOut(Method, inner => new Rp3BetaRecommender(Neighbours, beta).Fit(inner), records, k: 10, seed: 1, data.Items).Ndcg))];
            Beta = BetaValidation.MaxBy(v => v.Ndcg).Beta;
        }
        base.FitCore(data);
    }

    private protected override float PathWeight(int itemsOfUser) => 1f / itemsOfUser;

    private protected override double Similarity(double cooccurrence, int usersOfItem, int usersOfNeighbour) =>
        cooccurrence / usersOfItem / Math.Pow(usersOfNeighbour, Beta);

    private protected override JsonObject Parameters() => new() { ["neighbours"] = Neighbours, ["beta"] = Beta };
}

/// <summary>Hyper-parameters of <see cref="AlsRecommender"/>, validated on construction of the recommender.</summary>
/// <param name="Factors">Latent dimensions.</param>
/// <param name="Iterations">Alternating sweeps (users, then items).</param>
/// <param name="Regularization">λ of the L2 penalty.</param>
/// <param name="Alpha">Confidence scale: c = 1 + α·log(1 + w / ε).</param>
/// <param name="Epsilon">ε of the confidence (play counts below it count about linearly).</param>
/// <param name="ConjugateGradientSteps">CG steps per row and sweep (Takács et al. use 3).</param>
/// <param name="Seed">Seed of the initial factors.</param>
/// <param name="Threads">Threads for the sweeps (−1: every core).</param>
public sealed record AlsOptions(int Factors = 64, int Iterations = 15, double Regularization = 0.1, double Alpha = 40, double Epsilon = 1,
    int ConjugateGradientSteps = 3, int Seed = 0, int Threads = -1)
{
    internal void Validate()
    {
        var errors = new List<string>();
        if (Factors < 1) errors.Add($"factors must be at least 1, got {Factors}");
        if (Iterations < 1) errors.Add($"iterations must be at least 1, got {Iterations}");
        if (!(Regularization >= 0) || !double.IsFinite(Regularization)) errors.Add($"regularization must be finite and ≥ 0, got {Regularization}");
        if (!(Alpha >= 0) || !double.IsFinite(Alpha)) errors.Add($"alpha must be finite and ≥ 0, got {Alpha}");
        if (!(Epsilon > 0) || !double.IsFinite(Epsilon)) errors.Add($"epsilon must be finite and > 0, got {Epsilon}");
        if (ConjugateGradientSteps < 1) errors.Add($"conjugate-gradient steps must be at least 1, got {ConjugateGradientSteps}");
        if (Threads is 0 or < -1) errors.Add($"threads must be −1 or at least 1, got {Threads}");
        if (errors.Count > 0) throw new MusicMLException("ALS: " + string.Join("; ", errors));
    }

    internal JsonObject ToJson() => new()
    {
        ["factors"] = Factors, ["iterations"] = Iterations, ["regularization"] = Regularization, ["alpha"] = Alpha,
        ["epsilon"] = Epsilon, ["cg_steps"] = ConjugateGradientSteps, ["seed"] = Seed,
    };

    internal static AlsOptions FromJson(JsonObject p) => new(
        (int?)p["factors"] ?? 64, (int?)p["iterations"] ?? 15, (double?)p["regularization"] ?? 0.1, (double?)p["alpha"] ?? 40,
        (double?)p["epsilon"] ?? 1, (int?)p["cg_steps"] ?? 3, (int?)p["seed"] ?? 0);
}

/// <summary>
/// Implicit-feedback matrix factorisation (Hu, Koren &amp; Volinsky 2008, "Collaborative Filtering for Implicit
/// Feedback Datasets", ICDM): preference 1 for every observed pair with confidence c = 1 + α·log(1 + w/ε), 0 with
/// confidence 1 elsewhere, fitted by alternating least squares whose per-row systems
/// (YᵀY + Yᵀ(Cᵤ − I)Y + λI) xᵤ = YᵀCᵤpᵤ are solved approximately by a few conjugate-gradient steps warm-started
/// from the previous sweep (Takács, Pilászy &amp; Tikk 2011, "Applications of the conjugate gradient method for
/// implicit feedback collaborative filtering", RecSys). YᵀY is computed once per sweep, so a row costs
/// O(f² + nᵤ·f) per step; rows run in parallel. Deterministic for a seed: each row's solve depends only on the
/// other side's factors.
/// </summary>
public class AlsRecommender : Recommender
{
    private protected float[] _userFactors = [], _itemFactors = [];

    /// <summary>Creates the recommender.</summary>
    /// <exception cref="MusicMLException">An option is out of range (every problem named).</exception>
    public AlsRecommender(AlsOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public AlsOptions Options { get; }

    /// <inheritdoc />
    public override string Method => "als";

    internal static AlsRecommender FromParameters(JsonObject p) => new(AlsOptions.FromJson(p));

    /// <summary>Item factors, item after item (items × factors).</summary>
    public ReadOnlySpan<float> ItemFactors => _itemFactors;

    /// <summary>User factors, user after user (users × factors).</summary>
    public ReadOnlySpan<float> UserFactors => _userFactors;

    private protected override void FitCore(Interactions data)
    {
        int f = Options.Factors, users = data.Users.Count, items = data.Items.Count;
        var random = new Random(Options.Seed);
        _userFactors = new float[users * f];
        _itemFactors = new float[items * f];
        for (int i = 0; i < _userFactors.Length; i++) _userFactors[i] = (float)(random.NextDouble() * 0.01);
        for (int i = 0; i < _itemFactors.Length; i++) _itemFactors[i] = (float)(random.NextDouble() * 0.01);

        // The item side's rows: each item's users and confidences (the transposed matrix).
        var (rowStart, itemsOfRows, weights) = data.Parts;
        var columnStart = new int[items + 1];
        foreach (int i in itemsOfRows) columnStart[i + 1]++;
        for (int i = 0; i < items; i++) columnStart[i + 1] += columnStart[i];
        var usersOfColumns = new int[itemsOfRows.Length];
        var columnConfidence = new float[itemsOfRows.Length];
        var rowConfidence = new float[itemsOfRows.Length];
        var fill = columnStart[..^1].ToArray();
        for (int u = 0; u < users; u++)
            for (int k = rowStart[u]; k < rowStart[u + 1]; k++)
            {
                float c = (float)(1 + Options.Alpha * Math.Log(1 + weights[k] / Options.Epsilon));
                rowConfidence[k] = c;
                int slot = fill[itemsOfRows[k]]++;
                usersOfColumns[slot] = u;
                columnConfidence[slot] = c;
            }
        for (int iteration = 0; iteration < Options.Iterations; iteration++)
        {
            Sweep(_userFactors, _itemFactors, users, rowStart, itemsOfRows, rowConfidence);
            Sweep(_itemFactors, _userFactors, items, columnStart, usersOfColumns, columnConfidence);
        }
        AfterFit(data);
    }

    /// <summary>Hook for <see cref="HybridRecommender"/>: runs after the factors are fitted.</summary>
    private protected virtual void AfterFit(Interactions data)
    {
    }

    /// <summary>One half-sweep: every row of <paramref name="solve"/> against the fixed <paramref name="fixedFactors"/>.</summary>
    private void Sweep(float[] solve, float[] fixedFactors, int rows, int[] start, int[] others, float[] confidence)
    {
        int f = Options.Factors;
        // Gram matrix YᵀY + λI of the fixed side, f × f.
        var gram = new float[f * f];
        int fixedRows = fixedFactors.Length / f;
        // Rank-one updates with SIMD rows, summed in float within blocks of 1,024 rows, then the blocks in block
        // order in double, so the result does not depend on which thread ran which block.
        int blocks = (fixedRows + 1023) / 1024;
        var blockSums = new float[blocks][];
        Parallel.For(0, blocks, Threading(), block =>
        {
            var sum = new float[f * f];
            for (int r = block * 1024; r < Math.Min(fixedRows, (block + 1) * 1024); r++)
            {
                var y = fixedFactors.AsSpan(r * f, f);
                for (int a = 0; a < f; a++)
                {
                    var row = sum.AsSpan(a * f, f);
                    TensorPrimitives.MultiplyAdd(y, y[a], row, row);
                }
            }
            blockSums[block] = sum;
        });
        var total = new double[f * f];
        foreach (var sum in blockSums)
            for (int i = 0; i < total.Length; i++) total[i] += sum[i];
        for (int i = 0; i < gram.Length; i++) gram[i] = (float)total[i];
        for (int a = 0; a < f; a++) gram[a * f + a] += (float)Options.Regularization;

        Parallel.For(0, rows, Threading(), () => new float[4 * f], (row, _, buffer) =>
        {
            var x = solve.AsSpan(row * f, f);
            Span<float> r = buffer.AsSpan(0, f), p = buffer.AsSpan(f, f), ap = buffer.AsSpan(2 * f, f);
            // r = b − A x, with b = Σ cᵢ yᵢ and A x = G x + Σ (cᵢ − 1)(yᵢ·x) yᵢ.
            MultiplyGram(gram, x, r, f);
            TensorPrimitives.Negate(r, r);
            for (int k = start[row]; k < start[row + 1]; k++)
            {
                var y = fixedFactors.AsSpan(others[k] * f, f);
                float c = confidence[k];
                TensorPrimitives.MultiplyAdd(y, c - (c - 1) * TensorPrimitives.Dot(y, x), r, r);
            }
            r.CopyTo(p);
            float rsOld = TensorPrimitives.Dot(r, r);
            for (int step = 0; step < Options.ConjugateGradientSteps && rsOld > 1e-20f; step++)
            {
                MultiplyGram(gram, p, ap, f);
                for (int k = start[row]; k < start[row + 1]; k++)
                {
                    var y = fixedFactors.AsSpan(others[k] * f, f);
                    TensorPrimitives.MultiplyAdd(y, (confidence[k] - 1) * TensorPrimitives.Dot(y, p), ap, ap);
                }
                float pAp = TensorPrimitives.Dot(p, ap);
                if (!(pAp > 0)) break;
                float step_ = rsOld / pAp;
                TensorPrimitives.MultiplyAdd(p, step_, x, x);
                TensorPrimitives.MultiplyAdd(ap, -step_, r, r);
                float rsNew = TensorPrimitives.Dot(r, r);
                // p = r + (rsNew / rsOld) p
                TensorPrimitives.MultiplyAdd(p, rsNew / rsOld, r, p);
                rsOld = rsNew;
            }
            return buffer;
        }, _ => { });
    }

    private ParallelOptions Threading() => new() { MaxDegreeOfParallelism = Options.Threads };

    private static void MultiplyGram(float[] gram, ReadOnlySpan<float> v, Span<float> result, int f)
    {
        for (int a = 0; a < f; a++) result[a] = TensorPrimitives.Dot(gram.AsSpan(a * f, f), v);
    }

    /// <inheritdoc />
    public override void Score(int user, Span<float> scores)
    {
        int f = Options.Factors;
        var x = _userFactors.AsSpan(user * f, f);
        for (int i = 0; i < scores.Length; i++) scores[i] = TensorPrimitives.Dot(_itemFactors.AsSpan(i * f, f), x);
    }

    private protected override JsonObject Parameters() => Options.ToJson();

    private protected override void WriteState(ChecksummedFile.Writer body)
    {
        body.WriteFloats(_userFactors);
        body.WriteFloats(_itemFactors);
    }

    private protected override void ReadState(ChecksummedFile.Reader body)
    {
        _userFactors = ReadFloats(body, (long)Data.Users.Count * Options.Factors);
        _itemFactors = ReadFloats(body, (long)Data.Items.Count * Options.Factors);
    }
}

/// <summary>
/// ALS for the items people have played, audio for the rest: every catalogue item without interactions (a new
/// release, a track nobody has found yet) gets item factors regressed from its audio embedding, the
/// similarity-weighted mean of the factors of its <see cref="ContentNeighbours"/> nearest warm items in embedding space
/// (a content-to-latent mapping in the spirit of van den Oord, Dieleman &amp; Schrauwen 2013, "Deep content-based
/// music recommendation", NIPS, with a nearest-neighbour regressor). Warm items keep their collaborative factors,
/// so cold and warm items are scored on one scale. Items are matched to the store by track id.
/// </summary>
public sealed class HybridRecommender : AlsRecommender
{
    /// <summary>Warm neighbours a cold item's factors are drawn from, unless told otherwise.</summary>
    public const int DefaultContentNeighbours = 5;

    private readonly EmbeddingStore? _embeddings;

    /// <summary>Creates the recommender over <paramref name="embeddings"/> (track id = item id).</summary>
    /// <exception cref="MusicMLException">An option is out of range.</exception>
    public HybridRecommender(EmbeddingStore? embeddings, AlsOptions? options = null, int contentNeighbours = DefaultContentNeighbours) : base(options)
    {
        if (contentNeighbours < 1) throw new MusicMLException($"content neighbours must be at least 1, got {contentNeighbours}");
        (_embeddings, ContentNeighbours) = (embeddings, contentNeighbours);
    }

    /// <summary>Warm neighbours per cold item.</summary>
    public int ContentNeighbours { get; }

    /// <summary>Items that got their factors from audio in the last fit (or the loaded model).</summary>
    public int ColdItems { get; private set; }

    /// <inheritdoc />
    public override string Method => "hybrid";

    internal new static HybridRecommender FromParameters(JsonObject p) =>
        new(null, AlsOptions.FromJson(p), (int?)p["content_neighbours"] ?? DefaultContentNeighbours) { ColdItems = (int?)p["cold_items"] ?? 0 };

    private protected override void AfterFit(Interactions data)
    {
        ColdItems = 0;
        if (_embeddings is null) return;
        int f = Options.Factors;
        var played = new bool[data.Items.Count];
        for (int u = 0; u < data.Users.Count; u++)
            foreach (int i in data.ItemsOf(u)) played[i] = true;
        // Warm items with an embedding form the content index; row r of it is catalogue item warm[r].
        var warm = new List<int>();
        using var index = new ExactIndex(_embeddings.Dimension);
        for (int i = 0; i < data.Items.Count; i++)
        {
            int row = RowOfId(data.Items[i]);
            if (played[i] && row >= 0)
            {
                warm.Add(i);
                index.Add(_embeddings.Vector(row));
            }
        }
        if (warm.Count == 0) return;
        for (int i = 0; i < data.Items.Count; i++)
        {
            if (played[i]) continue;
            int row = RowOfId(data.Items[i]);
            if (row < 0) continue;
            var factors = _itemFactors.AsSpan(i * f, f);
            factors.Clear();
            double total = 0;
            foreach (var hit in index.Search(_embeddings.Vector(row), ContentNeighbours))
            {
                float weight = Math.Max(hit.Score, 0);
                TensorPrimitives.MultiplyAdd(_itemFactors.AsSpan(warm[hit.Row] * f, f), weight, factors, factors);
                total += weight;
            }
            if (total > 0) TensorPrimitives.Multiply(factors, (float)(1 / total), factors);
            ColdItems++;
        }
    }

    private Dictionary<string, int>? _rowOfId;

    private int RowOfId(string id)
    {
        if (_rowOfId is null)
        {
            _rowOfId = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int r = 0; r < _embeddings!.Count; r++) _rowOfId.TryAdd(_embeddings.Ids[r], r);
        }
        return _rowOfId.GetValueOrDefault(id, -1);
    }

    private protected override JsonObject Parameters()
    {
        var p = base.Parameters();
        p["content_neighbours"] = ContentNeighbours;
        p["cold_items"] = ColdItems;
        return p;
    }
}
