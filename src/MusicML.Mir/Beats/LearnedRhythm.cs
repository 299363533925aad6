using MusicML.Core;
using MusicML.Mir.Onsets;
using MusicML.Mir.Tempo;

namespace MusicML.Mir.Beats;

/// <summary>
/// Decoding of a learned beat and downbeat activation (<see cref="BeatNetwork"/>) with the existing processors: the
/// comb tempo estimator on the beat activation chooses the metrical level, the bar-pointer HMM restricted around it
/// tracks the beats (as madmom decodes its networks' activations with a DBN), and the bar phase and meter are the ones
/// whose beats carry the most downbeat activation. The network marks beats, not onsets, so the tempo comes from it
/// without the onset path's band limit or harmonic-rhythm check.
/// </summary>
public static class LearnedRhythm
{
    /// <summary>The <see cref="TempoEstimator.SubdivisionPenalty"/> used on a learned beat activation unless the estimator sets its own.</summary>
    public const double BeatLevelPenalty = 1.0;

    /// <summary>
    /// The tempo (comb on <paramref name="beatActivation"/>, Tempo1 then replaced by the tracked beats' own tempo) and
    /// the beats the bar-pointer HMM tracks within ±<paramref name="spreadOctaves"/> of the comb's tempo.
    /// </summary>
    public static (TempoEstimate Tempo, double[] Beats) TempoAndBeats(OnsetEnvelope beatActivation, TempoEstimator estimator, double spreadOctaves = 0.3)
    {
        ArgumentNullException.ThrowIfNull(beatActivation);
        ArgumentNullException.ThrowIfNull(estimator);
        // The activation marks beats, not onsets: a period whose half-way points carry beats is a multiple of the beat.
        var tempo = (estimator.SubdivisionPenalty > 0 ? estimator : estimator with { SubdivisionPenalty = BeatLevelPenalty }).Estimate(beatActivation);
        if (tempo.Tempo1 <= 0 || beatActivation.Values.Max() <= 0) return (tempo, []);
        var beats = BarPointerBeatTracker.AroundTempo(tempo.Tempo1, spreadOctaves).Track(beatActivation);
        return (RhythmAnalyzer.TempoOfBeats(beats) is { } followed ? tempo with { Tempo1 = followed } : tempo, beats);
    }

    /// <summary>The beats of <see cref="TempoAndBeats"/> alone.</summary>
    public static double[] TrackBeats(OnsetEnvelope beatActivation, TempoEstimator estimator) => TempoAndBeats(beatActivation, estimator).Beats;

    /// <summary>
    /// The bar positions of <paramref name="beats"/>: for 3 and 4 beats per bar and every phase, the mean downbeat
    /// activation (maximum within ±2 frames of each beat) over the beats that phase makes downbeats; the best pair wins,
    /// 4/4 on a tie. Fewer than two bars' worth of beats gives no downbeats.
    /// </summary>
    public static BarTracking Bars(double[] beats, ReadOnlySpan<float> downbeatActivation, double frameRate)
    {
        ArgumentNullException.ThrowIfNull(beats);
        InputGuard.Positive(frameRate, nameof(frameRate));
        var strength = new double[beats.Length];
        for (int i = 0; i < beats.Length; i++)
        {
            int f = (int)Math.Round(beats[i] * frameRate);
            double best = 0;
            for (int d = -2; d <= 2; d++)
                if (f + d >= 0 && f + d < downbeatActivation.Length) best = Math.Max(best, downbeatActivation[f + d]);
            strength[i] = best;
        }
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
