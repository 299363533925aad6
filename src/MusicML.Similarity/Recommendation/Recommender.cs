using System.Text.Json.Nodes;
using MusicML.Core;

namespace MusicML.Similarity.Recommendation;

/// <summary>One recommended item.</summary>
/// <param name="Rank">1 for the best.</param>
/// <param name="Item">The item id.</param>
/// <param name="Score">The method's score (comparable within one user's list only).</param>
public sealed record Recommendation(int Rank, string Item, float Score);

/// <summary>
/// A fitted recommender over a catalogue: scores every item for a known user, and recommends the best items the user
/// has not interacted with in the training data. Subclasses: <see cref="PopularityRecommender"/>,
/// <see cref="ItemKnnRecommender"/>, <see cref="Rp3BetaRecommender"/>, <see cref="AlsRecommender"/>, <see cref="HybridRecommender"/>. Models
/// round-trip through <see cref="Save"/> / <see cref="Load"/> (a <see cref="ChecksummedFile"/> holding the training
/// matrix and the method's parameters).
/// </summary>
public abstract class Recommender
{
    /// <summary>The model file's format id.</summary>
    public const string Format = "musicml.recommender/1";

    private const string Magic = "MMLRECO1";

    private Interactions? _data;

    /// <summary>The method name as the CLI spells it (<c>popularity</c>, <c>itemknn</c>, <c>rp3beta</c>, <c>als</c>, <c>hybrid</c>).</summary>
    public abstract string Method { get; }

    /// <summary>The training interactions (users, catalogue, what each user already has).</summary>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public Interactions Data => _data ?? throw new InvalidOperationException($"the {Method} recommender is not fitted");

