using MusicML.Evaluation.Annotations;

namespace MusicML.Evaluation.Tests;

/// <summary>mir_eval's behaviour on degenerate and invalid input, mirrored (mir_eval warns and returns 0, or raises).</summary>
public class EdgeCaseTests
{
    [Fact]
    public void EmptyEventSequencesScoreZero()
    {
        // mir_eval warns "Estimated onsets are empty" and returns (0, 0, 0); beat metrics likewise return 0.
        Assert.Equal(new PrecisionRecall(0, 0, 0), OnsetEvaluation.FMeasure([1.0, 2.0], []));
        var beats = BeatEvaluation.Evaluate([6.0, 6.5, 7.0], []);
        Assert.All(beats, s => Assert.Equal(0.0, s.Value));
    }

    [Fact]
    public void UnsortedOrNonFiniteEventsAreRejected()
    {
        Assert.Contains("increasing", Assert.Throws<AnnotationException>(() => OnsetEvaluation.FMeasure([2.0, 1.0], [1.0])).Message);
        Assert.Contains("finite", Assert.Throws<AnnotationException>(() => BeatEvaluation.FMeasure([1.0], [double.NaN])).Message);
        Assert.Contains("30000", Assert.Throws<AnnotationException>(() => OnsetEvaluation.FMeasure([40000.0], [1.0])).Message);
        Assert.Throws<AnnotationException>(() => OnsetEvaluation.FMeasure([1.0], [1.0], window: 0));
    }

    [Fact]
    public void BeatTrimIsConfigurable()
    {
        // Beats 1..4 s all fall before the default 5 s trim (score 0); with minBeatTime = 0 they match perfectly.
        double[] beats = [1, 1.5, 2, 2.5, 3, 3.5, 4];
        Assert.Equal(0.0, BeatEvaluation.Evaluate(beats, beats)["f_measure"]);
        Assert.Equal(1.0, BeatEvaluation.Evaluate(beats, beats, minBeatTime: 0)["f_measure"]);
    }

    [Fact]
    public void TempoAccuraciesForgiveOctavesOnlyInAccuracy2()
    {
        // 120 vs 100 BPM: off by 16.7 % → both 0. 241 vs 120: 0.4 % above double tempo → Accuracy1 0, Accuracy2 1.
        // 124 vs 120: 3.3 % → within 4 %: both 1. 126 vs 120: 5 % → both 0.
        Assert.Equal(0.0, TempoEvaluation.Accuracy2(100, 120));
        Assert.Equal(0.0, TempoEvaluation.Accuracy1(120, 241));
        Assert.Equal(1.0, TempoEvaluation.Accuracy2(120, 241));
        Assert.Equal(1.0, TempoEvaluation.Accuracy2(120, 40.2));
        Assert.Equal(1.0, TempoEvaluation.Accuracy1(120, 124));
        Assert.Equal(0.0, TempoEvaluation.Accuracy2(120, 126));
        Assert.Throws<AnnotationException>(() => TempoEvaluation.Accuracy1(0, 120));
    }

    [Fact]
    public void KeyRelationsFollowMirex()
    {
        // Same 1, fifth above 0.5, relative minor/major 0.3, parallel 0.2, other 0; enharmonics are equal.
        Assert.Equal(1.0, KeyEvaluation.WeightedScore("C# major", "Db major"));
        Assert.Equal(0.5, KeyEvaluation.WeightedScore("C major", "G major"));
        Assert.Equal(0.3, KeyEvaluation.WeightedScore("C major", "A minor"));
        Assert.Equal(0.3, KeyEvaluation.WeightedScore("A minor", "C major"));
        Assert.Equal(0.2, KeyEvaluation.WeightedScore("C major", "C minor"));
        Assert.Equal(0.0, KeyEvaluation.WeightedScore("C major", "F major"));
        Assert.Equal(0.0, KeyEvaluation.WeightedScore("C major", "X"));
        Assert.Contains("'Cmajor'", Assert.Throws<AnnotationException>(() => KeyEvaluation.WeightedScore("Cmajor", "C major")).Message);
    }

