using MusicML.Audio;
using MusicML.Core;
using MusicML.TestSupport;
using MusicML.Torch;
using Xunit.Abstractions;

namespace MusicML.Tagging.Tests;

/// <summary>
/// <see cref="Tagger.TagFiles"/>: chunks of several tracks in one network pass must give each track what
/// <see cref="Tagger.TagFile"/> gives it alone, in input order, with failures in their places and bounded read-ahead.
/// Runs on mtat_musicnn (3 s chunks, the cheapest published model) and the stored 30 s reference clips plus one
/// 22.05 kHz repository sample (so the resampler is on the path); skipped without libtorch or ../shared.
/// Serialised with the other native-memory tests because one of them counts live native tensors.
/// </summary>
[Collection(NativeMemoryCollection.Name)]
public sealed class TagFilesTests(ITestOutputHelper output) : IDisposable
{
    private const string Model = "mtat_musicnn";

    private readonly string _scratch = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "musicml-tagfiles-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static void SkipWithoutModel()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch (the native shim) is not available; run scripts/setup.sh");
        Skip.IfNot(SharedData.Has("models", Model + ".safetensors"), $"../shared/models/{Model}.safetensors is not here");
    }

    private static string[] GoodFiles() =>
    [
        SharedData.Path("models", "reference", "piano_seq.wav"),
        SharedData.RepoPath("audio-samples", "drums_bass_120bpm.wav"),
        SharedData.Path("models", "reference", "silence.wav"),
    ];

    private static void AssertSameTags(TrackTags expected, TrackTags actual, string file)
    {
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.ChunkStarts, actual.ChunkStarts);
        Assert.Equal(expected.ChunkProbabilities.Length, actual.ChunkProbabilities.Length);
        for (int c = 0; c < expected.ChunkProbabilities.Length; c++)
        {
            double chunkError = Reference.MaxAbsDifference(expected.ChunkProbabilities[c], actual.ChunkProbabilities[c]);
            Assert.True(chunkError <= 1e-5, $"{file}, chunk {c}: differs from TagFile by {chunkError:E2}");
        }
        double error = Reference.MaxAbsDifference(expected.Probabilities, actual.Probabilities);
        Assert.True(error <= 1e-5, $"{file}: track probabilities differ from TagFile by {error:E2}");
    }

    [SkippableFact]
    public void BatchesAcrossTracksEqualTagFileInInputOrder()
    {
        SkipWithoutModel();
        using var tagger = Tagger.Load(Reference.WeightsPath(Model));
        var files = GoodFiles();
        var alone = files.Select(f => tagger.TagFile(f)).ToArray();
        // Garbage of earlier tests is finalised first, so the count can only grow by what TagFiles leaks.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long liveBefore = TorchRuntime.LiveTensorCount;
        // 3 cuts every 16-chunk track across batches; 40 holds chunks of all three tracks in one pass; readAhead 0 is the
        // synchronous path.
        foreach (var (batchSize, readAhead) in new[] { (3, 2), (40, 1), (16, 0) })
        {
            var results = tagger.TagFiles(files, batchSize, readAhead).ToArray();
            Assert.Equal(files, results.Select(r => r.Path));
            for (int i = 0; i < files.Length; i++)
            {
                Assert.True(results[i].Succeeded, results[i].Error?.Message);
                Assert.Null(results[i].Error);
                AssertSameTags(alone[i], results[i].Tags!, files[i]);
            }
            output.WriteLine($"batch {batchSize}, read-ahead {readAhead}: {files.Length} tracks equal TagFile");
        }
        Assert.True(TorchRuntime.LiveTensorCount <= liveBefore, $"{TorchRuntime.LiveTensorCount - liveBefore} native tensors leaked");
    }

    [SkippableFact]
    public void BadFilesAreReportedInTheirPlacesAndTheOthersTagged()
    {
        SkipWithoutModel();
        using var tagger = Tagger.Load(Reference.WeightsPath(Model));
        var notAudio = Path.Combine(_scratch, "notes.wav");
        File.WriteAllText(notAudio, "this is not a WAV file");
        var tooShort = Path.Combine(_scratch, "short.wav");
        WavWriter.Write(tooShort, new AudioBuffer(new float[8000], 16000)); // 0.5 s, the model needs 3 s
        var missing = Path.Combine(_scratch, "missing.wav");
        var good = GoodFiles();
        string[] files = [notAudio, good[0], tooShort, good[2], missing];

        var results = tagger.TagFiles(files, batchSize: 5).ToArray();
        Assert.Equal(files, results.Select(r => r.Path));
        foreach (var bad in new[] { 0, 2, 4 })
        {
            Assert.False(results[bad].Succeeded);
            Assert.Null(results[bad].Tags);
            Assert.Equal(files[bad], results[bad].Error!.FilePath);
            Assert.StartsWith(files[bad], results[bad].Error!.Message);
        }
        Assert.Contains("needs at least 48000 samples", results[2].Error!.Message);
        AssertSameTags(tagger.TagFile(good[0]), results[1].Tags!, good[0]);
        AssertSameTags(tagger.TagFile(good[2]), results[3].Tags!, good[2]);
    }

    [SkippableFact]
    public void DecodesOnlyAFewTracksAheadAndStopsWhenTheCallerDoes()
    {
        SkipWithoutModel();
        using var tagger = Tagger.Load(Reference.WeightsPath(Model));
        var file = GoodFiles()[0];
        int pulled = 0;
        IEnumerable<string> Catalogue()
        {
            for (int i = 0; i < 1000; i++)
            {
                Interlocked.Increment(ref pulled);
                yield return file;
            }
        }

        using (var results = tagger.TagFiles(Catalogue(), batchSize: 16, readAhead: 1).GetEnumerator())
        {
            Assert.True(results.MoveNext());
            Assert.True(results.Current.Succeeded);
            Thread.Sleep(200); // time for a runaway producer to show itself
            // One track consumed, one in the queue, one being decoded when the queue is full: at most three pulled.
            Assert.InRange(Volatile.Read(ref pulled), 1, 3);
        }
        int afterStop = Volatile.Read(ref pulled);
        Thread.Sleep(200);
        Assert.Equal(afterStop, Volatile.Read(ref pulled));
    }

    [SkippableFact]
    public void InvalidArgumentsAreClearErrors()
    {
        SkipWithoutModel();
        using var tagger = Tagger.Load(Reference.WeightsPath(Model));
        var batch = Assert.Throws<MusicMLException>(() => tagger.TagFiles(GoodFiles(), batchSize: 0));
        Assert.Contains("batchSize must be positive, got 0", batch.Message);
        var ahead = Assert.Throws<MusicMLException>(() => tagger.TagFiles(GoodFiles(), readAhead: -1));
        Assert.Contains("readAhead", ahead.Message);
        Assert.Empty(tagger.TagFiles([]));
    }
}
