using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>
/// Saves fitted learners as readable JSON and loads them back:
/// <c>{"format": "musicml.learning", "version": 1, "model": "KNeighborsClassifier", "options": {…}, "state": {…}}</c>,
/// options with the hyper-parameter names of the options records (camelCase), state with scikit-learn's fitted
/// attributes (<c>classes</c>, <c>coefficients</c>, …) as plain arrays, rows as nested arrays.
/// </summary>
public static class ModelFile
{
    /// <summary>The value of the file's <c>format</c> field.</summary>
    public const string Format = "musicml.learning";

    /// <summary>The version this code writes and reads.</summary>
    public const int Version = 1;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.Strict,
    };

    private static readonly Dictionary<string, Func<JsonNode?, JsonNode?, LearnedModel>> Readers = new()
    {
        [nameof(StandardScaler)] = StandardScaler.Restore,
        [nameof(KNeighborsClassifier)] = KNeighborsClassifier.Restore,
        [nameof(LogisticRegression)] = LogisticRegression.Restore,
        [nameof(LinearRegression)] = LinearRegression.Restore,
        [nameof(RidgeRegression)] = RidgeRegression.Restore,
        [nameof(RidgeClassifier)] = RidgeClassifier.Restore,
        [nameof(GaussianNaiveBayes)] = GaussianNaiveBayes.Restore,
        [nameof(DecisionTreeClassifier)] = DecisionTreeClassifier.Restore,
        [nameof(RandomForestClassifier)] = RandomForestClassifier.Restore,
        [nameof(KMeans)] = KMeans.Restore,
        [nameof(Pca)] = Pca.Restore,
        [nameof(StandardizedClassifier)] = StandardizedClassifier.Restore,
        [nameof(NamedClassifier)] = NamedClassifier.Restore,
    };

    /// <summary>The model as indented JSON text.</summary>
    public static string ToJson(LearnedModel model) => ToNode(model).ToJsonString(Json);

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically (the old file survives a failure).</summary>
    public static void Save(LearnedModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var text = ToJson(model);
        AtomicFile.WriteText(path, w => w.Write(text));
    }

    /// <summary>Reads a model file written by <see cref="Save"/>.</summary>
    /// <exception cref="MusicMLException">The file is missing, is not JSON, or is not a valid model file; the message names it.</exception>
    public static LearnedModel Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MusicMLException($"{path}: cannot read the model file: {e.Message}", e) { FilePath = path };
        }
        try
        {
            return FromJson(text);
        }
        catch (MusicMLException e)
        {
            throw new MusicMLException($"{path}: {e.Message}", e) { FilePath = path };
        }
    }

    /// <summary>Reads a model of type <typeparamref name="T"/> from <paramref name="path"/>.</summary>
    public static T Load<T>(string path) where T : LearnedModel =>
        Load(path) as T ?? throw new MusicMLException($"{path}: the model file does not hold a {typeof(T).Name}.") { FilePath = path };

    /// <summary>Reads a model from JSON text written by <see cref="ToJson"/>.</summary>
    public static LearnedModel FromJson(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new MusicMLException($"not a JSON model file: {e.Message}", e);
        }
        return FromNode(root);
    }

    internal static JsonObject ToNode(LearnedModel model) => new()
    {
        ["format"] = Format,
        ["version"] = Version,
        ["model"] = model.ModelName,
        ["options"] = model.OptionsJson(),
        ["state"] = model.StateJson(),
    };

    internal static LearnedModel FromNode(JsonNode? root)
    {
        if (root is not JsonObject obj || obj["format"]?.GetValueKind() != JsonValueKind.String || (string?)obj["format"] != Format)
            throw new MusicMLException($"not a MusicML learning model (the \"format\" field must be \"{Format}\").");
        if (obj["version"]?.GetValueKind() != JsonValueKind.Number || (int)obj["version"]! != Version)
            throw new MusicMLException($"model file version {obj["version"]?.ToJsonString() ?? "missing"}; this MusicML reads version {Version}.");
        var name = obj["model"]?.GetValueKind() == JsonValueKind.String ? (string?)obj["model"] : null;
        if (name is null || !Readers.TryGetValue(name, out var read))
            throw new MusicMLException($"unknown model \"{name}\"; known: {string.Join(", ", Readers.Keys)}.");
        try
        {
            return read(obj["options"], obj["state"]);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            throw new MusicMLException($"malformed {name} model: {e.Message}", e);
        }
    }

    /// <summary>Serialises an options or state record.</summary>
    internal static JsonNode Node<T>(T value) => JsonSerializer.SerializeToNode(value, Json)!;

    /// <summary>Deserialises the options record; a missing object means all defaults.</summary>
    internal static T Options<T>(JsonNode? node) where T : new() =>
        node is null ? new T() : node.Deserialize<T>(Json) ?? new T();

    /// <summary>Deserialises the state record; null when the file holds an unfitted model.</summary>
    internal static T? State<T>(JsonNode? node) where T : class => node?.Deserialize<T>(Json);
}

/// <summary>Consistency checks on a loaded state, so a hand-edited file fails clearly instead of mispredicting.</summary>
internal static class StateCheck
{
    public static double[] Vector(double[]? v, int length, string name)
    {
        if (v is null || v.Length != length)
            throw new MusicMLException($"state field \"{name}\" must hold {length} numbers (found {v?.Length.ToString() ?? "none"}).");
        foreach (var x in v)
            if (!double.IsFinite(x)) throw new MusicMLException($"state field \"{name}\" holds {x}; every value must be finite.");
        return v;
    }

    public static double[][] Matrix(double[][]? m, int rows, int columns, string name)
    {
        if (m is null || m.Length != rows)
            throw new MusicMLException($"state field \"{name}\" must hold {rows} rows (found {m?.Length.ToString() ?? "none"}).");
        foreach (var row in m) Vector(row, columns, name);
        return m;
    }

    public static int[] Classes(int[]? classes, string name = "classes")
    {
        if (classes is null || classes.Length < 1)
            throw new MusicMLException($"state field \"{name}\" is missing or empty.");
        for (int i = 1; i < classes.Length; i++)
            if (classes[i] <= classes[i - 1]) throw new MusicMLException($"state field \"{name}\" must be strictly increasing.");
        return classes;
    }
}
