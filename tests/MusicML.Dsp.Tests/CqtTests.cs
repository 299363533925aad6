using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;
using Xunit.Abstractions;

namespace MusicML.Dsp.Tests;

/// <summary>
/// Constant-Q family against librosa 0.10.1 (../shared/eval/librosa_reference). The bar is 1e-3 in
/// max|ours − ref| / max|ref|; measured figures (libsoxr and FFTW, as installed by setup.sh) are noted per test. With
/// MUSICML_DISABLE_NATIVE=all the managed resampler and FFT run instead and every figure stays below 2.6e-5, so the
/// tests assert 1e-4: tight enough to catch a wrong filter length, padding or tuning, loose enough for either engine.
/// </summary>
public class CqtTests(ITestOutputHelper output)
{
    private void AssertParity(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        output.WriteLine($"{what}: max|ours-ref|/max|ref| = {ArrayComparison.RelativeMaxError(expected, actual):E2}");
        ArrayComparison.AssertRelativeMaxError(expected, actual, tolerance, what);
    }

    public static TheoryData<string> Inputs() => Reference.InputData();

    [Theory]
    [MemberData(nameof(Inputs))]
    public void CqtMagnitudeMatchesLibrosa(string input)
    {
        // abs(librosa.cqt(y, sr=22050)): measured 2.2e-7 (vocadito) and 1.6e-7 (vibe_ace), float32 rounding only,
        // because the bases, paddings and soxr_hq halving chain are librosa's own.
        var y = Reference.Signal22050(input);
        var expected = Reference.Load(input, "cqt");
        var ours = Spectral.Cqt(y).Magnitude();
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        AssertParity($"{input} cqt", expected.ToFloat32(), ours.Data, 1e-4);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void ChromaCqtWithEstimatedTuningMatchesLibrosa(string input)
    {
        // librosa.feature.chroma_cqt(y=y, sr=22050): 252-bin CQT at 36 bins/octave, tuning estimated at 1/36 octave.
        // Measured 2.7e-6 (vocadito) and 3.0e-7 (vibe_ace); a tuning estimate one histogram step off would cost ~1e-2.
        var y = Reference.Signal22050(input);
        var expected = Reference.Load(input, "chroma_cqt");
        var ours = Features.ChromaCqt(y);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        AssertParity($"{input} chroma_cqt", expected.ToFloat32(), ours.Data, 1e-4);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void ChromaCensMatchesLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        // Measured 6.9e-8 and 7.1e-8: the 0.4/0.2/0.1/0.05 quantisation flips no value, or the error would be ~1e-2.
        var expected = Reference.Load(input, "chroma_cens");
        var ours = Features.ChromaCens(y);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        AssertParity($"{input} chroma_cens", expected.ToFloat32(), ours.Data, 1e-4);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void TonnetzMatchesLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        // Measured 8.5e-7 (vocadito) and 2.1e-7 (vibe_ace).
        var expected = Reference.Load(input, "tonnetz");
        var ours = Features.Tonnetz(y);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        AssertParity($"{input} tonnetz", expected.ToFloat32(), ours.Data, 1e-4);
    }
}

public class CqtBehaviourTests(ITestOutputHelper output)
{
    private static float[] Tone(double frequency, int samples, int sampleRate = 22050)
    {
        var y = new float[samples];
        for (int i = 0; i < y.Length; i++) y[i] = (float)Math.Sin(2 * Math.PI * frequency * i / sampleRate);
        return y;
    }

    [Fact]
    public void ToneLandsInItsBin()
    {
        // A4 = 440 Hz is bin 45 above C1 (MIDI 69 − 24); its neighbours a semitone away respond less.
        var c = Spectral.Cqt(Tone(440, 22050)).Magnitude();
        int frame = c.Columns / 2, best = 0;
        for (int k = 1; k < c.Rows; k++) if (c[k, frame] > c[best, frame]) best = k;
        output.WriteLine($"A4 response: {c[44, frame]} {c[45, frame]} {c[46, frame]}");
        Assert.Equal(45, best);
        Assert.True(c[44, frame] < c[45, frame] && c[46, frame] < c[45, frame]);
    }

    [Fact]
    public void TuningShiftsTheBins()
    {
        // A tone a quarter-tone sharp of A4 peaks in bin 45 only when the transform is tuned +0.5 bin; the estimate
        // (null) finds that offset to within the 0.01-bin histogram step that pitch_tuning uses.
        double f = 440 * Math.Pow(2, 0.5 / 12);
        var y = Tone(f, 22050 * 2);
        var tuned = Spectral.Cqt(y, tuning: null).Magnitude();
        var fixedTuning = Spectral.Cqt(y, tuning: 0.49).Magnitude();
        int frame = tuned.Columns / 2;
        Assert.True(tuned[45, frame] > 0.9f * tuned.Data.Max());
        ArrayComparison.AssertRelativeMaxError(fixedTuning.Data, tuned.Data, 0.05, "estimated vs fixed tuning");
    }

