using MusicML.Mir.Analysis;

namespace MusicML.Batch;

/// <summary>The tasks a catalogue run can do per track, by their command-line names.</summary>
[Flags]
public enum BatchTasks
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Onset times.</summary>
    Onsets = 1 << 0,
    /// <summary>Tempo (T1, T2, S).</summary>
    Tempo = 1 << 1,
    /// <summary>Beat times.</summary>
    Beats = 1 << 2,
    /// <summary>Downbeats and meter.</summary>
    Downbeats = 1 << 3,
    /// <summary>Tuning offset.</summary>
    Tuning = 1 << 4,
    /// <summary>Key and its confidence.</summary>
    Key = 1 << 5,
    /// <summary>Chord segments.</summary>
    Chords = 1 << 6,
    /// <summary>Structural segments.</summary>
    Segments = 1 << 7,
    /// <summary>The tagger's probabilities.</summary>
    Tags = 1 << 8,
    /// <summary>The tagger's embedding, into the run's embedding store.</summary>
    Embedding = 1 << 9,
    /// <summary>The summary feature vector (<see cref="TrackSummarizer"/>) as extra result columns.</summary>
    FeaturesSummary = 1 << 10,
}

/// <summary>Names and parsing of <see cref="BatchTasks"/>.</summary>
public static class BatchTaskNames
{
    private static readonly (string Name, BatchTasks Task, AnalysisTasks Analysis)[] Table =
    [
        ("tempo", BatchTasks.Tempo, AnalysisTasks.Tempo), ("key", BatchTasks.Key, AnalysisTasks.Key),
        ("beats", BatchTasks.Beats, AnalysisTasks.Beats), ("downbeats", BatchTasks.Downbeats, AnalysisTasks.Downbeats),
        ("chords", BatchTasks.Chords, AnalysisTasks.Chords), ("onsets", BatchTasks.Onsets, AnalysisTasks.Onsets),
        ("tuning", BatchTasks.Tuning, AnalysisTasks.Tuning), ("segments", BatchTasks.Segments, AnalysisTasks.Segments),
        ("tags", BatchTasks.Tags, AnalysisTasks.None), ("embedding", BatchTasks.Embedding, AnalysisTasks.None),
        ("features-summary", BatchTasks.FeaturesSummary, AnalysisTasks.None),
    ];

    /// <summary>Every task name, in the order the help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Table.Select(t => t.Name)];

    /// <summary>Parses a comma-separated list (<c>all</c> for every task).</summary>
    /// <exception cref="BatchUsageException">An unknown name, or none.</exception>
    public static BatchTasks Parse(string list)
    {
        var tasks = BatchTasks.None;
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (name.Equals("all", StringComparison.OrdinalIgnoreCase)) { tasks |= Table.Aggregate(BatchTasks.None, (a, t) => a | t.Task); continue; }
            var entry = Table.FirstOrDefault(t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (entry.Name is null) throw new BatchUsageException($"--tasks: unknown task '{name}'; choose from {string.Join(", ", Names)} (or all).");
            tasks |= entry.Task;
        }
        return tasks == BatchTasks.None ? throw new BatchUsageException("--tasks: name at least one task.") : tasks;
    }

    /// <summary>The canonical comma-separated list of <paramref name="tasks"/> (table order), as a run records it.</summary>
    public static string Format(BatchTasks tasks) => string.Join(',', Table.Where(t => tasks.HasFlag(t.Task)).Select(t => t.Name));

    /// <summary>The analysis tasks <paramref name="tasks"/> asks of <see cref="Analyzer"/> (None when only model or feature tasks).</summary>
    public static AnalysisTasks AnalysisOf(BatchTasks tasks) => Table.Where(t => tasks.HasFlag(t.Task)).Aggregate(AnalysisTasks.None, (a, t) => a | t.Analysis);

    /// <summary>Whether <paramref name="tasks"/> needs the tagger.</summary>
    public static bool NeedsModel(BatchTasks tasks) => (tasks & (BatchTasks.Tags | BatchTasks.Embedding)) != 0;
}
