using MusicML.Core;
using MusicML.Similarity.Recommendation;
using MusicML.TestSupport;

namespace MusicML.Similarity.Tests;

public sealed class RecommenderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-recsys-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// Two tastes: users 0–39 play items a0–a9, users 40–79 items b0–b9, each user 6 of their 10 (seeded), weights
    /// 1–50. Any sensible recommender fills a user's list with the unplayed items of their own block.
    /// </summary>
    private static List<Interaction> TwoTastes()
    {
        var random = new Random(3);
        var records = new List<Interaction>();
        for (int u = 0; u < 80; u++)
        {
            string block = u < 40 ? "a" : "b";
            foreach (int i in Enumerable.Range(0, 10).OrderBy(_ => random.Next()).Take(6))
                records.Add(new Interaction($"u{u}", $"{block}{i}", 1 + random.Next(50)));
        }
        return records;
    }

    public static TheoryData<string> Methods => new() { "popularity", "itemknn", "rp3beta", "als", "hybrid" };

    private static Recommender New(string method) => method switch
    {
        "popularity" => new PopularityRecommender(),
        "itemknn" => new ItemKnnRecommender(),
        "rp3beta" => new Rp3BetaRecommender(beta: 0.5),
        "als" => new AlsRecommender(new AlsOptions(Factors: 8, Iterations: 10)),
        _ => new HybridRecommender(null, new AlsOptions(Factors: 8, Iterations: 10)),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void RoundTripsThroughItsFileAndNeverRecommendsWhatTheUserHas(string method)
    {
        var data = Interactions.Create(TwoTastes());
        var model = New(method).Fit(data);
        string path = Path.Combine(_folder, method + ".model");
        model.Save(path);
        var loaded = Recommender.Load(path);
        Assert.Equal(method, loaded.Method);
        foreach (var user in new[] { "u0", "u41", "u79" })
        {
            var expected = model.Recommend(user, 20);
            Assert.Equal(expected, loaded.Recommend(user, 20));
            var owned = data.ItemsOf(data.UserNumber(user)).ToArray().Select(i => data.Items[i]).ToHashSet();
            Assert.DoesNotContain(expected, r => owned.Contains(r.Item));
            Assert.Equal(20 - 6, expected.Length); // the whole catalogue minus the user's 6 items
        }
    }

    [Theory]
    [InlineData("itemknn")]
    [InlineData("rp3beta")]
    [InlineData("als")]
    public void CollaborativeMethodsRecommendTheUsersOwnTaste(string method)
    {
        var data = Interactions.Create(TwoTastes());
        var model = New(method).Fit(data);
        foreach (var (user, block) in new[] { ("u3", 'a'), ("u50", 'b') })
            Assert.All(model.Recommend(user, 4), r => Assert.Equal(block, r.Item[0]));
    }

    [Fact]
    public void AlsIsReproducibleForASeedWhateverTheThreadCount()
    {
        var data = Interactions.Create(TwoTastes());
        var one = new AlsRecommender(new AlsOptions(Factors: 8, Iterations: 5, Seed: 7, Threads: 1));
        var all = new AlsRecommender(new AlsOptions(Factors: 8, Iterations: 5, Seed: 7));
        one.Fit(data);
        all.Fit(data);
        Assert.Equal(one.UserFactors.ToArray(), all.UserFactors.ToArray());
        Assert.Equal(one.ItemFactors.ToArray(), all.ItemFactors.ToArray());
        Assert.Contains("factors must be at least 1", Assert.Throws<MusicMLException>(() => new AlsRecommender(new AlsOptions(Factors: 0, Alpha: -1))).Message);
    }

    [Fact]
    public void ItemKnnScoresAreSumsOfCosines()
    {
        // Items x (users 1, 2), y (users 1, 2, 3), z (user 3): cos(x, y) = 2 / √6, cos(y, z) = 1 / √3, cos(x, z) = 0.
        var data = Interactions.Create([new("1", "x", 1), new("2", "x", 1), new("1", "y", 1), new("2", "y", 1), new("3", "y", 1), new("3", "z", 1)]);
        var model = new ItemKnnRecommender().Fit(data);
        var scores = new float[3];
        model.Score(data.UserNumber("3"), scores); // user 3 has y and z
        Assert.Equal(2 / Math.Sqrt(6), scores[data.ItemNumber("x")], 6);
    }

    [Fact]
    public void TheHybridPlacesAColdItemBesideItsAudioTwin()
    {
        // c0 has no interactions; its embedding equals a0's, so it must take a0's factors and rank like it.
        var records = TwoTastes();
        var space = new EmbeddingSpace(EmbeddingSpace.FeaturesKind, "test", "", 3, [0, 0, 0], [1, 1, 1]);
        var store = new EmbeddingStore(space);
        for (int i = 0; i < 10; i++)
        {
            store.Add($"a{i}", $"a{i}.wav", [1, 0.1f * i, 0]);
            store.Add($"b{i}", $"b{i}.wav", [0, 0.1f * i, 1]);
        }
        store.Add("c0", "c0.wav", [1, 0, 0]);
        var data = Interactions.Create(records, store.Ids);
        var hybrid = new HybridRecommender(store, new AlsOptions(Factors: 8, Iterations: 10));
        hybrid.Fit(data);
        Assert.Equal(1, hybrid.ColdItems);
        int user = data.UserNumber("u3"), other = data.UserNumber("u50");
        var scores = new float[data.Items.Count];
        hybrid.Score(user, scores);
        float cold = scores[data.ItemNumber("c0")];
        Assert.True(cold > scores[data.ItemNumber("b0")], "a block-a user scores the block-a twin above block-b items");
        hybrid.Score(other, scores);
        Assert.True(scores[data.ItemNumber("c0")] < scores[data.ItemNumber("b0")]);
        // Plain ALS has nothing for c0: it keeps its random initial factors.
        Assert.Contains(hybrid.Recommend("u3", 30), r => r.Item == "c0");
    }

    [Fact]
    public void InteractionFilesAreValidatedLineByLine()
    {
        string path = Path.Combine(_folder, "i.tsv");
        File.WriteAllText(path, "user\titem\tweight\nu1\tx\t3\nu1\tx\t2\n\nu2\ty\t1.5\n");
        var data = Interactions.Read(path);
        Assert.Equal(["u1", "u2"], data.Users);
        Assert.Equal([5f], data.WeightsOf(0).ToArray()); // repeated pairs are summed
        File.WriteAllText(path, "u1\tx\t3\nu1\tx\n");
        Assert.Contains($"{path}:2:", Assert.Throws<MusicMLException>(() => Interactions.Read(path)).Message);
        File.WriteAllText(path, "u1\tx\t-3\n");
        Assert.Contains($"{path}:1: weight -3", Assert.Throws<MusicMLException>(() => Interactions.Read(path)).Message);
        File.WriteAllText(path, "user\titem\tweight\n");
        Assert.Contains("empty catalogue", Assert.Throws<MusicMLException>(() => Interactions.Read(path)).Message);
        File.WriteAllText(path, "u1\tx\t3\n");
        var model = new PopularityRecommender().Fit(Interactions.Read(path));
        Assert.Contains("user 'nobody' is not in the training data", Assert.Throws<MusicMLException>(() => model.Recommend("nobody", 3)).Message);
        string modelPath = Path.Combine(_folder, "m.model");
        model.Save(modelPath);
        File.WriteAllBytes(modelPath, File.ReadAllBytes(modelPath)[..^2]);
        Assert.Contains("truncated", Assert.Throws<MusicMLException>(() => Recommender.Load(modelPath)).Message);
    }

    /// <summary>
    /// The Last.fm 2k protocol of ../shared/eval/recsys/README.md (per-user 80/20, seed 0). The plain numpy
    /// reference scores NDCG@10 popularity 0.081, item-kNN 0.217, ALS 0.152; measured here 0.080, 0.214, 0.143
    /// (2026-12-03). Targets: ALS ≥ 1.5 × popularity.
    /// </summary>
    [SkippableFact]
    public void LastFmHeldOutScoresMatchTheReferenceImplementation()
    {
        Skip.IfNot(SharedData.Has("eval", "recsys", "lastfm2k_user_artists.tsv"), "../shared/eval/recsys is not available");
        var records = Interactions.ReadRecords(SharedData.Path("eval", "recsys", "lastfm2k_user_artists.tsv"));
        var popularity = RecommenderEvaluation.HeldOut("popularity", d => new PopularityRecommender().Fit(d), records);
        var itemKnn = RecommenderEvaluation.HeldOut("itemknn", d => new ItemKnnRecommender().Fit(d), records);
        var als = RecommenderEvaluation.HeldOut("als", d => new AlsRecommender().Fit(d), records);
        Assert.Equal(1884, popularity.Users);
        Assert.InRange(popularity.Ndcg, 0.076, 0.086);
        Assert.InRange(itemKnn.Ndcg, 0.205, 0.230);
        Assert.True(als.Ndcg >= 1.5 * popularity.Ndcg, $"ALS NDCG@10 {als.Ndcg:F4} vs popularity {popularity.Ndcg:F4}");
    }

    /// <summary>
    /// Cold start (README protocol): the 10 cold clips are ranked for each user from audio alone. Chance recall@3 is
    /// about 0.31; the hybrid on standardised summary features measured 0.869 (bundled tagger embeddings 0.861), target ≥ 0.80.
    /// </summary>
    [SkippableFact]
    public void TheHybridSolvesTheColdStartThatCollaborativeMethodsCannot()
    {
        Skip.IfNot(SharedData.Has("eval", "recsys", "synth_listening.tsv") && SharedData.Has("eval", "synth", "manifest.csv"), "../shared/eval is not available");
        var files = Directory.GetFiles(SharedData.Path("eval", "synth"), "*.wav").Order().ToArray();
        using var embedder = new SummaryEmbedder(jobs: 2);
        var embeddings = embedder.Embed(files).ToArray();
        var store = new EmbeddingStore(embedder.Space!);
        foreach (var e in embeddings) store.Add(EmbeddingStore.TrackId(e.Path), e.Path, e.Vector!);
        var records = Interactions.ReadRecords(SharedData.Path("eval", "recsys", "synth_listening.tsv"));
        var cold = File.ReadAllLines(SharedData.Path("eval", "recsys", "synth_cold_items.txt")).Where(l => l.Length > 0).ToArray();
        var hybrid = RecommenderEvaluation.ColdStart("hybrid", d => new HybridRecommender(store).Fit(d), records, cold);
        var popularity = RecommenderEvaluation.ColdStart("popularity", d => new PopularityRecommender().Fit(d), records, cold);
        Assert.True(hybrid.Recall >= 0.80, $"hybrid recall@3 {hybrid.Recall:F3}");
        Assert.InRange(popularity.Recall, 0.2, 0.42);
    }
}