    [Fact]
    public void ChordLabelsParseAndEncodeLikeMirEval()
    {
        // G:maj(6)/5 → root G (7), triad + major sixth (bits 0 4 7 9), bass a fifth above the root (7).
        var chord = ChordLabel.Parse("G:maj(6)/5");
        Assert.Equal(("G", "maj", "5"), (chord.Root, chord.Quality, chord.Bass));
        Assert.Equal(["6"], chord.Extensions);
        var encoded = ChordLabel.Encode("G:maj(6)/5");
        Assert.Equal(7, encoded.Root);
        Assert.Equal((1 << 0) | (1 << 4) | (1 << 7) | (1 << 9), encoded.Semitones);
        Assert.Equal(7, encoded.Bass);
        // A:min(*b3) omits the minor third; C:9 ignores the ninth unless extended chords are reduced.
        Assert.False(ChordLabel.Encode("A:min(*b3)").Has(3));
        Assert.Equal(ChordLabel.Encode("C:7").Semitones, ChordLabel.Encode("C:9").Semitones);
        Assert.True(ChordLabel.Encode("C:9", reduceExtendedChords: true).Has(2));
        Assert.Equal(new EncodedChord(-1, 0, -1, true), ChordLabel.Encode("X"));
        Assert.Contains("'H:maj'", Assert.Throws<AnnotationException>(() => ChordLabel.Encode("H:maj")).Message);
        Assert.Contains("aug7", Assert.Throws<AnnotationException>(() => ChordLabel.Encode("C:aug7")).Message);
    }

    [Fact]
    public void ChordVocabulariesOnOnePair()
    {
        // Reference C:maj7, estimate C:maj: same root and third and triad, different tetrad; mirex counts 3 shared notes.
        string[] r = ["C:maj7"], e = ["C:maj"];
        Assert.Equal([1.0], ChordEvaluation.Compare("thirds", r, e));
        Assert.Equal([1.0], ChordEvaluation.Compare("triads", r, e));
        Assert.Equal([0.0], ChordEvaluation.Compare("tetrads", r, e));
        Assert.Equal([1.0], ChordEvaluation.Compare("mirex", r, e));
        // majmin leaves a maj7 reference out (−1); sevenths scores it and finds the estimate wrong.
        Assert.Equal([1.0], ChordEvaluation.Compare("majmin", r, e));
        Assert.Equal([0.0], ChordEvaluation.Compare("sevenths", r, e));
        Assert.Equal([-1.0], ChordEvaluation.Compare("majmin", ["C:sus4"], e));
        Assert.Equal([-1.0], ChordEvaluation.Compare("root", ["X"], e));
    }

    [Fact]
    public void ChordEstimateIsPaddedWithNoChord()
    {
        // Reference C:maj over 0–10 s, estimate C:maj over 0–5 s only: the estimate is padded with N to 10 s, so the
        // root score is 5/10 = 0.5.
        var reference = new LabeledIntervals([new(0, 10)], ["C:maj"]);
        var estimated = new LabeledIntervals([new(0, 5)], ["C:maj"]);
        Assert.Equal(0.5, ChordEvaluation.Evaluate(reference, estimated)["root"], 12);
    }

    [Fact]
    public void SegmentsMustEndTogetherAndIntervalsMustBePositive()
    {
        var a = new LabeledIntervals([new(0, 10)], ["A"]);
        var b = new LabeledIntervals([new(0, 12)], ["A"]);
        Assert.Contains("end times", Assert.Throws<AnnotationException>(() => SegmentEvaluation.Pairwise(a, b)).Message);
        var zero = new LabeledIntervals([new(0, 0)], ["A"]);
        Assert.Contains("positive duration", Assert.Throws<AnnotationException>(() => SegmentEvaluation.Detection(zero.Intervals, a.Intervals)).Message);
    }

    [Fact]
    public void MelodyVoicingIsCheckedAndEmptyMelodyRejected()
    {
        var reference = new TimeSeries([0, 0.01, 0.02], [100, 100, 0]);
        Assert.Throws<AnnotationException>(() => MelodyEvaluation.Evaluate(reference, new TimeSeries([], [])));
        // An estimate one octave up: raw pitch 0, raw chroma 1 on the two voiced frames.
        var octave = MelodyEvaluation.Evaluate(reference, new TimeSeries([0, 0.01, 0.02], [200, 200, 0]));
        Assert.Equal(0.0, octave["raw_pitch_accuracy"]);
        Assert.Equal(1.0, octave["raw_chroma_accuracy"]);
        Assert.Equal(1.0 / 3.0, octave["overall_accuracy"], 12);
    }
}
