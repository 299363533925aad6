using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;

namespace MusicML.Dsp.Tests;

public class ChromaTests
{
    public static TheoryData<string> Inputs() => Reference.InputData();

    [Theory]
    [MemberData(nameof(Inputs))]
    public void ChromaStftWithEstimatedTuningMatchesLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        var expected = Reference.Load(input, "chroma_stft");
        var ours = Features.ChromaStft(y);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        // Agreement to 1e-4 also shows the tuning estimate is librosa's: a tuning one cent off moves chroma by ~1e-3.
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.Data, 1e-4, $"{input} chroma_stft");

        var fromPower = Features.ChromaStft(Spectral.Stft(y).Power());
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), fromPower.Data, 1e-4, $"{input} chroma_stft from S");
    }

    [Fact]
    public void PitchTuningFindsASyntheticOffset()
    {
        // librosa's docstring example: cqt_frequencies(24, 55, tuning=0.25) → pitch_tuning = 0.25.
        var frequencies = new float[24];
        for (int i = 0; i < 24; i++) frequencies[i] = (float)(55.0 * Math.Pow(2, (i + 0.25) / 12));
        Assert.Equal(0.25, Tuning.PitchTuning(frequencies), 10);
        Assert.Equal(0.0, Tuning.PitchTuning([]));
    }

    [Fact]
    public void CircularPitchTuningKeepsATuningThatStraddlesTheWrapTogether()
    {
        // Partials 49 ± 3 cents sharp: in librosa's histogram the +51 and +52 ones count as −49 and −48, the ends of
        // [−0.5, 0.5) stay apart and the fullest cell is a 1-cent one on either side; on the circle they are neighbours
        // and the estimate is their mean, +0.49.
        var frequencies = new List<float>();
        foreach (int note in new[] { 57, 60, 64, 67, 69, 72 })
            foreach (double cents in new[] { 46.0, 47, 48, 49, 49, 49, 50, 51, 52 })
                frequencies.Add((float)(440 * Math.Pow(2, (note - 69 + cents / 100) / 12)));
        double circular = Tuning.PitchTuningCircular([.. frequencies]);
        Assert.Equal(0.49, circular, 0.003);
        // A plain offset and silence agree with librosa's.
        var plain = new float[24];
        for (int i = 0; i < 24; i++) plain[i] = (float)(55.0 * Math.Pow(2, (i + 0.25) / 12));
        Assert.Equal(0.25, Tuning.PitchTuningCircular(plain), 1e-4);
        Assert.Equal(0.0, Tuning.PitchTuningCircular([]));
        Assert.Contains("resolution", Assert.Throws<MusicMLException>(() => Tuning.PitchTuningCircular([440f], resolution: 0.5)).Message);
    }

    [Fact]
    public void EstimateTuningOfADetunedToneIsItsOffset()
    {
        // A 440 Hz · 2^(−0.2/12) sine is 20 cents flat; piptrack's interpolation recovers it to about a cent.
        double f = 440 * Math.Pow(2, -0.2 / 12);
        var y = new float[22050 * 2];
        for (int i = 0; i < y.Length; i++) y[i] = (float)Math.Sin(2 * Math.PI * f * i / 22050);
        Assert.InRange(Tuning.EstimateTuning(y), -0.22, -0.18);
    }

    [Fact]
    public void PiptrackReportsThePeakFrequency()
    {
        var y = new float[22050];
        for (int i = 0; i < y.Length; i++) y[i] = (float)Math.Sin(2 * Math.PI * 1000 * i / 22050);
        var (pitches, magnitudes) = Tuning.Piptrack(Spectral.Stft(y).Magnitude());
        int frame = pitches.Columns / 2;
        int best = 0;
        for (int k = 0; k < pitches.Rows; k++) if (magnitudes[k, frame] > magnitudes[best, frame]) best = k;
        Assert.InRange(pitches[best, frame], 995f, 1005f);
    }

    [Fact]
    public void InvalidResolutionIsNamed()
    {
        Assert.Contains("resolution", Assert.Throws<MusicMLException>(() => Tuning.PitchTuning([440f], resolution: 2)).Message);
    }
}
