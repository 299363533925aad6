using System.Globalization;
using MusicML.Evaluation;
using MusicML.Evaluation.Annotations;
using MusicML.Mir.Onsets;
using Xunit.Abstractions;

namespace MusicML.Mir.Tests;

/// <summary>
/// Accuracy over the 40 synthetic clips of ../shared/eval/synth with mir_eval's definitions (MusicML.Evaluation),
/// asserted against floors just below the figures measured when the algorithms were committed; docs/accuracy.md
/// keeps the table. The clips are decoded and analysed once (SynthCorpus), so the whole class takes seconds.
/// </summary>
public class SynthAccuracyTests(ITestOutputHelper output)
{
    /// <summary>The DSP path (onset activations, harmonic-rhythm bar tracker): the figures of the DSP row of docs/accuracy.md.</summary>
    private static readonly Lazy<RhythmAnalysis[]> Analyses = new(() =>
        SynthCorpus.Clips.AsParallel().AsOrdered().Select(c => new RhythmAnalyzer { Network = null }.Analyze(c.Spectrogram)).ToArray());

    /// <summary>The default, learned path (the bundled beat network).</summary>
    private static readonly Lazy<RhythmAnalysis[]> LearnedAnalyses = new(() =>
        SynthCorpus.Clips.AsParallel().AsOrdered().Select(c => new RhythmAnalyzer().Analyze(c.Spectrogram)).ToArray());

    /// <summary>Mean Accuracy1 and Accuracy2 of <paramref name="analyses"/> (one line per clip to the output).</summary>
    private (double Accuracy1, double Accuracy2) Tempo(RhythmAnalysis[] analyses)
    {
        double a1 = 0, a2 = 0;
        for (int i = 0; i < SynthCorpus.Clips.Count; i++)
        {
            var clip = SynthCorpus.Clips[i];
            double reference = double.Parse(File.ReadAllText(clip.Annotation(".tempo")).Trim(), CultureInfo.InvariantCulture);
            double estimated = analyses[i].Tempo.Tempo1;
            a1 += TempoEvaluation.Accuracy1(reference, estimated);
            a2 += TempoEvaluation.Accuracy2(reference, estimated);
            output.WriteLine($"{clip.Id}: reference {reference:F1} BPM, estimated {estimated:F1} BPM");
        }
        int n = SynthCorpus.Clips.Count;
        output.WriteLine($"tempo: Accuracy1 = {a1 / n:F3}, Accuracy2 = {a2 / n:F3}");
        return (a1 / n, a2 / n);
    }

    /// <summary>Mean beat F, CMLt, downbeat F and meter accuracy of <paramref name="analyses"/>.</summary>
    private (double F, double Cmlt, double DownbeatF, double Meter) Beats(RhythmAnalysis[] analyses)
    {
        double f = 0, cmlt = 0, downF = 0, meter = 0;
        for (int i = 0; i < SynthCorpus.Clips.Count; i++)
        {
            var clip = SynthCorpus.Clips[i];
            var beats = AnnotationFiles.ReadEvents(clip.Annotation(".beats"));
            var downbeats = AnnotationFiles.ReadEvents(clip.Annotation(".downbeats"));
            var analysis = analyses[i];
            var scores = BeatEvaluation.Evaluate(beats, analysis.Beats);
            f += scores["f_measure"];
            cmlt += scores["cmlt"];
            downF += BeatEvaluation.FMeasure(BeatEvaluation.TrimBeats(downbeats), BeatEvaluation.TrimBeats(analysis.Downbeats));
            int referenceMeter = (int)Math.Round((double)beats.Length / downbeats.Length);
            meter += analysis.Bars.BeatsPerBar == referenceMeter ? 1 : 0;
        }
        int n = SynthCorpus.Clips.Count;
        output.WriteLine($"beats: F = {f / n:F3}, CMLt = {cmlt / n:F3}; downbeats: F = {downF / n:F3}; meter accuracy {meter / n:F3}");
        return (f / n, cmlt / n, downF / n, meter / n);
    }

    [Fact]
    public void OnsetFMeasure()
    {
        var scores = SynthCorpus.Clips.AsParallel().AsOrdered().Select(clip =>
            OnsetEvaluation.FMeasure(AnnotationFiles.ReadEvents(clip.Annotation(".onsets")), OnsetDetector.Detect(clip.Spectrogram))).ToArray();
        double f = scores.Average(s => s.FMeasure);
        output.WriteLine($"onsets: F = {f:F4}, P = {scores.Average(s => s.Precision):F4}, R = {scores.Average(s => s.Recall):F4}");
        // Measured 0.9765 (P 0.972, R 0.983); madmom scores 0.954 here and the target is 0.95.
        Assert.True(f >= 0.97, $"onset F {f:F4} fell below 0.97");
    }

    [Fact]
    public void TempoAccuracy()
    {
        var (a1, a2) = Tempo(Analyses.Value);
        // Measured Accuracy1 0.950 and Accuracy2 1.000. The misses are two of the four 64-BPM clips of g09 (eighth notes
        // in every part), read at 128: there the chords also change on half bars, so the bass changes every 4 tracked
        // eighths and the harmonic-rhythm check (HarmonicRhythm) rightly cannot call them subdivisions. Without the
        // check all four miss (0.900).
        Assert.True(a1 >= 0.945, $"Accuracy1 {a1:F3} fell below 0.945");
        Assert.True(a2 >= 0.995, $"Accuracy2 {a2:F3} fell below 0.995");
    }

    [Fact]
    public void BeatAndDownbeatScores()
    {
        var (f, cmlt, downF, meter) = Beats(Analyses.Value);
        // Measured beats F 0.984 / CMLt 0.950 (madmom 0.938 / 0.867), downbeat F 0.983, meter 40/40; the losses are the
        // two g09 clips still tracked at the eighth-note level (F ≈ 0.68, CMLt 0).
        Assert.True(f >= 0.98, $"beat F {f:F3} fell below 0.98");
        Assert.True(cmlt >= 0.945, $"beat CMLt {cmlt:F3} fell below 0.945");
        Assert.True(downF >= 0.975, $"downbeat F {downF:F3} fell below 0.975");
        Assert.True(meter >= 0.97, $"meter accuracy {meter:F3} fell below 0.97");
    }

    [Fact]
    public void LearnedTempoBeatsAndDownbeats()
    {
        var (a1, a2) = Tempo(LearnedAnalyses.Value);
        var (f, cmlt, downF, meter) = Beats(LearnedAnalyses.Value);
        // Measured with the bundled network (2026-12-04): Accuracy1 0.975, Accuracy2 1.000, beat F 0.992, CMLt 0.975,
        // downbeat F 0.993, meter 40/40 — each at or above the DSP path's figures above (0.950, 1.000, 0.984, 0.950,
        // 0.983, 40/40). None of these clips was used to train or select the network.
        Assert.True(a1 >= 0.97, $"Accuracy1 {a1:F3} fell below 0.97");
        Assert.True(a2 >= 0.995, $"Accuracy2 {a2:F3} fell below 0.995");
        Assert.True(f >= 0.985, $"beat F {f:F3} fell below 0.985");
        Assert.True(cmlt >= 0.97, $"beat CMLt {cmlt:F3} fell below 0.97");
        Assert.True(downF >= 0.985, $"downbeat F {downF:F3} fell below 0.985");
        Assert.True(meter >= 0.97, $"meter accuracy {meter:F3} fell below 0.97");
    }
}
