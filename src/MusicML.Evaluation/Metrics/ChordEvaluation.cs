using System.Numerics;
using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation;

/// <summary>
/// Chord recognition scores with mir_eval's <c>chord</c> definitions (Harte, "Towards Automatic Extraction of Harmony
/// Information from Music Signals", PhD thesis, QMUL 2010; Pauwels &amp; Peeters, "Evaluating automatically estimated
/// chord sequences", ICASSP 2013; the MIREX ACE vocabularies). Each comparison maps aligned reference/estimate label
/// pairs to 1 (equal under the vocabulary), 0 (different) or −1 (reference outside the vocabulary: left out), and
/// <see cref="WeightedAccuracy"/> weights them by duration. <see cref="Evaluate"/> pads or trims the estimate to the
/// reference's span with <c>N</c>, as mir_eval's <c>evaluate</c>.
/// </summary>
public static class ChordEvaluation
{
    /// <summary>The vocabularies <see cref="Evaluate"/> scores, in mir_eval's order.</summary>
    public static IReadOnlyList<string> Vocabularies { get; } =
        ["thirds", "thirds_inv", "triads", "triads_inv", "tetrads", "tetrads_inv", "root", "mirex", "majmin", "majmin_inv", "sevenths", "sevenths_inv"];

    private static readonly int Major = ChordLabel.Qualities["maj"];
    private static readonly int Minor = ChordLabel.Qualities["min"];
    private static readonly int[] SeventhsVocabulary =
        [ChordLabel.Qualities["maj"], ChordLabel.Qualities["min"], ChordLabel.Qualities["maj7"], ChordLabel.Qualities["7"], ChordLabel.Qualities["min7"], 0];

    /// <summary>
    /// Compares aligned label pairs under one vocabulary (any name in <see cref="Vocabularies"/>): 1 equal, 0
    /// different, −1 reference outside the vocabulary. Labels are validated as Harte syntax.
    /// </summary>
    public static double[] Compare(string vocabulary, IReadOnlyList<string> referenceLabels, IReadOnlyList<string> estimatedLabels)
    {
        Func<EncodedChord, EncodedChord, double> rule = vocabulary switch
        {
            "root" => Root,
            "thirds" => (r, e) => Excluded(r) ?? Score(r.Root == e.Root && SameBit(r, e, 3)),
            "thirds_inv" => (r, e) => Excluded(r) ?? Score(r.Root == e.Root && SameBit(r, e, 3) && r.Bass == e.Bass),
            "triads" => (r, e) => Excluded(r) ?? Score(r.Root == e.Root && SameLow8(r, e)),
            "triads_inv" => (r, e) => Excluded(r) ?? Score(r.Root == e.Root && SameLow8(r, e) && r.Bass == e.Bass),
            "tetrads" => (r, e) => Excluded(r) ?? Score(r.Root == e.Root && SameAll(r, e)),
            "tetrads_inv" => (r, e) => Excluded(r) ?? Score(r.Root == e.Root && SameAll(r, e) && r.Bass == e.Bass),
            "majmin" => (r, e) => IsMajMinOrNone(r) ? Score(r.Root == e.Root && SameLow8(r, e)) : -1,
            "majmin_inv" => (r, e) => IsMajMinOrNone(r) && ValidInversion(r) ? Score(r.Root == e.Root && r.Bass == e.Bass && SameLow8(r, e)) : -1,
            "sevenths" => (r, e) => InSevenths(r) ? Score(r.Root == e.Root && SameAll(r, e)) : -1,
            "sevenths_inv" => (r, e) => InSevenths(r) && ValidInversion(r) ? Score(r.Root == e.Root && r.Bass == e.Bass && SameAll(r, e)) : -1,
            "mirex" => Mirex,
            _ => throw new AnnotationException($"Unknown chord vocabulary '{vocabulary}'; expected one of {string.Join(", ", Vocabularies)}."),
        };
        if (referenceLabels.Count != estimatedLabels.Count)
            throw new AnnotationException($"Chord comparison needs aligned labels: {referenceLabels.Count} reference, {estimatedLabels.Count} estimated.");
        var cache = new Dictionary<string, EncodedChord>();
        EncodedChord Encode(string label)
        {
            if (!cache.TryGetValue(label, out var encoded)) cache[label] = encoded = ChordLabel.Encode(label);
            return encoded;
        }
        var result = new double[referenceLabels.Count];
        for (int i = 0; i < result.Length; i++) result[i] = rule(Encode(referenceLabels[i]), Encode(estimatedLabels[i]));
        return result;
    }

