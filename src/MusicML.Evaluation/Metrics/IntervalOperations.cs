using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation;

/// <summary>mir_eval's <c>util</c> interval helpers, reproduced step for step so that scores agree to the last bit.</summary>
internal static class IntervalOperations
{
    /// <summary>mir_eval's <c>validate_intervals</c>: non-negative times and strictly positive durations.</summary>
    public static void Validate(ReadOnlySpan<TimeInterval> intervals, string what)
    {
        for (int i = 0; i < intervals.Length; i++)
        {
            var iv = intervals[i];
            if (!double.IsFinite(iv.Start) || !double.IsFinite(iv.End))
                throw new AnnotationException($"{what} interval {i} [{iv.Start}, {iv.End}] has a non-finite time.");
            if (iv.Start < 0 || iv.End < 0)
                throw new AnnotationException($"{what} interval {i} [{EventValidation.Format(iv.Start)}, {EventValidation.Format(iv.End)}] s has a negative time.");
            if (iv.End <= iv.Start)
                throw new AnnotationException($"{what} interval {i} [{EventValidation.Format(iv.Start)}, {EventValidation.Format(iv.End)}] s does not have a positive duration.");
        }
    }

    /// <summary>
    /// Gaps (the next interval starts after this one ends) and overlaps (it starts before this one ends) between
    /// consecutive intervals in the order given, with their total length in seconds.
    /// </summary>
    public static (int Gaps, double GapSeconds, int Overlaps, double OverlapSeconds) GapsAndOverlaps(ReadOnlySpan<TimeInterval> intervals)
    {
        int gaps = 0, overlaps = 0;
        double gapSeconds = 0, overlapSeconds = 0;
        for (int i = 0; i + 1 < intervals.Length; i++)
        {
            double between = intervals[i + 1].Start - intervals[i].End;
            if (between > 0) { gaps++; gapSeconds += between; }
            else if (between < 0) { overlaps++; overlapSeconds -= between; }
        }
        return (gaps, gapSeconds, overlaps, overlapSeconds);
    }

    /// <summary>
    /// The warning for an annotation whose span [min, max] <see cref="Adjust"/> changed to [tMin, tMax] (or null when it
    /// already spanned it): which end was padded (with <paramref name="startLabel"/> / <paramref name="endLabel"/>, as
    /// <see cref="Adjust"/> pads) and which trimmed.
    /// </summary>
    public static string? SpanWarning(string what, ReadOnlySpan<TimeInterval> intervals, double? tMin, double? tMax, string startLabel, string endLabel)
    {
        if (intervals.Length == 0) return null;
        double min = Min(intervals), max = Max(intervals);
        var changes = new List<string>();
        if (tMin is double a && min > a) changes.Add($"padded with '{startLabel}' from {F(a)} s to its start at {F(min)} s");
        if (tMin is double b && min < b) changes.Add($"trimmed before {F(b)} s (it starts at {F(min)} s)");
        if (tMax is double c && max < c) changes.Add($"padded with '{endLabel}' from its end at {F(max)} s to {F(c)} s");
        if (tMax is double d && max > d) changes.Add($"trimmed after {F(d)} s (it ends at {F(max)} s)");
        return changes.Count == 0 ? null : $"{what} {string.Join(" and ", changes)}, as mir_eval's adjust_intervals does.";
    }

    private static string F(double value) => EventValidation.Format(Math.Round(value, 6));

    public static double Min(ReadOnlySpan<TimeInterval> intervals)
    {
        double min = double.PositiveInfinity;
        foreach (var iv in intervals) min = Math.Min(min, Math.Min(iv.Start, iv.End));
        return min;
    }

    public static double Max(ReadOnlySpan<TimeInterval> intervals)
    {
        double max = double.NegativeInfinity;
        foreach (var iv in intervals) max = Math.Max(max, Math.Max(iv.Start, iv.End));
        return max;
    }

