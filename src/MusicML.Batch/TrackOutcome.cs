using System.Text.Json.Serialization;

namespace MusicML.Batch;

/// <summary>
/// What a catalogue run found for one track, as its journal line holds it: the results row, the event lists, every
/// tag's probability, the embedding and summary features, or why the track failed. Every output format is a
/// projection of these records, so a resumed run, a merged run and an uninterrupted run write the same files.
/// </summary>
public sealed record TrackOutcome
{
    /// <summary>The track id: its path relative to the catalogue root (<see cref="CatalogueTrack.RelativePath"/>).</summary>
    [JsonPropertyName("track")] public required string Track { get; init; }

    /// <summary>The file as the inputs named it.</summary>
    [JsonPropertyName("path")] public required string Path { get; init; }

    /// <summary>The results row, <see cref="BatchColumns"/> name → text (invariant culture); null when the track failed.</summary>
    [JsonPropertyName("row")] public Dictionary<string, string>? Row { get; init; }

    /// <summary>Onsets, beats, downbeats (seconds) and chords, segments; null when the track failed or no event task ran.</summary>
    [JsonPropertyName("events")] public TrackEvents? Events { get; init; }

    /// <summary>Every tag's probability, most probable first; null when not tagged.</summary>
    [JsonPropertyName("tags")] public List<TagProbability>? Tags { get; init; }

    /// <summary>The L2-normalised embedding; null when not asked for.</summary>
    [JsonPropertyName("embedding")] public float[]? Embedding { get; init; }

    /// <summary>Why the track has no results; null when it succeeded.</summary>
    [JsonPropertyName("error")] public TrackError? Error { get; init; }

    /// <summary>True when the track failed.</summary>
    [JsonIgnore] public bool Failed => Error is not null;
}

/// <summary>One tag and its probability.</summary>
public sealed record TagProbability([property: JsonPropertyName("tag")] string Tag, [property: JsonPropertyName("p")] float Probability);

/// <summary>A labelled interval in seconds.</summary>
public sealed record LabelledInterval([property: JsonPropertyName("start")] double Start, [property: JsonPropertyName("end")] double End,
    [property: JsonPropertyName("label")] string Label);

/// <summary>The event lists of one track (seconds from the first sample).</summary>
public sealed record TrackEvents
{
    /// <summary>Onset times.</summary>
    [JsonPropertyName("onsets")] public double[] Onsets { get; init; } = [];
    /// <summary>Beat times.</summary>
    [JsonPropertyName("beats")] public double[] Beats { get; init; } = [];
    /// <summary>Downbeat times.</summary>
    [JsonPropertyName("downbeats")] public double[] Downbeats { get; init; } = [];
    /// <summary>Chord segments (Harte labels).</summary>
    [JsonPropertyName("chords")] public List<LabelledInterval> Chords { get; init; } = [];
    /// <summary>Structural segments.</summary>
    [JsonPropertyName("segments")] public List<LabelledInterval> Segments { get; init; } = [];
}

/// <summary>Why a track failed: the stage (<c>decode</c>, <c>analyze</c>, <c>estimate</c>, <c>features</c>, <c>tags</c>, <c>embedding</c>, <c>timeout</c>) and the one-line reason.</summary>
public sealed record TrackError([property: JsonPropertyName("stage")] string Stage, [property: JsonPropertyName("reason")] string Reason);

/// <summary>
/// The journal's serialiser: generated at build time, so it needs no reflection (and survives trimming). Use
/// <see cref="Relaxed"/>, which writes non-ASCII text and '+' as themselves (the default encoder escapes them for HTML).
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(TrackOutcome))]
[JsonSerializable(typeof(RunManifest))]
internal sealed partial class BatchJson : JsonSerializerContext
{
    /// <summary>The context with the relaxed encoder (the journal and run.json are never embedded in HTML).</summary>
    public static BatchJson Relaxed { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
