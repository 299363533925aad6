using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation;

/// <summary>
/// Tempo estimation scores. <see cref="Detection"/> is mir_eval's <c>tempo.detection</c>, the MIREX Audio Tempo
/// Estimation measure (McKinney, Moelants, Davies &amp; Klapuri, "Evaluation of audio beat tracking and music tempo
/// extraction algorithms", JNMR 2007). <see cref="Accuracy1"/> and <see cref="Accuracy2"/> are the measures of Gouyon
/// et al., "An experimental comparison of audio tempo induction algorithms", IEEE TASLP 2006.
/// </summary>
public static class TempoEvaluation
{
    /// <summary>mir_eval's default relative tolerance for a tempo hit: 8 %.</summary>
    public const double DefaultTolerance = 0.08;

    /// <summary>The customary Accuracy1/Accuracy2 tolerance: 4 %.</summary>
    public const double DefaultAccuracyTolerance = 0.04;

    /// <summary>
    /// mir_eval's tempo validation: two tempi each, none negative or non-finite, a reference that is not all zero, and a
    /// weight in [0, 1].
    /// </summary>
    public static void Validate(TempoAnnotation tempo, bool isReference)
    {
        var what = isReference ? "Reference" : "Estimated";
        foreach (var t in (ReadOnlySpan<double>)[tempo.Tempo1, tempo.Tempo2])
        {
            if (!double.IsFinite(t)) throw new AnnotationException($"{what} tempo {t} BPM is not finite.");
            if (t < 0) throw new AnnotationException($"{what} tempo {EventValidation.Format(t)} BPM is negative.");
        }
        if (isReference && tempo.Tempo1 == 0 && tempo.Tempo2 == 0)
            throw new AnnotationException("Reference tempi are both 0 BPM.");
        if (!(tempo.Weight >= 0 && tempo.Weight <= 1))
            throw new AnnotationException($"Tempo weight {EventValidation.Format(tempo.Weight)} must lie in [0, 1].");
    }

    /// <summary>
    /// mir_eval's tempo detection: each reference tempo is hit when some estimated tempo is within
    /// <paramref name="tolerance"/> × reference; P-score = weight·hit₁ + (1 − weight)·hit₂. A reference tempo of 0
    /// counts as missed. Only the reference's weight is used.
    /// </summary>
    public static (double PScore, bool OneCorrect, bool BothCorrect) Detection(TempoAnnotation reference, TempoAnnotation estimated, double tolerance = DefaultTolerance)
    {
        Validate(reference, isReference: true);
        Validate(estimated, isReference: false);
        if (!(tolerance >= 0 && tolerance <= 1)) throw new AnnotationException($"Tempo tolerance {tolerance} must lie in [0, 1].");
        bool Hit(double referenceTempo)
        {
            if (!(referenceTempo > 0)) return false;
            double error = Math.Min(Math.Abs(referenceTempo - estimated.Tempo1), Math.Abs(referenceTempo - estimated.Tempo2)) / referenceTempo;
            return error <= tolerance;
        }
        bool hit1 = Hit(reference.Tempo1), hit2 = Hit(reference.Tempo2);
        double pScore = reference.Weight * (hit1 ? 1 : 0) + (1.0 - reference.Weight) * (hit2 ? 1 : 0);
        return (pScore, hit1 || hit2, hit1 && hit2);
    }

    /// <summary>Accuracy1: 1 when |estimated − reference| ≤ <paramref name="tolerance"/> × reference (both in BPM), else 0.</summary>
    public static double Accuracy1(double referenceTempo, double estimatedTempo, double tolerance = DefaultAccuracyTolerance)
    {
        CheckSingleTempi(referenceTempo, estimatedTempo, tolerance);
        return Math.Abs(estimatedTempo - referenceTempo) <= tolerance * referenceTempo ? 1.0 : 0.0;
    }

    /// <summary>
    /// Accuracy2: Accuracy1 that also forgives octave errors, i.e. 1 when the estimate is within
    /// <paramref name="tolerance"/> of the reference × 1, 2, 3, 1/2 or 1/3.
    /// </summary>
    public static double Accuracy2(double referenceTempo, double estimatedTempo, double tolerance = DefaultAccuracyTolerance)
    {
        CheckSingleTempi(referenceTempo, estimatedTempo, tolerance);
        foreach (var factor in (ReadOnlySpan<double>)[1.0, 2.0, 3.0, 1.0 / 2.0, 1.0 / 3.0])
        {
            double target = referenceTempo * factor;
            if (Math.Abs(estimatedTempo - target) <= tolerance * target) return 1.0;
        }
        return 0.0;
    }

    /// <summary>
    /// mir_eval's tempo scores (<c>p_score</c>, <c>one_correct</c>, <c>both_correct</c>, booleans as 0/1) followed by
    /// <c>accuracy1</c> and <c>accuracy2</c> of the estimate's dominant tempo against the reference's dominant tempo.
    /// </summary>
    public static Scores Evaluate(TempoAnnotation reference, TempoAnnotation estimated, double tolerance = DefaultTolerance)
    {
        var (pScore, one, both) = Detection(reference, estimated, tolerance);
        var scores = new Scores();
        scores.Add("p_score", "P-score", pScore);
        scores.Add("one_correct", "One-correct", one ? 1 : 0);
        scores.Add("both_correct", "Both-correct", both ? 1 : 0);
        scores.Add("accuracy1", "Accuracy1", Accuracy1(reference.DominantTempo, estimated.DominantTempo));
        scores.Add("accuracy2", "Accuracy2", Accuracy2(reference.DominantTempo, estimated.DominantTempo));
        return scores;
    }

    private static void CheckSingleTempi(double referenceTempo, double estimatedTempo, double tolerance)
    {
        if (!(referenceTempo > 0) || !double.IsFinite(referenceTempo)) throw new AnnotationException($"Reference tempo must be a positive number of BPM, got {referenceTempo}.");
        if (!(estimatedTempo >= 0) || !double.IsFinite(estimatedTempo)) throw new AnnotationException($"Estimated tempo must be a non-negative number of BPM, got {estimatedTempo}.");
        if (!(tolerance >= 0 && tolerance <= 1)) throw new AnnotationException($"Tempo tolerance {tolerance} must lie in [0, 1].");
    }
}
