using System.Globalization;
using MusicML.Core;

namespace MusicML.Similarity.Recommendation;

/// <summary>One listening record: a user, an item and a non-negative weight (e.g. a play count).</summary>
public readonly record struct Interaction(string User, string Item, double Weight);

/// <summary>
/// Implicit-feedback data as a sparse user × item matrix in compressed-row form: users and items are numbered in the
/// order they first appear, repeated (user, item) pairs are summed, and each user's items are sorted by item number.
/// The item catalogue may hold items nobody interacted with (<see cref="Create"/>'s <c>extraItems</c>): a hybrid
/// recommender can still rank them.
/// </summary>
public sealed class Interactions
{
    private readonly Dictionary<string, int> _userIndex, _itemIndex;
    private readonly int[] _rowStart, _items;
    private readonly float[] _weights;

    private Interactions(List<string> users, List<string> items, Dictionary<string, int> userIndex, Dictionary<string, int> itemIndex,
        int[] rowStart, int[] itemsOfRows, float[] weights)
    {
        (Users, Items, _userIndex, _itemIndex) = (users, items, userIndex, itemIndex);
        (_rowStart, _items, _weights) = (rowStart, itemsOfRows, weights);
    }

    /// <summary>User ids by number.</summary>
    public IReadOnlyList<string> Users { get; }

    /// <summary>Item ids by number (the catalogue).</summary>
    public IReadOnlyList<string> Items { get; }

    /// <summary>Non-zero (user, item) pairs.</summary>
    public int Count => _items.Length;

    /// <summary>The number of <paramref name="user"/>, or −1.</summary>
    public int UserNumber(string user) => _userIndex.GetValueOrDefault(user, -1);

    /// <summary>The number of <paramref name="item"/>, or −1.</summary>
    public int ItemNumber(string item) => _itemIndex.GetValueOrDefault(item, -1);

    /// <summary>The items of user <paramref name="user"/>, ascending.</summary>
    public ReadOnlySpan<int> ItemsOf(int user) => _items.AsSpan(_rowStart[user], _rowStart[user + 1] - _rowStart[user]);

    /// <summary>The weights of user <paramref name="user"/>'s items, in <see cref="ItemsOf"/> order.</summary>
    public ReadOnlySpan<float> WeightsOf(int user) => _weights.AsSpan(_rowStart[user], _rowStart[user + 1] - _rowStart[user]);

    /// <summary>Rebuilds the matrix from its parts as <see cref="Parts"/> gives them (a saved model's training data).</summary>
    /// <exception cref="MusicMLException">The parts are inconsistent.</exception>
    internal static Interactions FromParts(string[] users, string[] items, int[] rowStart, int[] itemsOfRows, float[] weights)
    {
        bool valid = rowStart.Length == users.Length + 1 && rowStart[0] == 0 && rowStart[^1] == itemsOfRows.Length && weights.Length == itemsOfRows.Length;
        for (int u = 0; valid && u < users.Length; u++) valid = rowStart[u + 1] >= rowStart[u];
        foreach (int i in itemsOfRows) valid &= i >= 0 && i < items.Length;
        if (!valid) throw new MusicMLException("interaction matrix parts are inconsistent");
        var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var itemIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int u = 0; u < users.Length; u++)
            if (!userIndex.TryAdd(users[u], u)) throw new MusicMLException($"user '{users[u]}' is listed twice");
        for (int i = 0; i < items.Length; i++)
            if (!itemIndex.TryAdd(items[i], i)) throw new MusicMLException($"item '{items[i]}' is listed twice");
        return new Interactions([.. users], [.. items], userIndex, itemIndex, rowStart, itemsOfRows, weights);
    }

    /// <summary>The compressed-row arrays (row starts, item numbers, weights).</summary>
    internal (int[] RowStart, int[] Items, float[] Weights) Parts => (_rowStart, _items, _weights);

    /// <summary>Builds the matrix from records; <paramref name="extraItems"/> joins the catalogue even without interactions.</summary>
    /// <exception cref="MusicMLException">A weight is negative or not finite.</exception>
    public static Interactions Create(IEnumerable<Interaction> records, IEnumerable<string>? extraItems = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var users = new List<string>();
        var items = new List<string>();
        var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var itemIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int Number(string id, List<string> ids, Dictionary<string, int> index)
        {
            if (!index.TryGetValue(id, out int n))
            {
                n = ids.Count;
                ids.Add(id);
                index[id] = n;
            }
            return n;
        }
        var rows = new List<Dictionary<int, double>>();
        foreach (var (user, item, weight) in records)
        {
            if (!(weight >= 0) || !double.IsFinite(weight)) throw new MusicMLException($"interaction ({user}, {item}) has weight {weight}; weights must be finite and non-negative");
            int u = Number(user, users, userIndex), i = Number(item, items, itemIndex);
            while (rows.Count <= u) rows.Add([]);
            rows[u][i] = rows[u].GetValueOrDefault(i) + weight;
        }
        foreach (var item in extraItems ?? []) Number(item, items, itemIndex);
        var rowStart = new int[users.Count + 1];
        for (int u = 0; u < users.Count; u++) rowStart[u + 1] = rowStart[u] + rows[u].Count;
        var itemsOfRows = new int[rowStart[^1]];
        var weights = new float[rowStart[^1]];
        for (int u = 0; u < users.Count; u++)
        {
            int k = rowStart[u];
            foreach (var (i, w) in rows[u].OrderBy(p => p.Key))
            {
                itemsOfRows[k] = i;
                weights[k++] = (float)w;
            }
        }
        return new Interactions(users, items, userIndex, itemIndex, rowStart, itemsOfRows, weights);
    }

    /// <summary>
    /// Reads a tab- (or space-) separated <c>user item weight</c> file; a first line whose third field is not a
    /// number is a header. Blank lines are skipped.
    /// </summary>
    /// <exception cref="MusicMLException">The file is missing, empty, or a line is malformed (file:line in the message).</exception>
    public static Interactions Read(string path, IEnumerable<string>? extraItems = null) => Create(ReadRecords(path), extraItems);

    /// <summary>The records of a <c>user item weight</c> file, validated line by line (see <see cref="Read"/>).</summary>
    public static List<Interaction> ReadRecords(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new MusicMLException($"{path}: interactions file not found") { FilePath = path };
        var records = new List<Interaction>();
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Trim().Length == 0) continue;
            var fields = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            bool isWeight = fields.Length == 3 && double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            if (number == 1 && fields.Length == 3 && !isWeight) continue;
            if (!isWeight)
                throw new MusicMLException($"{path}:{number}: expected 'user<TAB>item<TAB>weight', got '{(line.Length > 80 ? line[..80] + "…" : line)}'") { FilePath = path };
            double weight = double.Parse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!(weight >= 0) || !double.IsFinite(weight))
                throw new MusicMLException($"{path}:{number}: weight {fields[2]} must be finite and non-negative") { FilePath = path };
            records.Add(new Interaction(fields[0], fields[1], weight));
        }
        if (records.Count == 0) throw new MusicMLException($"{path}: no interactions (an empty catalogue cannot be recommended from)") { FilePath = path };
        return records;
    }
}
