using MusicML.Cli.Commands;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;

namespace MusicML.Cli.Tests;

/// <summary>
/// Frame-local features are streamed block by block into a Fortran-ordered .npy. Cut into blocks of a few dozen
/// frames (so a 12 s clip has about ten cuts, each with its own context and frame ownership), the array must be
/// bit-identical to the one-window (whole-file) computation: every frame sees exactly the same samples and padding.
/// </summary>
public class FeaturesStreamingTests
{
    private static readonly string Temp = Directory.CreateTempSubdirectory("musicml-features-stream-").FullName;

    /// <summary>The STFT-framed frame-local kinds; the CQT, whose halving filters restart at each block, is tested below.</summary>
    public static TheoryData<string> FrameLocalKinds => [.. FeatureKinds.All.Where(k => k.FrameLocal && k.ContextSamples is null).Select(k => k.Name)];

    [Theory]
    [MemberData(nameof(FrameLocalKinds))]
    public void BlockwiseEqualsWholeFileBitForBit(string kindName)
    {
        var kind = FeatureKinds.Find(kindName)!;
        // A 22.05 kHz clip read at 22.05 kHz, and a 44.1 kHz file resampled while streaming (the resampler's state
        // runs on across blocks, so the samples themselves are the whole-file ones too).
        foreach (var (input, sr) in new[] { (SharedData.RepoPath("audio-samples", "band_A_minor_100bpm.wav"), 22050),
                                              (SharedData.Path("eval", "librosa_reference", "vocadito_1.44k.input.wav"), 22050) })
        {
            var parameters = new FeatureParameters(sr, 2048, 512, 128, null, null, 20, false, 84, null);
            var context = new CliContext(TextWriter.Null, TextWriter.Null);
            var whole = Path.Combine(Temp, $"{kindName}-whole.npy");
            var blocks = Path.Combine(Temp, $"{kindName}-blocks.npy");
            FeaturesCommand.Run(context, input, kind, parameters, whole, blockFrames: int.MaxValue / 1024);
            FeaturesCommand.Run(context, input, kind, parameters, blocks, blockFrames: 37);
            var expected = NpyFile.Read(whole);
            var actual = NpyFile.Read(blocks);
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(expected.ToFloat32(), actual.ToFloat32());
        }
    }

    /// <summary>
    /// MFCC's and onset strength's log-mel is floored 80 dB below the whole recording's loudest value, and chroma_stft's
    /// filters are shifted by the whole recording's tuning, and contrast's peaks and valleys are floored 80 dB below their loudest, so they stream in two passes (the statistic first). Cut into 37-frame blocks each must equal the library's whole-signal call: to the
    /// float32 rounding of the dB values (the vectorised and scalar log paths of a value differ by an ulp or so
    /// depending on where it falls in its block), measured below 1e-4 in the feature's units.
    /// </summary>
    [Theory]
    [InlineData("mfcc")]
    [InlineData("onset_strength")]
    [InlineData("chroma_stft")]
    [InlineData("contrast")]
    [InlineData("tempogram")]
    public void TwoPassKindsEqualTheWholeSignal(string kindName)
    {
        var (kind, expected, actual) = StreamedAndWhole(kindName, "-blocks.npy", blockFrames: 37);
        Assert.Equal(kind.OneDimensional ? new[] { expected.Columns } : new[] { expected.Rows, expected.Columns }, actual.Shape);
        var values = actual.ToFloat32();
        double worst = 0;
        for (int i = 0; i < values.Length; i++) worst = Math.Max(worst, Math.Abs(values[i] - expected.Data[i]));
        Assert.True(worst < 1e-4, $"max |streamed − whole| = {worst:E2}");
    }

    /// <summary>
    /// The CQT kinds stream too (a two-hour cqt took 1.07 GB whole): each block carries the longest wavelet plus one
    /// second of context either side, so the soxr halving chain, which starts afresh at each block, has settled before
    /// the frames the block owns. Cut into 37-frame blocks (0.86 s, about 28 cuts in the 24 s sample) the CQT must
    /// equal the whole-signal call to float rounding (measured 3e-7 of the largest magnitude). chroma_cqt, chroma_cens
    /// and tonnetz take the tuning from the whole recording in a first pass and normalise every frame, which turns
    /// that rounding into up to 2e-3 in a frame 60 dB below the loudest; in every frame louder than that they agree to
    /// 1e-4 (measured 6.6e-5 for chroma_cqt, whose peak is 1; 1.1e-5 for tonnetz, within ±1).
    /// </summary>
    [Theory]
    [InlineData("cqt")]
    [InlineData("chroma_cqt")]
    [InlineData("chroma_cens")]
    [InlineData("tonnetz")]
    public void CqtKindsStreamedEqualTheWholeSignal(string kindName)
    {
        var (kind, expected, actual) = StreamedAndWhole(kindName, "-blocks.npy", blockFrames: 37);
        Assert.True(kind.TwoPass is not null || kind.FrameLocal, $"{kindName} is not streamed");
        Assert.Equal(new[] { expected.Rows, expected.Columns }, actual.Shape);
        var values = actual.ToFloat32();
        var y = MusicML.Audio.AudioFile.Load(SharedData.RepoPath("audio-samples", "band_A_minor_100bpm.wav")).Channel(0).ToArray();
        var level = Spectral.Cqt(y, nBins: 252, binsPerOctave: 36).Magnitude();
        var loudness = Enumerable.Range(0, level.Columns).Select(t => Enumerable.Range(0, level.Rows).Max(b => level[b, t])).ToArray();
        double audible = 1e-3 * loudness.Max(), worst = 0, largest = 0;
        int cols = expected.Columns;
        for (int i = 0; i < values.Length; i++)
        {
            largest = Math.Max(largest, Math.Abs(expected.Data[i]));
            if (kindName == "cqt" || loudness[Math.Min(i % cols, loudness.Length - 1)] >= audible)
                worst = Math.Max(worst, Math.Abs(values[i] - expected.Data[i]));
        }
        double error = kindName == "cqt" ? worst / largest : worst;
        Assert.True(error < (kindName == "cqt" ? 1e-5 : 1e-4), $"max |streamed − whole| = {worst:E2} (largest |whole| {largest:E2})");
    }

