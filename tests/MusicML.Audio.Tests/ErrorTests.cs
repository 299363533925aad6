using MusicML.Core;
using static MusicML.Audio.Tests.WavFixtures;

namespace MusicML.Audio.Tests;

/// <summary>Every kind of bad input ends in a MusicMLException whose message names the file or the bad value.</summary>
public class ErrorTests
{
    private static readonly string Good = Write("good.wav", Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("data", Int16(1, 2, 3, 4)));

    [Fact]
    public void MissingFile()
    {
        var path = PathFor("does-not-exist.wav");
        var e = Assert.Throws<AudioFileNotFoundException>(() => AudioFile.Load(path));
        Assert.Equal($"{path}: file not found.", e.Message);
        Assert.Throws<AudioFileNotFoundException>(() => AudioFile.GetInfo(path));
        Assert.Throws<AudioFileNotFoundException>(() => new AudioStreamReader(path));
    }

    [Fact]
    public void DirectoryInsteadOfFile()
    {
        var e = Assert.Throws<AudioFileNotFoundException>(() => AudioFile.Load(WavFixtures.Directory));
        Assert.StartsWith(WavFixtures.Directory, e.Message);
    }

    [Fact]
    public void ZeroLengthFile()
    {
        var path = PathFor("empty.wav");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<AudioFormatException>(() => AudioFile.GetInfo(path));
        Assert.Equal($"{path}: the file is empty (0 bytes).", e.Message);
    }

    [Fact]
    public void WavWithoutDataOrFmtChunk()
    {
        var noData = Write("nodata.wav", Chunk("fmt ", Fmt(1, 1, 8000, 16)));
        Assert.Contains("no data chunk", Assert.Throws<AudioFormatException>(() => AudioFile.Load(noData)).Message);
        var noFmt = Write("nofmt.wav", Chunk("data", Int16(1)));
        Assert.Contains("no fmt chunk", Assert.Throws<AudioFormatException>(() => AudioFile.Load(noFmt)).Message);
    }

    [Fact]
    public void InconsistentFmtChunk()
    {
        var fmt = Fmt(1, 2, 8000, 16);
        fmt[12] = 3; // block align 3 for two 16-bit channels
        var path = Write("blockalign.wav", Chunk("fmt ", fmt), Chunk("data", Int16(1, 2)));
        Assert.Contains("block align 3", Assert.Throws<AudioFormatException>(() => AudioFile.Load(path)).Message);
    }

    [Fact]
    public void NotAudioAtAll()
    {
        var path = PathFor("notes.wav");
        File.WriteAllText(path, "these are my notes, not a sound file\n");
        // Without a WAV header the file goes to libsndfile (if loaded), which rejects it; either way the file is named.
        var e = Assert.Throws<AudioFormatException>(() => AudioFile.Load(path));
        Assert.StartsWith(path + ":", e.Message);
    }

    [Fact]
    public void WavWithZeroFramesHasInfoButNoAudio()
    {
        var path = Write("zero.wav", Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("data", []));
        Assert.Equal(0, AudioFile.GetInfo(path).FrameCount);
        var e = Assert.Throws<AudioFormatException>(() => AudioFile.Load(path));
        Assert.Equal($"{path}: contains no audio samples (0 frames).", e.Message);
    }

    [Fact]
    public void NaNSampleIsReportedWithItsFrame()
    {
        var path = Write("nan.wav", Chunk("fmt ", Fmt(3, 1, 8000, 32)), Chunk("data", Float32(0.1f, 0.2f, float.NaN, 0.3f)));
        var e = Assert.Throws<AudioFormatException>(() => AudioFile.Load(path, sampleRate: null));
        Assert.Contains("frame 2", e.Message);
        Assert.StartsWith(path, e.Message);
        using var reader = new AudioStreamReader(path);
        Assert.Throws<AudioFormatException>(() => reader.Read(new float[16]));
    }

    [Fact]
    public void InvalidParametersNameTheValue()
    {
        Assert.Contains("sampleRate", Assert.Throws<MusicMLException>(() => AudioFile.Load(Good, sampleRate: 0)).Message);
        Assert.Contains("offset", Assert.Throws<MusicMLException>(() => AudioFile.Load(Good, offset: -1)).Message);
        Assert.Contains("NaN", Assert.Throws<MusicMLException>(() => AudioFile.Load(Good, offset: double.NaN)).Message);
        Assert.Contains("duration", Assert.Throws<MusicMLException>(() => AudioFile.Load(Good, duration: 0)).Message);
        Assert.Contains("duration", Assert.Throws<MusicMLException>(() => AudioFile.Load(Good, duration: double.PositiveInfinity)).Message);
        Assert.Contains("sampleRate", Assert.Throws<MusicMLException>(() => new AudioStreamReader(Good, sampleRate: -5)).Message);
    }

    [Fact]
    public void OffsetPastTheEnd()
    {
        var e = Assert.Throws<MusicMLException>(() => AudioFile.Load(Good, offset: 1.0));
        Assert.Contains("offset 1 s is at or past the end", e.Message);
        Assert.StartsWith(Good, e.Message);
    }
}
