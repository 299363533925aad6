using System.Text.Json;
using Microsoft.Data.Sqlite;
using MusicML.Batch;
using MusicML.TestSupport;
using Parquet;
using Parquet.Schema;

namespace MusicML.Batch.Tests;

/// <summary>
/// <see cref="BatchRunner"/> and <see cref="BatchMerge"/> on a small catalogue: the four bundled samples in two
/// folders, plus the broken files a real catalogue holds (not audio, empty, zero-length, truncated, silent).
/// </summary>
public sealed class BatchRunnerTests : IDisposable
{
    private static readonly string[] Samples = ["band_A_minor_100bpm", "chords_C_major_150bpm", "drums_bass_120bpm", "melody_G_major_100bpm"];
    private readonly string _root = Directory.CreateTempSubdirectory("musicml-batch-").FullName;
    private string Catalogue => Path.Combine(_root, "catalogue");

    public BatchRunnerTests()
    {
        for (int i = 0; i < Samples.Length; i++)
        {
            var folder = Path.Combine(Catalogue, i % 2 == 0 ? "rock" : "jazz");
            Directory.CreateDirectory(folder);
            File.Copy(SharedData.RepoPath("audio-samples", Samples[i] + ".wav"), Path.Combine(folder, Samples[i] + ".wav"));
        }
        var broken = Path.Combine(Catalogue, "broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "text.flac"), "not audio at all");
        File.WriteAllBytes(Path.Combine(broken, "empty.wav"), []);
        var band = File.ReadAllBytes(SharedData.RepoPath("audio-samples", Samples[0] + ".wav"));
        File.WriteAllBytes(Path.Combine(broken, "truncated.wav"), band[..(band.Length / 3)]);
        TaggedClips.WritePcm16(Path.Combine(broken, "zero.wav"), [], 22050);
        TaggedClips.WritePcm16(Path.Combine(broken, "silent.wav"), new float[22050 * 4], 22050);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private BatchOptions Options(string output, string tasks = "tempo,key,beats") => new()
    {
        Inputs = [Catalogue], Out = Path.Combine(_root, output), Tasks = BatchTaskNames.Parse(tasks), Workers = 2,
    };

    private static string[] Lines(string path) => File.ReadAllLines(path);

    [Fact]
    public void ADirectoryWithBrokenFilesGivesARowPerGoodTrackAndAnErrorPerBrokenOne()
    {
        var summary = BatchRunner.Run(Options("out"));
        Assert.Equal(9, summary.Assigned);
        Assert.Equal(5, summary.Failed);
        var results = Lines(Path.Combine(summary.Folder, "results.csv"));
        Assert.Equal(string.Join(',', BatchColumns.For(BatchTaskNames.Parse("tempo,key,beats"))), results[0]);
        // Sorted by track id (the path under the catalogue): jazz/…, rock/….
        Assert.Equal(["jazz/chords_C_major_150bpm.wav", "jazz/melody_G_major_100bpm.wav", "rock/band_A_minor_100bpm.wav", "rock/drums_bass_120bpm.wav"],
            results.Skip(1).Select(r => r.Split(',')[1]));
        var band = results[3].Split(',');
        Assert.Equal("A minor", band[Array.IndexOf(results[0].Split(','), "key")]);
        Assert.Equal("22050", band[Array.IndexOf(results[0].Split(','), "sample_rate")]);
        Assert.Equal("1", band[Array.IndexOf(results[0].Split(','), "channels")]);

        var errors = Lines(Path.Combine(summary.Folder, "errors.csv"));
        Assert.Equal("file,track,stage,reason", errors[0]);
        var byTrack = errors.Skip(1).Select(l => l.Split(',', 4)).ToDictionary(f => f[1], f => (Stage: f[2], Reason: f[3]));
        Assert.Equal(["broken/empty.wav", "broken/silent.wav", "broken/text.flac", "broken/truncated.wav", "broken/zero.wav"], byTrack.Keys);
        Assert.Equal("decode", byTrack["broken/text.flac"].Stage);
        Assert.Contains("the file is empty", byTrack["broken/empty.wav"].Reason);
        Assert.Equal(("decode", "zero-length audio (no samples)"), byTrack["broken/zero.wav"]);
        Assert.Equal("decode", byTrack["broken/truncated.wav"].Stage);
        Assert.Contains("truncated or damaged", byTrack["broken/truncated.wav"].Reason);
        Assert.Equal("estimate", byTrack["broken/silent.wav"].Stage);
        Assert.Contains("too quiet", byTrack["broken/silent.wav"].Reason);

        var events = Lines(Path.Combine(summary.Folder, "events.jsonl"));
        Assert.Equal(4, events.Length);
        using var first = JsonDocument.Parse(events[0]);
        Assert.Equal("jazz/chords_C_major_150bpm.wav", first.RootElement.GetProperty("track").GetString());
        // 12.8 s at 150 BPM: 32 annotated beats, or 16 where the learned path reads it at half tempo (docs/accuracy.md).
        Assert.InRange(first.RootElement.GetProperty("beats").GetArrayLength(), 15, 33);
    }

    [Fact]
    public void AKilledRunResumesToTheSameOutputsAsAnUninterruptedOne()
    {
        var whole = BatchRunner.Run(Options("whole"));
        // A run killed after three tracks and half a line: its journal holds those records and a partial fourth.
        var killed = Path.Combine(_root, "killed");
        Directory.CreateDirectory(killed);
        File.Copy(Path.Combine(whole.Folder, RunManifest.FileName), Path.Combine(killed, RunManifest.FileName));
        var lines = Lines(Path.Combine(whole.Folder, BatchJournal.FileName));
        File.WriteAllText(Path.Combine(killed, BatchJournal.FileName), string.Join('\n', lines.Take(3)) + "\n" + lines[3][..(lines[3].Length / 2)]);
        var resumed = BatchRunner.Run(Options("killed"));
        Assert.Equal(3, resumed.AlreadyDone);
        Assert.Equal(6, resumed.Processed);
        foreach (var file in new[] { "results.csv", "events.jsonl", "errors.csv" })
            Assert.Equal(File.ReadAllText(Path.Combine(whole.Folder, file)), File.ReadAllText(Path.Combine(resumed.Folder, file)));
        // Every track exactly once in the journal's latest records, and a rerun has nothing to do.
        var again = BatchRunner.Run(Options("killed"));
        Assert.Equal((9, 0), (again.AlreadyDone, again.Processed));
    }

    [Fact]
    public void RetryFailedRunsOnlyTheFailuresAndAnotherTaskSetIsRefusedUnlessForced()
    {
        var first = BatchRunner.Run(Options("retry"));
        // The broken text file is replaced by audio: only the five failures run again, and it now succeeds.
        File.Delete(Path.Combine(Catalogue, "broken", "text.flac"));
        File.Copy(SharedData.RepoPath("audio-samples", Samples[2] + ".wav"), Path.Combine(Catalogue, "broken", "text.flac"));
        var retried = BatchRunner.Run(Options("retry") with { RetryFailed = true });
        Assert.Equal((4, 5, 4), (retried.AlreadyDone, retried.Processed, retried.Failed));
        Assert.Equal(6, Lines(Path.Combine(retried.Folder, "results.csv")).Length); // header + 5 tracks
        Assert.Equal(first.Folder, retried.Folder);

        var e = Assert.Throws<BatchUsageException>(() => BatchRunner.Run(Options("retry", "tempo")));
        Assert.Contains("holds another run (tasks tempo,key,beats (this run: tempo))", e.Message);
        Assert.Contains("--force", e.Message);
        var forced = BatchRunner.Run(Options("retry", "tempo") with { Force = true });
        Assert.Equal((0, 9), (forced.AlreadyDone, forced.Processed));
    }

    [Fact]
    public void ShardsMergeToExactlyTheUnshardedRun()
    {
        var whole = BatchRunner.Run(Options("whole"));
        var shards = Enumerable.Range(0, 3).Select(k => BatchRunner.Run(Options("sharded") with { Shard = new ShardSpec(k, 3) })).ToList();
        Assert.Equal(9, shards.Sum(s => s.Assigned));
        Assert.All(shards, (s, k) => Assert.Equal(Path.Combine(_root, "sharded", $"shard-{k}-of-3"), s.Folder));
        var report = BatchMerge.Merge([.. shards.Select(s => s.Folder)], Path.Combine(_root, "merged"), BatchFormat.Csv);
        Assert.True(report.Complete);
        Assert.Equal((9, 5), (report.Tracks, report.Failed));
        foreach (var file in new[] { "results.csv", "events.jsonl", "errors.csv" })
            Assert.Equal(File.ReadAllText(Path.Combine(whole.Folder, file)), File.ReadAllText(Path.Combine(report.Folder, file)));

        // A shard left out, and a shard whose run was killed before finishing, are reported.
        var partial = BatchMerge.Merge([shards[0].Folder, shards[1].Folder], Path.Combine(_root, "partial"), BatchFormat.Csv);
        Assert.Equal([2], partial.MissingShards);
        var journal = Path.Combine(shards[1].Folder, BatchJournal.FileName);
        var kept = Lines(journal);
        File.WriteAllLines(journal, kept[..^1]);
        var missing = BatchMerge.Merge([.. shards.Select(s => s.Folder)], Path.Combine(_root, "missing"), BatchFormat.Csv);
        using var last = JsonDocument.Parse(kept[^1]);
        Assert.Equal([last.RootElement.GetProperty("track").GetString()!], missing.MissingTracks);
        Assert.False(missing.Complete);
    }

    [Fact]
    public void SqliteHoldsTracksEventsAndErrorsTables()
    {
        var summary = BatchRunner.Run(Options("sqlite") with { Format = BatchFormat.Sqlite });
        using var connection = new SqliteConnection($"Data Source={Path.Combine(summary.Folder, "results.sqlite")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        long Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar());
        }
        Assert.Equal(4, Scalar("SELECT COUNT(*) FROM tracks"));
        Assert.Equal(5, Scalar("SELECT COUNT(*) FROM errors"));
        // Typed columns (REAL tempo, INTEGER counts), so SQL compares numbers, not text.
        Assert.Equal(4, Scalar("SELECT COUNT(*) FROM tracks WHERE typeof(tempo) = 'real' AND typeof(n_beats) = 'integer'"));
        Assert.Equal(Scalar("SELECT SUM(n_beats) FROM tracks"), Scalar("SELECT COUNT(*) FROM events WHERE kind = 'beat'"));
        using var key = connection.CreateCommand();
        key.CommandText = "SELECT key FROM tracks WHERE track = 'rock/band_A_minor_100bpm.wav'";
        Assert.Equal("A minor", key.ExecuteScalar());
    }

    [Fact]
    public async Task ParquetFilesReadBackWithTheirTypes()
    {
        var summary = BatchRunner.Run(Options("parquet") with { Format = BatchFormat.Parquet });
        await using var stream = File.OpenRead(Path.Combine(summary.Folder, "tracks.parquet"));
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(BatchColumns.For(BatchTaskNames.Parse("tempo,key,beats")), fields.Select(f => f.Name));
        using var group = reader.OpenRowGroupReader(0);
        Assert.Equal(4, group.RowCount);
        var tempo = new double?[4];
        await group.ReadAsync<double>(fields.Single(f => f.Name == "tempo"), tempo);
        Assert.All(tempo, t => Assert.InRange(t!.Value, 60, 200));
        var keys = new string[4];
        await group.ReadAsync(fields.Single(f => f.Name == "key"), keys.AsMemory());
        // The three samples with a key annotation (audio-samples/*.key); the drum-and-bass loop has none to compare with.
        Assert.Equal(["C major", "G major", "A minor"], keys.Take(3));

        await using var errorStream = File.OpenRead(Path.Combine(summary.Folder, "errors.parquet"));
        await using var errors = await ParquetReader.CreateAsync(errorStream);
        using var errorGroup = errors.OpenRowGroupReader(0);
        Assert.Equal(5, errorGroup.RowCount);
    }

    [Fact]
    public void JsonlHasOneObjectPerTrackWithNumbersAsNumbers()
    {
        var summary = BatchRunner.Run(Options("jsonl") with { Format = BatchFormat.Jsonl });
        var lines = Lines(Path.Combine(summary.Folder, "results.jsonl"));
        Assert.Equal(4, lines.Length);
        using var band = JsonDocument.Parse(lines[2]);
        Assert.Equal("rock/band_A_minor_100bpm.wav", band.RootElement.GetProperty("track").GetString());
        Assert.Equal(JsonValueKind.Number, band.RootElement.GetProperty("tempo").ValueKind);
        Assert.Equal(JsonValueKind.Null, band.RootElement.GetProperty("n_onsets").ValueKind);
        Assert.True(band.RootElement.GetProperty("beats").GetArrayLength() > 10);
    }

    [Fact]
    public void AFailureWhileCommittingEndsTheRunWithThatErrorInsteadOfLeavingWorkersBlocked()
    {
        // More tracks than the queue between the workers and the committing thread holds (2 × workers + 8 = 10), so
        // the workers would block forever on a full queue if nothing stopped them.
        for (int copy = 0; copy < 3; copy++)
            foreach (var sample in Samples)
                File.Copy(SharedData.RepoPath("audio-samples", sample + ".wav"), Path.Combine(Catalogue, "broken", $"{sample}-{copy}.wav"));
        var run = Task.Run(() => BatchRunner.Run(Options("boom", "tempo") with
        {
            Workers = 1,
            TrackFinished = _ => throw new IOException("disk full"),
        }));
        Assert.True(((IAsyncResult)run).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(120)), "the run hung after the committing thread failed");
        Assert.Equal("disk full", Assert.IsType<IOException>(run.Exception!.InnerException).Message);
    }

    [Fact]
    public void ASecondRunOnTheSameFolderIsRefusedWhileTheFirstHoldsIt()
    {
        // Two processes appending to one journal would each skip the other's tracks; the folder's lock refuses the second.
        var folder = Path.Combine(_root, "locked");
        Directory.CreateDirectory(folder);
        using (new FileStream(Path.Combine(folder, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var e = Assert.Throws<Core.MusicMLException>(() => BatchRunner.Run(Options("locked")));
            Assert.Contains("another musicml batch is writing to this folder", e.Message);
        }
        Assert.Equal(9, BatchRunner.Run(Options("locked")).Processed); // released: the run goes ahead
    }

    [Fact]
    public void BadOptionsAreRefusedBeforeAnyWork()
    {
        Assert.Contains("unknown task 'tmepo'", Assert.Throws<BatchUsageException>(() => BatchTaskNames.Parse("tempo,tmepo")).Message);
        Assert.Contains("--workers", Assert.Throws<BatchUsageException>(() => BatchRunner.Run(Options("w") with { Workers = 0 })).Message);
        Assert.Contains("need a model", Assert.Throws<BatchUsageException>(() => BatchRunner.Run(Options("m", "tags"))).Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "w")));
    }
}

/// <summary>The model tasks (tags, embedding) and the summary features, with the bundled tagger.</summary>
public sealed class BatchModelTaskTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("musicml-batch-model-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [SkippableFact]
    public void TagsEmbeddingsAndSummaryFeaturesEqualTheLibraryCallsOnEachTrack()
    {
        Skip.IfNot(Torch.TorchRuntime.IsAvailable, "libtorch is not available, so the tagger cannot run");
        var catalogue = Path.Combine(_root, "catalogue");
        Directory.CreateDirectory(catalogue);
        string[] samples = ["band_A_minor_100bpm", "chords_C_major_150bpm", "melody_G_major_100bpm"];
        foreach (var s in samples) File.Copy(SharedData.RepoPath("audio-samples", s + ".wav"), Path.Combine(catalogue, s + ".wav"));
        var weights = SharedData.RepoPath("models", "musicml_synth.safetensors");
        var summary = BatchRunner.Run(new BatchOptions
        {
            Inputs = [catalogue], Out = Path.Combine(_root, "out"), Tasks = BatchTaskNames.Parse("key,tags,embedding,features-summary"),
            Workers = 2, LoadTagger = () => Tagging.Tagger.Load(weights), ModelName = "musicml_synth",
        });
        Assert.Equal(0, summary.Failed);
        Assert.Contains("embeddings.store", summary.Files);

        using var tagger = Tagging.Tagger.Load(weights);
        var header = File.ReadAllLines(Path.Combine(summary.Folder, "results.csv"))[0].Split(',');
        var rows = File.ReadAllLines(Path.Combine(summary.Folder, "results.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var store = Similarity.EmbeddingStore.Load(Path.Combine(summary.Folder, "embeddings.store"));
        Assert.Equal([.. samples.Select(s => s + ".wav")], store.Ids);
        Assert.Equal(tagger.WeightsSha256, store.Space.ModelSha256);
        var summarizer = new Mir.Analysis.TrackSummarizer();
        for (int i = 0; i < samples.Length; i++)
        {
            var path = Path.Combine(catalogue, samples[i] + ".wav");
            // The row's five tags are the library's five most probable for that file (3 decimals, as the CSV writes them).
            var expected = Mir.Analysis.AnalysisRecords.TagsField([.. tagger.TagFile(path).Top(5)]);
            Assert.Equal(expected, rows[i][Array.IndexOf(header, "tags")]);
            Assert.Equal(tagger.WeightsSha256, rows[i][Array.IndexOf(header, "model_sha256")]);
            // The stored embedding is the tagger's own for that file (batched with the other tracks: within 1e-5).
            var embedding = tagger.EmbedFiles([path]).Single().Embedding!;
            ArrayComparison.AssertRelativeMaxError(embedding, store.Vector(i), 1e-5, $"embedding of {samples[i]}");
            // Summary features: the row holds the summariser's values exactly (round-trip formatting).
            var features = summarizer.Summarize(path);
            for (int f = 0; f < Mir.Analysis.TrackSummarizer.Names.Count; f += 17)
                Assert.Equal(features.Values[f], double.Parse(rows[i][Array.IndexOf(header, Mir.Analysis.TrackSummarizer.Names[f])], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
