using System.Collections.Concurrent;
using System.Globalization;
using MusicML.Audio;
using MusicML.Core;
using MusicML.Mir;
using MusicML.Mir.Analysis;
using MusicML.Mir.Beats;
using MusicML.Similarity;
using MusicML.Tagging;

namespace MusicML.Batch;

/// <summary>What a catalogue run is asked to do (<c>musicml batch</c>'s options, validated by <see cref="BatchRunner.Run"/> before any work).</summary>
public sealed record BatchOptions
{
    /// <summary>Directories (recursive), audio files and manifest CSVs (a <c>path</c> column).</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>The output folder; a sharded run writes into its <see cref="ShardSpec.FolderName"/> below it.</summary>
    public required string Out { get; init; }

    /// <summary>The tasks per track.</summary>
    public BatchTasks Tasks { get; init; } = BatchTasks.Default;

    /// <summary>The output format.</summary>
    public BatchFormat Format { get; init; } = BatchFormat.Csv;

    /// <summary>Tracks decoded and analysed at once (CPU workers), at least 1.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>The part of the catalogue this process takes.</summary>
    public ShardSpec Shard { get; init; } = ShardSpec.Whole;

    /// <summary>The longest one track's decoding and analysis may take before it is recorded as failed (stage <c>timeout</c>); null for no limit.</summary>
    public TimeSpan? TrackTimeout { get; init; }

    /// <summary>Whether tracks whose latest record is a failure are run again (those that succeeded are kept).</summary>
    public bool RetryFailed { get; init; }

    /// <summary>Whether an output folder of another task set, version, model or shard is emptied and started over instead of refused.</summary>
    public bool Force { get; init; }

    /// <summary>The beat tracker's activation: <c>learned</c> (the bundled network) or <c>dsp</c>, recorded in the run manifest.</summary>
    public string Rhythm { get; init; } = "learned";

    /// <summary>The learned beat network, or null for the DSP path (what <see cref="Rhythm"/> names).</summary>
    public BeatNetwork? Network { get; init; } = BeatNetwork.Bundled;

    /// <summary>Loads the tagger for the tags and embedding tasks (once per process); required when one of them runs.</summary>
    public Func<Tagger>? LoadTagger { get; init; }

    /// <summary>The tagger as the user named it (bundled name or path), recorded with its weights' hash.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>Chunks per network pass of the tagger.</summary>
    public int ModelBatchSize { get; init; } = Tagger.DefaultFilesBatchSize;

    /// <summary>How many of the most probable tags the results row lists (every tag's probability is kept in the records).</summary>
    public int TopTags { get; init; } = 5;

    /// <summary>Told about skipped inputs and other notes; may be null.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>Called once before the first track with the tracks to do now and those already done; may be null.</summary>
    public Action<int, int>? Started { get; init; }

    /// <summary>Called after each track's record is committed (from one thread at a time); may be null.</summary>
    public Action<TrackOutcome>? TrackFinished { get; init; }
}

/// <summary>How a catalogue run ended.</summary>
/// <param name="Folder">The folder its outputs are in.</param>
/// <param name="Assigned">Tracks of this shard.</param>
/// <param name="AlreadyDone">Tracks a previous run had recorded, not run again.</param>
/// <param name="Processed">Tracks run now.</param>
/// <param name="Failed">Tracks of this shard whose latest record is a failure (listed in errors.csv).</param>
/// <param name="Files">The output files written, inside <paramref name="Folder"/>.</param>
public sealed record BatchSummary(string Folder, int Assigned, int AlreadyDone, int Processed, int Failed, IReadOnlyList<string> Files);

