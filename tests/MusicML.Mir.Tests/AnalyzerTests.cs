using System.Globalization;
using MusicML.Audio;
using MusicML.Core;
using MusicML.Mir.Analysis;
using MusicML.TestSupport;
using Xunit.Abstractions;

namespace MusicML.Mir.Tests;

/// <summary>
/// The one-pass <see cref="Analyzer"/> on the generated clips in audio-samples/ (exact ground truth written by
/// audio-samples/generate.cs) and on bad input. Figures quoted are those measured when the floors were set.
/// </summary>
public class AnalyzerTests(ITestOutputHelper output)
{
    private static string Sample(string name) => Path.Combine(SharedData.RepoRoot, "audio-samples", name);

    private static double[] ReadTimes(string path) =>
        File.ReadAllLines(path).Where(l => l.Trim().Length > 0).Select(l => double.Parse(l.Split()[0], CultureInfo.InvariantCulture)).ToArray();

    /// <summary>mir_eval's F-measure with greedy matching inside ±<paramref name="window"/> seconds (exact for sorted events on a line).</summary>
    private static double FMeasure(IReadOnlyList<double> reference, IReadOnlyList<double> estimate, double window)
    {
        if (reference.Count == 0 || estimate.Count == 0) return 0;
        int i = 0, j = 0, hits = 0;
        while (i < reference.Count && j < estimate.Count)
        {
            if (Math.Abs(reference[i] - estimate[j]) <= window) { hits++; i++; j++; }
            else if (reference[i] < estimate[j]) i++;
            else j++;
        }
        double p = (double)hits / estimate.Count, r = (double)hits / reference.Count;
        return hits == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>Fraction of the annotated time where the estimated chord label equals the reference label exactly.</summary>
    private static double ChordOverlap(string labPath, IReadOnlyList<Chords.ChordSegment> estimate)
    {
        var reference = File.ReadAllLines(labPath).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split()).Select(p => (Start: double.Parse(p[0], CultureInfo.InvariantCulture), End: double.Parse(p[1], CultureInfo.InvariantCulture), Label: p[2])).ToArray();
        double agree = 0, total = 0;
        foreach (var r in reference)
        {
            total += r.End - r.Start;
            foreach (var e in estimate)
                if (e.Label == r.Label) agree += Math.Max(0, Math.Min(r.End, e.End) - Math.Max(r.Start, e.Start));
        }
        return agree / total;
    }

