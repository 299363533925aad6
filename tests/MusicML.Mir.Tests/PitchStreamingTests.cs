using MusicML.Audio;
using MusicML.Core;
using MusicML.Mir.Pitch;

namespace MusicML.Mir.Tests;

/// <summary>
/// <see cref="Yin.Estimate(string, int?, double, double, int, int?, double)"/> and the pYIN file overload stream the
/// file block by block (the CMNDF is computed per window and pYIN's Viterbi runs forward as frames arrive); their
/// tracks must equal the in-memory estimators' on the whole decoded file exactly, frame for frame, with blocks of 37
/// hops (0.86 s) so that a 12 s file crosses a dozen block boundaries, and with one block holding the whole file.
/// Serialised: the block size is a process-wide test hook.
/// </summary>
[Collection(nameof(PitchStreamingTests))]
public sealed class PitchStreamingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-pitch-stream-").FullName;

    public void Dispose()
    {
        YinCore.StreamBlockHops = 8192;
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>12 s at 22.05 kHz: a glide, notes with gaps, a vibrato tone and noise, 16-bit stereo (so the downmix is on the path).</summary>
    private string Melody()
    {
        int rate = ToneSynth.SampleRate;
        var mono = new float[12 * rate];
        ToneSynth.AddTone(mono, 220.0, 0.3, 2.0, 0.3f, 4);
        ToneSynth.AddTone(mono, ToneSynth.MidiToHz(64), 2.4, 4.1, 0.3f, 4);
        ToneSynth.AddTone(mono, ToneSynth.MidiToHz(71), 4.1, 6.0, 0.25f, 3);
        for (int i = (int)(6.5 * rate); i < 9.5 * rate; i++)
        {
            double t = (double)i / rate;
            mono[i] += (float)(0.3 * Math.Sin(2 * Math.PI * (330 * t + 3 * Math.Sin(2 * Math.PI * 5 * t))));
        }
        var random = new Random(3);
        for (int i = 0; i < mono.Length; i++) mono[i] += (float)(0.01 * (random.NextDouble() - 0.5));
        var right = mono.Select(v => v * 0.8f).ToArray();
        var path = Path.Combine(_dir, "melody.wav");
        WavWriter.Write(path, new AudioBuffer([mono, right], rate));
        return path;
    }

    private static void AssertSame(PitchTrack expected, PitchTrack actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Times, actual.Times);
        Assert.Equal(expected.Voiced, actual.Voiced);
        Assert.Equal(expected.Frequencies, actual.Frequencies);
        Assert.Equal(expected.VoicedProbability, actual.VoicedProbability);
    }

    [Theory]
    [InlineData(37)]
    [InlineData(8192)]
    public void StreamedYinEqualsTheWholeFile(int blockHops)
    {
        var path = Melody();
        var whole = Yin.Estimate(AudioFile.Load(path).ToMono(), ToneSynth.SampleRate);
        YinCore.StreamBlockHops = blockHops;
        AssertSame(whole, Yin.Estimate(path));
        Assert.True(whole.Voiced.Count(v => v) > whole.Count / 3, "the melody should be mostly voiced");
    }

    [Theory]
    [InlineData(37)]
    [InlineData(8192)]
    public void StreamedPYinEqualsTheWholeFile(int blockHops)
    {
        var path = Melody();
        var whole = PYin.Estimate(AudioFile.Load(path).ToMono(), ToneSynth.SampleRate);
        YinCore.StreamBlockHops = blockHops;
        AssertSame(whole, PYin.Estimate(path));
        // The glide's first note is A3: pYIN's path must hold it (within 20 cents) in the middle of the note.
        int middle = (int)Math.Round(1.0 * ToneSynth.SampleRate / 512);
        Assert.InRange(1200 * Math.Log2(whole.Frequencies[middle] / 220.0), -20, 20);
    }

    [Fact]
    public void ATransitionWindowWiderThanOneByteUsesTwoBytePointersAndStillDecodes()
    {
        // maxTransitionRate 100 octaves/s gives round(100·12·512/22050) = 28 semitones = 281 bins per frame (> 128).
        var y = AudioFile.Load(Melody()).ToMono();
        var wide = PYin.Estimate(y, ToneSynth.SampleRate, maxTransitionRate: 100);
        int middle = (int)Math.Round(1.0 * ToneSynth.SampleRate / 512);
        Assert.True(wide.Voiced[middle]);
        Assert.InRange(1200 * Math.Log2(wide.Frequencies[middle] / 220.0), -20, 20);
    }

    [Fact]
    public void AFileThatDoesNotExistIsNamed()
    {
        var missing = Path.Combine(_dir, "missing.wav");
        Assert.Contains(missing, Assert.ThrowsAny<MusicMLException>(() => PYin.Estimate(missing)).Message);
    }

    /// <summary>Collects reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class Recorder : IProgress<double>
    {
        public List<double> Reports { get; } = [];

        public void Report(double value) => Reports.Add(value);
    }

    [Fact]
    public void ProgressRisesBlockByBlockToOne()
    {
        // 12 s in blocks of 37 hops (0.86 s): one report per block, rising, the last exactly 1.
        var path = Melody();
        YinCore.StreamBlockHops = 37;
        var recorder = new Recorder();
        PYin.Estimate(path, progress: recorder);
        Assert.InRange(recorder.Reports.Count, 13, 15);
        Assert.Equal(recorder.Reports.OrderBy(v => v), recorder.Reports);
        Assert.All(recorder.Reports, v => Assert.InRange(v, 0.0, 1.0));
        Assert.Equal(1.0, recorder.Reports[^1]);
    }
}