/// <summary>
/// Runs a catalogue: every track of the shard analysed once, its record committed to the journal as it finishes,
/// the output files written from the journal at the end. Killed and rerun with the same options, it skips the
/// committed tracks and finishes the rest, so the outputs equal an uninterrupted run's.
/// </summary>
/// <remarks>
/// Pipeline: <see cref="BatchOptions.Workers"/> CPU workers decode and analyse tracks (each file streamed block by
/// block by <see cref="Analyzer"/>, so memory is bounded by the workers, not the tracks' lengths), handing them to a
/// bounded queue; one thread takes them in groups through the tagger (loaded once; chunks of consecutive tracks
/// share network passes, <see cref="Tagger.TagFiles"/>) and commits each track's record.
/// </remarks>
public static class BatchRunner
{
    /// <summary>The list of the shard's tracks written when a run starts (one relative path per line), for <see cref="BatchMerge"/> to find tracks missing from a shard.</summary>
    public const string TracksFile = "tracks.txt";

    private const string LockFile = ".lock";
    private const int ModelGroup = 8;

    /// <summary>Runs <paramref name="options"/>.</summary>
    /// <exception cref="BatchUsageException">Bad options, inputs or manifest; an output folder of another run (without <see cref="BatchOptions.Force"/>).</exception>
    /// <exception cref="MusicMLException">The model cannot be loaded, or the folder is in use by another run.</exception>
    public static BatchSummary Run(BatchOptions options)
    {
        if (options.Workers < 1) throw new BatchUsageException($"--workers must be at least 1; got {options.Workers}.");
        if (options.TrackTimeout is { } limit && limit <= TimeSpan.Zero) throw new BatchUsageException($"--track-timeout must be positive; got {limit.TotalSeconds} s.");
        if (options.Tasks.IsEmpty) throw new BatchUsageException("--tasks: name at least one task.");
        bool model = options.Tasks.NeedsModel;
        if (model && options.LoadTagger is null) throw new BatchUsageException("the tags and embedding tasks need a model.");
        if (File.Exists(options.Out)) throw new BatchUsageException($"--out {options.Out}: is an existing file; give a directory.");

        var catalogue = CatalogueWalker.Walk(options.Inputs, options.Warn, manifests: true);
        if (catalogue.Count == 0) throw new BatchUsageException("No audio files found in the given inputs.");
        var assigned = catalogue.Where(t => options.Shard.Contains(t.RelativePath)).OrderBy(t => t.RelativePath, StringComparer.Ordinal).ToList();
        var folder = options.Shard.IsSharded ? Path.Combine(options.Out, options.Shard.FolderName) : options.Out;
        Directory.CreateDirectory(folder);
        using var folderLock = Lock(folder);

        using var tagger = model ? options.LoadTagger!() : null;
        var manifest = new RunManifest
        {
            Tasks = BatchTaskNames.Format(options.Tasks), Version = RunManifest.CurrentVersion, Model = model ? options.ModelName : "",
            ModelSha256 = tagger?.WeightsSha256 ?? "", Rhythm = options.Rhythm, Shard = options.Shard.ToString(), Assigned = assigned.Count,
        };
        PrepareFolder(folder, manifest, options.Force);
        AtomicFile.WriteAllText(Path.Combine(folder, TracksFile), string.Concat(assigned.Select(t => t.RelativePath + "\n")));
        manifest.Write(folder);

        using var journal = BatchJournal.Open(Path.Combine(folder, BatchJournal.FileName));
        var toDo = new List<CatalogueTrack>();
        foreach (var track in assigned)
            if (!journal.TryGetStatus(track.RelativePath, out bool failed) || (failed && options.RetryFailed)) toDo.Add(track);
        options.Started?.Invoke(toDo.Count, assigned.Count - toDo.Count);

        Process(toDo, new TrackContext(options, manifest), tagger, journal);

        var tracks = assigned.Select(t => t.RelativePath).ToList();
        var space = options.Tasks.Embedding && tagger is not null
            ? EmbeddingSpace.OfTagger(manifest.Model, manifest.ModelSha256, checked((int)tagger.Network.EmbeddingSize))
            : null;
        var files = BatchOutputs.Write(folder, options.Format, BatchColumns.For(options.Tasks), () => journal.Read(tracks), space);
        int failures = tracks.Count(t => journal.TryGetStatus(t, out bool f) && f);
        return new BatchSummary(folder, assigned.Count, assigned.Count - toDo.Count, toDo.Count, failures, files);
    }

