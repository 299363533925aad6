using System.Globalization;
using System.Text.Json;
using MusicML.Core;

namespace MusicML.Tagging;

/// <summary>One tensor a model's weights file must hold, as declared by its configuration.</summary>
/// <param name="Name">PyTorch <c>state_dict</c> name, e.g. <c>layer1.conv.weight</c>.</param>
/// <param name="DType">safetensors dtype code, e.g. <c>F32</c>.</param>
/// <param name="Shape">Sizes of the dimensions.</param>
public sealed record TensorSpec(string Name, string DType, long[] Shape);

/// <summary>
/// What a tagging model is, read from the JSON file beside its safetensors weights (as in <c>../shared/models</c>):
/// the architecture, the tag vocabulary in output order, the audio front end that produces its input and the chunking
/// used to tag whole tracks. Validated up front so that a bad value is reported with the file it came from.
/// </summary>
public sealed class TaggerConfig
{
    /// <summary>Model name, e.g. <c>mtat_fcn</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Network family.</summary>
    public required TaggerArchitecture Architecture { get; init; }

    /// <summary>Training data set, e.g. <c>MagnaTagATune (top-50 tags)</c>.</summary>
    public string Dataset { get; init; } = "";

    /// <summary>One-line description of the model.</summary>
    public string Description { get; init; } = "";

    /// <summary>Tag names in the order of the network's outputs.</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>Sample rate the model expects, in Hz.</summary>
    public int SampleRate { get; init; } = 16000;

    /// <summary>FFT size of the front end's STFT, in samples.</summary>
    public int NFft { get; init; } = 512;

    /// <summary>Analysis window length, in samples.</summary>
    public int WinLength { get; init; } = 512;

    /// <summary>Hop between STFT frames, in samples.</summary>
    public int HopLength { get; init; } = 256;

    /// <summary>Number of mel bands.</summary>
    public int NMels { get; init; } = 96;

    /// <summary>Lowest mel filter edge, in Hz.</summary>
    public double FMin { get; init; }

    /// <summary>Highest mel filter edge, in Hz.</summary>
    public double FMax { get; init; } = 8000;

    /// <summary>Floor applied to the mel power before taking decibels (power units).</summary>
    public double Amin { get; init; } = 1e-10;

    /// <summary>Length of one network input chunk, in samples.</summary>
    public required int InputLength { get; init; }

    /// <summary>Chunks averaged for track-level tags (training/eval.py protocol).</summary>
    public int ChunkCount { get; init; } = 16;

    /// <summary>File name (beside the config) of the mel front end's filterbank and window, or empty if none.</summary>
    public string FrontEndFile { get; init; } = "";

    /// <summary>Published ROC-AUC on the data set's test split, or NaN when not given.</summary>
    public double PublishedRocAuc { get; init; } = double.NaN;

    /// <summary>Published PR-AUC on the data set's test split, or NaN when not given.</summary>
    public double PublishedPrAuc { get; init; } = double.NaN;

    /// <summary>The paper the weights come from.</summary>
    public string Paper { get; init; } = "";

    /// <summary>Every tensor the weights file must hold, or empty when the configuration does not list them.</summary>
    public IReadOnlyList<TensorSpec> Tensors { get; init; } = [];

    /// <summary>Integer hyper-parameters of the layers by <c>module.key</c>, e.g. <c>layers.0.conv.out_channels</c>.</summary>
    public IReadOnlyDictionary<string, long> LayerSizes { get; init; } = new Dictionary<string, long>();

    /// <summary>
    /// SHA-256 of the weights file as lower-case hex (<c>files.weights_sha256</c>, or a top-level <c>weights_sha256</c>), or empty when the configuration does not
    /// pin its weights. When given, <see cref="Tagger.Load"/> refuses a weights file with another hash: a config
    /// paired with the wrong (or a damaged) file would otherwise tag with confident nonsense.
    /// </summary>
    public string WeightsSha256 { get; init; } = "";

    /// <summary>Number of STFT frames of one input chunk with centred framing: 1 + ⌊InputLength / HopLength⌋.</summary>
    public int InputFrames => 1 + InputLength / HopLength;

    /// <summary>The configuration path for a weights file: same folder and stem, extension <c>.json</c>.</summary>
    public static string PathBeside(string weightsPath) => Path.ChangeExtension(weightsPath, ".json");