    // Downbeats are checked where the bar tracker has harmonic changes and bass on the bar lines to go by (measured
    // downbeat F 1.000 on both); on the drum loop (kick on 1 and 3) and the unaccompanied melody it found beats
    // (F 1.000 / 0.968) but not the bar phase (downbeat F 0.000 / 0.222, the melody read as 3/4), so there only the
    // beats are asserted.
    /// <summary>
    /// The default analysis (learned rhythm) on the generated clips, and the DSP rhythm path on all of them. The one
    /// exception, recorded in docs/accuracy.md: the learned path reads chords_C_major_150bpm (block chords only, no
    /// drums) at 75 BPM, half the score tempo (its beat comb cannot tell the beat from every other beat, and the beat
    /// network's weak beats are weaker), so that clip runs on the DSP path only.
    /// </summary>
    [Theory]
    [InlineData("band_A_minor_100bpm", "A minor", true, true)]
    [InlineData("band_A_minor_100bpm", "A minor", true, false)]
    [InlineData("chords_C_major_150bpm", "C major", true, false)]
    [InlineData("melody_G_major_100bpm", "G major", false, true)]
    [InlineData("melody_G_major_100bpm", "G major", false, false)]
    [InlineData("drums_bass_120bpm", null, false, true)]
    [InlineData("drums_bass_120bpm", null, false, false)]
    public void GeneratedClipsGetTheirTempoBeatsMeterAndKey(string clip, string? key, bool checkBars, bool learned)
    {
        var analyzer = learned ? new Analyzer() : new Analyzer { Rhythm = new RhythmAnalyzer { Network = null } };
        Assert.Equal(learned, analyzer.Rhythm.Network is not null);
        var result = analyzer.Analyze(Sample(clip + ".wav"));
        double tempo = double.Parse(File.ReadAllText(Sample(clip + ".tempo")).Trim(), CultureInfo.InvariantCulture);
        var beats = ReadTimes(Sample(clip + ".beats"));
        var downbeats = ReadTimes(Sample(clip + ".downbeats"));
        var onsets = ReadTimes(Sample(clip + ".onsets"));
        double beatF = FMeasure(beats, result.Beats, 0.07), downbeatF = FMeasure(downbeats, result.Downbeats, 0.07), onsetF = FMeasure(onsets, result.Onsets, 0.05);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{clip}: T1 {result.Tempo?.Tempo1:F1} (truth {tempo}), T2 {result.Tempo?.Tempo2:F1}, S {result.Tempo?.Strength:F2}, meter {result.Meter}, beat F {beatF:F3}, downbeat F {downbeatF:F3}, onset F {onsetF:F3}, key {result.Key?.Label} ({result.Key?.Confidence:F2}), tuning {result.TuningCents:F1} c, {result.Chords.Count} chords"));

        Assert.Equal(AnalysisTasks.All, result.Tasks);
        Assert.Equal(22050, result.SampleRate);
        Assert.InRange(result.Duration, 11, 15);
        // Tempo within mir_eval's 8 % tolerance of the score tempo (the clips are metronomic, so T1 lands within 1 %).
        Assert.InRange(result.Tempo!.Value.Tempo1, 0.92 * tempo, 1.08 * tempo);
        // Beats and downbeats are the score times; a beat tracker on these clean clips hits all or all but the first.
        Assert.True(beatF >= 0.9, $"beat F-measure {beatF:F3}");
        Assert.All(result.Downbeats, d => Assert.Contains(d, result.Beats));
        Assert.NotNull(result.BeatsPerBar);
        if (checkBars)
        {
            Assert.True(downbeatF >= 0.9, $"downbeat F-measure {downbeatF:F3}");
            Assert.Equal("4/4", result.Meter);
        }
        Assert.True(onsetF >= 0.85, $"onset F-measure {onsetF:F3}");
        // The generator tunes to A4 = 440 Hz, so the tuning estimate is within a few cents of 0.
        Assert.InRange(result.TuningCents!.Value, -10, 10);
        if (key is not null) Assert.Equal(key, result.Key!.Label);
        Assert.Equal(0, result.Chords[0].Start);
        Assert.Equal(result.Duration, result.Chords[^1].End, 6);
        // Sections tile the clip without gaps (a 12 s clip with a 6 s novelty kernel has one or two of them).
        Assert.Equal(0, result.Segments[0].Start);
        Assert.Equal(result.Duration, result.Segments[^1].End, 6);
        for (int i = 1; i < result.Segments.Count; i++) Assert.Equal(result.Segments[i - 1].End, result.Segments[i].Start);
        Assert.Null(result.Spectrogram);
    }

    [Theory]
    // Measured: 0.981 on the block chords in C; 0.689 on the band clip, where the E7 is read as E:maj (its seventh
    // is soft under the drums) and two short passing chords appear at the changes.
    [InlineData("band_A_minor_100bpm", 0.65)]
    [InlineData("chords_C_major_150bpm", 0.95)]
    public void ChordsMatchTheScore(string clip, double floor)
    {
        var result = new Analyzer { Tasks = AnalysisTasks.Chords }.Analyze(Sample(clip + ".wav"));
        double overlap = ChordOverlap(Sample(clip + ".chords.lab"), result.Chords);
        output.WriteLine($"{clip}: exact-label overlap {overlap:F3}: " + string.Join(" ", result.Chords.Select(c => $"{c.Start:F2}-{c.End:F2}:{c.Label}")));
        Assert.True(overlap >= floor, $"chord label overlap {overlap:F3} < {floor}");
    }

