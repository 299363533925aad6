using static MusicML.Audio.Tests.WavFixtures;

namespace MusicML.Audio.Tests;

/// <summary>
/// Every WAV layout the managed reader promises, with exact expected floats: integer PCM is scaled by 2^(bits-1)
/// (libsndfile's normalisation, which librosa sees through soundfile), 8-bit is unsigned with 128 as zero, floats
/// pass through unchanged.
/// </summary>
public class WavReaderTests
{
    private static AudioBuffer LoadNative(string path) => AudioFile.Load(path, sampleRate: null, mono: false);

    [Fact]
    public void Pcm8IsUnsignedAroundZeroAt128()
    {
        var path = Write("u8.wav", Chunk("fmt ", Fmt(1, 1, 8000, 8)), Chunk("data", [0, 64, 128, 192, 255]));
        var audio = LoadNative(path);
        Assert.Equal([-1f, -0.5f, 0f, 0.5f, 127f / 128f], audio.Channel(0));
        Assert.Equal(8000, audio.SampleRate);
        Assert.Equal(("WAV", "PCM_U8"), (AudioFile.GetInfo(path).Format, AudioFile.GetInfo(path).Subtype));
    }

    [Fact]
    public void Pcm16ScalesBy32768()
    {
        var path = Write("s16.wav", Chunk("fmt ", Fmt(1, 1, 22050, 16)), Chunk("data", Int16(-32768, -16384, 0, 16384, 32767)));
        Assert.Equal([-1f, -0.5f, 0f, 0.5f, 32767f / 32768f], LoadNative(path).Channel(0));
        Assert.Equal("PCM_16", AudioFile.GetInfo(path).Subtype);
    }

    [Fact]
    public void Pcm24ScalesBy2To23()
    {
        var path = Write("s24.wav", Chunk("fmt ", Fmt(1, 1, 44100, 24)), Chunk("data", Int24(-8388608, -4194304, 0, 1, 8388607)));
        Assert.Equal([-1f, -0.5f, 0f, 1f / 8388608f, 8388607f / 8388608f], LoadNative(path).Channel(0));
        Assert.Equal("PCM_24", AudioFile.GetInfo(path).Subtype);
    }

    [Fact]
    public void Pcm32ScalesBy2To31()
    {
        var path = Write("s32.wav", Chunk("fmt ", Fmt(1, 1, 48000, 32)), Chunk("data", Int32(int.MinValue, -1073741824, 0, 65536, int.MaxValue)));
        // int.MaxValue / 2^31 rounds to exactly 1.0 in float32, as it does in libsndfile.
        Assert.Equal([-1f, -0.5f, 0f, 1f / 32768f, 1f], LoadNative(path).Channel(0));
        Assert.Equal("PCM_32", AudioFile.GetInfo(path).Subtype);
    }

    [Fact]
    public void Float32PassesThrough()
    {
        float[] values = [-1f, -0.25f, 0f, 0.1234567f, 1.5f];
        var path = Write("f32.wav", Chunk("fmt ", Fmt(3, 1, 16000, 32)), Chunk("data", Float32(values)));
        Assert.Equal(values, LoadNative(path).Channel(0));
        Assert.Equal("FLOAT", AudioFile.GetInfo(path).Subtype);
    }

    [Fact]
    public void Float64IsRoundedToFloat32()
    {
        double[] values = [-1, -0.25, 0, 0.1, 0.999999];
        var path = Write("f64.wav", Chunk("fmt ", Fmt(3, 1, 16000, 64)), Chunk("data", Float64(values)));
        Assert.Equal(values.Select(v => (float)v).ToArray(), LoadNative(path).Channel(0));
        Assert.Equal("DOUBLE", AudioFile.GetInfo(path).Subtype);
    }

    [Fact]
    public void StereoIsDeinterleavedAndMonoIsTheMean()
    {
        // Frames (L, R): (0.5, -0.5), (0.25, 0.75), (-1, 0).
        var path = Write("stereo.wav", Chunk("fmt ", Fmt(1, 2, 22050, 16)), Chunk("data", Int16(16384, -16384, 8192, 24576, -32768, 0)));
        var stereo = LoadNative(path);
        Assert.Equal(2, stereo.ChannelCount);
        Assert.Equal([0.5f, 0.25f, -1f], stereo.Channel(0));
        Assert.Equal([-0.5f, 0.75f, 0f], stereo.Channel(1));
        Assert.Equal([0f, 0.5f, -0.5f], AudioFile.Load(path, sampleRate: null).Channel(0));
        Assert.Equal([0f, 0.5f, -0.5f], stereo.ToMono());
    }

    [Fact]
    public void ExtensiblePcm24StereoReadsThroughTheSubformatGuid()
    {
        var path = Write("ext24.wav",
            Chunk("fmt ", FmtExtensible(1, 2, 96000, 24, 24, 0x3)),
            Chunk("fact", Int32(2)),
            Chunk("data", Int24(4194304, -4194304, 2097152, 8388607)));
        var audio = LoadNative(path);
        Assert.Equal(96000, audio.SampleRate);
        Assert.Equal([0.5f, 0.25f], audio.Channel(0));
        Assert.Equal([-0.5f, 8388607f / 8388608f], audio.Channel(1));
        var info = AudioFile.GetInfo(path);
        Assert.Equal(("WAVEX", "PCM_24", 2L), (info.Format, info.Subtype, info.FrameCount));
    }