    /// <summary>
    /// mir_eval's <c>weighted_accuracy</c>: the <paramref name="weights"/>-weighted mean of the non-negative
    /// comparisons; 0 when all weights are 0 or no reference chord is comparable.
    /// </summary>
    public static double WeightedAccuracy(ReadOnlySpan<double> comparisons, ReadOnlySpan<double> weights)
    {
        if (comparisons.Length != weights.Length)
            throw new AnnotationException($"Weights ({weights.Length}) and comparisons ({comparisons.Length}) must have the same length.");
        double weightSum = 0;
        foreach (var w in weights)
        {
            if (w < 0 || double.IsNaN(w)) throw new AnnotationException($"Chord weights must be non-negative, got {w}.");
            weightSum += w;
        }
        if (weightSum == 0) return 0;
        double total = 0;
        bool any = false;
        for (int i = 0; i < comparisons.Length; i++)
            if (comparisons[i] >= 0) { total += weights[i]; any = true; }
        if (!any) return 0;
        double sum = 0;
        for (int i = 0; i < comparisons.Length; i++)
            if (comparisons[i] >= 0) sum += comparisons[i] * (weights[i] / total);
        return sum;
    }

    /// <summary>
    /// 1 − directional Hamming distance of <paramref name="estimated"/> segments against <paramref name="reference"/>
    /// ones (Abdallah et al. 2005; Mauch 2010): how little the reference segments are split by estimate boundaries.
    /// </summary>
    public static double Overseg(ReadOnlySpan<TimeInterval> reference, ReadOnlySpan<TimeInterval> estimated) =>
        1 - DirectionalHammingDistance(reference, estimated, "Reference", "Estimated");

    /// <summary>1 − directional Hamming distance the other way: how little the estimate's segments are split by the reference.</summary>
    public static double Underseg(ReadOnlySpan<TimeInterval> reference, ReadOnlySpan<TimeInterval> estimated) =>
        1 - DirectionalHammingDistance(estimated, reference, "Estimated", "Reference");

    /// <summary>min(<see cref="Underseg"/>, <see cref="Overseg"/>).</summary>
    public static double Seg(ReadOnlySpan<TimeInterval> reference, ReadOnlySpan<TimeInterval> estimated) =>
        Math.Min(Underseg(reference, estimated), Overseg(reference, estimated));

    /// <summary>
    /// mir_eval's <c>directional_hamming_distance</c>: for each reference interval, the part not covered by the
    /// largest estimated segment inside it, summed and divided by the reference's span. Reference intervals must not
    /// overlap (mir_eval raises "Chord Intervals must not overlap"; <see cref="Underseg"/> passes the estimate as the
    /// reference, so an estimate whose consecutive intervals overlap is refused there).
    /// </summary>
    public static double DirectionalHammingDistance(ReadOnlySpan<TimeInterval> reference, ReadOnlySpan<TimeInterval> estimated) =>
        DirectionalHammingDistance(reference, estimated, "Reference", "Estimated");

