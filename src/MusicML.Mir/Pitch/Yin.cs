using MusicML.Audio;
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
        var (core, picker) = Create(sampleRate, fMin, fMax, frameLength, hopLength, troughThreshold);
        InputGuard.Audio(y);
        core.Feed(y, picker);
        return picker.ToTrack();
    }

    /// <summary>
    /// Estimates F0 per frame of an audio file, streamed block by block (memory is one block and the track, whatever
    /// the length); equal to <see cref="Estimate(ReadOnlySpan{float}, int, double, double, int, int?, double)"/> on the
    /// whole decoded file (<see cref="AudioFile.Load"/>). The file is mixed to mono and resampled to <paramref name="sampleRate"/> as <see cref="AudioFile.Load"/> does (default 22050 Hz; null keeps its own rate).
    /// </summary>
    /// <remarks><c>progress</c>, when given, is told the fraction of the file done (0–1) after each block, for a progress line.</remarks>
    /// <exception cref="MusicMLException">The file cannot be read, or an invalid parameter.</exception>
    public static PitchTrack Estimate(string path, int? sampleRate = 22050, double fMin = 65.40639132514966,
        double fMax = 2093.004522404789, int frameLength = 2048, int? hopLength = null, double troughThreshold = 0.1,
        IProgress<double>? progress = null) =>
        YinCore.Stream(path, sampleRate, rate => Create(rate, fMin, fMax, frameLength, hopLength, troughThreshold), progress).ToTrack();

    private static (YinCore, TroughPicker) Create(int sampleRate, double fMin, double fMax, int frameLength, int? hopLength, double troughThreshold)
    {
        if (!(troughThreshold > 0 && troughThreshold < 1)) throw new MusicMLException($"troughThreshold must be in (0, 1); got {troughThreshold}.");
        var core = new YinCore(sampleRate, fMin, fMax, frameLength, hopLength ?? frameLength / 4);
        return (core, new TroughPicker(core, troughThreshold));
    }

    /// <summary>YIN step 4–5 per frame: the first trough below the threshold (else the global minimum), interpolated.</summary>
    private sealed class TroughPicker(YinCore core, double troughThreshold) : IPitchFrameSink
    {
        private readonly List<double> _f0 = [], _probability = [];
        private readonly List<bool> _voiced = [];

        public void Add(ReadOnlySpan<float> row)
        {
            int chosen = -1, global = 0;
            for (int i = 0; i < row.Length; i++)
            {
                if (row[i] < row[global]) global = i;
                if (chosen < 0 && row[i] < troughThreshold && YinCore.IsTrough(row, i)) chosen = i;
            }
            bool voiced = chosen >= 0;
            if (chosen < 0) chosen = global;
            double period = core.MinPeriod + chosen + YinCore.ParabolicShift(row, chosen);
            _voiced.Add(voiced);
            _f0.Add(voiced ? core.SampleRate / period : 0);
            _probability.Add(Math.Clamp(1 - row[chosen], 0, 1));
        }

        public PitchTrack ToTrack()
        {
            var times = new double[_f0.Count];
            for (int t = 0; t < times.Length; t++) times[t] = (double)t * core.HopLength / core.SampleRate;
            return new PitchTrack(times, _f0.ToArray(), _voiced.ToArray(), _probability.ToArray());
        }
    }
}
