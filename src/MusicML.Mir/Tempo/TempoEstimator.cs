using MusicML.Core;
using MusicML.Mir.Onsets;

namespace MusicML.Mir.Tempo;

/// <summary>
/// Tempo from an onset activation by autocorrelation and comb filtering: the autocorrelation of the activation is
/// summed at the first <see cref="Harmonics"/> multiples of each candidate beat period (a comb over the periodicity
/// function, Davies &amp; Plumbley, "Context-dependent beat tracking of musical audio", IEEE TASLP 2007; Klapuri, Eronen
/// &amp; Astola, IEEE TASLP 2006), so a period is strong only when its whole metrical grid is, then weighted by a
/// log-normal tempo prior (Ellis 2007; librosa's tempo) that settles the octave between equally periodic levels.
/// </summary>
public sealed record TempoEstimator
{
    /// <summary>Slowest tempo considered, in BPM.</summary>
    public double MinBpm { get; init; } = 40.0;

    /// <summary>Fastest tempo considered, in BPM.</summary>
    public double MaxBpm { get; init; } = 250.0;

    /// <summary>Centre of the log-normal tempo prior in BPM.</summary>
    public double PriorBpm { get; init; } = 120.0;

    /// <summary>Standard deviation of the prior in octaves (librosa's 1); ∞ disables the prior.</summary>
    public double PriorOctaves { get; init; } = 1.0;

    /// <summary>Number of period multiples summed by the comb (1 = plain autocorrelation).</summary>
    public int Harmonics { get; init; } = 4;

    /// <summary>Relative spacing of the BPM grid searched (0.25 % keeps the 4 % accuracy tolerance far away).</summary>
    public double Resolution { get; init; } = 0.0025;

    /// <summary>Validates every setting, naming the bad one.</summary>
    /// <exception cref="MusicMLException">An invalid range, prior, harmonic count or resolution.</exception>
    public void Validate()
    {
        MirValidation.TempoRange(MinBpm, MaxBpm);
        InputGuard.Positive(PriorBpm, nameof(PriorBpm));
        if (!(PriorOctaves > 0)) throw new MusicMLException($"PriorOctaves must be positive; got {PriorOctaves}.");
        if (Harmonics < 1 || Harmonics > 16) throw new MusicMLException($"Harmonics must lie in 1..16; got {Harmonics}.");
        if (!(Resolution > 0 && Resolution < 0.1)) throw new MusicMLException($"Resolution must lie in (0, 0.1); got {Resolution}.");
    }

    /// <summary>Estimates the tempo of <paramref name="activation"/>; 0 BPM (and strength 0) when it has no periodicity.</summary>
    /// <exception cref="MusicMLException">Invalid settings, or an activation shorter than two periods of the slowest tempo.</exception>
    public TempoEstimate Estimate(OnsetEnvelope activation)
    {
        var (bpms, strengths) = Salience(activation);
        int best = -1;
        for (int i = 0; i < bpms.Length; i++)
            if (IsPeak(strengths, i) && (best < 0 || strengths[i] > strengths[best])) best = i;
        // No periodicity at all (silence, a single hit): report 0 BPM, mir_eval's "no tempo", rather than the prior's centre.
        if (best < 0 || strengths[best] <= 0) return new TempoEstimate(0, 0, 0);
        // The second tempo is the strongest other peak at least 8 % (mir_eval's tolerance) away from the first.
        int second = -1;
        for (int i = 0; i < bpms.Length; i++)
        {
            if (!IsPeak(strengths, i) || Math.Abs(bpms[i] / bpms[best] - 1) <= 0.08) continue;
            if (second < 0 || strengths[i] > strengths[second]) second = i;
        }
        if (second < 0 || strengths[second] <= 0) return new TempoEstimate(bpms[best], bpms[best], 1.0);
        double s1 = strengths[best], s2 = strengths[second];
        return new TempoEstimate(bpms[best], bpms[second], s1 / (s1 + s2));
    }

    /// <summary>
    /// The prior-weighted comb salience on a log-spaced BPM grid from <see cref="MinBpm"/> to <see cref="MaxBpm"/>.
    /// </summary>
    /// <returns>The grid in BPM and the salience at each (non-negative, arbitrary units).</returns>
    public (double[] Bpm, double[] Salience) Salience(OnsetEnvelope activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        Validate();
        double fps = activation.FrameRate;
        int maxLag = (int)Math.Ceiling(60.0 / MinBpm * fps * Harmonics) + 2;
        if (activation.Length < 2 * (60.0 / MaxBpm * fps) + 2)
            throw new MusicMLException($"The activation has {activation.Length} frames, too short for tempo estimation at {fps:F1} frames/s.");
        var acf = Autocorrelation(activation.Values, Math.Min(maxLag, activation.Length - 1));
        int count = (int)Math.Floor(Math.Log(MaxBpm / MinBpm) / Math.Log(1 + Resolution)) + 1;
        var bpms = new double[count];
        var strengths = new double[count];
        for (int i = 0; i < count; i++)
        {
            double bpm = MinBpm * Math.Pow(1 + Resolution, i);
            double period = 60.0 * fps / bpm;
            double sum = 0;
            int used = 0;
            for (int k = 1; k <= Harmonics; k++)
            {
                double lag = k * period;
                if (lag >= acf.Length - 1) break;
                sum += Interpolate(acf, lag);
                used++;
            }
            double comb = used > 0 ? Math.Max(sum / used, 0) : 0;
            double octaves = Math.Log2(bpm / PriorBpm) / PriorOctaves;
            bpms[i] = bpm;
            strengths[i] = comb * Math.Exp(-0.5 * octaves * octaves);
        }
        return (bpms, strengths);
    }

    private static bool IsPeak(double[] values, int i) =>
        (i == 0 || values[i] >= values[i - 1]) && (i == values.Length - 1 || values[i] > values[i + 1]);

    private static double Interpolate(double[] values, double position)
    {
        int i = (int)position;
        double f = position - i;
        return values[i] * (1 - f) + values[i + 1] * f;
    }

    /// <summary>Unbiased autocorrelation of the mean-removed activation for lags 0..<paramref name="maxLag"/>, normalised to 1 at lag 0.</summary>
    internal static double[] Autocorrelation(ReadOnlySpan<float> values, int maxLag)
    {
        int n = values.Length;
        double mean = 0;
        foreach (var v in values) mean += v;
        mean /= n;
        var centred = new float[n];
        for (int i = 0; i < n; i++) centred[i] = (float)(values[i] - mean);
        var acf = new double[maxLag + 1];
        for (int lag = 0; lag <= maxLag; lag++)
        {
            double dot = VectorMath.Dot(centred.AsSpan(0, n - lag), centred.AsSpan(lag, n - lag));
            acf[lag] = dot / (n - lag);
        }
        double zero = acf[0] > 0 ? acf[0] : 1;
        for (int lag = 0; lag <= maxLag; lag++) acf[lag] /= zero;
        return acf;
    }
}
