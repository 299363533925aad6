using static MusicML.Audio.Tests.WavFixtures;

namespace MusicML.Audio.Tests;

/// <summary>
/// Overlapping windows tile the stream: every window is the stream's own samples, the owned blocks cover every sample
/// once, and the owned centred frames cover frames 0..n/hop once — including a stream that ends exactly on a block
/// boundary and one shorter than a block (one window, the whole file).
/// </summary>
public class OverlappingBlocksTests
{
    private static string MonoWav(string name, int frames)
    {
        var samples = new short[frames];
        for (int i = 0; i < frames; i++) samples[i] = (short)(i % 30000 - 15000);
        return Write(name, Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("data", Int16(samples)));
    }

    [Theory]
    [InlineData(10_000, 1024, 256, 128)]  // ragged end
    [InlineData(8192, 1024, 256, 128)]    // ends exactly on a block boundary
    [InlineData(9_000, 1024, 128, 128)]   // context of a single hop, length off the frame grid
    [InlineData(700, 1024, 256, 128)]     // shorter than one block: one whole window
    public void WindowsAreTheStreamAndOwnedFramesTileIt(int frames, int block, int context, int hop)
    {
        var path = MonoWav($"blocks-{frames}-{block}.wav", frames);
        var whole = AudioFile.Load(path, sampleRate: null).Channel(0).ToArray();
        using var reader = new AudioStreamReader(path);
        var blocks = new OverlappingBlocks(reader, block, context);
        long nextOwned = 0, nextFrame = 0;
        int windows = 0;
        while (blocks.Next())
        {
            windows++;
            Assert.Equal(whole.AsSpan((int)blocks.WindowStart, blocks.Window.Length).ToArray(), blocks.Window.ToArray());
            Assert.Equal(nextOwned, blocks.OwnedStart);
            Assert.Equal(Math.Max(0, blocks.OwnedStart - context), blocks.WindowStart);
            if (!blocks.IsLast) Assert.Equal(blocks.OwnedEnd + Math.Min(context, frames - blocks.OwnedEnd), blocks.WindowStart + blocks.Window.Length);
            nextOwned = blocks.OwnedEnd;
            var (first, count) = blocks.OwnedFrames(hop);
            Assert.Equal(nextFrame, blocks.WindowStart / hop + first);
            nextFrame += count;
        }
        Assert.Equal(frames, nextOwned);
        Assert.Equal(1 + frames / hop, nextFrame); // librosa's centred frame count
        Assert.Equal((frames + block - 1) / block, windows);
        Assert.False(blocks.Next());
    }

    [Fact]
    public void AShortFileIsOneWholeWindow()
    {
        using var reader = new AudioStreamReader(MonoWav("blocks-short.wav", 500));
        var blocks = new OverlappingBlocks(reader, 1024, 256);
        Assert.True(blocks.Next());
        Assert.True(blocks.IsWhole);
        Assert.Equal(500, blocks.Window.Length);
        Assert.False(blocks.Next());
    }
}
