using MusicML.Core;
using MusicML.Evaluation;
using MusicML.Mir.Onsets;

namespace MusicML.Mir.Tests;

public class OnsetTests
{
    private static readonly double[] Times = [0.30, 0.75, 1.00, 1.62, 2.05, 2.50, 2.80, 3.41];

    private static float[] Tones()
    {
        var y = new float[(int)(4.0 * TestSignals.SampleRate)];
        // Harmonic notes (six partials) at alternating pitches and levels (down to −8 dB), each a new note.
        for (int i = 0; i < Times.Length; i++)
            for (int k = 1; k <= 6; k++)
                TestSignals.AddBursts(y, [Times[i]], k * 220 * Math.Pow(2, i / 4.0), (i % 2 == 0 ? 0.3 : 0.12) / k, decay: 0.12);
        return y;
    }

    [Fact]
    public void FilterbankBandsHaveUnitAreaAndLogSpacedCentres()
    {
        var bank = new LogFilterbank(22050, 1024);
        var magnitude = new MusicML.Dsp.FloatMatrix(bank.Bins, 1);
        for (int k = 0; k < bank.Bins; k++) magnitude[k, 0] = 9f; // flat spectrum: every unit-area band sees 9
        var filtered = bank.Apply(magnitude);
        for (int b = 0; b < bank.Bands; b++) Assert.Equal(1.0, filtered[b, 0], 5); // log10(1 + 9) = 1
        Assert.True(bank.CentreFrequencies.Zip(bank.CentreFrequencies.Skip(1)).All(p => p.Second > p.First));
        // 24 bands per octave merge below ~500 Hz at 21.5 Hz bins, so there are fewer than 24·log2(11025/30) = 204 bands.
        Assert.InRange(bank.Bands, 100, 204);
    }

    [Theory]
    [InlineData(OnsetMethod.SuperFlux)]
    [InlineData(OnsetMethod.SpectralFlux)]
    [InlineData(OnsetMethod.ComplexDomain)]
    public void EveryMethodFindsEveryToneWithin30Milliseconds(OnsetMethod method)
    {
        var onsets = OnsetDetector.Detect(Tones(), TestSignals.SampleRate, method);
        // One onset per note and nothing else, so F = 1 at ±30 ms, well inside mir_eval's ±50 ms. Measured errors are
        // −10 to −22 ms: the 93 ms window already sees an instant attack rising out of silence that early (on the
        // synthetic set, with real attacks, the median error is −2 ms).
        Assert.Equal(1.0, OnsetEvaluation.FMeasure(Times, onsets, window: 0.03).FMeasure);
        Assert.All(onsets.Zip(Times), p => Assert.InRange(p.First - p.Second, -0.03, 0.01));
    }

    [Fact]
    public void BacktrackingNeverMovesAnOnsetLater()
    {
        var spectrogram = RhythmSpectrogram.Compute(Tones(), TestSignals.SampleRate);
        var plain = OnsetDetector.Detect(spectrogram);
        var backtracked = OnsetDetector.Detect(spectrogram, backtrack: true);
        Assert.Equal(plain.Length, backtracked.Length);
        for (int i = 0; i < plain.Length; i++) Assert.InRange(plain[i] - backtracked[i], 0.0, 0.1);
    }

    [Fact]
    public void SilenceHasNoOnsets()
    {
        Assert.Empty(OnsetDetector.Detect(new float[22050], TestSignals.SampleRate));
    }

    [Fact]
    public void PeakPickerHonoursCombineWindow()
    {
        var values = new float[100];
        values[10] = 5; values[12] = 5; values[40] = 5;
        var times = new OnsetPeakPicker { Threshold = 0.5, Combine = 0.03, PostMax = 0, PreMax = 0 }.Pick(new OnsetEnvelope(values, 100));
        // Frame 12 is 20 ms after frame 10, inside the 30 ms combine window: only 10 and 40 remain.
        Assert.Equal([0.10, 0.40], times);
    }

    [Fact]
    public void BadInputsNameTheProblem()
    {
        var e = Assert.Throws<MusicMLException>(() => OnsetDetector.Detect([], 22050));
        Assert.Contains("empty", e.Message);
        e = Assert.Throws<MusicMLException>(() => OnsetDetector.Detect([0f, float.NaN, 0f], 22050));
        Assert.Contains("NaN", e.Message);
        e = Assert.Throws<MusicMLException>(() => OnsetDetector.Detect(new float[4096], 0));
        Assert.Contains("sampleRate", e.Message);
        e = Assert.Throws<MusicMLException>(() => new OnsetPeakPicker { PreAvg = -1 }.Validate());
        Assert.Contains("PreAvg", e.Message);
        e = Assert.Throws<MusicMLException>(() => new OnsetEnvelope([1f, float.PositiveInfinity], 100));
        Assert.Contains("at index 1", e.Message);
    }

    /// <summary>
    /// madmom's offline peak picking written out as madmom states it (and as this picker computed it before it moved
    /// onto Dsp's one peak picker): positive, the maximum of [t − preMax, t + postMax], at least the zero-padded mean
    /// of [t − preAvg, t + postAvg] plus the threshold, and more than `combine` frames after the previous onset.
    /// </summary>
    private static int[] MadmomPeaks(float[] a, int preMax, int postMax, int preAvg, int postAvg, double threshold, int combine)
    {
        int n = a.Length;
        var prefix = new double[n + 1];
        for (int t = 0; t < n; t++) prefix[t + 1] = prefix[t] + a[t];
        var frames = new List<int>();
        int last = int.MinValue / 2;
        for (int t = 0; t < n; t++)
        {
            if (a[t] <= 0) continue;
            double mean = (prefix[Math.Min(n, t + postAvg + 1)] - prefix[Math.Max(0, t - preAvg)]) / (preAvg + postAvg + 1);
            if (a[t] < mean + threshold) continue;
            bool isMax = true;
            for (int u = Math.Max(0, t - preMax); u <= Math.Min(n - 1, t + postMax); u++) isMax &= a[u] <= a[t];
            if (!isMax || (frames.Count > 0 && t - last <= combine)) continue;
            frames.Add(t);
            last = t;
        }
        return [.. frames];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void PeakPickerPicksExactlyMadmomsFrames(int seed)
    {
        // Sparse spiky activations with plateaus and zeros, the cases where window edges and ties decide.
        var random = new Random(seed);
        var a = new float[3000];
        for (int i = 0; i < a.Length; i++) a[i] = random.NextDouble() < 0.3 ? 0 : (float)Math.Round(random.NextDouble() * 8, 1);
        var picker = new OnsetPeakPicker { Threshold = 1.2, PreMax = 0.01, PostMax = 0.05, PreAvg = 0.15, PostAvg = 0.02, Combine = 0.03 };
        // At 100 frames per second: preMax 1, postMax 5, preAvg 15, postAvg 2, combine 3 frames.
        var expected = MadmomPeaks(a, 1, 5, 15, 2, 1.2, 3);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, picker.PickFrames(new OnsetEnvelope(a, 100)));
    }
}
