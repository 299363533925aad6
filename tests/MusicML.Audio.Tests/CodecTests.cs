using MusicML.Core;
using Xunit.Abstractions;

namespace MusicML.Audio.Tests;

/// <summary>
/// The libsndfile path on the committed fixtures (data/README.md): lossless containers must decode bit-exactly to the
/// integer sine they were made from, lossy codecs to a 440 Hz sine of the stored amplitude (±1 %) with at least 25 dB
/// SNR (measured: Vorbis 41 dB, Opus 48 dB, MP3 83 dB). Without
/// libsndfile every one of them must fail with the package name instead.
/// </summary>
public class CodecTests(ITestOutputHelper output)
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);

    /// <summary>The fixtures' source samples: round(16384 · sin(2π f n / rate)) / 32768.</summary>
    private static float ExpectedSample(double frequency, int n, int rate) =>
        (float)Math.Round(16384 * Math.Sin(2 * Math.PI * frequency * n / rate), MidpointRounding.ToEven) / 32768f;

    private static bool RequireSndfile(string path)
    {
        if (Sndfile.Dependency.IsAvailable) return true;
        var e = Assert.Throws<NativeLibraryMissingException>(() => AudioFile.Load(path));
        Assert.Equal("libsndfile1", e.DebianPackage);
        return false;
    }

    [Fact]
    public void AiffDecodesBitExactly()
    {
        var path = Fixture("sine440.aiff");
        if (!RequireSndfile(path)) return;
        var audio = AudioFile.Load(path, sampleRate: null);
        Assert.Equal((22050, 1, 22050), (audio.SampleRate, audio.ChannelCount, audio.FrameCount));
        for (int n = 0; n < audio.FrameCount; n++) Assert.Equal(ExpectedSample(440, n, 22050), audio.Channel(0)[n]);
        var info = AudioFile.GetInfo(path);
        Assert.Equal(("AIFF", "PCM_16"), (info.Format, info.Subtype));
    }

    [Fact]
    public void StereoFlacDecodesBitExactlyPerChannelAndMixesToTheMean()
    {
        var path = Fixture("sine440_660_stereo.flac");
        if (!RequireSndfile(path)) return;
        var stereo = AudioFile.Load(path, sampleRate: null, mono: false);
        Assert.Equal((22050, 2, 22050), (stereo.SampleRate, stereo.ChannelCount, stereo.FrameCount));
        var mono = AudioFile.Load(path, sampleRate: null).Channel(0);
        for (int n = 0; n < stereo.FrameCount; n++)
        {
            float left = ExpectedSample(440, n, 22050), right = ExpectedSample(660, n, 22050);
            Assert.Equal(left, stereo.Channel(0)[n]);
            Assert.Equal(right, stereo.Channel(1)[n]);
            Assert.Equal((left + right) * 0.5f, mono[n]);
        }
        var info = AudioFile.GetInfo(path);
        Assert.Equal(("FLAC", "PCM_16", 2, 22050L), (info.Format, info.Subtype, info.ChannelCount, info.FrameCount));
    }

    [Theory]
    [InlineData("sine440.ogg", "OGG", "VORBIS", 22050, 0.5)]
    [InlineData("sine440.opus", "OGG", "OPUS", 48000, 0.5)]
    // LAME stored this sine 0.45 dB low: ffmpeg and sox (libmad) decode the file to the same 0.475 peak.
    [InlineData("sine440.mp3", "MP3", "MPEG_LAYER_III", 22050, 0.475)]
    public void LossyCodecsDecodeToTheSine(string name, string format, string subtype, int rate, double expectedAmplitude)
    {
        var path = Fixture(name);
        if (!RequireSndfile(path)) return;
        var info = AudioFile.GetInfo(path);
        Assert.Equal((format, subtype, rate, 1), (info.Format, info.Subtype, info.SampleRate, info.ChannelCount));
        var audio = AudioFile.Load(path, sampleRate: null);
        // Encoders add priming/padding; the length must still be about 1 s.
        Assert.InRange(audio.Duration, 0.95, 1.1);
        // Fit over the middle half, away from the codec's start-up and end transients; a codec delay only shifts
        // the phase, which the fit absorbs.
        int start = audio.FrameCount / 4, length = audio.FrameCount / 2;
        var (amplitude, residual) = SineFit.Fit(audio.Channel(0).AsSpan(start, length), 440, rate);
        double snrDb = 20 * Math.Log10(amplitude / Math.Sqrt(2) / residual);
        output.WriteLine($"{name}: {audio.FrameCount} frames, amplitude {amplitude:F4}, SNR {snrDb:F1} dB");
        Assert.InRange(amplitude, expectedAmplitude * 0.99, expectedAmplitude * 1.01);
        Assert.True(snrDb >= 25, $"{name}: residual only {snrDb:F1} dB below the sine");
    }

    [Fact]
    public void MissingLibsndfileIsReportedWithItsPackage()
    {
        var absent = new NativeDependency("sndfile", "libsndfile", "libsndfile1", "decoding FLAC, Ogg Vorbis, Opus, MP3 and AIFF files", "libsndfile-absent.so.0");
        var e = Assert.Throws<NativeLibraryMissingException>(() => AudioDecoder.Open(Fixture("sine440_660_stereo.flac"), absent));
        Assert.Contains("libsndfile1", e.Message);
        Assert.Contains("apt-get install libsndfile1", e.Message);
    }

    [Fact]
    public void ResamplingOnLoadKeepsTheSine()
    {
        var path = Fixture("sine440_660_stereo.flac");
        if (!RequireSndfile(path)) return;
        // librosa.load(path) defaults: mono, 22050 Hz; here resampled to 16 kHz, length ⌈22050 · 16000 / 22050⌉.
        var audio = AudioFile.Load(path, sampleRate: 16000, mono: false);
        Assert.Equal((16000, 2, 16000), (audio.SampleRate, audio.ChannelCount, audio.FrameCount));
        Assert.InRange(SineFit.Amplitude(audio.Channel(1).AsSpan(2000, 12000), 660, 16000), 0.4999, 0.5001);
    }
}