    /// <summary>Fits the model to <paramref name="data"/>; returns this.</summary>
    /// <exception cref="MusicMLException">The data cannot be fitted (no users or no items).</exception>
    public Recommender Fit(Interactions data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Users.Count == 0 || data.Items.Count == 0) throw new MusicMLException("an empty catalogue cannot be recommended from (no users or no items)");
        _data = data;
        FitCore(data);
        return this;
    }

    /// <summary>The method's fitting.</summary>
    private protected abstract void FitCore(Interactions data);

    /// <summary>Every catalogue item's score for user number <paramref name="user"/> (higher is better).</summary>
    /// <param name="user">A user number of <see cref="Data"/>.</param>
    /// <param name="scores"><see cref="Interactions.Items"/>.Count values to fill.</param>
    public abstract void Score(int user, Span<float> scores);

    /// <summary>
    /// The <paramref name="k"/> best items for <paramref name="user"/> that they have not interacted with, best first;
    /// equal scores are ordered by item number. <paramref name="k"/> may reach the whole catalogue.
    /// </summary>
    /// <exception cref="MusicMLException">The user is unknown or k is not positive.</exception>
    public Recommendation[] Recommend(string user, int k)
    {
        ArgumentNullException.ThrowIfNull(user);
        int u = Data.UserNumber(user);
        if (u < 0) throw new MusicMLException($"user '{user}' is not in the training data ({Data.Users.Count} users)");
        return [.. Rank(u, k).Select((item, r) => new Recommendation(r + 1, Data.Items[item.Item], item.Score))];
    }

    /// <summary>Item numbers and scores of <see cref="Recommend"/> for user number <paramref name="user"/>.</summary>
    public (int Item, float Score)[] Rank(int user, int k)
    {
        if (k <= 0) throw new MusicMLException($"k must be positive, got {k}");
        var scores = new float[Data.Items.Count];
        Score(user, scores);
        return [.. Best(scores, Data.ItemsOf(user), Enumerable.Range(0, scores.Length), item => item, k).Select(i => (i, scores[i]))];
    }

    /// <summary>
    /// The <paramref name="k"/> best of <paramref name="candidates"/> by score, leaving out <paramref name="exclude"/>;
    /// equal scores in the order <paramref name="tieOrder"/> gives (item number for <see cref="Rank"/>, a seeded
    /// permutation in the evaluation).
    /// </summary>
    internal static int[] Best(float[] scores, ReadOnlySpan<int> exclude, IEnumerable<int> candidates, Func<int, int> tieOrder, int k)
    {
        var excluded = exclude.ToArray().ToHashSet();
        return [.. candidates.Where(i => !excluded.Contains(i)).OrderByDescending(i => scores[i]).ThenBy(tieOrder).Take(k)];
    }

    /// <summary>The method's parameters as JSON (validated hyper-parameters, recorded in the model file).</summary>
    private protected abstract JsonObject Parameters();

    /// <summary>Writes the method's fitted arrays.</summary>
    private protected abstract void WriteState(ChecksummedFile.Writer body);

    /// <summary>Reads what <see cref="WriteState"/> wrote.</summary>
    private protected abstract void ReadState(ChecksummedFile.Reader body);

    /// <summary>Writes the fitted model atomically.</summary>
    /// <exception cref="MusicMLException">The file cannot be written.</exception>
    public void Save(string path)
    {
        var data = Data;
        var header = new JsonObject { ["format"] = Format, ["method"] = Method, ["parameters"] = Parameters(), ["users"] = data.Users.Count, ["items"] = data.Items.Count, ["interactions"] = data.Count };
        ChecksummedFile.Write(path, Magic, header.ToJsonString(), body =>
        {
            foreach (var user in data.Users) body.WriteString(user);
            foreach (var item in data.Items) body.WriteString(item);
            var (rowStart, items, weights) = data.Parts;
            WriteInts(body, rowStart);
            WriteInts(body, items);
            body.WriteFloats(weights);
            WriteState(body);
        });
    }

    /// <summary>Loads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="MusicMLException">The file is missing, not a model, truncated, damaged or inconsistent.</exception>
    public static Recommender Load(string path)
    {
        var (headerJson, body) = ChecksummedFile.Read(path, Magic, "recommender model");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerJson)!.AsObject();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw body.Damaged($"its header is not JSON: {e.Message}");
        }
        if ((string?)header["format"] != Format) throw body.Damaged($"format is not {Format}");
        int users = (int?)header["users"] ?? -1, items = (int?)header["items"] ?? -1, count = (int?)header["interactions"] ?? -1;
        if (users < 0 || items < 0 || count < 0 || (long)users + items + count > body.Remaining) throw body.Damaged("implausible sizes");
        var parameters = header["parameters"] as JsonObject ?? [];
        Recommender model = (string?)header["method"] switch
        {
            "popularity" => new PopularityRecommender(),
            "itemknn" => ItemKnnRecommender.FromParameters(parameters),
            "rp3beta" => Rp3BetaRecommender.FromParameters(parameters),
            "als" => AlsRecommender.FromParameters(parameters),
            "hybrid" => HybridRecommender.FromParameters(parameters),
            var other => throw body.Damaged($"unknown method '{other}'"),
        };
        var userIds = new string[users];
        for (int u = 0; u < users; u++) userIds[u] = body.ReadString();
        var itemIds = new string[items];
        for (int i = 0; i < items; i++) itemIds[i] = body.ReadString();
        var rowStart = ReadInts(body, users + 1);
        var itemsOfRows = ReadInts(body, count);
        var weights = new float[count];
        body.ReadFloats(weights);
        try
        {
            model._data = Interactions.FromParts(userIds, itemIds, rowStart, itemsOfRows, weights);
            model.ReadState(body);
        }
        catch (MusicMLException e) when (e.FilePath is null)
        {
            throw body.Damaged(e.Message);
        }
        if (!body.AtEnd) throw body.Damaged("bytes after the model");
        return model;
    }

    private protected static void WriteInts(ChecksummedFile.Writer body, ReadOnlySpan<int> values) =>
        body.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    private protected static int[] ReadInts(ChecksummedFile.Reader body, int count)
    {
        var values = new int[count];
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(body.Read(checked(count * sizeof(int)))).CopyTo(values);
        return values;
    }

    private protected static float[] ReadFloats(ChecksummedFile.Reader body, long count)
    {
        if (count < 0 || count * sizeof(float) > body.Remaining) throw body.Damaged($"{count} values do not fit");
        var values = new float[count];
        body.ReadFloats(values);
        return values;
    }
}