    [Fact]
    public void OnlyTheSelectedTasksAndTheirPrerequisitesRun()
    {
        var y = AudioFile.Load(Sample("drums_bass_120bpm.wav")).Channel(0);
        var keyOnly = new Analyzer { Tasks = AnalysisTasks.Key }.Analyze(y, 22050);
        Assert.Equal(AnalysisTasks.Key, keyOnly.Tasks);
        Assert.Null(keyOnly.Tempo);
        Assert.Empty(keyOnly.Beats);
        Assert.Empty(keyOnly.Onsets);
        Assert.Empty(keyOnly.Chords);
        Assert.Empty(keyOnly.Segments);
        Assert.Null(keyOnly.TuningCents);
        Assert.NotNull(keyOnly.Key); // the drum-and-bass loop has no annotated key, only that it has pitched content
        var profileOnly = new Analyzer { Tasks = AnalysisTasks.Key | AnalysisTasks.Segments, KeyMethod = Key.KeyMethod.Profile }.Analyze(y, 22050);
        Assert.NotNull(profileOnly.Key);
        Assert.NotEmpty(profileOnly.Segments);

        var downbeats = new Analyzer { Tasks = AnalysisTasks.Downbeats, KeepSpectrogram = true }.Analyze(y, 22050);
        Assert.Equal(AnalysisTasks.Downbeats | AnalysisTasks.Beats | AnalysisTasks.Tempo, downbeats.Tasks);
        Assert.NotEmpty(downbeats.Downbeats);
        Assert.All(downbeats.Downbeats, d => Assert.Contains(d, downbeats.Beats));
        Assert.Null(downbeats.Key);
        var spectrogram = downbeats.Spectrogram!;
        Assert.Equal(22050.0 / 220, spectrogram.FrameRate, 6); // a 10 ms hop, rounded to 220 samples
        Assert.Equal(spectrogram.Values.Rows, spectrogram.BandFrequencies.Count);
    }

    [Fact]
    public void SilenceHasNoKeyNoBeatsAndNoError()
    {
        var result = new Analyzer().Analyze(new float[22050 * 3], 22050);
        Assert.Null(result.Key);
        Assert.Empty(result.Onsets);
        Assert.Empty(result.Beats);
        Assert.All(result.Chords, c => Assert.Equal("N", c.Label));
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var analyzer = new Analyzer();
        Assert.Contains("empty", Assert.Throws<MusicMLException>(() => analyzer.Analyze([], 22050)).Message);
        var y = new float[22050];
        y[1234] = float.NaN;
        Assert.Contains("sample 1234 is", Assert.Throws<MusicMLException>(() => analyzer.Analyze(y, 22050)).Message);
        Assert.Contains("-5", Assert.Throws<MusicMLException>(() => analyzer.Analyze(new float[100], -5)).Message);
        var missing = Path.Combine(Path.GetTempPath(), "musicml-no-such-file.wav");
        Assert.Contains(missing, Assert.ThrowsAny<MusicMLException>(() => analyzer.Analyze(missing)).Message);
        var badChords = analyzer with { Chords = new Chords.ChordOptions { ChangeRatePerSecond = 2 } };
        Assert.Contains("ChangeRatePerSecond", Assert.Throws<MusicMLException>(() => badChords.Analyze(new float[22050], 22050)).Message);
    }

    [Fact]
    public void ErrorsAboutAFileCarryItsPathOnce()
    {
        // A missing file is named by the decoder; a setting refused while analysing a file is wrapped once with the
        // file's path, and both carry it as FilePath rather than only as a message prefix.
        var analyzer = new Analyzer();
        var missing = Path.Combine(Path.GetTempPath(), "musicml-no-such-file.wav");
        Assert.Equal(missing, Assert.ThrowsAny<MusicMLException>(() => analyzer.Analyze(missing)).FilePath);
        var path = Path.Combine(Path.GetTempPath(), $"musicml-filepath-{Environment.ProcessId}.wav");
        try
        {
            var tone = new float[22050];
            for (int i = 0; i < tone.Length; i++) tone[i] = 0.5f * MathF.Sin(2 * MathF.PI * 440 * i / 22050);
            MusicML.Audio.WavWriter.Write(path, new MusicML.Audio.AudioBuffer([tone], 22050));
            var badChords = analyzer with { Chords = new Chords.ChordOptions { ChangeRatePerSecond = 2 } };
            var e = Assert.Throws<MusicMLException>(() => badChords.Analyze(path));
            Assert.Equal(path, e.FilePath);
            Assert.StartsWith($"{path}: ", e.Message);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(e.Message, System.Text.RegularExpressions.Regex.Escape(path)));
            Assert.Contains("ChangeRatePerSecond", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
