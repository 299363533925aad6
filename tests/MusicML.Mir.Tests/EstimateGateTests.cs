using MusicML.Audio;
using MusicML.Mir.Analysis;
using MusicML.TestSupport;

namespace MusicML.Mir.Tests;

/// <summary>
/// "No estimate" instead of a confident answer drawn from noise (issue 9): before the gate, 10 s of 16-bit dither gave
/// "F major", 158 BPM, beats every 0.35 s and F:7 chords, and half a second of a 440 Hz tone gave "D minor".
/// </summary>
public class EstimateGateTests
{
    private const int Rate = 22050;

    private static float[] Sine(double seconds, double amplitude)
    {
        var y = new float[(int)(seconds * Rate)];
        for (int i = 0; i < y.Length; i++) y[i] = (float)(amplitude * Math.Sin(2 * Math.PI * 440 * i / Rate));
        return y;
    }

    private static float[] Dither(double seconds)
    {
        var random = new Random(5);
        var y = new float[(int)(seconds * Rate)];
        for (int i = 0; i < y.Length; i++) y[i] = (float)((random.NextDouble() + random.NextDouble() - 1) / 32768);
        return y;
    }

    /// <summary>
    /// A sine of amplitude a has RMS a/√2: −60 dBFS is a = √2·10⁻³. Just above passes, just below is refused; 1 s
    /// passes, one sample less is too short; digital silence is reported as such.
    /// </summary>
    [Fact]
    public void RulesSitExactlyAtTheirDocumentedThresholds()
    {
        double atLimit = Math.Sqrt(2) * 1e-3;
        Assert.Null(EstimateGate.Check(Sine(2, atLimit * 1.01), Rate));
        Assert.Equal("too quiet to estimate from (loudest frame -60.1 dBFS; at least -60 dBFS is needed)", EstimateGate.Check(Sine(2, atLimit * 0.99), Rate));
        Assert.Null(EstimateGate.Check(Sine(1, 0.5), Rate));
        Assert.Equal("too short to estimate from (1.000 s; at least 1 s is needed)", EstimateGate.Check(Sine(1, 0.5)[..^1], Rate));
        Assert.Equal("too quiet to estimate from (digital silence; at least -60 dBFS is needed)", EstimateGate.Check(new float[Rate * 3], Rate));
    }

    /// <summary>The loudest frame decides: 9 s of silence before 1 s of tone is music, whichever way it is fed.</summary>
    [Fact]
    public void LoudestFrameDecidesAndBlocksGiveTheWholeSignalsVerdict()
    {
        var y = new float[10 * Rate];
        Sine(1, 0.3).CopyTo(y, 9 * Rate);
        Assert.Null(EstimateGate.Check(y, Rate));
        var whole = new EstimateGate(Rate);
        whole.Add(y);
        var blocks = new EstimateGate(Rate);
        for (int start = 0; start < y.Length; start += 3001) blocks.Add(y.AsSpan(start, Math.Min(3001, y.Length - start)));
        Assert.Equal(whole.LoudestFrameDb, blocks.LoudestFrameDb, 5); // float dot products summed in other pieces
        Assert.Equal(whole.SampleCount, blocks.SampleCount);
    }

    [Fact]
    public void DitherGetsNoEstimateButMusicStillDoes()
    {
        var none = new Analyzer().Analyze(Dither(10), Rate);
        Assert.StartsWith("too quiet to estimate from (loudest frame -9", none.NoEstimate);
        Assert.Null(none.Tempo);
        Assert.Null(none.Key);
        Assert.Empty(none.Beats);
        Assert.Empty(none.Onsets);
        Assert.Empty(none.Segments);
        Assert.Equal([new(0, 10, "N")], none.Chords);

        var music = new Analyzer().Analyze(SharedData.RepoPath("audio-samples", "band_A_minor_100bpm.wav"));
        Assert.Null(music.NoEstimate);
        Assert.Equal("A minor", music.Key?.Label);
    }

    /// <summary>Half a second: no key, tempo, beats or chords, but its onset and tuning are still reported.</summary>
    [Fact]
    public void TooShortKeepsOnsetsAndTuning()
    {
        var y = Sine(0.5, 0.3);
        for (int i = 0; i < Rate / 4; i++) y[i] = 0; // the tone starts at 0.25 s
        var result = new Analyzer().Analyze(y, Rate);
        Assert.Equal("too short to estimate from (0.500 s; at least 1 s is needed)", result.NoEstimate);
        Assert.Null(result.Key);
        Assert.Null(result.Tempo);
        Assert.Empty(result.Beats);
        Assert.NotNull(result.TuningCents);
        Assert.Contains(result.Onsets, t => Math.Abs(t - 0.25) < 0.05);
    }

    /// <summary>A streamed (multi-block) quiet file gets the same verdict as the whole-file path, without a second pass.</summary>
    [Fact]
    public void StreamedQuietFileGetsTheSameVerdict()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("musicml-gate-").FullName, "quiet.wav");
        WavWriter.Write(path, new AudioBuffer(Sine(12, 1e-4), Rate), WavSampleFormat.Float32);
        var whole = new Analyzer().Analyze(path);
        var streamed = new Analyzer { StreamingBlockSeconds = 1 }.Analyze(path);
        Assert.StartsWith("too quiet to estimate from (loudest frame -83.0 dBFS", whole.NoEstimate);
        Assert.Equal(whole.NoEstimate, streamed.NoEstimate);
        Assert.Equal(whole.Chords, streamed.Chords);
        Assert.Null(streamed.Key);
    }
}
