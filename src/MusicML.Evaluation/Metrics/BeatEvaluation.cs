namespace MusicML.Evaluation;

/// <summary>Continuity scores at the correct and at any allowed metrical level.</summary>
/// <param name="Cmlc">Correct metric level, longest continuously correct segment (CMLc).</param>
/// <param name="Cmlt">Correct metric level, total correct (CMLt).</param>
/// <param name="Amlc">Any metric level (double, half, off-beat), continuous (AMLc).</param>
/// <param name="Amlt">Any metric level, total (AMLt).</param>
public readonly record struct ContinuityScores(double Cmlc, double Cmlt, double Amlc, double Amlt);

/// <summary>
/// Beat tracking scores with mir_eval's <c>beat</c> definitions, after Davies, Degara &amp; Plumbley, "Evaluation
/// Methods for Musical Audio Beat Tracking Algorithms", QMUL C4DM-TR-09-06, 2009 (F-measure; Cemgil et al. 2001;
/// Goto &amp; Muraoka 1997; McKinney et al. 2007 P-score; Hainsworth 2004 / Klapuri et al. 2006 continuity; Davies et
/// al. 2011 information gain). Beat times are in seconds, sorted ascending. <see cref="Evaluate"/> first drops beats
/// before <c>minBeatTime</c> (5 s), as mir_eval's <c>evaluate</c> does. Like mir_eval, metrics return 0 when either
/// sequence is empty (or, for interval-based metrics, has fewer than two beats) rather than failing.
/// </summary>
public static class BeatEvaluation
{
    /// <summary>mir_eval's default trim: beats before 5 s are ignored by <see cref="Evaluate"/>.</summary>
    public const double DefaultMinBeatTime = 5.0;

    /// <summary>Beats at or after <paramref name="minBeatTime"/> seconds (mir_eval's <c>trim_beats</c>).</summary>
    public static double[] TrimBeats(ReadOnlySpan<double> beats, double minBeatTime = DefaultMinBeatTime)
    {
        var kept = new List<double>(beats.Length);
        foreach (var b in beats) if (b >= minBeatTime) kept.Add(b);
        return [.. kept];
    }

    /// <summary>F-measure of beats matched within ±<paramref name="window"/> seconds (default 70 ms).</summary>
    public static double FMeasure(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated, double window = 0.07)
    {
        Validate(reference, estimated);
        if (reference.Length == 0 || estimated.Length == 0) return 0.0;
        int matched = EventValidation.MatchCount(reference, estimated, window);
        return EventValidation.FMeasure((double)matched / estimated.Length, (double)matched / reference.Length);
    }

    /// <summary>
    /// Cemgil's accuracy: Gaussian-weighted (σ = <paramref name="sigma"/> s, default 40 ms) error of the nearest
    /// estimate to each reference beat, normalised by the mean sequence length. Returns the score at the annotated
    /// metrical level and the best over the level variations (double, off-beat, half).
    /// </summary>
    public static (double Cemgil, double BestMetricLevel) Cemgil(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated, double sigma = 0.04)
    {
        Validate(reference, estimated);
        if (reference.Length == 0 || estimated.Length == 0) return (0.0, 0.0);
        double first = 0, best = double.NegativeInfinity;
        var variations = ReferenceVariations(reference);
        for (int v = 0; v < variations.Length; v++)
        {
            var levels = variations[v];
            double accuracy = 0;
            foreach (var beat in levels)
            {
                double diff = NearestDistance(beat, estimated);
                accuracy += Math.Exp(-(diff * diff) / (2.0 * sigma * sigma));
            }
            accuracy /= 0.5 * (estimated.Length + levels.Length);
            if (v == 0) first = accuracy;
            best = Math.Max(best, accuracy);
        }
        return (first, best);
    }