    [Fact]
    public void ExtensibleFloat32()
    {
        var path = Write("extf32.wav", Chunk("fmt ", FmtExtensible(3, 1, 44100, 32, 32, 0x4)), Chunk("data", Float32(0.75f, -0.125f)));
        Assert.Equal([0.75f, -0.125f], LoadNative(path).Channel(0));
        Assert.Equal("FLOAT", AudioFile.GetInfo(path).Subtype);
    }

    [Fact]
    public void ExtensibleWith20ValidBitsIn24BitContainers()
    {
        // 20-bit samples are left-justified in 3 bytes, so the container's scale applies unchanged.
        var path = Write("ext20.wav", Chunk("fmt ", FmtExtensible(1, 1, 48000, 24, 20, 0x4)), Chunk("data", Int24(0x400000, -0x200000)));
        Assert.Equal([0.5f, -0.25f], LoadNative(path).Channel(0));
    }

    [Fact]
    public void ListChunkBeforeFmtIsSkipped()
    {
        var path = Write("list-first.wav", ListInfo(), Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("data", Int16(100, -100)));
        Assert.Equal([100f / 32768f, -100f / 32768f], LoadNative(path).Channel(0));
    }

    [Fact]
    public void ListChunkAfterDataIsIgnored()
    {
        var path = Write("list-last.wav", Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("data", Int16(1, 2, 3)), ListInfo());
        Assert.Equal([1f / 32768f, 2f / 32768f, 3f / 32768f], LoadNative(path).Channel(0));
        Assert.Equal(3, AudioFile.GetInfo(path).FrameCount);
    }

    [Fact]
    public void FmtAfterDataIsFound()
    {
        var path = Write("fmt-last.wav", Chunk("data", Int16(16384, -16384)), Chunk("fmt ", Fmt(1, 1, 11025, 16)));
        var audio = LoadNative(path);
        Assert.Equal(11025, audio.SampleRate);
        Assert.Equal([0.5f, -0.5f], audio.Channel(0));
    }

    [Fact]
    public void OddSizedChunkIsFollowedByItsPadByte()
    {
        // "junk" has 3 bytes of body and one pad byte; reading the next header one byte early would misparse it.
        var path = Write("odd.wav", Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("junk", [1, 2, 3]), Chunk("data", Int16(-8192)));
        Assert.Equal([-0.25f], LoadNative(path).Channel(0));
    }

    [Fact]
    public void OddSizedDataChunkOf8BitSamplesKeepsEveryFrame()
    {
        var path = Write("odd-data.wav", Chunk("fmt ", Fmt(1, 1, 8000, 8)), Chunk("data", [128, 255, 0]), ListInfo());
        Assert.Equal([0f, 127f / 128f, -1f], LoadNative(path).Channel(0));
    }

    [Fact]
    public void UnknownDataSizeMeansToTheEndOfTheFile()
    {
        // ffmpeg writing to a pipe cannot seek back to fill in the size and leaves 0xFFFFFFFF.
        var data = Chunk("data", Int16(16384, -16384, 8192));
        data[4] = data[5] = data[6] = data[7] = 0xFF;
        var path = Write("unknown-size.wav", Chunk("fmt ", Fmt(1, 1, 8000, 16)), data);
        Assert.Equal([0.5f, -0.5f, 0.25f], LoadNative(path).Channel(0));
    }

    [Fact]
    public void CompressedWavFallsBackToLibsndfile()
    {
        // G.711 mu-law (tag 7): 0xFF is silence, 0x80 the largest positive step (+32124 / 32768), 0x00 the largest negative.
        var path = Write("ulaw.wav", Chunk("fmt ", Fmt(7, 1, 8000, 8)), Chunk("data", [0xFF, 0x80, 0x00, 0xFF]));
        if (!Sndfile.Dependency.IsAvailable)
        {
            var missing = Assert.Throws<MusicML.Core.NativeLibraryMissingException>(() => LoadNative(path));
            Assert.Equal("libsndfile1", missing.DebianPackage);
            return;
        }
        Assert.Equal([0f, 32124f / 32768f, -32124f / 32768f, 0f], LoadNative(path).Channel(0));
        Assert.Equal("ULAW", AudioFile.GetInfo(path).Subtype);
    }

    [Fact]
    public void ManagedReaderNeedsNoNativeLibrary()
    {
        // A dependency whose file does not exist stands for a machine without libsndfile.
        var absent = new MusicML.Core.NativeDependency("sndfile", "libsndfile", "libsndfile1", "decoding", "libsndfile-absent.so.0");
        var path = Write("nonative.wav", Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("data", Int16(16384)));
        using var decoder = AudioDecoder.Open(path, absent);
        var samples = new float[4];
        Assert.Equal(1, decoder.Read(samples));
        Assert.Equal(0.5f, samples[0]);
    }
}