    /// <summary>
    /// <paramref name="kindName"/> of the 24 s band sample written by <c>musicml features</c> in blocks of
    /// <paramref name="blockFrames"/> hops, and the library's whole-signal call on the same decoded samples.
    /// </summary>
    private (FeatureKind Kind, FloatMatrix Expected, NpyArray Actual) StreamedAndWhole(string kindName, string suffix, int blockFrames)
    {
        var kind = FeatureKinds.Find(kindName)!;
        var input = SharedData.RepoPath("audio-samples", "band_A_minor_100bpm.wav");
        var parameters = new FeatureParameters(22050, 2048, 512, 128, null, null, 20, false, 84, null);
        var output = Path.Combine(Temp, kindName + suffix);
        FeaturesCommand.Run(new CliContext(TextWriter.Null, TextWriter.Null), input, kind, parameters, output, blockFrames);
        var expected = kind.Compute(MusicML.Audio.AudioFile.Load(input).Channel(0).ToArray(), parameters);
        return (kind, expected, NpyFile.Read(output));
    }

    /// <summary>
    /// A recording that fits one streamed window (the 24 s sample, against blocks of 8192 hops) is not read twice for
    /// a two-pass kind: its .npy is the library's whole-signal call, bit for bit.
    /// </summary>
    [Theory]
    [InlineData("mfcc")]
    [InlineData("contrast")]
    [InlineData("chroma_stft")]
    [InlineData("chroma_cqt")]
    [InlineData("cqt")]
    public void TwoPassKindsOnAShortFileAreTheWholeSignalCallExactly(string kindName)
    {
        var (_, expected, actual) = StreamedAndWhole(kindName, "-whole.npy", FeaturesCommand.DefaultBlockFrames);
        Assert.Equal(new[] { expected.Rows, expected.Columns }, actual.Shape);
        // ToFloat32 gives the logical (row-major) order whatever the file's layout, as the test above relies on.
        Assert.Equal(expected.Data, actual.ToFloat32());
    }

    [Fact]
    public void EveryKindStreams()
    {
        // No --kind decodes a whole file any more: each is frame-local or has a first pass for its one statistic.
        Assert.All(FeatureKinds.All, k => Assert.True(k.FrameLocal || k.TwoPass is not null, $"{k.Name} would read the whole file"));
    }

    /// <summary>
    /// CSV streams through the same blocks as .npy: one row per frame with its centre time, written as each block is
    /// done. Cut into 37-frame blocks, the rows equal the one-window file's: exactly for a frame-local kind (rms), and
    /// to the two-pass kinds' float rounding for mfcc (time column identical).
    /// </summary>
    [Theory]
    [InlineData("rms", 0.0)]
    [InlineData("mfcc", 1e-4)]
    public void CsvStreamsRowByRowLikeTheNpy(string kindName, double tolerance)
    {
        var kind = FeatureKinds.Find(kindName)!;
        var input = SharedData.RepoPath("audio-samples", "band_A_minor_100bpm.wav");
        var parameters = new FeatureParameters(22050, 2048, 512, 128, null, null, 20, false, 84, null);
        var context = new CliContext(TextWriter.Null, TextWriter.Null);
        var whole = Path.Combine(Temp, $"{kindName}-whole.csv");
        var blocks = Path.Combine(Temp, $"{kindName}-blocks.csv");
        FeaturesCommand.Run(context, input, kind, parameters, whole);
        FeaturesCommand.Run(context, input, kind, parameters, blocks, blockFrames: 37);
        var expected = File.ReadAllLines(whole);
        var actual = File.ReadAllLines(blocks);
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected[0], actual[0]);
        // A header and librosa's 1 + ⌊n / hop⌋ frames (the clip is 22.05 kHz, so n is its own frame count).
        Assert.Equal(1 + 1 + MusicML.Audio.AudioFile.GetInfo(input).FrameCount / 512, expected.Length);
        double worst = 0;
        for (int i = 1; i < expected.Length; i++)
        {
            var e = expected[i].Split(',');
            var a = actual[i].Split(',');
            Assert.Equal(e[0], a[0]);
            for (int c = 1; c < e.Length; c++)
                worst = Math.Max(worst, Math.Abs(double.Parse(e[c], System.Globalization.CultureInfo.InvariantCulture) - double.Parse(a[c], System.Globalization.CultureInfo.InvariantCulture)));
        }
        Assert.True(worst <= tolerance, $"max |streamed − whole| = {worst:E2}");
    }
}
