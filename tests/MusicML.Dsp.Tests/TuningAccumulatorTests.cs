using MusicML.Dsp;

namespace MusicML.Dsp.Tests;

/// <summary>
/// The streamed tuning estimate: a magnitude's frames added in uneven pieces give exactly the whole-matrix estimate
/// (librosa's median threshold and residual histogram over the same peaks), here on a tone 30 cents sharp of A440.
/// </summary>
public class TuningAccumulatorTests
{
    [Fact]
    public void PiecesGiveTheWholeFileEstimate()
    {
        var y = new float[22050 * 3];
        double hz = 440 * Math.Pow(2, 0.30 / 12); // +30 cents
        for (int i = 0; i < y.Length; i++) y[i] = (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / 22050) + 0.2 * Math.Sin(2 * Math.PI * 2 * hz * i / 22050));
        var magnitude = Spectral.Spectrogram(y, 4096, 1024);
        double whole = Tuning.EstimateTuning(magnitude, 22050);
        Assert.InRange(whole, 0.28, 0.31); // the tone's own +0.30, to librosa's 0.01 resolution (the lower bin edge)

        var pieces = new TuningAccumulator(22050);
        int frames = magnitude.Columns;
        pieces.Add(magnitude, 0, 7);
        pieces.Add(magnitude, 7, 1);
        pieces.Add(magnitude, 8, frames - 8);
        Assert.True(pieces.PeakCount > 0);
        Assert.Equal(whole, pieces.Estimate());
        Assert.Equal(0.0, new TuningAccumulator(22050).Estimate()); // no peaks: librosa's 0
    }
}
