using MusicML.Core;
using MusicML.Mir.Onsets;
using MusicML.Mir.Tempo;

namespace MusicML.Mir.Beats;

/// <summary>
/// Decoding of a learned beat and downbeat activation (<see cref="BeatNetwork"/>): the beats go through the chain the
/// onset activation goes through in <see cref="RhythmAnalyzer"/> (comb, bar-pointer HMM, harmonic-rhythm check of the
/// metrical level), as madmom decodes its networks' activations with a DBN; the downbeat activation at each beat is
/// evidence for the bar tracker's HMM (<see cref="DownbeatEvidence"/>, the default), or decides the bar phase and meter
/// alone (<see cref="Bars"/>).
/// </summary>
public static class LearnedRhythm
{
    /// <summary>
    /// The beats of a beat activation alone, without the metrical-level check of <see cref="RhythmAnalyzer"/> (which
    /// needs the rest of the rhythm features): the bar-pointer HMM within ±<paramref name="spreadOctaves"/> of the comb's
    /// tempo. What training scores its validation clips with.
    /// </summary>
    public static double[] TrackBeats(OnsetEnvelope beatActivation, TempoEstimator estimator, double spreadOctaves = 0.3)
    {
        ArgumentNullException.ThrowIfNull(beatActivation);
        ArgumentNullException.ThrowIfNull(estimator);
        var tempo = estimator.Estimate(beatActivation);
        if (tempo.Tempo1 <= 0 || beatActivation.Values.Max() <= 0) return [];
        return BarPointerBeatTracker.AroundTempo(tempo.Tempo1, spreadOctaves).Track(beatActivation);
    }

    /// <summary>
    /// The network's downbeat activation at each beat (<see cref="BeatStrengths"/>) standardised over the beats (zero
    /// mean, unit deviation) and scaled by <paramref name="weight"/>: evidence on the scale of the bar tracker's
    /// standardised bass and harmony cues (<see cref="BarTracker.Track(RhythmFeatures, double[], ReadOnlySpan{double})"/>).
    /// </summary>
    public static double[] DownbeatEvidence(double[] beats, ReadOnlySpan<float> downbeatActivation, double frameRate, double weight)
    {
        ArgumentNullException.ThrowIfNull(beats);
        var strength = BeatStrengths(beats, downbeatActivation, frameRate);
        if (strength.Length == 0) return strength;
        double mean = strength.Average(), deviation = Math.Sqrt(strength.Sum(v => (v - mean) * (v - mean)) / strength.Length);
        for (int i = 0; i < strength.Length; i++) strength[i] = deviation > 1e-9 ? weight * (strength[i] - mean) / deviation : 0;
        return strength;
    }

    /// <summary>The downbeat activation at each beat: its maximum within ±2 frames (20 ms).</summary>
    private static double[] BeatStrengths(double[] beats, ReadOnlySpan<float> downbeatActivation, double frameRate)
    {
        var strength = new double[beats.Length];
        for (int i = 0; i < beats.Length; i++)
        {
            int f = (int)Math.Round(beats[i] * frameRate);
            double best = 0;
            for (int d = -2; d <= 2; d++)
                if (f + d >= 0 && f + d < downbeatActivation.Length) best = Math.Max(best, downbeatActivation[f + d]);
            strength[i] = best;
        }
        return strength;
    }

    /// <summary>
    /// The bar positions of <paramref name="beats"/>: for 3 and 4 beats per bar and every phase, the mean downbeat
    /// activation (maximum within ±2 frames of each beat) over the beats that phase makes downbeats; the best pair wins,
    /// 4/4 on a tie. Fewer than two bars' worth of beats gives no downbeats.
    /// </summary>
    public static BarTracking Bars(double[] beats, ReadOnlySpan<float> downbeatActivation, double frameRate)
    {
        ArgumentNullException.ThrowIfNull(beats);
        InputGuard.Positive(frameRate, nameof(frameRate));
        var strength = BeatStrengths(beats, downbeatActivation, frameRate);
        int bestMeter = 4, bestPhase = 0;
        double bestScore = double.NegativeInfinity;
        foreach (int meter in new[] { 4, 3 })
        {
            if (beats.Length < 2 * meter) continue;
            for (int phase = 0; phase < meter; phase++)
            {
                double sum = 0;
                int count = 0;
                for (int i = phase; i < beats.Length; i += meter)
                {
                    sum += strength[i];
                    count++;
                }
                double score = sum / count;
                // Strictly better only: 4/4 (tried first) keeps a tie.
                if (score > bestScore + 1e-9) (bestScore, bestMeter, bestPhase) = (score, meter, phase);
            }
        }
        var positions = new int[beats.Length];
        if (bestScore == double.NegativeInfinity) return new BarTracking(beats, positions, bestMeter);
        for (int i = 0; i < beats.Length; i++) positions[i] = ((i - bestPhase) % bestMeter + bestMeter) % bestMeter + 1;
        return new BarTracking(beats, positions, bestMeter);
    }
}