    [Fact]
    public void ParallelAndManagedFftGiveTheSameTransform()
    {
        var y = Reference.Signal22050("librosa_vibe_ace");
        var single = Spectral.Cqt(y);
        var parallel = Spectral.Cqt(y, options: DspOptions.Parallel);
        Assert.Equal(single.Data, parallel.Data);
        // The managed FFT rounds differently from FFTW; float32 rounding only (measured ~1e-7).
        var managed = Spectral.Cqt(y, options: new DspOptions { Backend = FftBackend.Managed });
        ArrayComparison.AssertRelativeMaxError(single.Magnitude().Data, managed.Magnitude().Data, 1e-5, "managed FFT");
    }

    [Theory]
    [InlineData(PadMode.Constant)]
    [InlineData(PadMode.Reflect)]
    [InlineData(PadMode.Edge)]
    public void DirectProductEqualsTheFftProduct(PadMode padMode)
    {
        // Every octave of the default CQT (12 filters, nFft 256) uses the time-domain taps; the FFT and sparse
        // product they replace computes the same sums in another order, so only float32 rounding may differ. Both
        // sum terms far larger than the result where an octave holds little of the signal's energy: on the top octave
        // here, against the same sum in double, the direct product is 9.2e-6 off and the FFT route 5.1e-6, and they
        // differ from each other by 1.3e-5 (the largest over the octaves; the full CQT stays 1.7e-7 from librosa).
        // The signal's length is no multiple of the hop, so the last frames overhang the end, and the first ones
        // the start.
        var plan = ConstantQPlan.Get(22050, 512, Filters.C1Hz, 84, 12, 1.0, 1.0, 0.01, WindowType.Hann, true);
        var y = Reference.Signal22050("librosa_vibe_ace").AsSpan(0, 3 * 22050 + 101);
        foreach (var basis in plan.Octaves)
        {
            Assert.NotNull(basis.Taps);
            int frames = 1 + y.Length / basis.HopLength;
            var direct = new ComplexMatrix(84, frames);
            var viaFft = new ComplexMatrix(84, frames);
            Spectral.ConstantQFramesDirect(new SignalWindow(y), basis, padMode, direct, 0, frames);
            Spectral.ConstantQFrames(new SignalWindow(y), basis, padMode, viaFft, 0, frames, FftBackend.Auto);
            double error = ArrayComparison.RelativeMaxError(viaFft.Data, direct.Data);
            output.WriteLine($"{padMode}, hop {basis.HopLength}: direct vs FFT product {error:E2}");
            Assert.True(error <= 5e-5, $"{padMode}, hop {basis.HopLength}: {error:E3}");

            // Frames are taken four at a time; chunks that split those blocks anywhere give the same numbers.
            var chunked = new ComplexMatrix(84, frames);
            for (int start = 0; start < frames; start += 7)
                Spectral.ConstantQFramesDirect(new SignalWindow(y), basis, padMode, chunked, start, Math.Min(frames, start + 7));
            Assert.Equal(direct.Data, chunked.Data);
        }
    }

    [Theory]
    [InlineData(PadMode.Constant)]
    [InlineData(PadMode.Reflect)]
    [InlineData(PadMode.Edge)]
    public void OnePassEqualsTheWholeSignalChainAroundBlockBoundaries(PadMode padMode)
    {
        // One thread streams blocks down the halving chain; two threads halve whole signals (Decimate) and split the
        // frames. Both feed libsoxr the same samples, so the transforms must be bit-identical, for lengths one short
        // of, at, and one past block boundaries (the last block 1 sample or full) and for a ragged one. Lengths start
        // at 2 blocks so that there are enough frames (32) for the second thread to take part.
        int block = Spectral.ConstantQBlockLength;
        var twoThreads = new DspOptions { MaxDegreeOfParallelism = 2 };
        var random = new Random(7);
        foreach (int length in new[] { 2 * block - 1, 2 * block, 2 * block + 1, 9 * block + 333 })
        {
            var y = Tone(261.63, length);
            for (int i = 0; i < y.Length; i++) y[i] = 0.5f * y[i] + 0.1f * (float)(random.NextDouble() - 0.5);
            var onePass = Spectral.Cqt(y, padMode: padMode);
            var wholeSignals = Spectral.Cqt(y, padMode: padMode, options: twoThreads);
            Assert.Equal(wholeSignals.Data, onePass.Data);
        }
    }

