using MusicML.Core;
using static MusicML.Audio.Tests.WavFixtures;

namespace MusicML.Audio.Tests;

/// <summary>librosa.load semantics: offset/duration in seconds rounded to frames, mono by mean, native or target rate.</summary>
public class LoadTests
{
    /// <summary>1000 Hz mono 16-bit WAV whose frame i holds the value i (so positions can be read off the samples).</summary>
    private static readonly string Ramp = Write("ramp.wav",
        Chunk("fmt ", Fmt(1, 1, 1000, 16)), Chunk("data", Int16(Enumerable.Range(0, 1000).Select(i => (short)i).ToArray())));

    private static int[] Frames(AudioBuffer audio) => audio.Channel(0).Select(v => (int)Math.Round(v * 32768)).ToArray();

    [Fact]
    public void OffsetAndDurationSelectFramesByRounding()
    {
        // offset 0.25 s = frame 250, duration 0.1 s = 100 frames: frames 250 … 349 (librosa: round(sr·offset), round(sr·duration)).
        var audio = AudioFile.Load(Ramp, sampleRate: null, offset: 0.25, duration: 0.1);
        Assert.Equal(Enumerable.Range(250, 100).ToArray(), Frames(audio));
        Assert.Equal(0.1, audio.Duration, 12);
    }

    [Fact]
    public void DurationPastTheEndStopsAtTheEnd()
    {
        var audio = AudioFile.Load(Ramp, sampleRate: null, offset: 0.9, duration: 5);
        Assert.Equal(Enumerable.Range(900, 100).ToArray(), Frames(audio));
    }

    [Fact]
    public void DefaultLoadResamplesTo22050()
    {
        // librosa.load's default sr=22050: 1000 frames at 1 kHz become ⌈1000 · 22.05⌉ = 22050 frames.
        var audio = AudioFile.Load(Ramp);
        Assert.Equal((22050, 22050), (audio.SampleRate, audio.FrameCount));
    }

    [Fact]
    public void MonoBufferReturnsItsOwnArrayFromToMono()
    {
        var audio = AudioFile.Load(Ramp, sampleRate: null);
        Assert.Same(audio.Channel(0), audio.ToMono());
    }

    [Fact]
    public void ThreeChannelMonoIsTheMean()
    {
        var path = Write("three.wav", Chunk("fmt ", Fmt(3, 3, 8000, 32)), Chunk("data", Float32(0.3f, 0.6f, 0.9f, -1f, 0f, 0.25f)));
        var audio = AudioFile.Load(path, sampleRate: null);
        Assert.Equal(1, audio.ChannelCount);
        Assert.Equal((0.3f + 0.6f + 0.9f) / 3, audio.Channel(0)[0], 6);
        Assert.Equal(-0.25f, audio.Channel(0)[1], 6);
    }

    [Fact]
    public void StereoResampledKeepsChannelsApart()
    {
        // Left a 100 Hz sine, right silence: after 8 kHz → 16 kHz the right channel must stay exactly silent.
        var frames = new float[2 * 8000];
        for (int i = 0; i < 8000; i++) frames[2 * i] = (float)(0.5 * Math.Sin(2 * Math.PI * 100 * i / 8000));
        var path = Write("lr.wav", Chunk("fmt ", Fmt(3, 2, 8000, 32)), Chunk("data", Float32(frames)));
        var audio = AudioFile.Load(path, sampleRate: 16000, mono: false);
        Assert.Equal((16000, 2, 16000), (audio.SampleRate, audio.ChannelCount, audio.FrameCount));
        Assert.All(audio.Channel(1), v => Assert.Equal(0f, v));
        Assert.InRange(SineFit.Amplitude(audio.Channel(0).AsSpan(1000, 14000), 100, 16000), 0.4999, 0.5001);
    }

    [Fact]
    public void GetInfoReadsTheHeaderOnly()
    {
        var info = AudioFile.GetInfo(Ramp);
        Assert.Equal(new AudioInfo(Ramp, "WAV", "PCM_16", 1000, 1, 1000), info);
        Assert.Equal(1.0, info.Duration);
    }

    [Fact]
    public void AudioBufferValidatesItsShape()
    {
        Assert.Throws<MusicMLException>(() => new AudioBuffer([new float[3], new float[4]], 8000));
        Assert.Throws<MusicMLException>(() => new AudioBuffer(new float[3], 0));
        var e = Assert.Throws<MusicMLException>(() => new AudioBuffer(new float[3], 8000).Channel(1));
        Assert.Contains("1", e.Message);
    }
}
