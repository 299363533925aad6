using MusicML.Audio;
using MusicML.Core;

namespace MusicML.Tagging;

/// <summary>
/// The samples of one track that a tagger's chunks cover, read from a file block by block: only the spans the chunks
/// overlap are kept, so a two-hour recording costs its chunks (16 × 29 s for the published models, ~30 MB) rather
/// than its 460 MB of samples at 16 kHz, while a short track whose chunks overlap keeps just its one span.
/// </summary>
/// <remarks>
/// The chunk starts depend on the track's length, so they are laid out from <see cref="AudioStreamReader.ExpectedFrameCount"/>.
/// The decoders count a damaged file's readable frames when they open it, so the stream normally delivers exactly
/// that; if it ever delivers fewer, the file is read a second time with the starts of its true length (its warnings
/// muted, as they were given on the first read). The result equals chunking <see cref="AudioFile.Load"/>'s samples.
/// </remarks>
internal sealed class TrackChunks
{
    private const int BlockFrames = 1 << 16;
    private readonly float[][] _spans;       // merged ranges of overlapping chunks
    private readonly long[] _spanStarts;     // first sample of each span in the track
    private readonly int[] _chunkSpan;       // which span holds each chunk

    private TrackChunks(long[] starts, int length)
    {
        Starts = starts;
        Length = length;
        var spans = new List<(long Start, long End)>();
        _chunkSpan = new int[starts.Length];
        for (int c = 0; c < starts.Length; c++)
        {
            long start = starts[c], end = start + length;
            if (spans.Count > 0 && start <= spans[^1].End) spans[^1] = (spans[^1].Start, Math.Max(spans[^1].End, end));
            else spans.Add((start, end));
            _chunkSpan[c] = spans.Count - 1;
        }
        _spanStarts = spans.Select(s => s.Start).ToArray();
        _spans = spans.Select(s => new float[checked((int)(s.End - s.Start))]).ToArray();
    }

    /// <summary>First sample of each chunk, as <see cref="Tagger.ChunkStarts"/> gives them for the track's length.</summary>
    public long[] Starts { get; }

    /// <summary>Samples kept: the chunks' union, at most the track's length and at most chunks × length.</summary>
    public long SamplesHeld => _spans.Sum(s => (long)s.Length);

    /// <summary>Samples per chunk: the model's input length.</summary>
    public int Length { get; }

    /// <summary>The samples of chunk <paramref name="chunk"/>.</summary>
    public ReadOnlySpan<float> Chunk(int chunk)
    {
        int span = _chunkSpan[chunk];
        return _spans[span].AsSpan(checked((int)(Starts[chunk] - _spanStarts[span])), Length);
    }

    /// <summary>Reads the chunks of <paramref name="path"/> as mono at <paramref name="sampleRate"/>.</summary>
    /// <param name="path">The audio file.</param>
    /// <param name="sampleRate">The model's rate in Hz.</param>
    /// <param name="length">Samples per chunk.</param>
    /// <param name="chunkStarts">The chunk layout for a track of a given number of samples; throws when it is too short.</param>
    /// <exception cref="MusicMLException">The file cannot be read, is too short for one chunk, or holds a NaN, infinite
    /// or out-of-range sample (the message gives its index in the resampled track).</exception>
    public static TrackChunks Read(string path, int sampleRate, int length, Func<long, long[]> chunkStarts)
    {
        var block = new float[BlockFrames];
        long read;
        using (var reader = new AudioStreamReader(path, sampleRate, mono: true))
        {
            var chunks = new TrackChunks(chunkStarts(reader.ExpectedFrameCount), length);
            read = chunks.Fill(reader, block, long.MaxValue);
            if (read == reader.ExpectedFrameCount) return chunks;
        }
        using var muted = AudioWarnings.Mute();
        using var again = new AudioStreamReader(path, sampleRate, mono: true);
        var shorter = new TrackChunks(chunkStarts(read), length);
        shorter.Fill(again, block, read);
        return shorter;
    }

    /// <summary>Streams at most <paramref name="limit"/> samples of <paramref name="reader"/>, copying what falls in the spans; returns how many were read.</summary>
    private long Fill(AudioStreamReader reader, float[] block, long limit)
    {
        long position = 0;
        int span = 0;
        while (position < limit)
        {
            int got = reader.Read(block.AsSpan(0, (int)Math.Min(block.Length, limit - position)));
            if (got == 0) break;
            var samples = block.AsSpan(0, got);
            int bad = InputGuard.FirstInvalidSample(samples);
            if (bad >= 0) throw InputGuard.InvalidSample(position + bad, samples[bad], "samples");
            long end = position + got;
            // Spans are ordered and disjoint: copy into every one this block overlaps.
            while (span < _spans.Length && _spanStarts[span] + _spans[span].Length <= position) span++;
            for (int s = span; s < _spans.Length && _spanStarts[s] < end; s++)
            {
                long from = Math.Max(position, _spanStarts[s]), to = Math.Min(end, _spanStarts[s] + _spans[s].Length);
                samples.Slice((int)(from - position), (int)(to - from)).CopyTo(_spans[s].AsSpan((int)(from - _spanStarts[s])));
            }
            position = end;
        }
        return position;
    }
}
