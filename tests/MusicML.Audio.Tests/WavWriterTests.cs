using MusicML.Core;

namespace MusicML.Audio.Tests;

/// <summary>The writer's bytes are canonical and the reader gets back exactly what was written.</summary>
public class WavWriterTests
{
    [Fact]
    public void CanonicalHeaderBytes()
    {
        var path = WavFixtures.PathFor("written-header.wav");
        WavWriter.Write(path, new AudioBuffer([0.5f, -1f], 8000));
        byte[] expected =
        [
            .. "RIFF"u8, 40, 0, 0, 0, .. "WAVE"u8,
            .. "fmt "u8, 16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0,
            .. "data"u8, 4, 0, 0, 0, 0x00, 0x40, 0x00, 0x80,
        ];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm16, "PCM_16", 32768)]
    [InlineData(WavSampleFormat.Pcm24, "PCM_24", 8388608)]
    [InlineData(WavSampleFormat.Float32, "FLOAT", 0)]
    public void StereoRoundTripIsExact(WavSampleFormat format, string subtype, int fullScale)
    {
        // Values on the format's grid (k / 2^(bits-1)) survive exactly; float32 keeps any value.
        float[] left = fullScale > 0 ? [-1f, -0.5f, 0f, 123f / fullScale, (fullScale - 1f) / fullScale] : [-1f, 0.1234567f, 0f, 2.5f, 1e-9f];
        float[] right = left.Reverse().ToArray();
        var path = WavFixtures.PathFor($"written-{format}.wav");
        WavWriter.Write(path, new AudioBuffer([left, right], 44100), format);
        var back = AudioFile.Load(path, sampleRate: null, mono: false);
        Assert.Equal((44100, 2), (back.SampleRate, back.ChannelCount));
        Assert.Equal(left, back.Channel(0));
        Assert.Equal(right, back.Channel(1));
        Assert.Equal(subtype, AudioFile.GetInfo(path).Subtype);
    }

    [Fact]
    public void IntegerFormatsClipAndRound()
    {
        var path = WavFixtures.PathFor("written-clip.wav");
        WavWriter.Write(path, new AudioBuffer([1.5f, -2f, 1f, 0.4f / 32768f, 0.6f / 32768f], 8000));
        // Out-of-range values clip to the largest steps; in-range values round to the nearest step.
        Assert.Equal([32767f / 32768f, -1f, 32767f / 32768f, 0f, 1f / 32768f], AudioFile.Load(path, sampleRate: null).Channel(0));
    }

    [Fact]
    public void OddSizedDataGetsAPadByte()
    {
        var path = WavFixtures.PathFor("written-odd.wav");
        WavWriter.Write(path, new AudioBuffer([0.25f], 8000), WavSampleFormat.Pcm24);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(44 + 3 + 1, bytes.Length);
        Assert.Equal(bytes.Length - 8, BitConverter.ToInt32(bytes, 4));
        Assert.Equal([0.25f], AudioFile.Load(path, sampleRate: null).Channel(0));
    }

    [Fact]
    public void NaNCannotBeWrittenAsInteger()
    {
        var path = WavFixtures.PathFor("written-nan.wav");
        var e = Assert.Throws<MusicMLException>(() => WavWriter.Write(path, new AudioBuffer([float.NaN], 8000)));
        Assert.StartsWith(path, e.Message);
    }
}