    /// <summary>Reads and validates a model configuration.</summary>
    /// <param name="path">The JSON file (e.g. <c>mtat_fcn.json</c>).</param>
    /// <exception cref="MusicMLException">The file is missing, not JSON, or a value is missing or invalid (named with the file).</exception>
    public static TaggerConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new MusicMLException($"{path}: model configuration not found (expected beside the weights)") { FilePath = path };
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new MusicMLException($"{path}: not valid JSON ({e.Message})", e) { FilePath = path };
        }
        using (document)
        {
            try
            {
                return Parse(document.RootElement, path);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                throw new MusicMLException($"{path}: malformed model configuration ({e.Message})", e) { FilePath = path };
            }
        }
    }

    private static TaggerConfig Parse(JsonElement root, string path)
    {
        string name = OptionalString(root, "name") ?? Path.GetFileNameWithoutExtension(path);
        string arch = RequiredString(root, "arch", path);
        var architecture = TaggerArchitectureNames.TryParse(arch)
            ?? throw new MusicMLException($"{path}: unknown architecture '{arch}' (MusicML builds {TaggerArchitectureNames.Listed})") { FilePath = path };
        if (!root.TryGetProperty("tags", out var tagsElement) || tagsElement.ValueKind != JsonValueKind.Array)
            throw new MusicMLException($"{path}: 'tags' (the output order) is missing") { FilePath = path };
        var tags = tagsElement.EnumerateArray().Select(t => t.GetString() ?? "").ToArray();
        if (tags.Length == 0 || tags.Any(string.IsNullOrEmpty)) throw new MusicMLException($"{path}: 'tags' must list non-empty tag names") { FilePath = path };
        if (root.TryGetProperty("n_class", out var nClass) && nClass.GetInt32() != tags.Length)
            throw new MusicMLException($"{path}: n_class is {nClass.GetInt32()} but 'tags' lists {tags.Length} names") { FilePath = path };

        var pre = root.TryGetProperty("preprocessing", out var p) ? p : default;
        var stft = Child(pre, "stft");
        var mel = Child(pre, "mel");
        var db = Child(pre, "db");
        var inference = Child(root, "inference");
        var metrics = Child(root, "published_metrics");
        var config = new TaggerConfig
        {
            Name = name,
            Architecture = architecture,
            Dataset = OptionalString(root, "dataset") ?? "",
            Description = OptionalString(root, "description") ?? "",
            Tags = tags,
            SampleRate = (int)Number(pre, "sample_rate", 16000),
            NFft = (int)Number(stft, "n_fft", 512),
            WinLength = (int)Number(stft, "win_length", 512),
            HopLength = (int)Number(stft, "hop_length", 256),
            NMels = (int)Number(mel, "n_mels", 96),
            FMin = Number(mel, "f_min", 0),
            FMax = Number(mel, "f_max", 8000),
            Amin = Number(db, "amin", 1e-10),
            InputLength = (int)Number(inference, "input_length_samples", double.NaN),
            ChunkCount = (int)Number(Child(inference, "eval_protocol"), "n_chunks", 16),
            FrontEndFile = OptionalString(Child(root, "files"), "frontend") ?? "",
            PublishedRocAuc = Number(metrics, "roc_auc", double.NaN),
            PublishedPrAuc = Number(metrics, "pr_auc", double.NaN),
            Paper = OptionalString(Child(root, "source"), "paper") ?? "",
            Tensors = ParseTensors(root),
            LayerSizes = ParseLayerSizes(root),
            WeightsSha256 = (OptionalString(Child(root, "files"), "weights_sha256") ?? OptionalString(root, "weights_sha256") ?? "").ToLowerInvariant(),
        };
        config.Validate(path);
        return config;
    }

    private void Validate(string path)
    {
        void Positive(double value, string what)
        {
            if (!(value > 0)) throw new MusicMLException($"{path}: {what} must be positive, got {value.ToString(CultureInfo.InvariantCulture)}") { FilePath = path };
        }
        Positive(SampleRate, "sample_rate");
        Positive(NFft, "n_fft");
        Positive(HopLength, "hop_length");
        Positive(NMels, "n_mels");
        Positive(ChunkCount, "n_chunks");
        Positive(Amin, "amin");
        if (InputLength <= 0) throw new MusicMLException($"{path}: inference.input_length_samples is missing or not positive") { FilePath = path };
        if (WinLength != NFft)
            throw new MusicMLException($"{path}: win_length {WinLength} differs from n_fft {NFft}; the front end supports only win_length = n_fft") { FilePath = path };
        if (!(FMin >= 0 && FMax > FMin && FMax <= SampleRate / 2.0))
            throw new MusicMLException($"{path}: mel range f_min {FMin} Hz .. f_max {FMax} Hz is invalid for {SampleRate} Hz audio") { FilePath = path };
        if (WeightsSha256.Length != 0 && (WeightsSha256.Length != 64 || !WeightsSha256.All(char.IsAsciiHexDigit)))
            throw new MusicMLException($"{path}: weights_sha256 must be 64 hex digits; got '{WeightsSha256}'") { FilePath = path };
        if (InputLength <= NFft / 2)
            throw new MusicMLException($"{path}: input length {InputLength} samples is too short for reflect padding of {NFft / 2}") { FilePath = path };
    }

    private static JsonElement Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child) ? child : default;

    private static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    private static string RequiredString(JsonElement element, string name, string path) =>
        OptionalString(element, name) ?? throw new MusicMLException($"{path}: '{name}' is missing") { FilePath = path };

    private static double Number(JsonElement element, string name, double fallback) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : fallback;

    private static TensorSpec[] ParseTensors(JsonElement root)
    {
        if (!root.TryGetProperty("tensors", out var tensors) || tensors.ValueKind != JsonValueKind.Array) return [];
        return tensors.EnumerateArray()
            .Select(t => new TensorSpec(
                t.GetProperty("name").GetString() ?? "",
                t.GetProperty("dtype").GetString() ?? "",
                t.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray()))
            .ToArray();
    }

    private static Dictionary<string, long> ParseLayerSizes(JsonElement root)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var modules = Child(Child(root, "architecture"), "modules");
        if (modules.ValueKind != JsonValueKind.Array) return sizes;
        foreach (var module in modules.EnumerateArray())
        {
            var moduleName = OptionalString(module, "name");
            if (moduleName == null) continue;
            foreach (var property in module.EnumerateObject())
                if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out var value))
                    sizes[moduleName + "." + property.Name] = value;
        }
        return sizes;
    }

    /// <summary>
    /// The configuration as JSON in the schema <see cref="Load"/> reads (the published models' layout): name, arch,
    /// tags, n_class, preprocessing (sample rate, STFT, mel, dB floor), inference (input length, chunks), files
    /// (front end, weights hash) and any <paramref name="extra"/> top-level properties (e.g. how it was trained).
    /// </summary>
    /// <param name="extra">Further top-level properties, or null.</param>
    public string ToJson(System.Text.Json.Nodes.JsonObject? extra = null)
    {
        var files = new System.Text.Json.Nodes.JsonObject();
        if (FrontEndFile.Length > 0) files["frontend"] = FrontEndFile;
        if (WeightsSha256.Length > 0) files["weights_sha256"] = WeightsSha256;
        var root = new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = Name,
            ["arch"] = TaggerArchitectureNames.Name(Architecture),
            ["dataset"] = Dataset,
            ["description"] = Description,
            ["tags"] = new System.Text.Json.Nodes.JsonArray(Tags.Select(t => (System.Text.Json.Nodes.JsonNode?)t).ToArray()),
            ["n_class"] = Tags.Count,
            ["preprocessing"] = new System.Text.Json.Nodes.JsonObject
            {
                ["sample_rate"] = SampleRate,
                ["stft"] = new System.Text.Json.Nodes.JsonObject { ["n_fft"] = NFft, ["win_length"] = WinLength, ["hop_length"] = HopLength },
                ["mel"] = new System.Text.Json.Nodes.JsonObject { ["n_mels"] = NMels, ["f_min"] = FMin, ["f_max"] = FMax },
                ["db"] = new System.Text.Json.Nodes.JsonObject { ["amin"] = Amin },
            },
            ["inference"] = new System.Text.Json.Nodes.JsonObject
            {
                ["input_length_samples"] = InputLength,
                ["eval_protocol"] = new System.Text.Json.Nodes.JsonObject { ["n_chunks"] = ChunkCount },
            },
            ["files"] = files,
        };
        if (LayerSizes.Count > 0)
        {
            // The schema ParseLayerSizes reads: architecture.modules[] = { name: "layer1.conv", out_channels: 32 }.
            var modules = new System.Text.Json.Nodes.JsonArray();
            foreach (var module in LayerSizes.GroupBy(kv => kv.Key[..kv.Key.LastIndexOf('.')], StringComparer.Ordinal))
            {
                var entry = new System.Text.Json.Nodes.JsonObject { ["name"] = module.Key };
                foreach (var (key, value) in module.OrderBy(kv => kv.Key, StringComparer.Ordinal)) entry[key[(key.LastIndexOf('.') + 1)..]] = value;
                modules.Add(entry);
            }
            root["architecture"] = new System.Text.Json.Nodes.JsonObject { ["modules"] = modules };
        }
        if (extra is not null)
            foreach (var (key, value) in extra) root[key] = value?.DeepClone();
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>An integer layer hyper-parameter from the configuration, or <paramref name="fallback"/> when it is not listed.</summary>
    public long LayerSize(string key, long fallback) => LayerSizes.TryGetValue(key, out var v) ? v : fallback;
}
