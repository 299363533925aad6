using MusicML.Core;

namespace MusicML.Mir.Pitch;

/// <summary>
/// YIN fundamental-frequency estimation (de Cheveigné &amp; Kawahara, "YIN, a fundamental frequency estimator for speech
/// and music", JASA 111(4), 2002), with librosa.yin's parameters and defaults: per frame, the first trough of the
/// cumulative mean normalised difference below <c>troughThreshold</c> (else the global minimum), refined by
/// parabolic interpolation. A frame is voiced when such a trough exists.
/// </summary>
public static class Yin
{
    /// <summary>Estimates F0 per frame.</summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="fMin">Lowest F0 searched in Hz (default 65.4, C2).</param>
    /// <param name="fMax">Highest F0 searched in Hz (default 2093, C7).</param>
    /// <param name="frameLength">Frame length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames; default frameLength / 4.</param>
    /// <param name="troughThreshold">Absolute CMNDF threshold of YIN step 4 (default 0.1).</param>
    /// <returns>F0 of every frame (frame t centred at t·hopLength samples); unvoiced frames have 0 Hz.</returns>
    /// <exception cref="MusicMLException">Empty or non-finite audio or an invalid parameter.</exception>
    public static PitchTrack Estimate(ReadOnlySpan<float> y, int sampleRate = 22050, double fMin = 65.40639132514966,
        double fMax = 2093.004522404789, int frameLength = 2048, int? hopLength = null, double troughThreshold = 0.1)
    {
        if (!(troughThreshold > 0 && troughThreshold < 1)) throw new MusicMLException($"troughThreshold must be in (0, 1); got {troughThreshold}.");
        var core = new YinCore(sampleRate, fMin, fMax, frameLength, hopLength ?? frameLength / 4);
        var cmndf = core.Compute(y, out int frames);
        int lags = core.LagCount;
        var times = new double[frames];
        var f0 = new double[frames];
        var voiced = new bool[frames];
        var probability = new double[frames];
        for (int t = 0; t < frames; t++)
        {
            var row = cmndf.AsSpan(t * lags, lags);
            int chosen = -1, global = 0;
            for (int i = 0; i < lags; i++)
            {
                if (row[i] < row[global]) global = i;
                if (chosen < 0 && row[i] < troughThreshold && YinCore.IsTrough(row, i)) chosen = i;
            }
            voiced[t] = chosen >= 0;
            if (chosen < 0) chosen = global;
            double period = core.MinPeriod + chosen + YinCore.ParabolicShift(row, chosen);
            times[t] = (double)t * core.HopLength / sampleRate;
            f0[t] = voiced[t] ? sampleRate / period : 0;
            probability[t] = Math.Clamp(1 - row[chosen], 0, 1);
        }
        return new PitchTrack(times, f0, voiced, probability);
    }
}
