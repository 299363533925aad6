using MusicML.Mir.Onsets;

namespace MusicML.Mir.Beats;

/// <summary>Turns an onset activation into the per-frame beat probabilities the probabilistic trackers observe.</summary>
internal static class BeatActivation
{
    /// <summary>
    /// Scales the activation so that its 99th percentile maps to 1 and clips it to [ε, 1 − ε]: a flux activation has
    /// no absolute scale, and one loud hit must not flatten every other frame to zero probability.
    /// </summary>
    public static double[] Probabilities(OnsetEnvelope activation, double epsilon = 1e-4)
    {
        var values = activation.Values;
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        double scale = sorted.Length == 0 ? 1 : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(0.99 * sorted.Length))];
        if (!(scale > 0)) scale = 1;
        var p = new double[values.Length];
        for (int t = 0; t < values.Length; t++) p[t] = Math.Clamp(values[t] / scale, epsilon, 1 - epsilon);
        return p;
    }
}