    /// <summary>
    /// Goto's binary score: 1 when a continuously tracked stretch covering more than 25 % of the reference has
    /// beat errors (relative to the half-intervals) with mean below <paramref name="mu"/> and standard deviation below
    /// <paramref name="sigma"/>, each beat error at most <paramref name="threshold"/>.
    /// </summary>
    public static double Goto(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated, double threshold = 0.35, double mu = 0.2, double sigma = 0.2)
    {
        Validate(reference, estimated);
        // Beats outside a sequence's ends carry error 1, so a threshold of 1 or more would leave no "incorrect" beat to
        // delimit a track (mir_eval then fails with an IndexError).
        if (!(threshold > 0 && threshold < 1)) throw new AnnotationException($"Goto threshold must lie in (0, 1), got {threshold}.");
        if (reference.Length == 0 || estimated.Length == 0) return 0.0;
        int n = reference.Length;
        var beatError = new double[n];
        Array.Fill(beatError, 1.0);
        for (int k = 1; k < n - 1; k++)
        {
            double previousInterval = 0.5 * (reference[k] - reference[k - 1]);
            double windowMin = reference[k] - previousInterval;
            double nextInterval = 0.5 * (reference[k + 1] - reference[k]);
            double windowMax = reference[k] + nextInterval;
            int lo = LowerBound(estimated, windowMin), hi = LowerBound(estimated, windowMax);
            if (hi - lo != 1) { beatError[k] = 1; continue; }
            double offset = estimated[lo] - reference[k];
            beatError[k] = offset < 0 ? offset / previousInterval : offset / nextInterval;
        }
        var incorrect = new List<int>();
        for (int k = 0; k < n; k++) if (Math.Abs(beatError[k]) > threshold) incorrect.Add(k);

        bool criteria = false;
        double[] track = [];
        if (incorrect.Count < 3)
        {
            // mir_eval slices beat_error[first+1 : last-1] with Python semantics, which drops the beat before `last`.
            track = PySlice(beatError, incorrect[0] + 1, incorrect[^1] - 1);
            criteria = true;
        }
        else
        {
            int trackLength = 0, trackStart = 0;
            for (int k = 0; k + 1 < incorrect.Count; k++)
            {
                int d = incorrect[k + 1] - incorrect[k];
                if (d > trackLength) { trackLength = d; trackStart = k; }
            }
            if (trackLength - 1 > 0.25 * (n - 2))
            {
                criteria = true;
                track = PySlice(beatError, incorrect[trackStart], incorrect[trackStart + 1] + 1);
            }
        }
        if (!criteria) return 0.0;
        double mean = 0;
        foreach (var e in track) mean += Math.Abs(e);
        mean /= track.Length;
        return mean < mu && SampleStd(track) < sigma ? 1.0 : 0.0;
    }

    /// <summary>
    /// McKinney's P-score: cross-correlation of 10 ms impulse trains of the two sequences within ±<paramref name="threshold"/>
    /// of the median reference inter-beat interval, normalised by the longer sequence.
    /// </summary>
    public static double PScore(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated, double threshold = 0.2)
    {
        Validate(reference, estimated);
        if (reference.Length <= 1 || estimated.Length <= 1) return 0.0;
        const int samplingRate = 100;
        double offset = Math.Min(Min(estimated), Min(reference));
        var refIndices = ImpulseIndices(reference, offset, samplingRate);
        var estIndices = ImpulseIndices(estimated, offset, samplingRate);
        if (refIndices.Length < 2)
            throw new AnnotationException("Reference beats fall within one 10 ms frame; the P-score needs at least two distinct beats.");
        var intervals = new double[refIndices.Length - 1];
        for (int k = 0; k < intervals.Length; k++) intervals[k] = refIndices[k + 1] - refIndices[k];
        int window = (int)Math.Round(threshold * Median(intervals), MidpointRounding.ToEven);

        // The sum of the full cross-correlation over lags −window..window counts impulse pairs at most `window` apart.
        long pairs = 0;
        int lo = 0, hi = 0;
        foreach (var r in refIndices)
        {
            while (lo < estIndices.Length && estIndices[lo] < r - window) lo++;
            while (hi < estIndices.Length && estIndices[hi] <= r + window) hi++;
            pairs += hi - lo;
        }
        return (double)pairs / Math.Max(estimated.Length, reference.Length);
    }

