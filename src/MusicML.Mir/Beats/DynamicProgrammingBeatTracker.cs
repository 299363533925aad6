using MusicML.Core;
using MusicML.Mir.Onsets;

namespace MusicML.Mir.Beats;

/// <summary>
/// Beat tracking by dynamic programming (Ellis, "Beat tracking by dynamic programming", JNMR 2007; librosa's
/// beat_track): beats maximise the summed onset strength minus <see cref="Tightness"/> · log²(interval / period) over
/// every inter-beat interval, for a fixed target period taken from the tempo.
/// </summary>
public sealed record DynamicProgrammingBeatTracker
{
    /// <summary>How strongly intervals are held to the target period (librosa's tightness, 100).</summary>
    public double Tightness { get; init; } = 100.0;

    /// <summary>Drop weak beats at the start and end, where the music has not begun or has stopped (librosa's trim).</summary>
    public bool Trim { get; init; } = true;

    /// <summary>Tracks beats at the tempo <paramref name="bpm"/> (BPM) in <paramref name="activation"/>.</summary>
    /// <returns>Beat times in seconds, increasing.</returns>
    /// <exception cref="MusicMLException">A non-positive tempo or tightness.</exception>
    public double[] Track(OnsetEnvelope activation, double bpm)
    {
        ArgumentNullException.ThrowIfNull(activation);
        InputGuard.Positive(bpm, nameof(bpm));
        InputGuard.Positive(Tightness, nameof(Tightness));
        int n = activation.Length;
        var values = activation.Values;
        if (n == 0 || values.Max() <= 0) return [];
        double period = 60.0 * activation.FrameRate / bpm;

        // Onsets normalised by their standard deviation and smoothed by a Gaussian of width period/32 (Ellis 2007).
        double mean = 0, squares = 0;
        foreach (var v in values) { mean += v; squares += (double)v * v; }
        mean /= n;
        double std = Math.Sqrt(Math.Max(squares / n - mean * mean, 1e-12));
        int half = (int)Math.Round(period);
        var kernel = new double[2 * half + 1];
        for (int k = -half; k <= half; k++) kernel[k + half] = Math.Exp(-0.5 * Math.Pow(k * 32.0 / period, 2));
        var local = new double[n];
        for (int t = 0; t < n; t++)
        {
            double s = 0;
            for (int k = Math.Max(-half, -t); k <= Math.Min(half, n - 1 - t); k++) s += kernel[k + half] * values[t + k] / std;
            local[t] = s;
        }

        var score = new double[n];
        var previous = new int[n];
        int windowStart = (int)Math.Round(-2 * period), windowEnd = -(int)Math.Round(period / 2);
        double maxLocal = local.Max();
        bool started = false;
        for (int t = 0; t < n; t++)
        {
            double best = double.NegativeInfinity;
            int argBest = -1;
            for (int offset = windowStart; offset <= windowEnd; offset++)
            {
                int u = t + offset;
                if (u < 0) continue;
                double v = score[u] - Tightness * Math.Pow(Math.Log(-offset / period), 2);
                if (v > best) { best = v; argBest = u; }
            }
            // Until the first strong onset there is nothing to chain to, as in librosa's __beat_track_dp.
            score[t] = local[t] + (started && argBest >= 0 ? best : 0);
            previous[t] = started ? argBest : -1;
            if (!started && local[t] >= 0.01 * maxLocal) started = true;
        }

        // The last beat is the last local score maximum above half the median of the maxima.
        var maxima = new List<double>();
        for (int t = 1; t < n - 1; t++) if (score[t] > score[t - 1] && score[t] >= score[t + 1]) maxima.Add(score[t]);
        double threshold = maxima.Count > 0 ? 0.5 * maxima.Order().ElementAt(maxima.Count / 2) : 0;
        int end = n - 1;
        for (int t = n - 2; t >= 1; t--)
            if (score[t] > score[t - 1] && score[t] >= score[t + 1] && score[t] >= threshold) { end = t; break; }

        var beats = new List<int>();
        for (int t = end; t >= 0; t = previous[t])
        {
            beats.Add(t);
            if (previous[t] < 0) break;
        }
        beats.Reverse();
        if (Trim) TrimWeak(beats, local);
        return beats.Select(b => b / activation.FrameRate).ToArray();
    }

    /// <summary>librosa's trim: drop leading and trailing beats whose smoothed onset strength is below half the RMS over beats.</summary>
    private static void TrimWeak(List<int> beats, double[] local)
    {
        if (beats.Count == 0) return;
        double rms = Math.Sqrt(beats.Average(b => local[b] * local[b]));
        double threshold = 0.5 * rms;
        while (beats.Count > 0 && local[beats[0]] <= threshold) beats.RemoveAt(0);
        while (beats.Count > 0 && local[beats[^1]] <= threshold) beats.RemoveAt(beats.Count - 1);
    }
}
