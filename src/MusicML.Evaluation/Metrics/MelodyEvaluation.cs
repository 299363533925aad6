using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation;

/// <summary>Reference and estimate on the reference's time grid: voicing in [0, 1] and pitch in cents above 10 Hz (0 = none).</summary>
/// <param name="ReferenceVoicing">Reference voicing (or reward) per frame.</param>
/// <param name="ReferenceCents">Reference pitch per frame, cents above 10 Hz; 0 where no pitch is given.</param>
/// <param name="EstimatedVoicing">Estimated voicing per frame, resampled to the reference's times.</param>
/// <param name="EstimatedCents">Estimated pitch per frame, resampled to the reference's times.</param>
public sealed record MelodyFrames(double[] ReferenceVoicing, double[] ReferenceCents, double[] EstimatedVoicing, double[] EstimatedCents);

/// <summary>
/// Melody extraction scores with mir_eval's <c>melody</c> definitions (Poliner, Ellis, Ehmann, Gómez, Streich &amp; Ong,
/// "Melody Transcription From Music Audio: Approaches and Evaluation", IEEE TASLP 2007; Bittner &amp; Bosch, "Generalized
/// Metrics for Single-F0 Estimation Evaluation", ISMIR 2019). Frequencies are in Hz per frame; 0 or negative means
/// unvoiced (a negative value still carries a pitch guess). The estimate is resampled linearly onto the reference's
/// times as mir_eval's <c>to_cent_voicing</c> does, and a pitch is correct within ±50 cents.
/// </summary>
public static class MelodyEvaluation
{
    /// <summary>mir_eval's default tolerance for a correct pitch: 50 cents.</summary>
    public const double DefaultCentTolerance = 50;

    /// <summary>
    /// mir_eval's <c>to_cent_voicing</c>: converts both series to cents and voicing, and resamples the estimate onto the
    /// reference's times. <paramref name="estimatedVoicing"/> (continuous voicing per estimated frame) and
    /// <paramref name="referenceReward"/> (per reference frame) are optional; by default voicing is frequency &gt; 0.
    /// </summary>
    public static MelodyFrames ToCentVoicing(TimeSeries reference, TimeSeries estimated, double[]? estimatedVoicing = null, double[]? referenceReward = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(estimated);
        Check(reference, "Reference");
        Check(estimated, "Estimated");
        if (estimatedVoicing is not null && estimatedVoicing.Length != estimated.Times.Length)
            throw new AnnotationException($"Estimated voicing has {estimatedVoicing.Length} values for {estimated.Times.Length} frames.");
        if (referenceReward is not null && referenceReward.Length != reference.Times.Length)
            throw new AnnotationException($"Reference reward has {referenceReward.Length} values for {reference.Times.Length} frames.");

        var (refTimes, refFreqs, refReward) = StartAtZero(reference.Times, reference.Values, referenceReward);
        var (estTimes, estFreqs, estVoicingIn) = StartAtZero(estimated.Times, estimated.Values, estimatedVoicing);
        var (refAbs, refVoicing) = FrequencyToVoicing(refFreqs, refReward);
        var (estAbs, estVoicing) = FrequencyToVoicing(estFreqs, estVoicingIn);
        var refCents = HzToCents(refAbs);
        var estCents = HzToCents(estAbs);
        (estCents, estVoicing) = Resample(estTimes, estCents, estVoicing, refTimes);

        int n = refCents.Length;
        var cents = new double[n];
        var voicing = new double[n];
        Array.Copy(estCents, cents, Math.Min(n, estCents.Length));
        Array.Copy(estVoicing, voicing, Math.Min(n, estVoicing.Length));
        return new MelodyFrames(refVoicing, refCents, voicing, cents);
    }

    /// <summary>Voicing recall: the (voicing-weighted) fraction of reference-voiced frames the estimate calls voiced; 1 when the reference has none.</summary>
    public static double VoicingRecall(ReadOnlySpan<double> referenceVoicing, ReadOnlySpan<double> estimatedVoicing)
    {
        ValidateVoicing(referenceVoicing, estimatedVoicing);
        if (referenceVoicing.Length == 0) return 0.0;
        double voiced = 0, hit = 0;
        for (int i = 0; i < referenceVoicing.Length; i++)
            if (referenceVoicing[i] > 0) { voiced++; hit += estimatedVoicing[i]; }
        return voiced == 0 ? 1.0 : hit / voiced;
    }

    /// <summary>Voicing false alarm: the fraction of reference-unvoiced frames the estimate calls voiced; 0 when the reference has none.</summary>
    public static double VoicingFalseAlarm(ReadOnlySpan<double> referenceVoicing, ReadOnlySpan<double> estimatedVoicing)
    {
        ValidateVoicing(referenceVoicing, estimatedVoicing);
        if (referenceVoicing.Length == 0) return 0.0;
        double unvoiced = 0, alarms = 0;
        for (int i = 0; i < referenceVoicing.Length; i++)
            if (referenceVoicing[i] == 0) { unvoiced++; alarms += estimatedVoicing[i]; }
        return unvoiced == 0 ? 0.0 : alarms / unvoiced;
    }