    [Fact]
    public void NonFiniteSampleInALaterBlockIsNamed()
    {
        // The one-pass path checks the input block by block; the index reported is still the signal's.
        int block = Spectral.ConstantQBlockLength;
        var y = Tone(440, 3 * block);
        y[2 * block + 5] = float.PositiveInfinity;
        var e = Assert.Throws<MusicMLException>(() => Spectral.Cqt(y));
        Assert.Contains($"sample {2 * block + 5} is", e.Message);
        e = Assert.Throws<MusicMLException>(() => Spectral.Cqt(y, options: new DspOptions { MaxDegreeOfParallelism = 2 }));
        Assert.Contains($"sample {2 * block + 5} is", e.Message);
    }

    [Fact]
    public void OnlyCheapBasesGetTimeDomainTaps()
    {
        // chroma_cqt's 36 filters at nFft 1024 (72 rows of taps) cost more per frame than the FFT route; the default
        // CQT's 12 filters at nFft 256 cost less (see OctaveBasis.DirectIsCheaper).
        var chroma = ConstantQPlan.Get(22050, 512, Filters.C1Hz, 252, 36, 1.0, 1.0, 0.01, WindowType.Hann, true);
        Assert.All(chroma.Octaves, basis => Assert.Null(basis.Taps));
        var cqt = ConstantQPlan.Get(22050, 512, Filters.C1Hz, 84, 12, 1.0, 1.0, 0.01, WindowType.Hann, true);
        Assert.All(cqt.Octaves, basis => Assert.Equal(256, basis.NFft));
    }

    [Fact]
    public void EarlyDownsamplingAgreesWithTheFullTransform()
    {
        // One octave from C1 makes librosa decimate by 64 before the first octave (its early-downsampling rule); the
        // result must agree with the bottom octave of the 7-octave transform, which reaches the same rate by six
        // halvings. The two soxr paths differ in their start-up transients: measured 1.3e-2 over all frames and
        // 1.5e-3 once the 8 frames (0.19 s) at each end are left out.
        var y = Reference.Signal22050("librosa_vibe_ace");
        var oneOctave = Spectral.Cqt(y, nBins: 12).Magnitude();
        var full = Spectral.Cqt(y).Magnitude();
        Assert.Equal(full.Columns, oneOctave.Columns);
        var bottom = new float[12 * full.Columns];
        Array.Copy(full.Data, bottom, bottom.Length);
        double all = ArrayComparison.RelativeMaxError(bottom, oneOctave.Data);
        const int edge = 8;
        var fromChain = new List<float>();
        var early = new List<float>();
        for (int k = 0; k < 12; k++)
            for (int t = edge; t < full.Columns - edge; t++)
            {
                fromChain.Add(full[k, t]);
                early.Add(oneOctave[k, t]);
            }
        double interior = ArrayComparison.RelativeMaxError(fromChain.ToArray(), early.ToArray());
        output.WriteLine($"early downsampling vs halving chain: {all:E2} overall, {interior:E2} inside");
        Assert.True(all <= 2e-2, $"early downsampling differs by {all:E3}");
        Assert.True(interior <= 3e-3, $"early downsampling differs inside by {interior:E3}");
    }

    [Fact]
    public void PartialBottomOctaveEqualsTheFullTransformsRows()
    {
        // 80 bins from E1 share the 84-bin transform's top octaves, halvings and frames; only the bottom octave is
        // partial (8 filters). Rows must agree to float32 rounding (measured ~1e-7).
        var y = Reference.Signal22050("vocadito_1.44k");
        var full = Spectral.Cqt(y).Magnitude();
        var partial = Spectral.Cqt(y, fMin: Filters.C1Hz * Math.Pow(2, 4 / 12.0), nBins: 80).Magnitude();
        Assert.Equal(full.Columns, partial.Columns);
        var top = full.Data.AsSpan(4 * full.Columns).ToArray();
        ArrayComparison.AssertRelativeMaxError(top, partial.Data, 1e-5, "80-bin CQT vs rows 4..83 of the 84-bin CQT");
    }

    [Fact]
    public void OddHopStopsHalvingAndStillResolvesLowNotes()
    {
        // hop 96 = 3 · 2^5: after five halvings the hop is odd, so librosa keeps the last octaves at 689 Hz. A1 = 55 Hz
        // is bin 9 above C1 and must still peak there; the frame count is 1 + ⌊n / 96⌋.
        var y = Tone(55, 22050 * 2);
        var c = Spectral.Cqt(y, hopLength: 96).Magnitude();
        Assert.Equal(1 + y.Length / 96, c.Columns);
        int frame = c.Columns / 2, best = 0;
        for (int k = 1; k < c.Rows; k++) if (c[k, frame] > c[best, frame]) best = k;
        Assert.Equal(9, best);
    }