    private static double DirectionalHammingDistance(ReadOnlySpan<TimeInterval> reference, ReadOnlySpan<TimeInterval> estimated,
        string referenceName, string estimatedName)
    {
        IntervalOperations.Validate(estimated, $"{estimatedName} chord");
        IntervalOperations.Validate(reference, $"{referenceName} chord");
        for (int i = 0; i + 1 < reference.Length; i++)
            if (reference[i].End > reference[i + 1].Start)
                throw new AnnotationException(
                    $"{referenceName} chord intervals overlap: one ends at {EventValidation.Format(reference[i].End)} s after the next starts at " +
                    $"{EventValidation.Format(reference[i + 1].Start)} s (after merging repeated chords); mir_eval's chord segmentation scores " +
                    "refuse overlapping chords too (\"Chord Intervals must not overlap\").");
        var set = new SortedSet<double>();
        foreach (var iv in estimated) { set.Add(iv.Start); set.Add(iv.End); }
        var boundaries = set.ToArray();
        double seg = 0;
        foreach (var iv in reference)
        {
            double previous = iv.Start, longest = 0;
            for (int k = BeatEvaluation.LowerBound(boundaries, iv.Start); k < boundaries.Length && boundaries[k] < iv.End; k++)
            {
                longest = Math.Max(longest, boundaries[k] - previous);
                previous = boundaries[k];
            }
            longest = Math.Max(longest, iv.End - previous);
            seg += iv.End - iv.Start - longest;
        }
        return seg / (reference[^1].End - reference[0].Start);
    }

    /// <summary>
    /// Every chord score, as mir_eval's <c>chord.evaluate</c>: the twelve vocabularies of <see cref="Vocabularies"/>
    /// (duration-weighted over the common refinement of both segmentations) and <c>underseg</c>, <c>overseg</c>,
    /// <c>seg</c> (computed after merging repeated chords, extended chords reduced).
    /// </summary>
    public static Scores Evaluate(LabeledIntervals reference, LabeledIntervals estimated)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(estimated);
        CheckShape(reference, "Reference");
        CheckShape(estimated, "Estimated");
        if (reference.Count == 0) throw new AnnotationException("Reference chord annotation is empty.");
        double referenceStart = IntervalOperations.Min(reference.Intervals), referenceEnd = IntervalOperations.Max(reference.Intervals);
        var scores = new Scores();
        WarnAboutLayout(scores, "reference", reference.Intervals);
        WarnAboutLayout(scores, "estimate", estimated.Intervals);
        if (estimated.Count == 0) scores.Warn($"The estimate is empty; it is scored as '{ChordLabel.NoChord}' over the reference's span, as mir_eval's adjust_intervals pads it.");
        else if (IntervalOperations.SpanWarning("The estimate was", estimated.Intervals, referenceStart, referenceEnd, ChordLabel.NoChord, ChordLabel.NoChord) is { } span)
            scores.Warn(span);
        var (estIntervals, estLabels) = IntervalOperations.Adjust(estimated.Intervals, estimated.Labels,
            referenceStart, referenceEnd, ChordLabel.NoChord, ChordLabel.NoChord);
        var mergedReference = MergeRepeatedChords(reference.Intervals, reference.Labels);
        var mergedEstimate = MergeRepeatedChords(estIntervals, estLabels);
        var (intervals, refLabels, alignedEstLabels) = IntervalOperations.MergeLabeled(reference.Intervals, reference.Labels, estIntervals, estLabels);
        IntervalOperations.Validate(intervals, "Merged");
        var durations = new double[intervals.Length];
        for (int i = 0; i < durations.Length; i++) durations[i] = Math.Abs(intervals[i].End - intervals[i].Start);