    /// <summary>Raw pitch accuracy: reference-voiced frames whose estimated pitch (voiced or not) is within the tolerance, over voiced frames.</summary>
    public static double RawPitchAccuracy(MelodyFrames frames, double centTolerance = DefaultCentTolerance) =>
        PitchAccuracy(frames, centTolerance, chroma: false);

    /// <summary>Raw chroma accuracy: as raw pitch accuracy, but octave errors are forgiven.</summary>
    public static double RawChromaAccuracy(MelodyFrames frames, double centTolerance = DefaultCentTolerance) =>
        PitchAccuracy(frames, centTolerance, chroma: true);

    /// <summary>Overall accuracy: frames correctly voiced with a correct pitch plus frames correctly unvoiced, over all frames.</summary>
    public static double OverallAccuracy(MelodyFrames frames, double centTolerance = DefaultCentTolerance)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ValidateFrames(frames);
        var (rv, rc, ev, ec) = (frames.ReferenceVoicing, frames.ReferenceCents, frames.EstimatedVoicing, frames.EstimatedCents);
        if (rv.Length == 0 || ev.Length == 0) return 0.0;
        double voicingSum = 0, binarySum = 0;
        foreach (var v in rv) { voicingSum += v; binarySum += v > 0 ? 1 : 0; }
        double ratio = voicingSum == 0 ? 0.0 : binarySum / voicingSum;
        double correct = 0, silent = 0;
        for (int i = 0; i < rv.Length; i++)
        {
            if (ec[i] != 0 && rc[i] != 0 && Math.Abs(rc[i] - ec[i]) < centTolerance) correct += rv[i] * ev[i];
            silent += (1.0 - (rv[i] > 0 ? 1 : 0)) * (1.0 - ev[i]);
        }
        return (ratio * correct + silent) / rv.Length;
    }

    /// <summary>
    /// Every melody score, as mir_eval's <c>melody.evaluate</c>: <c>voicing_recall</c>, <c>voicing_false_alarm</c>,
    /// <c>raw_pitch_accuracy</c>, <c>raw_chroma_accuracy</c>, <c>overall_accuracy</c>.
    /// </summary>
    public static Scores Evaluate(TimeSeries reference, TimeSeries estimated, double[]? estimatedVoicing = null, double[]? referenceReward = null)
    {
        var frames = ToCentVoicing(reference, estimated, estimatedVoicing, referenceReward);
        var scores = new Scores();
        scores.Add("voicing_recall", "Voicing Recall", VoicingRecall(frames.ReferenceVoicing, frames.EstimatedVoicing));
        scores.Add("voicing_false_alarm", "Voicing False Alarm", VoicingFalseAlarm(frames.ReferenceVoicing, frames.EstimatedVoicing));
        scores.Add("raw_pitch_accuracy", "Raw Pitch Accuracy", RawPitchAccuracy(frames));
        scores.Add("raw_chroma_accuracy", "Raw Chroma Accuracy", RawChromaAccuracy(frames));
        scores.Add("overall_accuracy", "Overall Accuracy", OverallAccuracy(frames));
        return scores;
    }

    private static double PitchAccuracy(MelodyFrames frames, double centTolerance, bool chroma)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ValidateFrames(frames);
        var (rv, rc, ec) = (frames.ReferenceVoicing, frames.ReferenceCents, frames.EstimatedCents);
        double voicingSum = 0;
        foreach (var v in rv) voicingSum += v;
        if (rv.Length == 0 || voicingSum == 0 || ec.Length == 0) return 0.0;
        double correct = 0;
        bool anyPitched = false;
        for (int i = 0; i < rv.Length; i++)
        {
            if (ec[i] == 0 || rc[i] == 0) continue;
            anyPitched = true;
            double diff = Math.Abs(rc[i] - ec[i]);
            if (chroma) diff = Math.Abs(diff - 1200.0 * Math.Floor(diff / 1200 + 0.5));
            if (diff < centTolerance) correct += rv[i];
        }
        return anyPitched ? correct / voicingSum : 0.0;
    }

    private static void ValidateVoicing(ReadOnlySpan<double> referenceVoicing, ReadOnlySpan<double> estimatedVoicing)
    {
        if (referenceVoicing.Length != estimatedVoicing.Length)
            throw new AnnotationException($"Reference ({referenceVoicing.Length}) and estimated ({estimatedVoicing.Length}) voicing arrays must have the same length.");
        foreach (var v in referenceVoicing) if (!(v >= 0 && v <= 1)) throw new AnnotationException($"Voicing values must lie in [0, 1], got {v}.");
        foreach (var v in estimatedVoicing) if (!(v >= 0 && v <= 1)) throw new AnnotationException($"Voicing values must lie in [0, 1], got {v}.");
    }

    private static void ValidateFrames(MelodyFrames frames)
    {
        ValidateVoicing(frames.ReferenceVoicing, frames.EstimatedVoicing);
        int n = frames.ReferenceVoicing.Length;
        if (frames.ReferenceCents.Length != n || frames.EstimatedCents.Length != n)
            throw new AnnotationException("All voicing and frequency arrays must have the same length.");
    }

    private static void Check(TimeSeries series, string what)
    {
        if (series.Times.Length != series.Values.Length)
            throw new AnnotationException($"{what} melody: {series.Times.Length} times but {series.Values.Length} frequencies.");
        if (series.Times.Length == 0) throw new AnnotationException($"{what} melody is empty.");
        for (int i = 0; i < series.Times.Length; i++)
        {
            if (!double.IsFinite(series.Times[i]) || !double.IsFinite(series.Values[i]))
                throw new AnnotationException($"{what} melody frame {i} has a non-finite time or frequency.");
            if (i > 0 && series.Times[i] < series.Times[i - 1])
                throw new AnnotationException($"{what} melody times must be increasing: {EventValidation.Format(series.Times[i])} s follows {EventValidation.Format(series.Times[i - 1])} s.");
        }
    }

    private static (double[] Times, double[] Values, double[]? Extra) StartAtZero(double[] times, double[] values, double[]? extra)
    {
        if (times[0] <= 0) return (times, values, extra?.ToArray());
        return ([0, .. times], [values[0], .. values], extra is null ? null : [extra[0], .. extra]);
    }

    private static (double[] Frequencies, double[] Voicing) FrequencyToVoicing(double[] frequencies, double[]? voicing)
    {
        var abs = new double[frequencies.Length];
        var v = voicing ?? new double[frequencies.Length];
        for (int i = 0; i < frequencies.Length; i++)
        {
            abs[i] = Math.Abs(frequencies[i]);
            if (voicing is null) v[i] = frequencies[i] > 0 ? 1 : 0;
            else if (frequencies[i] == 0) v[i] = 0;
        }
        return (abs, v);
    }

    private static double[] HzToCents(double[] frequencies)
    {
        const double baseFrequency = 10.0;
        var cents = new double[frequencies.Length];
        for (int i = 0; i < cents.Length; i++)
            if (frequencies[i] != 0) cents[i] = 1200.0 * Math.Log2(Math.Abs(frequencies[i]) / baseFrequency);
        return cents;
    }

    /// <summary>mir_eval's <c>resample_melody_series</c> with linear interpolation (scipy's <c>interp1d</c> arithmetic).</summary>
    private static (double[] Cents, double[] Voicing) Resample(double[] times, double[] cents, double[] voicing, double[] newTimes)
    {
        if (times.Length == newTimes.Length && AllClose(times, newTimes)) return (cents, voicing);
        var t = times.Select(x => IntervalOperations.Round(x, 10)).ToList();
        var tn = newTimes.Select(x => IntervalOperations.Round(x, 10)).ToArray();
        var f = cents.ToList();
        var v = voicing.ToList();
        double newMax = tn.Max();
        if (newMax > t.Max()) { t.Add(newMax); f.Add(0); v.Add(0); }
        var x = t.ToArray();
        var held = f.ToArray();
        // Unvoiced frames hold the previous pitch so interpolation never slides towards 0 Hz; the mask re-silences them.
        for (int k = 1; k < held.Length; k++) if (f[k] == 0) held[k] = held[k - 1];
        var fa = f.ToArray();
        var va = v.ToArray();
        bool binary = va.All(z => z == 0 || z == 1);
        var outCents = new double[tn.Length];
        var outVoicing = new double[tn.Length];
        for (int i = 0; i < tn.Length; i++)
        {
            if (tn[i] < x[0] || tn[i] > x[^1])
                throw new AnnotationException($"Reference time {EventValidation.Format(tn[i])} s lies outside the estimate's time range.");
            outCents[i] = InterpolateLinear(x, held, tn[i]) * (InterpolateZero(x, fa, tn[i]) != 0 ? 1 : 0);
            outVoicing[i] = binary ? InterpolateZero(x, va, tn[i]) : InterpolateLinear(x, va, tn[i]);
        }
        return (outCents, outVoicing);
    }

    private static double InterpolateLinear(double[] x, double[] y, double at)
    {
        if (x.Length == 1) return y[0];
        int hi = Math.Clamp(BeatEvaluation.LowerBound(x, at), 1, x.Length - 1);
        int lo = hi - 1;
        double slope = (y[hi] - y[lo]) / (x[hi] - x[lo]);
        return slope * (at - x[lo]) + y[lo];
    }

    private static double InterpolateZero(double[] x, double[] y, double at)
    {
        int lo = 0, hi = x.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (x[mid] <= at) lo = mid + 1;
            else hi = mid;
        }
        return y[Math.Clamp(lo - 1, 0, x.Length - 1)];
    }

    private static bool AllClose(double[] a, double[] b)
    {
        for (int i = 0; i < a.Length; i++) if (!(Math.Abs(a[i] - b[i]) <= 1e-8 + 1e-5 * Math.Abs(b[i]))) return false;
        return true;
    }
}
