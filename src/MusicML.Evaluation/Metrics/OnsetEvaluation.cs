namespace MusicML.Evaluation;

/// <summary>Precision, recall and F-measure of onset detection.</summary>
/// <param name="FMeasure">Harmonic mean of precision and recall.</param>
/// <param name="Precision">Matched estimates / estimates.</param>
/// <param name="Recall">Matched references / references.</param>
public readonly record struct PrecisionRecall(double FMeasure, double Precision, double Recall);

/// <summary>
/// Onset detection scores with mir_eval's <c>onset</c> definitions (Dixon, "Onset Detection Revisited", DAFx 2006;
/// MIREX onset task): an estimate is correct when it lies within <c>window</c> seconds of a reference onset, each
/// onset matched at most once. Empty inputs score 0, as mir_eval (which also warns).
/// </summary>
public static class OnsetEvaluation
{
    /// <summary>mir_eval's default matching window: 50 ms.</summary>
    public const double DefaultWindow = 0.05;

    /// <summary>
    /// F-measure, precision and recall of <paramref name="estimated"/> onset times against <paramref name="reference"/>
    /// (both in seconds, sorted ascending), matching within ±<paramref name="window"/> seconds.
    /// </summary>
    public static PrecisionRecall FMeasure(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated, double window = DefaultWindow)
    {
        EventValidation.ValidateEvents(reference, "Reference onset");
        EventValidation.ValidateEvents(estimated, "Estimated onset");
        if (!(window > 0) || !double.IsFinite(window)) throw new AnnotationException($"Onset window must be a positive number of seconds, got {window}.");
        if (reference.Length == 0 || estimated.Length == 0) return new PrecisionRecall(0, 0, 0);
        int matched = EventValidation.MatchCount(reference, estimated, window);
        double precision = (double)matched / estimated.Length;
        double recall = (double)matched / reference.Length;
        return new PrecisionRecall(EventValidation.FMeasure(precision, recall), precision, recall);
    }

    /// <summary>All onset scores as mir_eval's <c>onset.evaluate</c> names them: <c>f_measure</c>, <c>precision</c>, <c>recall</c>.</summary>
    public static Scores Evaluate(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated, double window = DefaultWindow)
    {
        var result = FMeasure(reference, estimated, window);
        var scores = new Scores();
        if (reference.Length == 0) scores.Warn("The reference has no onsets; as in mir_eval, every score is 0.");
        if (estimated.Length == 0) scores.Warn("The estimate has no onsets; as in mir_eval, every score is 0.");
        scores.Add("f_measure", "F-measure", result.FMeasure);
        scores.Add("precision", "Precision", result.Precision);
        scores.Add("recall", "Recall", result.Recall);
        return scores;
    }
}
