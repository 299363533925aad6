using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation;

/// <summary>
/// Multiple-f0 (multipitch) scores with mir_eval's <c>multipitch</c> definitions (Poliner &amp; Ellis, "A Discriminative
/// Model for Polyphonic Piano Transcription", EURASIP JASP 2007, for precision/recall/accuracy; Graham, "Frame-level
/// multiple-F0 error scores" after Poliner &amp; Ellis, for the substitution/miss/false-alarm/total errors). Frequencies
/// are compared per frame in MIDI numbers within ±0.5 semitone (chroma scores: modulo the octave). An estimate on other
/// frame times is resampled to the reference's by nearest neighbour, as mir_eval does.
/// </summary>
public static class MultipitchEvaluation
{
    /// <summary>Lowest frequency mir_eval accepts, in Hz.</summary>
    public const double MinFrequency = 20.0;

    /// <summary>Highest frequency mir_eval accepts, in Hz.</summary>
    public const double MaxFrequency = 5000.0;

    /// <summary>
    /// Every multipitch score, as mir_eval's <c>multipitch.evaluate</c>: <c>precision</c>, <c>recall</c>,
    /// <c>accuracy</c>, <c>substitution_error</c>, <c>miss_error</c>, <c>false_alarm_error</c>, <c>total_error</c>,
    /// and the same prefixed <c>chroma_</c>.
    /// </summary>
    public static Scores Evaluate(MultipitchAnnotation reference, MultipitchAnnotation estimated, double window = 0.5)
    {
        Validate(reference, "Reference");
        Validate(estimated, "Estimated");
        var estFrames = estimated.Frequencies;
        if (estimated.Times.Length != reference.Times.Length || !AllClose(estimated.Times, reference.Times))
            estFrames = Resample(estimated.Times, estimated.Frequencies, reference.Times);
        var refMidi = reference.Frequencies.Select(ToMidi).ToArray();
        var estMidi = estFrames.Select(ToMidi).ToArray();
        int n = refMidi.Length;
        var nRef = refMidi.Select(f => (double)f.Length).ToArray();
        var nEst = estMidi.Select(f => (double)f.Length).ToArray();
        var truePositives = new double[n];
        var truePositivesChroma = new double[n];
        for (int i = 0; i < n; i++)
        {
            truePositives[i] = MatchOnLine(refMidi[i], estMidi[i], window);
            truePositivesChroma[i] = MatchChroma(refMidi[i].Select(Chroma).ToArray(), estMidi[i].Select(Chroma).ToArray(), window);
        }
        var scores = new Scores();
        Add(scores, "", "", truePositives, nRef, nEst);
        Add(scores, "chroma_", "Chroma ", truePositivesChroma, nRef, nEst);
        return scores;
    }

    private static void Add(Scores scores, string prefix, string mirPrefix, double[] tp, double[] nRef, double[] nEst)
    {
        double tpSum = tp.Sum(), nEstSum = nEst.Sum(), nRefSum = nRef.Sum();
        double denominator = 0;
        for (int i = 0; i < tp.Length; i++) denominator += nEst[i] + nRef[i] - tp[i];
        scores.Add(prefix + "precision", mirPrefix + "Precision", nEstSum > 0 ? tpSum / nEstSum : 0.0);
        scores.Add(prefix + "recall", mirPrefix + "Recall", nRefSum > 0 ? tpSum / nRefSum : 0.0);
        scores.Add(prefix + "accuracy", mirPrefix + "Accuracy", denominator > 0 ? tpSum / denominator : 0.0);
        double sub = 0, miss = 0, falseAlarm = 0, total = 0;
        for (int i = 0; i < tp.Length; i++)
        {
            sub += Math.Min(nRef[i], nEst[i]) - tp[i];
            miss += Math.Max(nRef[i] - nEst[i], 0);
            falseAlarm += Math.Max(nEst[i] - nRef[i], 0);
            total += Math.Max(nRef[i], nEst[i]) - tp[i];
        }
        bool any = nRefSum > 0;
        scores.Add(prefix + "substitution_error", mirPrefix + "Substitution Error", any ? sub / nRefSum : 0.0);
        scores.Add(prefix + "miss_error", mirPrefix + "Miss Error", any ? miss / nRefSum : 0.0);
        scores.Add(prefix + "false_alarm_error", mirPrefix + "False Alarm Error", any ? falseAlarm / nRefSum : 0.0);
        scores.Add(prefix + "total_error", mirPrefix + "Total Error", any ? total / nRefSum : 0.0);
    }