    /// <summary>
    /// Continuity scores (CMLc, CMLt, AMLc, AMLt): an estimate is correct when its phase error and its interval's
    /// period error against the nearest reference beat are below <paramref name="phaseThreshold"/> and
    /// <paramref name="periodThreshold"/> (17.5 %); AML takes the best over double, off-beat and half tempo references.
    /// </summary>
    public static ContinuityScores Continuity(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated,
        double phaseThreshold = 0.175, double periodThreshold = 0.175)
    {
        Validate(reference, estimated);
        if (reference.Length <= 1 || estimated.Length <= 1) return default;
        var variations = ReferenceVariations(reference);
        double cmlc = 0, cmlt = 0, amlc = double.NegativeInfinity, amlt = double.NegativeInfinity;
        for (int v = 0; v < variations.Length; v++)
        {
            var refs = variations[v];
            int nAnnotations = Math.Max(refs.Length, estimated.Length);
            var used = new bool[nAnnotations];
            var success = new bool[nAnnotations];
            for (int m = 0; m < estimated.Length; m++)
            {
                int nearest = ArgMinDistance(estimated[m], refs);
                double minDifference = Math.Abs(estimated[m] - refs[nearest]);
                if (used[nearest]) continue;
                double phase, period;
                if (m == 0 || nearest == 0)
                {
                    double referenceInterval = nearest + 1 < refs.Length
                        ? refs[nearest + 1] - refs[nearest]
                        : refs[nearest] - PyIndex(refs, nearest - 1);
                    phase = referenceInterval == 0 ? (minDifference == 0 ? 1 : double.PositiveInfinity) : Math.Abs(minDifference / referenceInterval);
                    double estimatedInterval = m + 1 < estimated.Length ? estimated[m + 1] - estimated[m] : estimated[m] - estimated[m - 1];
                    period = referenceInterval == 0 ? (estimatedInterval == 0 ? 0 : double.PositiveInfinity) : Math.Abs(1 - estimatedInterval / referenceInterval);
                }
                else
                {
                    double referenceInterval = refs[nearest] - refs[nearest - 1];
                    phase = Math.Abs(minDifference / referenceInterval);
                    double estimatedInterval = estimated[m] - estimated[m - 1];
                    period = Math.Abs(1 - estimatedInterval / referenceInterval);
                }
                if (phase < phaseThreshold && period < periodThreshold)
                {
                    used[nearest] = true;
                    success[m] = true;
                }
            }
            int longest = 0, run = 0, total = 0;
            foreach (var s in success)
            {
                run = s ? run + 1 : 0;
                if (s) total++;
                longest = Math.Max(longest, run);
            }
            double continuous = (double)longest / nAnnotations, all = (double)total / nAnnotations;
            if (v == 0) { cmlc = continuous; cmlt = all; }
            amlc = Math.Max(amlc, continuous);
            amlt = Math.Max(amlt, all);
        }
        return new ContinuityScores(cmlc, cmlt, amlc, amlt);
    }

    /// <summary>
    /// Information gain (Davies, Degara &amp; Plumbley 2011): 1 − H/log2(<paramref name="bins"/>) where H is the larger
    /// entropy of the two beat-error histograms (estimates against references and the reverse), in <paramref name="bins"/> bins.
    /// </summary>
    public static double InformationGain(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated, int bins = 41)
    {
        Validate(reference, estimated);
        if (bins < 1) throw new AnnotationException($"Information gain needs at least one histogram bin, got bins={bins}.");
        if (reference.Length <= 1 || estimated.Length <= 1) return 0.0;
        double forward = ErrorEntropy(reference, estimated, bins);
        double backward = ErrorEntropy(estimated, reference, bins);
        double norm = Math.Log2(bins);
        return forward > backward ? (norm - forward) / norm : (norm - backward) / norm;
    }

