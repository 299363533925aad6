using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using MusicML.Core;

namespace MusicML.Batch;

/// <summary>
/// What a run's output folder holds (<c>run.json</c>): the tasks, the MusicML version, the model and its weights'
/// hash, the rhythm path and the shard. A rerun into the folder resumes only when all of these agree, so a journal
/// never mixes records of different settings or builds.
/// </summary>
public sealed record RunManifest
{
    /// <summary>The file's name in the output folder.</summary>
    public const string FileName = "run.json";

    /// <summary>The format identifier written in every manifest.</summary>
    public const string CurrentFormat = "musicml.batch/1";

    /// <summary><see cref="CurrentFormat"/> when written by this version.</summary>
    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;
    /// <summary>The tasks, canonical comma-separated (<see cref="BatchTaskNames.Format"/>).</summary>
    [JsonPropertyName("tasks")] public required string Tasks { get; init; }
    /// <summary>The MusicML build (<see cref="CurrentVersion"/>).</summary>
    [JsonPropertyName("musicml_version")] public required string Version { get; init; }
    /// <summary>The tagger as named, or empty when no model task runs.</summary>
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    /// <summary>SHA-256 of the tagger's weights, or empty.</summary>
    [JsonPropertyName("model_sha256")] public string ModelSha256 { get; init; } = "";
    /// <summary>The beat tracker's path (<c>learned</c> or <c>dsp</c>).</summary>
    [JsonPropertyName("rhythm")] public string Rhythm { get; init; } = "learned";
    /// <summary>The shard, <c>K/N</c>.</summary>
    [JsonPropertyName("shard")] public required string Shard { get; init; }
    /// <summary>Tracks assigned to this shard when the run started.</summary>
    [JsonPropertyName("assigned")] public int Assigned { get; init; }

    /// <summary>MusicML's build: its informational version (version + commit).</summary>
    public static string CurrentVersion { get; } =
        typeof(RunManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The differences from <paramref name="other"/> that make a folder unusable for this run, or empty when it can resume.</summary>
    public IReadOnlyList<string> Conflicts(RunManifest other)
    {
        var conflicts = new List<string>();
        void Check(string what, string mine, string theirs) { if (mine != theirs) conflicts.Add($"{what} {theirs} (this run: {mine})"); }
        Check("format", Format, other.Format);
        Check("tasks", Tasks, other.Tasks);
        Check("MusicML version", Version, other.Version);
        Check("model", ModelSha256, other.ModelSha256);
        Check("rhythm", Rhythm, other.Rhythm);
        Check("shard", Shard, other.Shard);
        return conflicts;
    }

    /// <summary>Reads <c>run.json</c> in <paramref name="folder"/>, or null when there is none.</summary>
    /// <exception cref="MusicMLException">The file exists but is not a run manifest.</exception>
    public static RunManifest? Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), BatchJson.Relaxed.RunManifest) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new MusicMLException($"{path}: not a MusicML run manifest ({e.Message.Split('\n')[0]})") { FilePath = path };
        }
    }

    /// <summary>Writes this manifest as <c>run.json</c> in <paramref name="folder"/> (atomically).</summary>
    public void Write(string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, BatchJson.Relaxed.RunManifest) + "\n");
}
