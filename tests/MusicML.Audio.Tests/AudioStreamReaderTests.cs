using System.Buffers.Binary;
using System.Text;
using Xunit.Abstractions;
using static MusicML.Audio.Tests.WavFixtures;

namespace MusicML.Audio.Tests;

/// <summary>Block reading gives exactly what a whole-file load gives, and memory stays flat on long files.</summary>
public class AudioStreamReaderTests(ITestOutputHelper output)
{
    private static readonly string StereoWav = CreateStereoWav();

    private static string CreateStereoWav()
    {
        var frames = new short[2 * 44100];
        for (int i = 0; i < 44100; i++)
        {
            frames[2 * i] = (short)(12000 * Math.Sin(2 * Math.PI * 440 * i / 44100));
            frames[2 * i + 1] = (short)(9000 * Math.Sin(2 * Math.PI * 1234 * i / 44100));
        }
        return Write("stream-stereo.wav", Chunk("fmt ", Fmt(1, 2, 44100, 16)), Chunk("data", Int16(frames)));
    }

    private static float[] ReadAll(AudioStreamReader reader, int blockFrames)
    {
        var all = new List<float>();
        var block = new float[blockFrames * reader.ChannelCount];
        int frames;
        while ((frames = reader.Read(block)) > 0) all.AddRange(block.AsSpan(0, frames * reader.ChannelCount).ToArray());
        Assert.Equal(0, reader.Read(block));
        return all.ToArray();
    }

    private static float[] Interleaved(AudioBuffer audio)
    {
        var result = new float[audio.FrameCount * audio.ChannelCount];
        for (int c = 0; c < audio.ChannelCount; c++)
            for (int f = 0; f < audio.FrameCount; f++) result[f * audio.ChannelCount + c] = audio.Channel(c)[f];
        return result;
    }

    [Theory]
    [InlineData(true, 1000)]
    [InlineData(false, 777)]
    [InlineData(false, 100_000)]
    public void BlocksEqualWholeFileLoad(bool mono, int blockFrames)
    {
        using var reader = new AudioStreamReader(StereoWav, mono: mono, offset: 0.1, duration: 0.5);
        var streamed = ReadAll(reader, blockFrames);
        var whole = AudioFile.Load(StereoWav, sampleRate: null, mono: mono, offset: 0.1, duration: 0.5);
        Assert.Equal((44100, mono ? 1 : 2), (reader.SampleRate, reader.ChannelCount));
        Assert.Equal(Interleaved(whole), streamed);
        Assert.Equal(whole.FrameCount, reader.FramesRead);
        Assert.Equal(whole.FrameCount, reader.ExpectedFrameCount);
    }

    /// <summary>
    /// A file shorter than the resampler's filter delay (1 024 frames at 44.1 kHz): the first block produces no output,
    /// which once ended the stream with nothing; it must still deliver librosa's ⌈1024 / 2⌉ = 512 samples.
    /// </summary>
    [Fact]
    public void FileShorterThanTheResamplerDelayStillStreams()
    {
        var path = Write("stream-short.wav", Chunk("fmt ", Fmt(1, 1, 44100, 16)), Chunk("data", Int16(new short[1024])));
        using var reader = new AudioStreamReader(path, sampleRate: 22050);
        Assert.Equal(512, reader.ExpectedFrameCount);
        Assert.Equal(512, ReadAll(reader, 4096).Length);
    }

    [Theory]
    [InlineData(true, 22050, 1000)]
    [InlineData(false, 16000, 4096)]
    public void ResampledBlocksEqualResampledLoad(bool mono, int target, int blockFrames)
    {
        using var reader = new AudioStreamReader(StereoWav, sampleRate: target, mono: mono);
        var streamed = ReadAll(reader, blockFrames);
        var whole = AudioFile.Load(StereoWav, sampleRate: target, mono: mono);
        Assert.Equal(target, reader.SampleRate);
        var expected = Interleaved(whole);
        Assert.Equal(expected.Length, streamed.Length);
        Assert.Equal(whole.FrameCount, reader.ExpectedFrameCount);
        // The same engine fed in blocks: libsoxr and the managed filter are both block-size independent.
        double maxError = 0;
        for (int i = 0; i < expected.Length; i++) maxError = Math.Max(maxError, Math.Abs(expected[i] - streamed[i]));
        Assert.True(maxError <= 1e-6, $"streamed vs whole: {maxError:E2}");
    }

    [SkippableFact]
    public void CompressedFileStreamsLikeItLoads()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "sine440_660_stereo.flac");
        Skip.IfNot(Sndfile.Dependency.IsAvailable,
            "libsndfile is not installed (apt-get install libsndfile1); CodecTests asserts the missing-library error for this file");
        using var reader = new AudioStreamReader(path, mono: false);
        Assert.Equal(Interleaved(AudioFile.Load(path, sampleRate: null, mono: false)), ReadAll(reader, 1001));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(22050)]
    public void LongFileStreamsInBoundedMemory(int? target)
    {
        // 20 minutes of 8 kHz 16-bit mono (19 MB on disk, 38 MB as floats): frame i holds (i mod 20011) - 10000,
        // so every streamed sample is checked, and allocations must stay far below the file's size.
        const int rate = 8000, seconds = 20 * 60;
        long frames = (long)rate * seconds;
        var path = PathFor($"long-{target}.wav");
        WriteLongWav(path, rate, frames);
        try
        {
            using var reader = new AudioStreamReader(path, sampleRate: target);
            var block = new float[65536];
            long before = GC.GetAllocatedBytesForCurrentThread();
            long total = 0, mismatches = 0;
            int got;
            while ((got = reader.Read(block)) > 0)
            {
                if (target is null)
                    for (int k = 0; k < got; k++)
                        if (block[k] != ((int)((total + k) % 20011) - 10000) / 32768f) mismatches++;
                total += got;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"target {target?.ToString() ?? "native"}: {total} frames streamed, {allocated} bytes allocated while reading");
            Assert.Equal(target is null ? frames : (frames * target.Value + rate - 1) / rate, total);
            Assert.Equal(0, mismatches);
            Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated while streaming");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void WriteLongWav(string path, int rate, long frames)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var header = new byte[44];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(header, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(36 + 2 * frames));
        Encoding.ASCII.GetBytes("WAVE").CopyTo(header, 8);
        Chunk("fmt ", Fmt(1, 1, rate, 16)).CopyTo(header, 12);
        Encoding.ASCII.GetBytes("data").CopyTo(header, 36);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), (uint)(2 * frames));
        stream.Write(header);
        var block = new byte[2 * 8192];
        for (long start = 0; start < frames; start += 8192)
        {
            int n = (int)Math.Min(8192, frames - start);
            for (int k = 0; k < n; k++)
                BinaryPrimitives.WriteInt16LittleEndian(block.AsSpan(2 * k), (short)((int)((start + k) % 20011) - 10000));
            stream.Write(block, 0, 2 * n);
        }
    }
}