    /// <summary>
    /// Every beat score, named as mir_eval's <c>beat.evaluate</c>: <c>f_measure</c>, <c>cemgil</c>,
    /// <c>cemgil_best_metric_level</c>, <c>goto</c>, <c>p_score</c>, <c>cmlc</c>, <c>cmlt</c>, <c>amlc</c>,
    /// <c>amlt</c>, <c>information_gain</c>. Beats before <paramref name="minBeatTime"/> seconds (default 5 s, 0 to
    /// keep all) are dropped from both sequences first.
    /// </summary>
    public static Scores Evaluate(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated, double minBeatTime = DefaultMinBeatTime)
    {
        EventValidation.ValidateFinite(minBeatTime, "minBeatTime");
        var r = TrimBeats(reference, minBeatTime);
        var e = TrimBeats(estimated, minBeatTime);
        var scores = new Scores();
        // mir_eval warns and scores 0 (information gain: 0 as well) rather than refusing an empty side.
        if (r.Length == 0) scores.Warn($"The reference has no beats at or after {EventValidation.Format(minBeatTime)} s; as in mir_eval, every score is 0.");
        if (e.Length == 0) scores.Warn($"The estimate has no beats at or after {EventValidation.Format(minBeatTime)} s; as in mir_eval, every score is 0.");
        scores.Add("f_measure", "F-measure", FMeasure(r, e));
        var (cemgil, cemgilBest) = Cemgil(r, e);
        scores.Add("cemgil", "Cemgil", cemgil);
        scores.Add("cemgil_best_metric_level", "Cemgil Best Metric Level", cemgilBest);
        scores.Add("goto", "Goto", Goto(r, e));
        scores.Add("p_score", "P-score", PScore(r, e));
        var continuity = Continuity(r, e);
        scores.Add("cmlc", "Correct Metric Level Continuous", continuity.Cmlc);
        scores.Add("cmlt", "Correct Metric Level Total", continuity.Cmlt);
        scores.Add("amlc", "Any Metric Level Continuous", continuity.Amlc);
        scores.Add("amlt", "Any Metric Level Total", continuity.Amlt);
        scores.Add("information_gain", "Information gain", InformationGain(r, e));
        return scores;
    }

    private static void Validate(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated)
    {
        EventValidation.ValidateEvents(reference, "Reference beat");
        EventValidation.ValidateEvents(estimated, "Estimated beat");
    }

    /// <summary>The annotated beats, the off-beats, double tempo, and the two half-tempo phases (mir_eval's order).</summary>
    private static double[][] ReferenceVariations(ReadOnlySpan<double> reference)
    {
        int n = reference.Length;
        var original = reference.ToArray();
        var offBeats = new double[Math.Max(n - 1, 0)];
        for (int k = 0; k < offBeats.Length; k++)
            offBeats[k] = (reference[k + 1] - reference[k]) * 0.5 + reference[k]; // np.interp's slope form
        var doubled = new double[Math.Max(2 * n - 1, 0)];
        for (int k = 0; k < n; k++)
        {
            doubled[2 * k] = reference[k];
            if (k + 1 < n) doubled[2 * k + 1] = offBeats[k];
        }
        var halfEven = new double[(n + 1) / 2];
        for (int k = 0; k < halfEven.Length; k++) halfEven[k] = reference[2 * k];
        var halfOdd = new double[n / 2];
        for (int k = 0; k < halfOdd.Length; k++) halfOdd[k] = reference[2 * k + 1];
        return [original, offBeats, doubled, halfEven, halfOdd];
    }

    private static double ErrorEntropy(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated, int bins)
    {
        int n = reference.Length;
        var histogram = new double[bins];
        var edges = Linspace(-0.5, 0.5, bins + 1);
        foreach (var e in estimated)
        {
            int closest = ArgMinDistance(e, reference);
            double absoluteError = e - reference[closest];
            double interval = 0;
            // mir_eval's branches, including its first `if` being overridden by the following if/elif/else.
            if (closest == 0) interval = 0.5 * (reference[1] - reference[0]);
            if (closest == n - 1) interval = 0.5 * (reference[n - 1] - reference[n - 2]);
            else if (absoluteError < 0) interval = 0.5 * (reference[closest] - PyIndex(reference, closest - 1));
            else interval = 0.5 * (reference[closest + 1] - reference[closest]);
            double beatError = 0.5 * absoluteError / interval;
            beatError = PyMod(beatError + 0.5, -1.0) + 0.5;
            int bin = HistogramBin(beatError, edges);
            if (bin >= 0) histogram[bin]++;
        }
        double total = 0;
        foreach (var c in histogram) total += c;
        double entropy = 0;
        foreach (var c in histogram)
        {
            double p = c / total;
            if (p == 0) continue;
            entropy -= p * Math.Log2(p);
        }
        return entropy;
    }

