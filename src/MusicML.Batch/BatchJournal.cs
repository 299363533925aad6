using System.Text;
using System.Text.Json;
using MusicML.Core;

namespace MusicML.Batch;

/// <summary>
/// The append-only record of a catalogue run: one JSON line per finished track (<see cref="TrackOutcome"/>), written
/// whole and flushed to disk before the next track is reported done. A process killed at any moment (SIGKILL
/// included) leaves at most one partial last line, which <see cref="Open"/> cuts off; every complete line is a
/// committed track. A track retried later appends a new line, and the last line of a track is its outcome.
/// </summary>
/// <remarks>
/// Only each track's latest line offset is kept in memory (about 100 bytes a track), not the records, so a
/// catalogue of millions resumes and writes its outputs with the records streamed from disk.
/// </remarks>
public sealed class BatchJournal : IDisposable
{
    /// <summary>The journal's file name inside a run's output folder.</summary>
    public const string FileName = "journal.jsonl";

    private readonly FileStream _stream;
    private readonly Dictionary<string, (long Offset, bool Failed)> _latest = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private BatchJournal(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>Tracks with a record.</summary>
    public int Count => _latest.Count;

    /// <summary>Whether <paramref name="track"/> has a record, and whether its latest one is a failure.</summary>
    public bool TryGetStatus(string track, out bool failed)
    {
        lock (_gate)
        {
            if (_latest.TryGetValue(track, out var entry)) { failed = entry.Failed; return true; }
            failed = false;
            return false;
        }
    }

    /// <summary>
    /// Opens (creating when missing) the journal at <paramref name="path"/>, reading the latest record of every track;
    /// a partial last line (the process was killed while writing it) is truncated away.
    /// </summary>
    /// <exception cref="MusicMLException">A complete line in the middle is not a record (the file was edited or damaged): file:line.</exception>
    public static BatchJournal Open(string path)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var journal = new BatchJournal(path, stream);
        try
        {
            long end = journal.Scan();
            if (end < stream.Length) stream.SetLength(end);
            stream.Seek(0, SeekOrigin.End);
            return journal;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads every complete line; returns the offset just past the last newline.</summary>
    private long Scan()
    {
        _stream.Seek(0, SeekOrigin.Begin);
        var buffer = new byte[1 << 16];
        var line = new MemoryStream();
        long offset = 0, lineStart = 0;
        int lineNumber = 0;
        int read;
        while ((read = _stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int from = 0;
            for (int i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                line.Write(buffer, from, i - from);
                lineNumber++;
                var record = Parse(line.GetBuffer().AsSpan(0, (int)line.Length), lineNumber);
                _latest[record.Track] = (lineStart, record.Failed);
                line.SetLength(0);
                from = i + 1;
                lineStart = offset + i + 1;
            }
            line.Write(buffer, from, read - from);
            offset += read;
        }
        return lineStart;
    }

    private TrackOutcome Parse(ReadOnlySpan<byte> line, int lineNumber)
    {
        try
        {
            return JsonSerializer.Deserialize(line, BatchJson.Relaxed.TrackOutcome)
                ?? throw new JsonException("null record");
        }
        catch (JsonException e)
        {
            throw new MusicMLException($"{Path}:{lineNumber}: not a journal record ({e.Message.Split('\n')[0]}); the journal was edited or damaged — move it away and rerun with --force to start over.") { FilePath = Path };
        }
    }

    /// <summary>Appends <paramref name="outcome"/> as one line and flushes it to the disk before returning (thread-safe).</summary>
    public void Append(TrackOutcome outcome)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(outcome, BatchJson.Relaxed.TrackOutcome);
        var line = new byte[bytes.Length + 1];
        bytes.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        lock (_gate)
        {
            long offset = _stream.Position;
            // One write call for the whole line: a kill leaves it whole or cut at its end, never interleaved.
            _stream.Write(line);
            _stream.Flush(flushToDisk: true);
            _latest[outcome.Track] = (offset, outcome.Failed);
        }
    }

    /// <summary>
    /// The latest records of <paramref name="tracks"/> that have one, in the order given, read back from disk one at
    /// a time (memory: one record).
    /// </summary>
    public IEnumerable<TrackOutcome> Read(IEnumerable<string> tracks)
    {
        using var reader = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var line = new List<byte>();
        foreach (var track in tracks)
        {
            long offset;
            lock (_gate)
            {
                if (!_latest.TryGetValue(track, out var entry)) continue;
                offset = entry.Offset;
            }
            reader.Seek(offset, SeekOrigin.Begin);
            line.Clear();
            int b;
            while ((b = reader.ReadByte()) >= 0 && b != '\n') line.Add((byte)b);
            yield return Parse(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(line), 0);
        }
    }

    /// <summary>Every track with a record, sorted (ordinal).</summary>
    public IReadOnlyList<string> Tracks()
    {
        lock (_gate)
        {
            var tracks = _latest.Keys.ToList();
            tracks.Sort(StringComparer.Ordinal);
            return tracks;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();
}