        foreach (var vocabulary in Vocabularies)
            scores.Add(vocabulary, vocabulary, WeightedAccuracy(Compare(vocabulary, refLabels, alignedEstLabels), durations));
        double underseg = Underseg(mergedReference, mergedEstimate);
        double overseg = Overseg(mergedReference, mergedEstimate);
        scores.Add("underseg", "underseg", underseg);
        scores.Add("overseg", "overseg", overseg);
        scores.Add("seg", "seg", Math.Min(overseg, underseg));
        return scores;
    }

    /// <summary>
    /// Warns about gaps and overlaps between consecutive intervals, which mir_eval accepts: in the duration-weighted
    /// scores (merge_labeled_intervals) every moment takes the label of the last interval that started at or before it,
    /// so a gap is scored with the chord before it and an overlap with the chord that starts later.
    /// </summary>
    private static void WarnAboutLayout(Scores scores, string what, ReadOnlySpan<TimeInterval> intervals)
    {
        var (gaps, gapSeconds, overlaps, overlapSeconds) = IntervalOperations.GapsAndOverlaps(intervals);
        if (gaps > 0)
            scores.Warn($"The {what} leaves {gaps} gap(s) between consecutive chords ({EventValidation.Format(Math.Round(gapSeconds, 6))} s in all); " +
                        "as in mir_eval, each gap is scored with the chord before it.");
        if (overlaps > 0)
            scores.Warn($"The {what} has {overlaps} overlap(s) between consecutive chords ({EventValidation.Format(Math.Round(overlapSeconds, 6))} s in all); " +
                        "as in mir_eval, each overlap is scored with the chord that starts later.");
    }

    private static void CheckShape(LabeledIntervals annotation, string what)
    {
        if (annotation.Intervals.Length != annotation.Labels.Length)
            throw new AnnotationException($"{what} chords: {annotation.Intervals.Length} intervals but {annotation.Labels.Length} labels.");
    }

    /// <summary>mir_eval's <c>merge_chord_intervals</c>: consecutive intervals with the same encoded chord become one.</summary>
    private static TimeInterval[] MergeRepeatedChords(TimeInterval[] intervals, string[] labels)
    {
        var merged = new List<TimeInterval>();
        EncodedChord? previous = null;
        for (int i = 0; i < intervals.Length; i++)
        {
            var encoded = ChordLabel.Encode(labels[i], reduceExtendedChords: true);
            if (previous is not EncodedChord p || p.Root != encoded.Root || p.Bass != encoded.Bass || p.Semitones != encoded.Semitones || p.IsUnknown != encoded.IsUnknown)
            {
                merged.Add(intervals[i]);
                previous = encoded;
            }
            else merged[^1] = merged[^1] with { End = intervals[i].End };
        }
        return [.. merged];
    }

    private static double Score(bool equal) => equal ? 1.0 : 0.0;

    private static double? Excluded(EncodedChord reference) => reference.IsUnknown ? -1.0 : null;

    private static double Root(EncodedChord r, EncodedChord e) => r.IsUnknown ? -1 : Score(r.Root == e.Root);

    private static bool SameBit(EncodedChord r, EncodedChord e, int bit) => !e.IsUnknown && r.Has(bit) == e.Has(bit);

    private static bool SameLow8(EncodedChord r, EncodedChord e) => !e.IsUnknown && (r.Semitones & 0xFF) == (e.Semitones & 0xFF);

    private static bool SameAll(EncodedChord r, EncodedChord e) => !e.IsUnknown && r.Semitones == e.Semitones;

    private static bool IsMajMinOrNone(EncodedChord r) =>
        !r.IsUnknown && ((r.Semitones & 0xFF) == (Major & 0xFF) || (r.Semitones & 0xFF) == (Minor & 0xFF) || (r.Root < 0 && r.Semitones == 0));

    private static bool InSevenths(EncodedChord r) => !r.IsUnknown && Array.IndexOf(SeventhsVocabulary, r.Semitones) >= 0;

    // The bass must sound in the reference chord; mir_eval always adds the bass to the bitmap, so this only guards X.
    private static bool ValidInversion(EncodedChord r) => r.Bass < 0 || r.Has(r.Bass);

    private static double Mirex(EncodedChord r, EncodedChord e)
    {
        const int minIntersection = 3;
        int refCount = BitOperations.PopCount((uint)r.Semitones);
        if (r.IsUnknown || (refCount > 0 && refCount < minIntersection)) return -1;
        if (r.Root == -1 && e.Root == -1) return 1;
        int shared = BitOperations.PopCount((uint)(Absolute(r) & Absolute(e)));
        return shared >= minIntersection ? 1 : 0;
    }

    /// <summary>Pitch classes relative to C; X counts as all twelve, as mir_eval's rotation of its −1 bitmap yields.</summary>
    private static int Absolute(EncodedChord chord)
    {
        if (chord.IsUnknown) return 0xFFF;
        if (chord.Root < 0) return 0;
        int mask = chord.Semitones;
        return ((mask << chord.Root) | (mask >> (12 - chord.Root))) & 0xFFF;
    }
}
