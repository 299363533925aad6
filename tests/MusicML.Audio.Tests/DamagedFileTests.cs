using MusicML.Core;
using MusicML.TestSupport;
using Xunit.Abstractions;

namespace MusicML.Audio.Tests;

/// <summary>
/// Hostile and damaged headers. A cut-off file of any format decodes up to the damage, reports the readable length in
/// <see cref="AudioFile.GetInfo"/> and raises one <see cref="AudioWarnings"/> line saying how much was read; a header
/// whose rate or channel count no recording has is refused before any sample buffer exists.
/// </summary>
public class DamagedFileTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-damaged-").FullName;
    private readonly List<(string Path, string Message)> _warnings = [];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IDisposable Listen() => AudioWarnings.Listen((path, message) => _warnings.Add((path, message)));

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);

    private string Truncate(string fixture, double fraction)
    {
        var bytes = File.ReadAllBytes(Fixture(fixture));
        var path = Path.Combine(_dir, $"cut{fraction:F2}-{fixture}");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * fraction)]);
        return path;
    }

    /// <summary>
    /// 6 s of tones encoded by libsndfile and cut to 60 % of their bytes (inside an Ogg page, a FLAC frame, an MP3
    /// frame): the readable length is what decodes, strictly between 2 s and 5 s of the 6 s the header declares (about
    /// 3.6 s), reads stop there with finite samples, and one warning line names the file and both lengths (Ogg's
    /// header then claims some 10<sup>14</sup> s, which the warning calls impossible instead of quoting as seconds).
    /// </summary>
    /// <summary>
    /// A compressed file reached through a symbolic link (catalogues are often links into a music library) is whole:
    /// the header's length is checked against the file's own size, not the link's (the length of its target's name),
    /// which made a 2-hour FLAC read as "impossible" and a batch run record it as damaged.
    /// </summary>
    [SkippableFact]
    public void ACompressedFileThroughASymbolicLinkIsNotReportedAsDamaged()
    {
        Skip.IfNot(Sndfile.Dependency.IsAvailable, "libsndfile1 is not installed");
        var target = Path.Combine(_dir, "target.flac");
        SndfileEncoder.WriteTones(target, SndfileEncoder.Flac16, 44100, 2, seconds: 30);
        var link = Path.Combine(_dir, "link.flac");
        File.CreateSymbolicLink(link, target);
        using var listening = Listen();
        Assert.Equal(AudioFile.GetInfo(target).FrameCount, AudioFile.GetInfo(link).FrameCount);
        Assert.Empty(_warnings);
    }

    [SkippableTheory]
    [InlineData(SndfileEncoder.Flac16, 44100, 2, "flac")]
    [InlineData(SndfileEncoder.OggVorbis, 44100, 2, "ogg")]
    [InlineData(SndfileEncoder.OggOpus, 48000, 1, "opus")]
    [InlineData(SndfileEncoder.Mp3, 44100, 2, "mp3")]
    public void CutOffCompressedFileDecodesUpToTheDamageWithOneWarning(int format, int rate, int channels, string extension)
    {
        Skip.IfNot(Sndfile.Dependency.IsAvailable, "libsndfile1 is not installed");
        var whole = Path.Combine(_dir, "whole." + extension);
        SndfileEncoder.WriteTones(whole, format, rate, channels, seconds: 6);
        var bytes = File.ReadAllBytes(whole);
        var path = Path.Combine(_dir, "cut." + extension);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * 0.6)]);

        using var listening = Listen();
        var full = AudioFile.GetInfo(whole);
        Assert.Empty(_warnings);
        var info = AudioFile.GetInfo(path);
        var audio = AudioFile.Load(path, sampleRate: null, mono: false);
        output.WriteLine($"{extension}: {info.Duration:F3} s readable of {full.Duration:F3} s; {string.Join(" | ", _warnings.Select(w => w.Message))}");
        Assert.InRange(full.Duration, 5.9, 6.1);
        Assert.InRange(info.Duration, 2, 5);
        Assert.Equal(info.FrameCount, audio.FrameCount);
        Assert.True(audio.Channel(0).All(float.IsFinite));
        Assert.NotEmpty(_warnings);
        Assert.All(_warnings, w => Assert.Equal(path, w.Path));
        Assert.All(_warnings, w => Assert.Matches(@"^.+: truncated or damaged: decoded \d+\.\d{3} s(; the \d+ frames its header declares are impossible| of the 6\.000 s its header declares); using what was read\.$", w.Message));
        Assert.Contains($"decoded {info.Duration:F3} s", _warnings[0].Message);
        // A streamed read (what the tagger lays its chunks out for) delivers exactly the length it expected.
        using var reader = new AudioStreamReader(path, sampleRate: 16000, mono: true);
        var block = new float[65536];
        while (reader.Read(block) > 0) { }
        Assert.Equal(reader.ExpectedFrameCount, reader.FramesRead);
    }

    /// <summary>An intact file raises no warning: the length probe must not mistake an exact header for damage.</summary>
    [SkippableTheory]
    [InlineData("sine440_660_stereo.flac", 22050)]
    [InlineData("sine440.ogg", 22050)]
    [InlineData("sine440.aiff", 22050)]
    public void IntactFileKeepsItsDeclaredLengthSilently(string fixture, long frames)
    {
        Skip.IfNot(Sndfile.Dependency.IsAvailable, "libsndfile1 is not installed");
        using var listening = Listen();
        var info = AudioFile.GetInfo(Fixture(fixture));
        Assert.Equal(frames, info.FrameCount);
        Assert.Empty(_warnings);
    }

    /// <summary>Cut inside the header: nothing decodes, so the file is refused (not reported as 0 s of audio).</summary>
    [SkippableTheory]
    [InlineData("sine440_660_stereo.flac")]
    [InlineData("sine440.ogg")]
    [InlineData("sine440.opus")]
    [InlineData("sine440.mp3")]
    public void FileCutInsideItsHeaderIsRefused(string fixture)
    {
        Skip.IfNot(Sndfile.Dependency.IsAvailable, "libsndfile1 is not installed");
        var path = Truncate(fixture, 0.02);
        var e = Assert.ThrowsAny<AudioFormatException>(() => AudioFile.GetInfo(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain("does not exist", e.Message);
    }

    /// <summary>A WAV data chunk that runs past the end decodes its whole frames (4 of the 100 declared).</summary>
    [Fact]
    public void CutOffWavDecodesItsWholeFramesWithOneWarning()
    {
        var chunk = WavFixtures.Chunk("data", WavFixtures.Int16(1000, 2000, 3000, 4000, 5000));
        chunk[4] = 200; // the size field says 200 bytes (100 frames); 10 follow
        var path = Path.Combine(_dir, "cut.wav");
        File.WriteAllBytes(path, [.. "RIFF"u8, 0, 0, 0, 0, .. "WAVE"u8, .. WavFixtures.Chunk("fmt ", WavFixtures.Fmt(1, 1, 8000, 16)), .. chunk[..^1]]);
        using var listening = Listen();
        var info = AudioFile.GetInfo(path);
        var audio = AudioFile.Load(path, sampleRate: null);
        Assert.Equal(4, info.FrameCount);
        Assert.Equal([1000 / 32768f, 2000 / 32768f, 3000 / 32768f, 4000 / 32768f], audio.Channel(0).ToArray());
        Assert.Contains($"{path}: truncated or damaged: decoded 0.001 s of the 0.013 s its header declares; using what was read.", _warnings.Select(w => w.Message));
    }

    /// <summary>
    /// 20 KB of samples under a header claiming 1 Hz would be 10 000 s once resampled to 22 050 Hz; a claimed 10 MHz
    /// or 0 channels is as impossible. Each is refused when the header is read, naming the value.
    /// </summary>
    [Theory]
    [InlineData(1, 1, "sample rate of 1 Hz")]
    [InlineData(999, 1, "sample rate of 999 Hz")]
    [InlineData(10_000_000, 1, "sample rate of 10000000 Hz")]
    [InlineData(22050, 0, "0 channels")]
    public void ImplausibleHeaderIsRefusedBeforeDecoding(int rate, int channels, string expected)
    {
        var path = Path.Combine(_dir, $"claims{rate}x{channels}.wav");
        var fmt = WavFixtures.Fmt(1, Math.Max(channels, 1), rate, 16);
        if (channels == 0) { fmt[2] = 0; fmt[3] = 0; }
        File.WriteAllBytes(path, [.. "RIFF"u8, 0, 0, 0, 0, .. "WAVE"u8, .. WavFixtures.Chunk("fmt ", fmt), .. WavFixtures.Chunk("data", new byte[20_000])]);
        var e = Assert.Throws<AudioFormatException>(() => AudioFile.Load(path));
        Assert.StartsWith(path + ": the header declares ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    /// <summary>A named pipe is refused without being opened (opening it would wait for a writer forever).</summary>
    [SkippableFact]
    public void NamedPipeIsRefusedNotWaitedOn()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo is Linux-only here");
        var fifo = Path.Combine(_dir, "pipe.wav");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        var load = Task.Run(() => AudioFile.Load(fifo));
        Assert.True(((IAsyncResult)load).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)), "loading a FIFO must not block");
        var e = Assert.IsType<AudioFileNotFoundException>(load.Exception!.InnerException);
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not an audio file.", e.Message);
        Assert.Equal(FileNodeKind.CharacterDevice, FileNode.Of("/dev/zero").Kind);
        Assert.Contains("character device", Assert.Throws<AudioFileNotFoundException>(() => AudioFile.Load("/dev/zero")).Message);
    }
}

