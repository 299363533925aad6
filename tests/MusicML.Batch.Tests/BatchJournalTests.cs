using MusicML.Batch;
using MusicML.Core;

namespace MusicML.Batch.Tests;

public sealed class BatchJournalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-journal-").FullName;
    private string JournalPath => Path.Combine(_folder, BatchJournal.FileName);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TrackOutcome Ok(string track, string tempo) =>
        new() { Track = track, Path = "/c/" + track, Row = new() { ["track"] = track, ["tempo"] = tempo }, Events = new TrackEvents { Beats = [0.5, 1.0] } };

    private static TrackOutcome Bad(string track) => new() { Track = track, Path = "/c/" + track, Error = new TrackError("decode", "not audio") };

    [Fact]
    public void RecordsSurviveReopeningAndTheLastRecordOfATrackIsItsOutcome()
    {
        using (var journal = BatchJournal.Open(JournalPath))
        {
            journal.Append(Ok("a.wav", "120.00"));
            journal.Append(Bad("b.wav"));
            journal.Append(Ok("b.wav", "90.00")); // retried and succeeded
        }
        using var reopened = BatchJournal.Open(JournalPath);
        Assert.Equal(2, reopened.Count);
        Assert.True(reopened.TryGetStatus("b.wav", out bool failed));
        Assert.False(failed);
        var records = reopened.Read(["b.wav", "a.wav", "missing.wav"]).ToList();
        Assert.Equal(["b.wav", "a.wav"], records.Select(r => r.Track));
        Assert.Equal("90.00", records[0].Row!["tempo"]);
        Assert.Equal([0.5, 1.0], records[1].Events!.Beats);
    }

    [Fact]
    public void APartialLastLineLeftByAKillIsCutOffAndTheCompleteOnesKept()
    {
        using (var journal = BatchJournal.Open(JournalPath)) journal.Append(Ok("a.wav", "120.00"));
        long complete = new FileInfo(JournalPath).Length;
        File.AppendAllText(JournalPath, "{\"track\":\"b.wav\",\"path\":\"/c/b.w"); // killed mid-write
        using (var journal = BatchJournal.Open(JournalPath))
        {
            Assert.Equal(complete, new FileInfo(JournalPath).Length);
            Assert.Equal(["a.wav"], journal.Tracks());
            journal.Append(Ok("b.wav", "60.00"));
        }
        using var again = BatchJournal.Open(JournalPath);
        Assert.Equal(["a.wav", "b.wav"], again.Tracks());
    }

    [Fact]
    public void ADamagedLineInTheMiddleIsRefusedWithFileAndLine()
    {
        File.WriteAllText(JournalPath, "{\"track\":\"a.wav\",\"path\":\"a\"}\nnot json\n{\"track\":\"b.wav\",\"path\":\"b\"}\n");
        var e = Assert.Throws<MusicMLException>(() => BatchJournal.Open(JournalPath));
        Assert.StartsWith($"{JournalPath}:2: not a journal record", e.Message);
        Assert.Contains("--force", e.Message);
    }
}
