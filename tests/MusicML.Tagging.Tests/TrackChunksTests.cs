using MusicML.Audio;
using MusicML.Core;

namespace MusicML.Tagging.Tests;

/// <summary>
/// <see cref="TrackChunks"/>, the streamed reader behind <see cref="Tagger.TagFile"/> and <see cref="Tagger.TagFiles"/>:
/// the chunks it keeps must be bit-identical to slicing the whole track <see cref="AudioFile.Load"/> returns (resampled
/// 22.05 → 16 kHz, chunks crossing its 65,536-sample read blocks), while holding only the samples the chunks cover.
/// No model is needed: the chunk layout is the evaluation protocol's, written out here.
/// </summary>
public sealed class TrackChunksTests : IDisposable
{
    private const int Rate = 16000;

    private readonly string _scratch = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "musicml-trackchunks-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>A 22.05 kHz mono WAV of <paramref name="seconds"/> seconds of a swept tone with noise (every sample differs).</summary>
    private string Recording(double seconds, string name)
    {
        var random = new Random(7);
        var samples = new float[(int)(seconds * 22050)];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (float)(0.4 * Math.Sin(2 * Math.PI * (220 + i * 1e-3) * i / 22050) + 0.05 * (random.NextDouble() - 0.5));
        string path = Path.Combine(_scratch, name);
        WavWriter.Write(path, new AudioBuffer(samples, 22050), WavSampleFormat.Float32);
        return path;
    }

    /// <summary>i·⌊(n − L) / count⌋, as <see cref="Tagger.ChunkStarts"/> lays chunks out.</summary>
    private static Func<long, long[]> Protocol(int length, int count) => n =>
    {
        if (n < length) throw new MusicMLException($"needs at least {length} samples, got {n}");
        long hop = (n - length) / count;
        return Enumerable.Range(0, count).Select(i => i * hop).ToArray();
    };

    [Theory]
    // 3 s chunks, 16 of them, on 100 s: disjoint, each its own span, most crossing a read block.
    [InlineData(100.0, 3 * Rate, 16)]
    // 29.1 s chunks (the FCN's), 16 on 35 s: all overlap, one span the length of the track.
    [InlineData(35.0, 465_984, 16)]
    // Exactly one chunk long: one chunk at 0.
    [InlineData(3.0, 3 * Rate, 4)]
    public void ChunksEqualSlicesOfTheWholeResampledTrack(double seconds, int length, int count)
    {
        string path = Recording(seconds, $"track-{seconds}.wav");
        var whole = AudioFile.Load(path, Rate, mono: true).Channel(0);
        var chunks = TrackChunks.Read(path, Rate, length, Protocol(length, count));

        Assert.Equal(Protocol(length, count)(whole.Length), chunks.Starts);
        for (int c = 0; c < chunks.Starts.Length; c++)
            Assert.True(whole.AsSpan((int)chunks.Starts[c], length).SequenceEqual(chunks.Chunk(c)), $"chunk {c} differs from the whole track's slice");
        // Never more than the track, never more than the chunks themselves.
        long covered = Math.Min(whole.Length, (long)length * count);
        Assert.True(chunks.SamplesHeld <= covered, $"holds {chunks.SamplesHeld} samples, more than the {covered} the chunks cover");
    }

    [Fact]
    public void ALongTrackHoldsOnlyItsChunks()
    {
        // 10 minutes at 16 kHz is 9.6 M samples; 16 chunks of 3 s are 768,000.
        string path = Recording(600, "long.wav");
        var chunks = TrackChunks.Read(path, Rate, 3 * Rate, Protocol(3 * Rate, 16));
        Assert.Equal(16L * 3 * Rate, chunks.SamplesHeld);
    }

    [Fact]
    public void ATrackShorterThanOneChunkIsRefusedBeforeReading()
    {
        string path = Recording(2, "short.wav");
        var error = Assert.ThrowsAny<MusicMLException>(() => TrackChunks.Read(path, Rate, 3 * Rate, Protocol(3 * Rate, 16)));
        Assert.Contains("needs at least 48000 samples, got 32000", error.Message);
    }

    [Fact]
    public void AnInvalidSampleIsNamedByItsIndexInTheResampledTrack()
    {
        // Float WAV at the model's rate (no resampling) with a NaN at sample 100,000 (second read block).
        var samples = new float[10 * Rate];
        samples[100_000] = float.NaN;
        string path = Path.Combine(_scratch, "nan.wav");
        WavWriter.Write(path, new AudioBuffer(samples, Rate), WavSampleFormat.Float32);
        var error = Assert.ThrowsAny<MusicMLException>(() => TrackChunks.Read(path, Rate, 3 * Rate, Protocol(3 * Rate, 4)));
        Assert.Contains("100000", error.Message);
    }
}
