using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusicML.Core;
using MusicML.Torch;
using MusicML.Torch.Checkpoints;

namespace MusicML.Tagging;

/// <summary>What <see cref="CheckpointImport.FromPth"/> wrote.</summary>
/// <param name="WeightsPath">The safetensors file.</param>
/// <param name="ConfigPath">The configuration beside it (<c>&lt;stem&gt;.json</c>), which <see cref="Tagger.Load"/> reads.</param>
/// <param name="WeightsSha256">SHA-256 of the safetensors file, lower-case hex, as recorded in the configuration's <c>files.weights_sha256</c>.</param>
/// <param name="TensorCount">Tensors written (the architecture's whole state_dict).</param>
/// <param name="Notes">What the import adjusted on the way: a stripped <c>module.</c> prefix, dropped front-end buffers, dtype conversions, the front-end path.</param>
public sealed record CheckpointImportResult(string WeightsPath, string ConfigPath, string WeightsSha256, int TensorCount, IReadOnlyList<string> Notes);

/// <summary>
/// Turns a PyTorch <c>state_dict</c> checkpoint of one of the tagger architectures (as saved by Won et al.'s
/// <c>training/solver.py</c>: <c>torch.save(model.state_dict(), "best_model.pth")</c>) into the safetensors file and
/// JSON configuration that <see cref="Tagger.Load"/> reads. The checkpoint is read by <see cref="PthCheckpoint"/>,
/// which never runs code from it. The network the configuration describes is the reference for names, shapes and
/// dtypes: every tensor it needs must be present with its shape, nothing else may be (a checkpoint of another
/// architecture is named as such), floating-point weights are converted to the network's float32 and must be finite.
/// The torchaudio buffers <c>spec.spectrogram.window</c> and <c>spec.mel_scale.fb</c> that the original models carry
/// are the mel front end's, which MusicML keeps in its own file (<see cref="TaggerConfig.FrontEndFile"/>), so they are
/// left out; a <c>module.</c> prefix on every name (a model saved inside <c>nn.DataParallel</c>) is removed.
/// </summary>
public static class CheckpointImport
{
    /// <summary>The front-end buffers of training/model.py's torchaudio MelSpectrogram, which are not network weights.</summary>
    private static readonly string[] FrontEndBuffers = ["spec.spectrogram.window", "spec.mel_scale.fb"];

    private const string DataParallelPrefix = "module.";

