using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation.Tests;

/// <summary>
/// Issue 9, deliverable 7: what mir_eval accepts (scoring it after adjusting, with a warning here) and what it
/// rejects (an error here), rule by rule. Every expected figure is worked out by hand from mir_eval's definitions
/// (chord.evaluate: adjust_intervals → merge_chord_intervals → merge_labeled_intervals; segment.evaluate:
/// adjust_intervals to [0, reference end] → boundaries and 0.1 s frames; validate_events / validate_intervals), and the
/// comment beside each says how. The fixture theories in <see cref="MirEvalFixtureTests"/> prove the same numbers on
/// mir_eval's own adjusted fixtures.
/// </summary>
public class MirEvalAcceptanceTests
{
    private static LabeledIntervals Lab(params (double Start, double End, string Label)[] rows) =>
        new([.. rows.Select(r => new TimeInterval(r.Start, r.End))], [.. rows.Select(r => r.Label)]);

    private static readonly LabeledIntervals ChordReference = Lab((0, 2, "C:maj"), (2, 4, "G:maj"));
    private static readonly LabeledIntervals SegmentReference = Lab((0, 2, "A"), (2, 4, "B"));

    private static void AssertVocabularies(Scores scores, double expected)
    {
        foreach (var vocabulary in ChordEvaluation.Vocabularies) Assert.Equal(expected, scores[vocabulary], 12);
    }

    private static void AssertSegmentation(Scores scores, double underseg, double overseg)
    {
        Assert.Equal(underseg, scores["underseg"], 12);
        Assert.Equal(overseg, scores["overseg"], 12);
        Assert.Equal(Math.Min(underseg, overseg), scores["seg"], 12);
    }

    [Fact]
    public void ChordGapIsScoredWithTheChordBeforeIt()
    {
        // Estimate C [0, 1.5], G [2, 4]. merge_labeled_intervals cuts at {0, 1.5, 2, 4}; the piece [1.5, 2] takes the last
        // interval started by 1.5 s, C, which is what the reference says there: every vocabulary scores 1. Overseg:
        // the reference's C [0, 2] is split at 1.5 (longest part 1.5 s), 0.5 s of 4 s → 1 − 0.125 = 0.875; underseg 1.
        var scores = ChordEvaluation.Evaluate(ChordReference, Lab((0, 1.5, "C:maj"), (2, 4, "G:maj")));
        AssertVocabularies(scores, 1.0);
        AssertSegmentation(scores, underseg: 1.0, overseg: 0.875);
        Assert.Equal("The estimate leaves 1 gap(s) between consecutive chords (0.5 s in all); as in mir_eval, each gap is scored with the chord before it.",
            Assert.Single(scores.Warnings));
    }

    [Fact]
    public void OverlappingRepeatsOfOneChordAreMergedAndAccepted()
    {
        // Estimate C [0, 2.5], C [2, 4]: merge_chord_intervals joins them into C [0, 4], so the overlap check passes.
        // In the weighted scores each moment takes the interval started last: C everywhere, right on [0, 2] only → 2/4
        // = 0.5. Underseg: the estimate's one chord spans the reference change at 2 s → 1 − 2/4 = 0.5; overseg 1.
        var scores = ChordEvaluation.Evaluate(ChordReference, Lab((0, 2.5, "C:maj"), (2, 4, "C:maj")));
        AssertVocabularies(scores, 0.5);
        AssertSegmentation(scores, underseg: 0.5, overseg: 1.0);
        Assert.Contains(scores.Warnings, w => w.StartsWith("The estimate has 1 overlap(s) between consecutive chords (0.5 s in all)", StringComparison.Ordinal));
    }

    [Fact]
    public void OverlappingDifferentChordsAreRefusedAsMirEvalRefusesThem()
    {
        // C [0, 2.5] then G [2, 4] stay two chords after merging, and mir_eval's underseg (directional Hamming distance
        // with the estimate as reference) raises "Chord Intervals must not overlap"; so must we.
        var error = Assert.Throws<AnnotationException>(() => ChordEvaluation.Evaluate(ChordReference, Lab((0, 2.5, "C:maj"), (2, 4, "G:maj"))));
        Assert.Contains("Estimated chord intervals overlap: one ends at 2.5 s after the next starts at 2 s", error.Message);
        Assert.Contains("Chord Intervals must not overlap", error.Message);
    }

