using MusicML.Core;
using MusicML.Evaluation;
using MusicML.Mir.Beats;
using MusicML.Mir.Onsets;
using MusicML.Mir.Tempo;

namespace MusicML.Mir.Tests;

public class TempoAndBeatTests
{
    [Theory]
    [InlineData(72.0)]
    [InlineData(100.0)]
    [InlineData(147.0)]
    public void ClickTrackTempoIsFoundWithinTwoPercent(double bpm)
    {
        var y = new float[20 * TestSignals.SampleRate];
        TestSignals.AddClicks(y, TestSignals.Grid(bpm, 0.5, 20), 0.5);
        var activation = OnsetActivation.Compute(RhythmSpectrogram.Compute(y, TestSignals.SampleRate));
        var tempo = new TempoEstimator().Estimate(activation);
        // Only one periodicity exists; 2 % is well inside the 4 % Accuracy1 tolerance (10 ms frames quantise 147 BPM by 0.3 %).
        Assert.InRange(tempo.Tempo1, bpm * 0.98, bpm * 1.02);
        Assert.InRange(tempo.Strength, 0.5, 1.0);
        Assert.True(Math.Abs(tempo.Tempo2 / tempo.Tempo1 - 1) > 0.08, $"T2 {tempo.Tempo2} must differ from T1 {tempo.Tempo1}");
    }

    [Theory]
    [InlineData("real", "madmom_sample.wav")]
    [InlineData("real", "brid_0001_samba.wav")]
    [InlineData("real", "librosa_trumpet_loop.wav")]
    [InlineData("synth", "synth_005.wav")]
    [InlineData("synth", "synth_036.wav")]
    public void Tempo_alone_and_full_analysis_report_the_tempo_the_beats_follow(string set, string file)
    {
        // `musicml tempo` runs the tempo task alone and `analyze` every task; both must report one tempo, and it is the
        // one the tracked beats follow (60 / median inter-beat interval), not the comb peak the tracker started from.
        var path = TestSupport.SharedData.Path("eval", set, file);
        var alone = new Analysis.Analyzer { Tasks = Analysis.AnalysisTasks.Tempo }.Analyze(path);
        var full = new Analysis.Analyzer { Tasks = Analysis.AnalysisTasks.All }.Analyze(path);
        Assert.Equal(full.Tempo!.Value, alone.Tempo!.Value);
        Assert.Equal(RhythmAnalyzer.TempoOfBeats(full.Beats)!.Value, full.Tempo.Value.Tempo1, 1e-9);
    }

    [Fact]
    public void Tempo_of_beats_is_the_median_interval()
    {
        // One doubled beat (an extra one at 1.25 s) must not move the median interval of a 120 BPM grid.
        Assert.Equal(120.0, RhythmAnalyzer.TempoOfBeats([0.5, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0])!.Value, 1e-9);
        Assert.Null(RhythmAnalyzer.TempoOfBeats([0.5, 1.0, 1.5]));
    }

    [Fact]
    public void UserRangeSelectsTheMetricalLevel()
    {
        var y = new float[20 * TestSignals.SampleRate];
        TestSignals.AddClicks(y, TestSignals.Grid(100, 0.5, 20), 0.5);
        var activation = OnsetActivation.Compute(RhythmSpectrogram.Compute(y, TestSignals.SampleRate));
        // Within 30–70 BPM the strongest periodicity is the half-tempo level, 50 BPM.
        var tempo = new TempoEstimator { MinBpm = 30, MaxBpm = 70 }.Estimate(activation);
        Assert.InRange(tempo.Tempo1, 49, 51);
    }

