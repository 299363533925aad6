using MusicML.Core;
using MusicML.Evaluation;
using MusicML.Mir.Onsets;
using MusicML.Mir.Tempo;

namespace MusicML.Mir.Tests;

/// <summary>The metrical-level check by harmonic rhythm (<see cref="HarmonicRhythm"/>) on constructed signals.</summary>
public class HarmonicRhythmTests
{
    // Bass roots A1, F2, D2, E2: one per bar, four bars per cycle.
    private static readonly double[] Roots = [55.0, 87.31, 73.42, 82.41];

    /// <summary>
    /// A slow 4/4 groove where everything plays eighth notes (as group g09 of the synthetic set): a bass on the chord
    /// root every eighth, the root changing every bar, a broadband hit on every eighth and a louder one on every beat.
    /// </summary>
    private static (float[] Audio, double[] Beats) EighthsEverywhere(double bpm, double duration)
    {
        var y = new float[(int)(duration * TestSignals.SampleRate)];
        var beats = TestSignals.Grid(bpm, 0.5, duration);
        var eighths = TestSignals.Grid(2 * bpm, 0.5, duration);
        for (int i = 0; i < eighths.Length; i++)
            TestSignals.AddBursts(y, [eighths[i]], Roots[i / 8 % Roots.Length], 0.4, decay: 0.12);
        TestSignals.AddClicks(y, eighths, 0.12, seed: 2);
        TestSignals.AddClicks(y, beats, 0.25, seed: 3);
        return (y, beats);
    }

    [Fact]
    public void EighthNotesEverywhereGiveTheBeatTempoNotTwiceIt()
    {
        const double bpm = 66;
        var (y, beats) = EighthsEverywhere(bpm, 24);
        var spectrogram = RhythmSpectrogram.Compute(y, TestSignals.SampleRate);
        // The premise: onsets on every eighth make the comb, with its prior centred on 120 BPM, choose the eighths.
        var comb = new RhythmAnalyzer { CheckMetricalLevel = false }.EstimateTempo(spectrogram);
        Assert.InRange(comb.Tempo1, 2 * bpm * 0.96, 2 * bpm * 1.04);
        // The bass changes every 8 of those eighths (a bar) and never every 3 or 4 (half a bar): they are subdivisions,
        // so the tempo is halved to the beat, within Accuracy1's 4 %, and the beats follow it.
        var analysis = new RhythmAnalyzer().Analyze(spectrogram);
        Assert.InRange(analysis.Tempo.Tempo1, bpm * 0.96, bpm * 1.04);
        Assert.InRange(analysis.Tempo.Tempo2, 2 * bpm * 0.96, 2 * bpm * 1.04);
        Assert.Equal(analysis.Tempo.Tempo1, new RhythmAnalyzer().EstimateTempo(spectrogram).Tempo1);
        // A steady loop: every scored beat (after mir_eval's 5 s) is found, give or take one at the abrupt end.
        Assert.True(BeatEvaluation.FMeasure(beats, analysis.Beats) >= 0.97, $"beat F {BeatEvaluation.FMeasure(beats, analysis.Beats):F3}");
    }

    [Fact]
    public void ABassWithoutHarmonicRhythmLeavesTheTempoAlone()
    {
        // The eighth-note groove with the bass root drawn at random for every eighth: there is no bar to find, the
        // autocorrelation stays inside the white-noise band, and the comb's 132 BPM must not be halved on a guess.
        const double bpm = 66;
        var y = new float[24 * TestSignals.SampleRate];
        var random = new Random(7);
        var eighths = TestSignals.Grid(2 * bpm, 0.5, 24);
        foreach (var time in eighths) TestSignals.AddBursts(y, [time], Roots[random.Next(Roots.Length)], 0.4, decay: 0.12);
        TestSignals.AddClicks(y, eighths, 0.12, seed: 2);
        TestSignals.AddClicks(y, TestSignals.Grid(bpm, 0.5, 24), 0.25, seed: 3);
        var tempo = new RhythmAnalyzer().Analyze(y, TestSignals.SampleRate).Tempo;
        Assert.InRange(tempo.Tempo1, 2 * bpm * 0.96, 2 * bpm * 1.04);
    }

    [Fact]
    public void ChordsChangingEveryBarKeepTheTrackedTempo()
    {
        // The same groove at 120 BPM with the bass on beats instead of eighths: the root changes every 4 tracked beats,
        // a bar, so the comb's tempo is the beat and must stay.
        const double bpm = 120;
        var y = new float[24 * TestSignals.SampleRate];
        var beats = TestSignals.Grid(bpm, 0.5, 24);
        for (int i = 0; i < beats.Length; i++)
            TestSignals.AddBursts(y, [beats[i]], Roots[i / 4 % Roots.Length], 0.4, decay: 0.12);
        TestSignals.AddClicks(y, beats, 0.25, seed: 3);
        var analysis = new RhythmAnalyzer().Analyze(y, TestSignals.SampleRate);
        Assert.InRange(analysis.Tempo.Tempo1, bpm * 0.96, bpm * 1.04);
    }

    [Fact]
    public void BassChangesFollowTheRoots()
    {
        var (y, beats) = EighthsEverywhere(66, 24);
        var spectrogram = RhythmSpectrogram.Compute(y, TestSignals.SampleRate);
        var frames = beats.Select(b => (int)Math.Round(b * spectrogram.FrameRate)).ToArray();
        var changes = HarmonicRhythm.BassChanges(spectrogram, frames);
        Assert.Equal(frames.Length - 2, changes.Length);
        // changes[i] compares beat i + 1 with beat i; the root changes on beats 4, 8, 12, ... (every bar of 4 beats).
        double atBars = changes.Where((_, i) => (i + 1) % 4 == 0).Average();
        double inside = changes.Where((_, i) => (i + 1) % 4 != 0).Average();
        Assert.True(atBars > 4 * inside, $"bass change at bar lines {atBars:F3}, inside bars {inside:F3}");
        // At the beat level the changes repeat every bar (4 beats), so these beats are not subdivisions.
        Assert.False(HarmonicRhythm.IsSubdivision(spectrogram, frames));
    }

    [Fact]
    public void BadBeatFramesNameTheFrame()
    {
        var spectrogram = RhythmSpectrogram.Compute(new float[TestSignals.SampleRate], TestSignals.SampleRate);
        var e = Assert.Throws<MusicMLException>(() => HarmonicRhythm.BassChanges(spectrogram, [0, 10, 5000]));
        Assert.Contains("5000", e.Message);
        e = Assert.Throws<MusicMLException>(() => HarmonicRhythm.BassChanges(spectrogram, [10, 10]));
        Assert.Contains("not after the previous beat", e.Message);
        // Too few beats to measure a two-bar periodicity: no verdict, so the tempo is left alone.
        Assert.False(HarmonicRhythm.IsSubdivision(spectrogram, [0, 20, 40]));
    }
}