    [Fact]
    public void PrecomputedCqtGivesTheSameChroma()
    {
        var y = Reference.Signal22050("vocadito_1.44k");
        double tuning = Tuning.EstimateTuning(y, binsPerOctave: 36);
        var c = Spectral.Cqt(y, nBins: 252, binsPerOctave: 36, tuning: tuning).Magnitude();
        Assert.Equal(Features.ChromaCqt(y, tuning: tuning).Data, Features.ChromaCqt(c).Data);
        Assert.Equal(Features.ChromaCens(y, tuning: tuning).Data, Features.ChromaCens(c).Data);
        Assert.Equal(Features.Tonnetz(y, tuning: tuning).Data, Features.Tonnetz(Features.ChromaCqt(c)).Data);
    }

    [Fact]
    public void CqToChromaFoldsCentredGroups()
    {
        // 36 bins per octave: bin 0 (C) and its neighbours 35 (a third of a semitone below) and 1 map to C.
        var fold = Filters.CqToChroma(72, binsPerOctave: 36);
        Assert.Equal(12, fold.Rows);
        Assert.Equal(1f, fold[0, 0]);
        Assert.Equal(1f, fold[0, 1]);
        Assert.Equal(1f, fold[0, 35]);
        Assert.Equal(1f, fold[1, 2]);
        Assert.Equal(1f, fold[11, 34]);
        for (int k = 0; k < 72; k++) Assert.Equal(1f, Enumerable.Range(0, 12).Sum(c => fold[c, k]));
        // Starting at A1 instead of C1 rotates the rows: bin 0 is then pitch class A (row 9).
        Assert.Equal(1f, Filters.CqToChroma(12, fMin: 55.0)[9, 0]);
    }

    [Fact]
    public void TonnetzOfAMajorTriadIsOnTheMajorThirdCircle()
    {
        // C, E, G with equal weight: the fifths and thirds vectors of Harte et al.'s construction, computed by hand.
        var chroma = new FloatMatrix(12, 1);
        chroma[0, 0] = chroma[4, 0] = chroma[7, 0] = 1f;
        var t = Features.Tonnetz(chroma);
        double Expected(int d, double step, double radius, bool sine) =>
            new[] { 0, 4, 7 }.Sum(c => radius * (sine ? Math.Sin(Math.PI * step * c) : Math.Cos(Math.PI * step * c))) / 3;
        Assert.Equal(Expected(0, 7.0 / 6, 1, true), t[0, 0], 5);
        Assert.Equal(Expected(1, 7.0 / 6, 1, false), t[1, 0], 5);
        Assert.Equal(Expected(4, 2.0 / 3, 0.5, true), t[4, 0], 5);
        Assert.Equal(Expected(5, 2.0 / 3, 0.5, false), t[5, 0], 5);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var y = Tone(440, 4096);
        Assert.Contains("empty", Assert.Throws<MusicMLException>(() => Spectral.Cqt(ReadOnlySpan<float>.Empty)).Message);
        var withNaN = (float[])y.Clone();
        withNaN[100] = float.NaN;
        Assert.Contains("sample 100", Assert.Throws<MusicMLException>(() => Spectral.Cqt(withNaN)).Message);
        Assert.Contains("Nyquist", Assert.Throws<MusicMLException>(() => Spectral.Cqt(y, nBins: 120)).Message);
        Assert.Contains("hopLength", Assert.Throws<MusicMLException>(() => Spectral.Cqt(y, hopLength: 0)).Message);
        Assert.Contains("fMin", Assert.Throws<MusicMLException>(() => Spectral.Cqt(y, fMin: -1)).Message);
        Assert.Contains("sparsity", Assert.Throws<MusicMLException>(() => Spectral.Cqt(y, sparsity: 1)).Message);
        Assert.Contains("tuning", Assert.Throws<MusicMLException>(() => Spectral.Cqt(y, tuning: double.NaN)).Message);
        Assert.Contains("norm", Assert.Throws<MusicMLException>(() => Spectral.Cqt(y, norm: 0)).Message);
        Assert.Contains("binsPerOctave = 30", Assert.Throws<MusicMLException>(() => Features.ChromaCqt(y, binsPerOctave: 30, nChroma: 12)).Message);
        Assert.Contains("winLenSmooth", Assert.Throws<MusicMLException>(() => Features.ChromaCens(y, winLenSmooth: 0)).Message);
        Assert.Contains("'chroma'", Assert.Throws<MusicMLException>(() => Features.Tonnetz(new FloatMatrix(12, 0))).Message);
    }
}