    /// <summary>
    /// mir_eval's <c>adjust_intervals</c>: drops intervals wholly outside [tMin, tMax], clips the rest, and pads the
    /// ends with new intervals labelled <paramref name="startLabel"/> / <paramref name="endLabel"/>.
    /// </summary>
    public static (TimeInterval[] Intervals, string[] Labels) Adjust(TimeInterval[] intervals, string[] labels,
        double? tMin, double? tMax, string startLabel, string endLabel)
    {
        if (tMin is double a0 && tMax is double b0 && intervals.Length == 0) return ([new TimeInterval(a0, b0)], [startLabel]);
        if (intervals.Length == 0) throw new AnnotationException("Intervals are empty; cannot pad them without both a start and an end time.");
        var ivs = intervals.ToList();
        var labs = labels.ToList();
        if (tMin is double tmin)
        {
            int first = ivs.FindIndex(iv => iv.End >= tmin);
            if (first > 0) { ivs.RemoveRange(0, first); labs.RemoveRange(0, first); }
            for (int i = 0; i < ivs.Count; i++) ivs[i] = new TimeInterval(Math.Max(tmin, ivs[i].Start), Math.Max(tmin, ivs[i].End));
            double min = Min(ivs.ToArray());
            if (min > tmin) { ivs.Insert(0, new TimeInterval(tmin, min)); labs.Insert(0, startLabel); }
        }
        if (tMax is double tmax)
        {
            int last = ivs.FindIndex(iv => iv.Start > tmax);
            if (last >= 0) { ivs.RemoveRange(last, ivs.Count - last); labs.RemoveRange(last, labs.Count - last); }
            for (int i = 0; i < ivs.Count; i++) ivs[i] = new TimeInterval(Math.Min(tmax, ivs[i].Start), Math.Min(tmax, ivs[i].End));
            double max = ivs.Count == 0 ? double.NaN : Max(ivs.ToArray());
            if (max < tmax) { ivs.Add(new TimeInterval(max, tmax)); labs.Add(endLabel); }
        }
        return ([.. ivs], [.. labs]);
    }

    /// <summary>
    /// mir_eval's <c>merge_labeled_intervals</c>: the common refinement of two segmentations that span the same
    /// time, with each piece's label from each side (the last interval starting at or before the piece).
    /// </summary>
    public static (TimeInterval[] Intervals, string[] XLabels, string[] YLabels) MergeLabeled(
        TimeInterval[] x, string[] xLabels, TimeInterval[] y, string[] yLabels)
    {
        if (x.Length == 0 || y.Length == 0) throw new AnnotationException("Cannot compare empty interval lists.");
        if (x[0].Start != y[0].Start || x[^1].End != y[^1].End)
            throw new AnnotationException(
                $"Time intervals do not align: reference spans [{EventValidation.Format(x[0].Start)}, {EventValidation.Format(x[^1].End)}] s, " +
                $"estimate [{EventValidation.Format(y[0].Start)}, {EventValidation.Format(y[^1].End)}] s.");
        var boundaries = new SortedSet<double>();
        foreach (var iv in x) { boundaries.Add(iv.Start); boundaries.Add(iv.End); }
        foreach (var iv in y) { boundaries.Add(iv.Start); boundaries.Add(iv.End); }
        var times = boundaries.ToArray();
        int n = times.Length - 1;
        var intervals = new TimeInterval[n];
        var xOut = new string[n];
        var yOut = new string[n];
        var xPicker = new LastStartedPicker(x);
        var yPicker = new LastStartedPicker(y);
        for (int k = 0; k < n; k++)
        {
            intervals[k] = new TimeInterval(times[k], times[k + 1]);
            xOut[k] = xLabels[xPicker.At(times[k])];
            yOut[k] = yLabels[yPicker.At(times[k])];
        }
        return (intervals, xOut, yOut);
    }

    /// <summary>Largest interval index whose start is ≤ t, for non-decreasing queries t (works for unsorted starts).</summary>
    private sealed class LastStartedPicker
    {
        private readonly int[] _byStart;
        private readonly TimeInterval[] _intervals;
        private int _next;
        private int _best = -1;

        public LastStartedPicker(TimeInterval[] intervals)
        {
            _intervals = intervals;
            _byStart = Enumerable.Range(0, intervals.Length).OrderBy(i => intervals[i].Start).ThenBy(i => i).ToArray();
        }

        public int At(double t)
        {
            while (_next < _byStart.Length && _intervals[_byStart[_next]].Start <= t) _best = Math.Max(_best, _byStart[_next++]);
            if (_best < 0) throw new AnnotationException($"No interval starts at or before {EventValidation.Format(t)} s.");
            return _best;
        }
    }

    /// <summary>mir_eval's <c>intervals_to_boundaries</c>: the sorted unique interval ends, rounded to 5 decimals (half to even).</summary>
    public static double[] Boundaries(ReadOnlySpan<TimeInterval> intervals)
    {
        var set = new SortedSet<double>();
        foreach (var iv in intervals) { set.Add(Round(iv.Start, 5)); set.Add(Round(iv.End, 5)); }
        return [.. set];
    }

    /// <summary>numpy.round(x, decimals): scale, round half to even, unscale.</summary>
    public static double Round(double value, int decimals)
    {
        double scale = Math.Pow(10, decimals);
        return Math.Round(value * scale, MidpointRounding.ToEven) / scale;
    }
}
