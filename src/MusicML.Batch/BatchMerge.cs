using MusicML.Core;

namespace MusicML.Batch;

/// <summary>What merging shard outputs found.</summary>
/// <param name="Folder">The merged output folder.</param>
/// <param name="Tracks">Tracks in the merged outputs.</param>
/// <param name="Failed">Of them, failures (errors.csv).</param>
/// <param name="MissingShards">Shard indices of the run that were not given, e.g. a task that never started.</param>
/// <param name="MissingTracks">Tracks a shard was assigned but has no record of (the shard was killed and not resumed).</param>
/// <param name="DuplicateTracks">Tracks recorded by more than one shard (shards of different catalogues or counts); the lowest shard's record is kept.</param>
/// <param name="Files">The output files written, inside <paramref name="Folder"/>.</param>
public sealed record MergeReport(string Folder, int Tracks, int Failed, IReadOnlyList<int> MissingShards, IReadOnlyList<string> MissingTracks,
    IReadOnlyList<string> DuplicateTracks, IReadOnlyList<string> Files)
{
    /// <summary>True when every shard was given, complete, and no track came twice.</summary>
    public bool Complete => MissingShards.Count == 0 && MissingTracks.Count == 0 && DuplicateTracks.Count == 0;
}

/// <summary>
/// Combines the output folders of a sharded run (<c>shard-K-of-N</c>) into one folder with the outputs an
/// unsharded run would have written: the same records, in the same track order, in one journal, so a merged
/// <c>results.csv</c> equals a single process's. Shards must come from one run configuration (tasks, version, model, rhythm).
/// </summary>
public static class BatchMerge
{
    /// <summary>Merges <paramref name="shardFolders"/> into <paramref name="outFolder"/> (created; must not be one of them).</summary>
    /// <exception cref="BatchUsageException">A folder is not a shard output, the shards disagree, or a shard is given twice.</exception>
    public static MergeReport Merge(IReadOnlyList<string> shardFolders, string outFolder, BatchFormat format)
    {
        if (shardFolders.Count == 0) throw new BatchUsageException("batch merge: give the shard folders to merge.");
        var shards = new List<(string Folder, RunManifest Manifest, ShardSpec Shard)>();
        foreach (var folder in shardFolders)
        {
            var manifest = RunManifest.Read(folder) ?? throw new BatchUsageException($"{folder}: not a batch output folder (no {RunManifest.FileName}).");
            if (!File.Exists(Path.Combine(folder, BatchJournal.FileName))) throw new BatchUsageException($"{folder}: no {BatchJournal.FileName}; the shard has not run.");
            shards.Add((folder, manifest, ShardSpec.Parse(manifest.Shard, $"{folder}/{RunManifest.FileName}")));
        }
        var first = shards[0];
        foreach (var s in shards.Skip(1))
        {
            var conflicts = (first.Manifest with { Shard = "", Assigned = 0 }).Conflicts(s.Manifest with { Shard = "", Assigned = 0 });
            if (conflicts.Count > 0) throw new BatchUsageException($"{s.Folder} is from another run than {first.Folder}: {string.Join("; ", conflicts)}.");
            if (s.Shard.Count != first.Shard.Count) throw new BatchUsageException($"{s.Folder} is shard {s.Shard} but {first.Folder} is shard {first.Shard}: different shard counts.");
        }
        foreach (var g in shards.GroupBy(s => s.Shard.Index).Where(g => g.Count() > 1))
            throw new BatchUsageException($"shard {g.Key} given twice: {string.Join(", ", g.Select(s => s.Folder))}.");
        var full = Path.GetFullPath(outFolder);
        if (shards.Any(s => Path.GetFullPath(s.Folder).TrimEnd('/') == full.TrimEnd('/')))
            throw new BatchUsageException($"--out {outFolder}: is one of the shard folders; give a new folder.");

        var missingShards = Enumerable.Range(0, first.Shard.Count).Except(shards.Select(s => s.Shard.Index)).ToList();
        Directory.CreateDirectory(outFolder);
        var owner = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = new List<string>();
        var missing = new List<string>();
        var journals = new List<BatchJournal>();
        try
        {
            foreach (var (folder, _, _) in shards.OrderBy(s => s.Shard.Index))
            {
                var journal = BatchJournal.Open(Path.Combine(folder, BatchJournal.FileName));
                journals.Add(journal);
                foreach (var track in journal.Tracks())
                    if (!owner.TryAdd(track, journals.Count - 1)) duplicates.Add(track);
                var tracksFile = Path.Combine(folder, BatchRunner.TracksFile);
                if (File.Exists(tracksFile))
                    foreach (var track in File.ReadLines(tracksFile))
                        if (track.Length > 0 && !journal.TryGetStatus(track, out _)) missing.Add(track);
            }
            var tracks = owner.Keys.OrderBy(t => t, StringComparer.Ordinal).ToList();
            var mergedJournal = Path.Combine(outFolder, BatchJournal.FileName);
            File.Delete(mergedJournal);
            using (var merged = BatchJournal.Open(mergedJournal))
            {
                foreach (var track in tracks)
                    foreach (var record in journals[owner[track]].Read([track])) merged.Append(record);
            }
            var manifest = first.Manifest with { Shard = ShardSpec.Whole.ToString(), Assigned = tracks.Count };
            AtomicFile.WriteAllText(Path.Combine(outFolder, BatchRunner.TracksFile), string.Concat(tracks.Select(t => t + "\n")));
            manifest.Write(outFolder);
            using var result = BatchJournal.Open(mergedJournal);
            var tasks = BatchTaskNames.Parse(manifest.Tasks);
            var space = tasks.Embedding ? EmbeddingSpaceOf(result, tracks, manifest) : null;
            var files = BatchOutputs.Write(outFolder, format, BatchColumns.For(tasks), () => result.Read(tracks), space);
            int failed = tracks.Count(t => result.TryGetStatus(t, out bool f) && f);
            missing.Sort(StringComparer.Ordinal);
            duplicates.Sort(StringComparer.Ordinal);
            return new MergeReport(outFolder, tracks.Count, failed, missingShards, missing, duplicates, files);
        }
        finally
        {
            foreach (var journal in journals) journal.Dispose();
        }
    }

    private static Similarity.EmbeddingSpace? EmbeddingSpaceOf(BatchJournal journal, IReadOnlyList<string> tracks, RunManifest manifest)
    {
        var dimension = journal.Read(tracks).Select(r => r.Embedding?.Length ?? 0).FirstOrDefault(d => d > 0);
        return dimension == 0 ? null : Similarity.EmbeddingSpace.OfTagger(manifest.Model, manifest.ModelSha256, dimension);
    }
}