    /// <summary>
    /// Refuses a folder holding another run's records (other tasks, version, model, rhythm or shard) unless
    /// <paramref name="force"/>, which removes that run's files (and only those) first.
    /// </summary>
    private static void PrepareFolder(string folder, RunManifest manifest, bool force)
    {
        RunManifest? existing;
        try
        {
            existing = RunManifest.Read(folder);
        }
        catch (MusicMLException) when (force)
        {
            existing = null;
        }
        bool journal = File.Exists(Path.Combine(folder, BatchJournal.FileName));
        if (existing is null && !journal) return;
        var conflicts = existing is null ? ["a journal without run.json"] : manifest.Conflicts(existing);
        if (conflicts.Count == 0) return;
        if (!force)
            throw new BatchUsageException($"{folder} holds another run ({string.Join("; ", conflicts)}); give another --out, or --force to discard it and start over.");
        foreach (var name in BatchOutputs.AllFiles.Concat([BatchJournal.FileName, RunManifest.FileName, TracksFile]))
            File.Delete(Path.Combine(folder, name));
    }

    /// <summary>An exclusive lock on the folder for this process's lifetime: two runs appending to one journal would each skip the other's work.</summary>
    private static FileStream Lock(string folder)
    {
        var path = Path.Combine(folder, LockFile);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new MusicMLException($"{folder}: another musicml batch is writing to this folder ({e.Message.Split('\n')[0]}); wait for it or give another --out.") { FilePath = folder };
        }
    }

    /// <summary>The per-run values every track's work needs.</summary>
    private sealed class TrackContext(BatchOptions options, RunManifest manifest)
    {
        public BatchOptions Options { get; } = options;
        public RunManifest Manifest { get; } = manifest;
        public Analyzer Analyzer { get; } = new() { Tasks = options.Tasks.Analysis, Rhythm = new RhythmAnalyzer { Network = options.Network } };
        public TrackSummarizer Summarizer { get; } = new();
    }

    private static void Process(List<CatalogueTrack> toDo, TrackContext context, Tagger? tagger, BatchJournal journal)
    {
        if (toDo.Count == 0) return;
        var options = context.Options;
        using var analysed = new BlockingCollection<TrackOutcome>(boundedCapacity: 2 * options.Workers + ModelGroup);
        // Stops the workers when committing fails (the model failing as a whole, a full disk), so none is left
        // blocked adding to a queue that nobody takes from.
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(() =>
        {
            try
            {
                Parallel.ForEach(toDo, new ParallelOptions { MaxDegreeOfParallelism = options.Workers, CancellationToken = stop.Token },
                    track => analysed.Add(AnalyseWithin(track, context), stop.Token));
            }
            finally
            {
                analysed.CompleteAdding();
            }
        });
        try
        {
            var group = new List<TrackOutcome>();
            foreach (var outcome in analysed.GetConsumingEnumerable())
            {
                group.Add(outcome);
                if (group.Count < ModelGroup && analysed.Count > 0) continue;
                foreach (var done in tagger is null ? group : RunModel(group, tagger, context))
                {
                    journal.Append(done);
                    options.TrackFinished?.Invoke(done);
                }
                group.Clear();
            }
        }
        catch
        {
            stop.Cancel();
            try { producer.Wait(); } catch (AggregateException) { } // the committing failure is the one to report
            throw;
        }
        producer.GetAwaiter().GetResult();
    }

    /// <summary>
    /// <see cref="Analyse"/> under the run's time limit. A track past it is recorded as a <c>timeout</c> failure and the
    /// worker moves on; the abandoned analysis runs to its end in the background and its result is dropped.
    /// </summary>
    private static TrackOutcome AnalyseWithin(CatalogueTrack track, TrackContext context)
    {
        if (context.Options.TrackTimeout is not { } limit) return Analyse(track, context);
        var work = Task.Run(() => Analyse(track, context));
        // Waited on through its handle, not Task.Wait: a task still queued when Task.Wait is called (a busy pool) is
        // run inline on the waiting thread, and the limit is then not enforced at all.
        return ((IAsyncResult)work).AsyncWaitHandle.WaitOne(limit) ? work.Result
            : Failure(track, "timeout", string.Create(CultureInfo.InvariantCulture, $"not finished within --track-timeout {limit.TotalSeconds:0.###} s"));
    }

    /// <summary>
    /// <see cref="AnalyseTrack"/>, with the decoder's warnings about this file caught: a file that decoded only up to
    /// damage (truncated) is a failure of stage <c>decode</c>, not a confident result on part of the track.
    /// </summary>
    private static TrackOutcome Analyse(CatalogueTrack track, TrackContext context)
    {
        string? damage = null;
        TrackOutcome outcome;
        using (AudioWarnings.Mute())
        using (AudioWarnings.Listen((_, message) => damage ??= message))
            outcome = AnalyseTrack(track, context);
        // Damage explains a "no estimate" on the few seconds that decoded better than the estimate's own reason does.
        return damage is not null && (!outcome.Failed || outcome.Error!.Stage == "estimate") ? Failure(track, "decode", damage) : outcome;
    }

    /// <summary>Decodes and analyses one track; every failure a file can cause becomes its record (stage and one-line reason).</summary>
    private static TrackOutcome AnalyseTrack(CatalogueTrack track, TrackContext context)
    {
        var tasks = context.Options.Tasks;
        AudioInfo info;
        try
        {
            info = AudioFile.GetInfo(track.Path);
            if (info.FrameCount == 0) return Failure(track, "decode", "zero-length audio (no samples)");
        }
        catch (Exception e) when (IsTrackFailure(e))
        {
            return Failure(track, "decode", e);
        }

        AnalysisResult? result = null;
        if (tasks.Analysis != AnalysisTasks.None)
        {
            try
            {
                result = context.Analyzer.Analyze(track.Path);
            }
            catch (Exception e) when (IsTrackFailure(e))
            {
                return Failure(track, "analyze", e);
            }
            if (result.NoEstimate is { } why) return Failure(track, "estimate", $"no estimate: {why}");
        }
        TrackSummary? summary = null;
        if (tasks.FeaturesSummary)
        {
            try
            {
                summary = context.Summarizer.Summarize(track.Path);
            }
            catch (Exception e) when (IsTrackFailure(e))
            {
                return Failure(track, "features", e);
            }
            if (result is null && summary.NoEstimate is { } why) return Failure(track, "estimate", $"no estimate: {why}");
        }

        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        if (result is not null)
        {
            var fields = AnalysisRecords.CsvFields(track.Path, result, null);
            for (int i = 0; i < fields.Length; i++) row[AnalysisRecords.CsvColumns[i]] = fields[i];
        }
        row["file"] = track.Path;
        row["track"] = track.RelativePath;
        row["duration"] = info.Duration.ToString("F3", CultureInfo.InvariantCulture);
        // The file's own rate and channels (the analysis runs on a mono 22,050 Hz copy).
        row["sample_rate"] = info.SampleRate.ToString(CultureInfo.InvariantCulture);
        row["channels"] = info.ChannelCount.ToString(CultureInfo.InvariantCulture);
        row["model"] = context.Manifest.Model;
        row["model_sha256"] = context.Manifest.ModelSha256;
        row["musicml_version"] = context.Manifest.Version;
        if (summary is not null)
            for (int i = 0; i < TrackSummarizer.Names.Count; i++)
                row[TrackSummarizer.Names[i]] = summary.Values[i].ToString("R", CultureInfo.InvariantCulture);

        return new TrackOutcome
        {
            Track = track.RelativePath, Path = track.Path, Row = row,
            Events = result is not null && tasks.HasEvents ? EventsOf(result, tasks) : null,
        };
    }

    /// <summary>The lists of the asked-for tasks (a dependency's list, e.g. beats under downbeats only, is left out), times to 1 µs as the analysis records round them.</summary>
    private static TrackEvents EventsOf(AnalysisResult r, BatchTasks tasks)
    {
        static double[] Times(IReadOnlyList<double> times) => [.. times.Select(t => Math.Round(t, 6))];
        return new TrackEvents
        {
            Onsets = tasks.Analysis.HasFlag(AnalysisTasks.Onsets) ? Times(r.Onsets) : [],
            Beats = tasks.Analysis.HasFlag(AnalysisTasks.Beats) ? Times(r.Beats) : [],
            Downbeats = tasks.Analysis.HasFlag(AnalysisTasks.Downbeats) ? Times(r.Downbeats) : [],
            Chords = tasks.Analysis.HasFlag(AnalysisTasks.Chords) ? [.. r.Chords.Select(c => new LabelledInterval(Math.Round(c.Start, 6), Math.Round(c.End, 6), c.Label))] : [],
            Segments = tasks.Analysis.HasFlag(AnalysisTasks.Segments) ? [.. r.Segments.Select(s => new LabelledInterval(Math.Round(s.Start, 6), Math.Round(s.End, 6), s.Label))] : [],
        };
    }

    /// <summary>
    /// Tags and embeds the analysed tracks of <paramref name="group"/> (failures pass through), chunks of consecutive
    /// tracks sharing network passes. A track shorter than the tagger's input gets an empty tag list and no embedding.
    /// </summary>
    private static List<TrackOutcome> RunModel(List<TrackOutcome> group, Tagger tagger, TrackContext context)
    {
        var tasks = context.Options.Tasks;
        var outcomes = new List<TrackOutcome>(group);
        var eligible = Enumerable.Range(0, outcomes.Count)
            .Where(i => !outcomes[i].Failed && double.Parse(outcomes[i].Row!["duration"], CultureInfo.InvariantCulture) >= tagger.MinimumSeconds).ToList();
        for (int i = 0; i < outcomes.Count; i++)
            if (!outcomes[i].Failed && tasks.Tags) outcomes[i] = outcomes[i] with { Tags = [] };
        if (tasks.Tags)
        {
            int n = 0;
            foreach (var result in tagger.TagFiles(eligible.Select(i => outcomes[i].Path), context.Options.ModelBatchSize))
            {
                int i = eligible[n++];
                if (result.Error is { } error) { outcomes[i] = Failure(outcomes[i], "tags", error); continue; }
                var all = result.Tags!.Top(result.Tags.Tags.Count);
                var row = new Dictionary<string, string>(outcomes[i].Row!) { ["tags"] = AnalysisRecords.TagsField([.. all.Take(context.Options.TopTags)]) };
                outcomes[i] = outcomes[i] with { Row = row, Tags = [.. all.Select(t => new TagProbability(t.Tag, t.Probability))] };
            }
        }
        if (tasks.Embedding)
        {
            var stillEligible = eligible.Where(i => !outcomes[i].Failed).ToList();
            int n = 0;
            foreach (var result in tagger.EmbedFiles(stillEligible.Select(i => outcomes[i].Path), context.Options.ModelBatchSize))
            {
                int i = stillEligible[n++];
                outcomes[i] = result.Error is { } error ? Failure(outcomes[i], "embedding", error) : outcomes[i] with { Embedding = result.Embedding };
            }
        }
        return outcomes;
    }

    /// <summary>Failures that belong to one file (unreadable, truncated, unsupported, too short), as opposed to programming errors, which end the run.</summary>
    private static bool IsTrackFailure(Exception e) => e is MusicMLException or IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException;

    private static TrackOutcome Failure(CatalogueTrack track, string stage, Exception e) => Failure(track, stage, OneLine(e.Message));

    private static TrackOutcome Failure(CatalogueTrack track, string stage, string reason) =>
        new() { Track = track.RelativePath, Path = track.Path, Error = new TrackError(stage, reason) };

    private static TrackOutcome Failure(TrackOutcome outcome, string stage, Exception e) =>
        new() { Track = outcome.Track, Path = outcome.Path, Error = new TrackError(stage, OneLine(e.Message)) };

    private static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