    [Fact]
    public void ChordEstimateIsPaddedAndTrimmedToTheReference()
    {
        // Estimate C [1, 1.5], G [2, 5] against a 0–4 s reference: adjust_intervals prepends N [0, 1] and cuts G at 4 s.
        // Pieces: [0, 1] C vs N wrong; [1, 1.5] and the gap [1.5, 2] C right; [2, 4] G right → 3/4 = 0.75. Overseg: the
        // reference C [0, 2] is cut at 1 and 1.5 (longest part 1 s) → 1 − 1/4 = 0.75; underseg 1.
        var scores = ChordEvaluation.Evaluate(ChordReference, Lab((1, 1.5, "C:maj"), (2, 5, "G:maj")));
        AssertVocabularies(scores, 0.75);
        AssertSegmentation(scores, underseg: 1.0, overseg: 0.75);
        Assert.Contains("The estimate was padded with 'N' from 0 s to its start at 1 s and trimmed after 4 s (it ends at 5 s), as mir_eval's adjust_intervals does.", scores.Warnings);
    }

    [Fact]
    public void NegativeEstimateTimesAreClippedToTheReferenceStart()
    {
        // C [−1, 2]: adjust_intervals clips it to the reference's start, 0 s, leaving the reference itself: all 1.
        var scores = ChordEvaluation.Evaluate(ChordReference, Lab((-1, 2, "C:maj"), (2, 4, "G:maj")));
        AssertVocabularies(scores, 1.0);
        AssertSegmentation(scores, 1.0, 1.0);
        Assert.Contains(scores.Warnings, w => w.Contains("trimmed before 0 s (it starts at -1 s)", StringComparison.Ordinal));
    }

    [Fact]
    public void ZeroLengthChordIsRefusedUnlessItMergesIntoItsNeighbour()
    {
        // A:min [2, 2] survives merging and validate_intervals raises (durations must be strictly positive); C [2, 2]
        // after C [0, 2] merges into it, so mir_eval scores the pair like the reference itself: all 1.
        var refused = Assert.Throws<AnnotationException>(() =>
            ChordEvaluation.Evaluate(ChordReference, Lab((0, 2, "C:maj"), (2, 2, "A:min"), (2, 4, "G:maj"))));
        Assert.Contains("does not have a positive duration", refused.Message);
        var merged = ChordEvaluation.Evaluate(ChordReference, Lab((0, 2, "C:maj"), (2, 2, "C:maj"), (2, 4, "G:maj")));
        AssertVocabularies(merged, 1.0);
        AssertSegmentation(merged, 1.0, 1.0);
    }

    [Fact]
    public void NegativeReferenceTimeAndInvalidLabelsAreRefused()
    {
        // Nothing clips a chord reference, so validate_intervals sees −1 s and raises; "H:maj" is no Harte root.
        Assert.Contains("negative time", Assert.Throws<AnnotationException>(() =>
            ChordEvaluation.Evaluate(Lab((-1, 2, "C:maj"), (2, 4, "G:maj")), ChordReference)).Message);
        Assert.Contains("H:maj", Assert.Throws<AnnotationException>(() =>
            ChordEvaluation.Evaluate(ChordReference, Lab((0, 2, "H:maj"), (2, 4, "G:maj")))).Message);
    }

    [Fact]
    public void SegmentGapFramesFormAnUnlabelledClass()
    {
        // Estimate a [0, 1.5], b [2, 4]. Boundaries {0, 1.5, 2, 4} vs {0, 2, 4} within 0.5 s: 3 hits → P 3/4, R 1.
        // Frames every 0.1 s (40): reference A ×20, B ×20; estimate a ×16 (0–1.5 s), unlabelled ×4, b ×20.
        // Pairs agreeing in the estimate: C(16,2)+C(4,2)+C(20,2) = 316, all also agreeing in the reference (precision
        // 1); the reference has 2·C(20,2) = 380 → recall 316/380.
        var scores = SegmentEvaluation.Evaluate(SegmentReference, Lab((0, 1.5, "a"), (2, 4, "b")));
        Assert.Equal(0.75, scores["precision@0.5"], 12);
        Assert.Equal(1.0, scores["recall@0.5"], 12);
        Assert.Equal(1.0, scores["pairwise_precision"], 12);
        Assert.Equal(316.0 / 380.0, scores["pairwise_recall"], 12);
        Assert.Contains(scores.Warnings, w => w.StartsWith("The estimate leaves 1 gap(s) between consecutive segments (0.5 s in all)", StringComparison.Ordinal));
    }