    /// <summary>
    /// Imports <paramref name="checkpointPath"/> as an <paramref name="architecture"/> model described by
    /// <paramref name="configPath"/>, writing <paramref name="outputPath"/> and, beside it, a copy of the configuration
    /// whose <c>files.weights</c> and <c>files.weights_sha256</c> name the new file (and whose <c>files.frontend</c>
    /// still finds the front end). Both files are written atomically; nothing is written when any check fails.
    /// </summary>
    /// <param name="checkpointPath">The <c>.pth</c> file.</param>
    /// <param name="architecture">The architecture the checkpoint is expected to be; must agree with the configuration.</param>
    /// <param name="configPath">The model's JSON configuration (tags, preprocessing, layer sizes).</param>
    /// <param name="outputPath">The safetensors file to write.</param>
    /// <exception cref="MusicMLException">A file is missing or invalid; the checkpoint is refused by the reader; or its
    /// tensors do not fit the architecture (every missing, unexpected, mis-shaped, wrongly typed or non-finite tensor
    /// is named in one message with the checkpoint's path).</exception>
    public static CheckpointImportResult FromPth(string checkpointPath, TaggerArchitecture architecture, string configPath, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(checkpointPath);
        ArgumentNullException.ThrowIfNull(configPath);
        ArgumentNullException.ThrowIfNull(outputPath);
        var config = TaggerConfig.Load(configPath);
        if (config.Architecture != architecture)
            throw new MusicMLException($"{configPath}: the configuration describes a {Name(config.Architecture)} model, but the import is for {Name(architecture)}; give the configuration of a {Name(architecture)} model")
            {
                FilePath = configPath,
            };
        string configOut = TaggerConfig.PathBeside(outputPath);
        if (string.Equals(Path.GetFullPath(configOut), Path.GetFullPath(outputPath), StringComparison.Ordinal))
            throw new MusicMLException($"{outputPath}: the weights file needs an extension other than .json (its configuration is written beside it as {Path.GetFileName(configOut)})") { FilePath = outputPath };

        var notes = new List<string>();
        var checkpoint = MapNames(PthCheckpoint.ReadStateDict(checkpointPath), notes);

        using var network = TaggerNetwork.Create(config);
        var expected = network.StateDict();
        CheckFits(checkpoint, expected, architecture, config, checkpointPath, configPath);

        using var scope = TorchRuntime.NewDisposeScope();
        var converted = new List<KeyValuePair<string, Tensor>>(expected.Count);
        var nonFinite = new List<string>();
        var conversions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, target) in expected)
        {
            var source = checkpoint[name];
            var tensor = Tensor.FromBytes(source.Data, source.DType, source.Shape);
            if (source.DType != target.DType)
            {
                tensor = tensor.To(target.DType);
                var key = $"{source.DType} to {target.DType}";
                conversions[key] = conversions.GetValueOrDefault(key) + 1;
            }
            if (target.DType == DType.Float32)
            {
                // After conversion, so a float64 weight beyond float32's range counts as the infinity it became.
                var values = tensor.ToArray<float>();
                int bad = 0, first = -1;
                for (int i = 0; i < values.Length; i++)
                    if (!float.IsFinite(values[i]))
                    {
                        bad++;
                        if (first < 0) first = i;
                    }
                if (bad > 0) nonFinite.Add($"'{name}' holds {bad} NaN or infinite value{(bad == 1 ? "" : "s")} (first at element {first})");
            }
            converted.Add(new(name, tensor));
        }
        if (nonFinite.Count > 0)
            throw new MusicMLException($"{checkpointPath}: refused: the weights are not all finite, so the model could only output NaN: {string.Join("; ", nonFinite)}") { FilePath = checkpointPath };
        foreach (var (conversion, count) in conversions)
            notes.Add($"converted {count} tensor{(count == 1 ? "" : "s")} from {conversion}");

        string checkpointSha = Sha256(checkpointPath);
        var metadata = new Dictionary<string, string>
        {
            ["arch"] = Name(architecture).ToLowerInvariant(),
            ["model"] = config.Name,
            ["source"] = Path.GetFileName(checkpointPath),
            ["source_sha256"] = checkpointSha,
            ["converted_by"] = "musicml models import",
        };
        SafeTensors.Save(outputPath, converted, metadata);
        string weightsSha = Sha256(outputPath);
        WriteConfig(configPath, configOut, outputPath, weightsSha, checkpointPath, checkpointSha, notes);
        return new CheckpointImportResult(outputPath, configOut, weightsSha, converted.Count, notes);
    }

    private static string Name(TaggerArchitecture architecture) => architecture.ToString().ToUpperInvariant() switch
    {
        "MUSICNN" => "Musicnn",
        var upper => upper,
    };

    /// <summary>The checkpoint's tensors under the network's names: DataParallel's prefix removed, front-end buffers left out.</summary>
    private static Dictionary<string, CheckpointTensor> MapNames(IReadOnlyList<CheckpointTensor> tensors, List<string> notes)
    {
        bool prefixed = tensors.All(t => t.Name.StartsWith(DataParallelPrefix, StringComparison.Ordinal));
        if (prefixed) notes.Add($"removed the '{DataParallelPrefix}' prefix of nn.DataParallel from every name");
        var result = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        var dropped = new List<string>();
        foreach (var t in tensors)
        {
            var name = prefixed ? t.Name[DataParallelPrefix.Length..] : t.Name;
            if (FrontEndBuffers.Contains(name))
            {
                dropped.Add(name);
                continue;
            }
            result[name] = t with { Name = name };
        }
        if (dropped.Count > 0)
            notes.Add($"left out the mel front end's buffers {string.Join(" and ", dropped)} (the front end has its own file, files.frontend)");
        return result;
    }

    private static void CheckFits(Dictionary<string, CheckpointTensor> checkpoint, IReadOnlyList<KeyValuePair<string, Tensor>> expected,
        TaggerArchitecture architecture, TaggerConfig config, string checkpointPath, string configPath)
    {
        var problems = new List<string>();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, target) in expected)
        {
            wanted.Add(name);
            if (!checkpoint.TryGetValue(name, out var source))
            {
                problems.Add($"missing '{name}' [{string.Join(", ", target.Shape)}]");
                continue;
            }
            if (!source.Shape.AsSpan().SequenceEqual(target.Shape))
                problems.Add($"'{name}' has shape [{string.Join(", ", source.Shape)}], the architecture needs [{string.Join(", ", target.Shape)}]");
            if (!Convertible(source.DType, target.DType))
                problems.Add($"'{name}' is {source.DType}, the architecture needs {target.DType}");
        }
        var unexpected = checkpoint.Keys.Where(n => !wanted.Contains(n)).ToList();
        problems.AddRange(unexpected.Select(n => $"unexpected '{n}'"));
        if (problems.Count > 0)
        {
            var other = OtherArchitectureMatching(checkpoint.Keys, architecture, config.Tags.Count);
            if (other is not null)
                throw new MusicMLException($"{checkpointPath}: this is a {Name(other.Value)} checkpoint, not {Name(architecture)}: its tensor names are exactly {Name(other.Value)}'s; import it with --arch {other.Value.ToString().ToLowerInvariant()} and a {Name(other.Value)} configuration")
                {
                    FilePath = checkpointPath,
                };
            throw new MusicMLException($"{checkpointPath}: the checkpoint does not fit the {Name(architecture)} architecture of {Path.GetFileName(configPath)} ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}): {string.Join("; ", problems)}")
            {
                FilePath = checkpointPath,
            };
        }

        // Tagger.Load also checks the configuration's own tensor list; a configuration that disagrees with the
        // network it describes would make the imported model unloadable, so it is refused here, before writing.
        if (config.Tensors.Count == 0) return;
        var shapes = expected.ToDictionary(kv => kv.Key, kv => kv.Value.Shape, StringComparer.Ordinal);
        var configProblems = new List<string>();
        foreach (var spec in config.Tensors)
        {
            if (!shapes.TryGetValue(spec.Name, out var shape)) configProblems.Add($"lists '{spec.Name}', which the architecture does not have");
            else if (!shape.AsSpan().SequenceEqual(spec.Shape))
                configProblems.Add($"lists '{spec.Name}' as [{string.Join(", ", spec.Shape)}], the architecture builds [{string.Join(", ", shape)}]");
        }
        var listed = config.Tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        configProblems.AddRange(shapes.Keys.Where(n => !listed.Contains(n)).Select(n => $"does not list '{n}'"));
        if (configProblems.Count > 0)
            throw new MusicMLException($"{configPath}: the configuration's 'tensors' list disagrees with the {Name(architecture)} network it describes: {string.Join("; ", configProblems)}") { FilePath = configPath };
    }

    private static bool Convertible(DType source, DType target) =>
        target.IsFloatingPoint() ? source.IsFloatingPoint()
        : target == DType.Int64 && source is DType.Int64 or DType.Int32 or DType.Int16 or DType.Int8 or DType.UInt8;

    /// <summary>The other architecture whose state_dict has exactly these names, if any (names do not depend on widths).</summary>
    private static TaggerArchitecture? OtherArchitectureMatching(IEnumerable<string> names, TaggerArchitecture architecture, int tags)
    {
        var have = names.ToHashSet(StringComparer.Ordinal);
        foreach (var other in Enum.GetValues<TaggerArchitecture>())
        {
            if (other == architecture) continue;
            using TaggerNetwork network = other switch
            {
                TaggerArchitecture.Fcn => new FcnTagger(96, tags),
                TaggerArchitecture.Crnn => new CrnnTagger(96, tags),
                TaggerArchitecture.ShortChunk => new ShortChunkTagger(ShortChunkTagger.DefaultMels, tags, channels: 1),
                _ => new MusicnnTagger(96, tags),
            };
            if (have.SetEquals(network.StateDict().Select(kv => kv.Key))) return other;
        }
        return null;
    }

    /// <summary>SHA-256 of a file as lower-case hex, the form of <c>files.weights_sha256</c> (import, export and the load check).</summary>
    internal static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>SHA-256 of bytes already in memory, in the same form as <see cref="Sha256(string)"/>.</summary>
    internal static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Writes the configuration beside the weights with <c>files.weights</c>/<c>files.weights_sha256</c> for the new
    /// file, <c>files.frontend</c> made relative to the new folder, and an <c>import</c> record of the checkpoint.
    /// </summary>
    private static void WriteConfig(string configPath, string configOut, string weightsPath, string weightsSha,
        string checkpointPath, string checkpointSha, List<string> notes)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(configPath))?.AsObject() ?? throw new JsonException("not an object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new MusicMLException($"{configPath}: not a JSON object ({e.Message})", e) { FilePath = configPath };
        }
        if (root["files"] is not JsonObject files) root["files"] = files = new JsonObject();
        files["weights"] = Path.GetFileName(weightsPath);
        files["weights_sha256"] = weightsSha;

        string configDir = Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? ".";
        string outDir = Path.GetDirectoryName(Path.GetFullPath(configOut)) ?? ".";
        if (files["frontend"] is JsonValue frontValue && frontValue.TryGetValue(out string? frontEnd) && frontEnd.Length > 0)
        {
            var original = Path.GetFullPath(Path.Combine(configDir, frontEnd));
            if (!File.Exists(original))
                notes.Add($"the front end {frontEnd} named by the configuration does not exist; until it sits beside the model, only dB mel inputs can be tagged");
            else if (!string.Equals(Path.GetFullPath(Path.Combine(outDir, frontEnd)), original, StringComparison.Ordinal))
            {
                // Tagger finds the front end relative to the weights; keep pointing at the same file from the new folder.
                var relative = Path.GetRelativePath(outDir, original);
                files["frontend"] = relative;
                notes.Add($"files.frontend now reads {relative}, the same file seen from the new folder");
            }
        }

        var source = root["source"] as JsonObject;
        if (source?["checkpoint_sha256"] is JsonValue recorded && recorded.TryGetValue(out string? recordedSha))
            notes.Add(string.Equals(recordedSha, checkpointSha, StringComparison.OrdinalIgnoreCase)
                ? "the checkpoint is the one the configuration's source.checkpoint_sha256 records"
                : "the checkpoint differs from the one the configuration's source.checkpoint_sha256 records (a different training run or a re-saved file)");
        root["import"] = new JsonObject
        {
            ["checkpoint"] = Path.GetFileName(checkpointPath),
            ["checkpoint_sha256"] = checkpointSha,
            ["by"] = "musicml models import",
            ["notes"] = new JsonArray(notes.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
        };
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.WriteAllText(configOut, root.ToJsonString(options) + "\n");
    }
}