    /// <summary>numpy.histogram's bin search for uniform edges (values on the last edge go to the last bin).</summary>
    private static int HistogramBin(double x, double[] edges)
    {
        int nBins = edges.Length - 1;
        double first = edges[0], last = edges[^1];
        if (!(x >= first && x <= last)) return -1;
        double norm = nBins / (last - first);
        int index = (int)((x - first) * norm);
        if (index == nBins) index--;
        if (x < edges[index]) index--;
        else if (x >= edges[index + 1] && index != nBins - 1) index++;
        return index;
    }

    private static double[] Linspace(double start, double stop, int num)
    {
        var result = new double[num];
        double step = (stop - start) / (num - 1);
        for (int k = 0; k < num; k++) result[k] = k * step + start;
        result[^1] = stop;
        return result;
    }

    /// <summary>Python's floored modulo (the result takes the divisor's sign), as numpy.mod.</summary>
    private static double PyMod(double a, double b)
    {
        double mod = a % b;
        if (mod != 0 && (b < 0) != (mod < 0)) mod += b;
        return mod;
    }

    private static double PyIndex(ReadOnlySpan<double> values, int index) => values[index < 0 ? values.Length + index : index];

    private static double[] PySlice(double[] values, int start, int stop)
    {
        int n = values.Length;
        if (start < 0) start = Math.Max(n + start, 0);
        if (stop < 0) stop = Math.Max(n + stop, 0);
        start = Math.Min(start, n);
        stop = Math.Min(stop, n);
        return stop > start ? values[start..stop] : [];
    }

    private static int[] ImpulseIndices(ReadOnlySpan<double> beats, double offset, int samplingRate)
    {
        var indices = new SortedSet<int>();
        foreach (var b in beats) indices.Add((int)Math.Ceiling((b - offset) * samplingRate));
        return [.. indices];
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
    }

    private static double SampleStd(double[] values)
    {
        if (values.Length < 2) return double.NaN;
        double mean = 0;
        foreach (var v in values) mean += v;
        mean /= values.Length;
        double sum = 0;
        foreach (var v in values) sum += (v - mean) * (v - mean);
        return Math.Sqrt(sum / (values.Length - 1));
    }

    private static double Min(ReadOnlySpan<double> values)
    {
        double min = double.PositiveInfinity;
        foreach (var v in values) min = Math.Min(min, v);
        return min;
    }

    /// <summary>First index of the value nearest <paramref name="time"/> (numpy.argmin's tie rule) in a sorted array.</summary>
    internal static int ArgMinDistance(double time, ReadOnlySpan<double> sorted)
    {
        int hi = LowerBound(sorted, time);
        if (hi == 0) return 0;
        if (hi == sorted.Length) return sorted.Length - 1;
        // Among equal values the first index wins; the left neighbour wins exact distance ties.
        int lo = hi - 1;
        double dl = Math.Abs(time - sorted[lo]), dh = Math.Abs(time - sorted[hi]);
        if (dl <= dh)
        {
            while (lo > 0 && sorted[lo - 1] == sorted[lo]) lo--;
            return lo;
        }
        return hi;
    }

    private static double NearestDistance(double time, ReadOnlySpan<double> sorted) =>
        Math.Abs(time - sorted[ArgMinDistance(time, sorted)]);

    /// <summary>First index whose value is ≥ <paramref name="value"/>.</summary>
    internal static int LowerBound(ReadOnlySpan<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
