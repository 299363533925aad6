using MusicML.Mir.Analysis;

namespace MusicML.Batch;

/// <summary>
/// What a catalogue run does per track: the <see cref="Analyzer"/>'s tasks as asked (their prerequisites are the
/// analyzer's business), and the tasks beyond it.
/// </summary>
/// <param name="Analysis">The analysis tasks asked for (None when only model or feature tasks run).</param>
/// <param name="Tags">The tagger's probabilities.</param>
/// <param name="Embedding">The tagger's embedding, into the run's embedding store.</param>
/// <param name="FeaturesSummary">The summary feature vector (<see cref="TrackSummarizer"/>) as extra result columns.</param>
public readonly record struct BatchTasks(AnalysisTasks Analysis, bool Tags = false, bool Embedding = false, bool FeaturesSummary = false)
{
    /// <summary>What a run does unless told otherwise: every analysis task that needs no model except onsets and segments (tempo, key, tuning, beats, downbeats, chords).</summary>
    public static BatchTasks Default { get; } =
        new(AnalysisTasks.Tempo | AnalysisTasks.Key | AnalysisTasks.Tuning | AnalysisTasks.Beats | AnalysisTasks.Downbeats | AnalysisTasks.Chords);

    /// <summary>True when nothing is asked.</summary>
    public bool IsEmpty => Analysis == AnalysisTasks.None && !Tags && !Embedding && !FeaturesSummary;

    /// <summary>Whether the tagger is needed (tags or embedding).</summary>
    public bool NeedsModel => Tags || Embedding;

    /// <summary>Whether a task with a list of events (onsets, beats, downbeats, chords, segments) is asked.</summary>
    public bool HasEvents => (Analysis & (AnalysisTasks.Onsets | AnalysisTasks.Beats | AnalysisTasks.Downbeats | AnalysisTasks.Chords | AnalysisTasks.Segments)) != 0;
}

/// <summary>The command-line names of <see cref="BatchTasks"/> and their parsing.</summary>
public static class BatchTaskNames
{
    private static readonly (string Name, AnalysisTasks Analysis)[] AnalysisNames =
    [
        ("tempo", AnalysisTasks.Tempo), ("key", AnalysisTasks.Key), ("beats", AnalysisTasks.Beats), ("downbeats", AnalysisTasks.Downbeats),
        ("chords", AnalysisTasks.Chords), ("onsets", AnalysisTasks.Onsets), ("tuning", AnalysisTasks.Tuning), ("segments", AnalysisTasks.Segments),
    ];

    private const string TagsName = "tags", EmbeddingName = "embedding", FeaturesName = "features-summary";

    /// <summary>Every task name, in the order the help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. AnalysisNames.Select(t => t.Name), TagsName, EmbeddingName, FeaturesName];

    /// <summary>Parses a comma-separated list (<c>all</c> for every task).</summary>
    /// <exception cref="BatchUsageException">An unknown name, or none.</exception>
    public static BatchTasks Parse(string list)
    {
        var tasks = new BatchTasks(AnalysisTasks.None);
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()))
        {
            tasks = name switch
            {
                "all" => new BatchTasks(AnalysisTasks.All, Tags: true, Embedding: true, FeaturesSummary: true),
                TagsName => tasks with { Tags = true },
                EmbeddingName => tasks with { Embedding = true },
                FeaturesName => tasks with { FeaturesSummary = true },
                _ => AnalysisNames.FirstOrDefault(t => t.Name == name) is { Name: not null } entry
                    ? tasks with { Analysis = tasks.Analysis | entry.Analysis }
                    : throw new BatchUsageException($"--tasks: unknown task '{name}'; choose from {string.Join(", ", Names)} (or all)."),
            };
        }
        return tasks.IsEmpty ? throw new BatchUsageException("--tasks: name at least one task.") : tasks;
    }

    /// <summary>The canonical comma-separated list of <paramref name="tasks"/> (in <see cref="Names"/> order), as a run records it.</summary>
    public static string Format(BatchTasks tasks) => string.Join(',',
        AnalysisNames.Where(t => tasks.Analysis.HasFlag(t.Analysis)).Select(t => t.Name)
            .Concat(tasks.Tags ? [TagsName] : []).Concat(tasks.Embedding ? [EmbeddingName] : []).Concat(tasks.FeaturesSummary ? [FeaturesName] : []));
}