    [Theory]
    [InlineData(BeatMethod.BarPointer, 96.0)]
    [InlineData(BeatMethod.BarPointer, 131.0)]
    [InlineData(BeatMethod.DynamicProgramming, 96.0)]
    [InlineData(BeatMethod.DynamicProgramming, 131.0)]
    public void BeatsOfADrumLoopMatchTheGrid(BeatMethod method, double bpm)
    {
        var (y, beats, _) = TestSignals.Bars(bpm, 4, 20);
        var analysis = new RhythmAnalyzer { BeatMethod = method }.Analyze(y, TestSignals.SampleRate);
        var scores = BeatEvaluation.Evaluate(beats, analysis.Beats);
        // A steady synthetic loop: every beat after mir_eval's 5 s trim is found; at most one beat at the abrupt end
        // of the loop may be missed or added (F ≥ 0.97 with ~25–35 scored beats).
        Assert.True(scores["f_measure"] >= 0.97, $"F {scores["f_measure"]:F3}");
        Assert.True(scores["cmlt"] >= 0.95, $"CMLt {scores["cmlt"]:F3}");
    }

    /// <summary>
    /// Meter and downbeats of a kick-and-chord bar loop, on the DSP path (the harmonic-rhythm bar tracker) and on the
    /// learned one (the network's downbeat activation). The learned path reads the 150 BPM loop at half tempo (see
    /// docs/accuracy.md), so that loop is checked on the DSP path only.
    /// </summary>
    [Theory]
    [InlineData(3, 110.0, false)]
    [InlineData(4, 110.0, false)]
    [InlineData(3, 84.0, false)]
    [InlineData(4, 150.0, false)]
    [InlineData(3, 110.0, true)]
    [InlineData(4, 110.0, true)]
    [InlineData(3, 84.0, true)]
    public void DownbeatsAndMeterOfABarLoop(int beatsPerBar, double bpm, bool learned)
    {
        var (y, _, downbeats) = TestSignals.Bars(bpm, beatsPerBar, 20);
        var analyzer = learned ? new RhythmAnalyzer() : new RhythmAnalyzer { Network = null };
        Assert.Equal(learned, analyzer.Network is not null);
        var analysis = analyzer.Analyze(y, TestSignals.SampleRate);
        Assert.Equal(beatsPerBar, analysis.Bars.BeatsPerBar);
        // Kick and chord change on every bar line: all downbeats (scored like beats, after 5 s) are found.
        Assert.Equal(1.0, BeatEvaluation.FMeasure(BeatEvaluation.TrimBeats(downbeats), BeatEvaluation.TrimBeats(analysis.Downbeats)), 3);
    }

    [Fact]
    public void BarDecoderFollowsTheEvidencePeriod()
    {
        // Evidence peaks every third beat from beat 1: meter 3, positions 3,1,2,3,1,2,...
        var evidence = Enumerable.Range(0, 30).Select(i => i % 3 == 1 ? 1.0 : -0.5).ToArray();
        var beats = Enumerable.Range(0, 30).Select(i => i * 0.5).ToArray();
        var result = new BarTracker().Decode(beats, evidence);
        Assert.Equal(3, result.BeatsPerBar);
        Assert.Equal([3, 1, 2, 3, 1, 2], result.Positions[..6]);
    }

    [Fact]
    public void SilenceHasNoBeats()
    {
        var analysis = new RhythmAnalyzer().Analyze(new float[10 * TestSignals.SampleRate], TestSignals.SampleRate);
        Assert.Empty(analysis.Beats);
        Assert.Empty(analysis.Downbeats);
        // No periodicity: 0 BPM, which mir_eval reads as "no tempo", instead of the prior's 120.
        Assert.Equal(new TempoEstimate(0, 0, 0), analysis.Tempo);
    }

    [Fact]
    public void InvalidSettingsNameTheValue()
    {
        var activation = new OnsetEnvelope(new float[1000], 100);
        var e = Assert.Throws<MusicMLException>(() => new TempoEstimator { MinBpm = 200, MaxBpm = 100 }.Estimate(activation));
        Assert.Contains("minBpm (200)", e.Message);
        e = Assert.Throws<MusicMLException>(() => new BarPointerBeatTracker { TransitionLambda = -1 }.Track(activation));
        Assert.Contains("TransitionLambda", e.Message);
        e = Assert.Throws<MusicMLException>(() => new DynamicProgrammingBeatTracker().Track(activation, double.NaN));
        Assert.Contains("bpm", e.Message);
        e = Assert.Throws<MusicMLException>(() => new BarTracker { BeatsPerBar = [1] }.Validate());
        Assert.Contains("BeatsPerBar", e.Message);
    }
}