    private static void Validate(MultipitchAnnotation annotation, string what)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        EventValidation.ValidateEvents(annotation.Times, what + " multipitch frame");
        if (annotation.Times.Length != annotation.Frequencies.Length)
            throw new AnnotationException($"{what} multipitch: {annotation.Times.Length} times but {annotation.Frequencies.Length} frames of frequencies.");
        foreach (var frame in annotation.Frequencies)
            foreach (var f in frame)
                if (!(f >= MinFrequency && f <= MaxFrequency))
                    throw new AnnotationException($"{what} multipitch frequency {f} Hz lies outside [{MinFrequency}, {MaxFrequency}] Hz; are the values in Hz?");
    }

    private static double[] ToMidi(double[] frequencies) => frequencies.Select(f => 69.0 + 12.0 * Math.Log2(f / 440.0)).ToArray();

    private static double Chroma(double midi)
    {
        double m = midi % 12.0;
        return m < 0 ? m + 12.0 : m;
    }

    /// <summary>scipy's <c>interp1d(kind='nearest')</c> on frame indices (ties to the earlier frame); outside the estimate's span, no pitch.</summary>
    private static double[][] Resample(double[] times, double[][] frequencies, double[] targetTimes)
    {
        var result = new double[targetTimes.Length][];
        if (times.Length == 0)
        {
            for (int i = 0; i < result.Length; i++) result[i] = [];
            return result;
        }
        var midpoints = new double[times.Length - 1];
        for (int k = 0; k < midpoints.Length; k++) midpoints[k] = (times[k + 1] + times[k]) / 2.0;
        for (int i = 0; i < targetTimes.Length; i++)
        {
            double t = targetTimes[i];
            if (t < times[0] || t > times[^1]) { result[i] = []; continue; }
            int index = Math.Min(BeatEvaluation.LowerBound(midpoints, t), times.Length - 1);
            result[i] = frequencies[index];
        }
        return result;
    }

    /// <summary>Maximum matching size within ±window on the MIDI line (see <see cref="EventValidation.MatchCount"/>).</summary>
    private static int MatchOnLine(double[] reference, double[] estimated, double window)
    {
        var r = reference.Order().ToArray();
        var e = estimated.Order().ToArray();
        return EventValidation.MatchCount(r, e, window);
    }

    /// <summary>Maximum matching size of pitch classes within ±window around the octave circle (augmenting paths; frames hold a handful of notes).</summary>
    private static int MatchChroma(double[] reference, double[] estimated, double window)
    {
        var matchOfReference = new int[reference.Length];
        Array.Fill(matchOfReference, -1);
        bool Hit(int i, int j)
        {
            double d = Math.Abs(reference[i] - estimated[j]);
            return Math.Min(d, 12 - d) <= window;
        }
        bool Augment(int j, bool[] visited)
        {
            for (int i = 0; i < reference.Length; i++)
            {
                if (visited[i] || !Hit(i, j)) continue;
                visited[i] = true;
                if (matchOfReference[i] < 0 || Augment(matchOfReference[i], visited)) { matchOfReference[i] = j; return true; }
            }
            return false;
        }
        int matched = 0;
        for (int j = 0; j < estimated.Length; j++) if (Augment(j, new bool[reference.Length])) matched++;
        return matched;
    }

    private static bool AllClose(double[] a, double[] b)
    {
        for (int i = 0; i < a.Length; i++) if (!(Math.Abs(a[i] - b[i]) <= 1e-8 + 1e-5 * Math.Abs(b[i]))) return false;
        return true;
    }
}