    [Fact]
    public void SegmentOverlapFramesTakeTheLaterSegment()
    {
        // Estimate a [0, 2.5], b [2, 4]: frames 2.0–2.5 s are relabelled b by the later interval, so the frame labels
        // equal the reference's (pairwise P = R = 1); boundaries {0, 2, 2.5, 4}: 3 hits of 4 → P 0.75, R 1.
        var scores = SegmentEvaluation.Evaluate(SegmentReference, Lab((0, 2.5, "a"), (2, 4, "b")));
        Assert.Equal(0.75, scores["precision@0.5"], 12);
        Assert.Equal(1.0, scores["recall@0.5"], 12);
        Assert.Equal(1.0, scores["pairwise_precision"], 12);
        Assert.Equal(1.0, scores["pairwise_recall"], 12);
        Assert.Contains(scores.Warnings, w => w.StartsWith("The estimate has 1 overlap(s) between consecutive segments", StringComparison.Ordinal));
    }

    [Fact]
    public void SegmentSpansArePaddedToZeroAndToTheReferenceEnd()
    {
        // Estimate a [0.5, 3], b [3, 5] against A [0, 2], B [2, 4]: padded with __T_MIN [0, 0.5] and cut at 4 s →
        // boundaries {0, 0.5, 3, 4} vs {0, 2, 4}: 0 and 4 hit (2 is 1 s from 3) → P 2/4, R 2/3.
        var scores = SegmentEvaluation.Evaluate(SegmentReference, Lab((0.5, 3, "a"), (3, 5, "b")));
        Assert.Equal(0.5, scores["precision@0.5"], 12);
        Assert.Equal(2.0 / 3.0, scores["recall@0.5"], 12);
        Assert.Contains("The estimate was padded with '__T_MIN' from 0 s to its start at 0.5 s and trimmed after 4 s (it ends at 5 s), as mir_eval's adjust_intervals does.", scores.Warnings);
        // A reference that starts late is padded to 0 s the same way (segment.evaluate adjusts it with t_min = 0).
        var late = SegmentEvaluation.Evaluate(Lab((1, 2, "A"), (2, 4, "B")), SegmentReference);
        Assert.Contains(late.Warnings, w => w.StartsWith("The reference was padded with '__T_MIN' from 0 s", StringComparison.Ordinal));
        // A negative start is clipped to 0 s: the estimate then equals the reference (F 1 at 0.5 s, pairwise F 1).
        var clipped = SegmentEvaluation.Evaluate(SegmentReference, Lab((-1, 2, "a"), (2, 4, "b")));
        Assert.Equal(1.0, clipped["f_measure@0.5"], 12);
        Assert.Equal(1.0, clipped["pairwise_f_measure"], 12);
    }

    [Fact]
    public void ZeroLengthSegmentIsRefused()
    {
        // validate_intervals (in boundary detection) raises on a zero duration that no adjustment removes.
        Assert.Contains("does not have a positive duration", Assert.Throws<AnnotationException>(() =>
            SegmentEvaluation.Evaluate(SegmentReference, Lab((0, 2, "a"), (2, 2, "c"), (2, 4, "b")))).Message);
    }

    [Fact]
    public void EventsAcceptNegativeAndRepeatedTimesAndWarnWhenEmpty()
    {
        // validate_events checks only finiteness of the unit (≤ 30000 s) and order, not the sign: an onset at −0.01 s
        // matches a reference at 0 s (10 ms apart, window 50 ms). A repeated estimate time is allowed; only one copy can
        // match → P 1/2, R 1, F 2/3. An empty estimate scores 0 with a warning, as mir_eval warns.
        var folder = Directory.CreateTempSubdirectory("musicml-events-").FullName;
        try
        {
            var path = Path.Combine(folder, "est.onsets");
            File.WriteAllText(path, "-0.01\n1.0\n");
            var negative = AnnotationFiles.ReadEvents(path);
            Assert.Equal([-0.01, 1.0], negative);
            Assert.Equal(1.0, OnsetEvaluation.Evaluate([0.0, 1.0], negative)["f_measure"], 12);
        }
        finally { Directory.Delete(folder, recursive: true); }
        var repeated = OnsetEvaluation.Evaluate([1.0], [1.0, 1.0]);
        Assert.Equal(0.5, repeated["precision"], 12);
        Assert.Equal(2.0 / 3.0, repeated["f_measure"], 12);
        var empty = OnsetEvaluation.Evaluate([1.0], []);
        Assert.Equal(0.0, empty["f_measure"]);
        Assert.Equal("The estimate has no onsets; as in mir_eval, every score is 0.", Assert.Single(empty.Warnings));
        var noBeats = BeatEvaluation.Evaluate([6.0, 6.5, 7.0], [1.0, 2.0]);
        Assert.All(noBeats, s => Assert.Equal(0.0, s.Value));
        Assert.Equal("The estimate has no beats at or after 5 s; as in mir_eval, every score is 0.", Assert.Single(noBeats.Warnings));
    }
}
