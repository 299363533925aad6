using System.Globalization;
using MusicML.Audio;
using MusicML.Evaluation;
using MusicML.Evaluation.Annotations;
using MusicML.Mir.Analysis;
using MusicML.TestSupport;
using Xunit.Abstractions;

namespace MusicML.Mir.Tests;

/// <summary>
/// Recordings tuned near ±50 cents sit where the reference pitch is ambiguous: +52 cents above C is also 48 cents
/// below C#. Whichever reference the estimate picks, key, chords and the reported tuning must describe the same
/// sounding pitches (the key one semitone up exactly when the tuning wrapped to the other side), and every task must
/// take the same estimate: before, <c>musicml tuning</c> (librosa's estimate on a 2048-point STFT, histogram ends kept
/// apart) could say +49 where <c>analyze</c> (4096 points) keyed the chroma at −50, a semitone away.
/// </summary>
public class TuningWrapAroundTests(ITestOutputHelper output)
{
    private static readonly string[] Sharps = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
    private static readonly string[] Names = ["C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb", "B"];
    private static readonly int[] Classes = [0, 1, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 8, 9, 10, 10, 11];

    [Theory]
    [InlineData("synth_000")]
    [InlineData("synth_013")]
    [InlineData("synth_027")]
    public void Key_chords_and_tuning_agree_on_either_side_of_the_wrap(string id)
    {
        var folder = SharedData.Path("eval", "synth");
        var audio = AudioFile.Load(Path.Combine(folder, id + ".wav"));
        var y = audio.ToMono();
        var truth = AnnotationFiles.ReadLabeledIntervals(Path.Combine(folder, id + ".chords.lab"));
        var analyzer = new Analyzer { Tasks = AnalysisTasks.Tuning | AnalysisTasks.Key | AnalysisTasks.Chords };
        var original = analyzer.Analyze(y, audio.SampleRate);
        double ownCents = original.TuningCents!.Value;
        double originalMajmin = Majmin(truth, original, 0, 1.0);

        foreach (int shift in new[] { 45, 48, 50, 52, 55 })
        {
            // Read as if recorded at a rate 2^(shift/1200) higher and resampled back: every pitch rises by `shift`
            // cents and every time shrinks by the same factor (about 3 %), so the chord annotation is scaled with it.
            int playedRate = (int)Math.Round(audio.SampleRate * Math.Pow(2, shift / 1200.0));
            var shifted = Resampler.Resample(y, playedRate, audio.SampleRate);
            double timeScale = (double)audio.SampleRate / playedRate;
            var result = analyzer.Analyze(shifted, audio.SampleRate);
            double cents = result.TuningCents!.Value;
            double sounding = ownCents + shift;
            // The reference moved up by `semitones` (0 or 1) exactly when the estimate wrapped.
            int semitones = (int)Math.Round((sounding - cents) / 100);
            double majmin = Majmin(truth, result, semitones, timeScale);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{id} +{shift} cents: tuning {cents:F1} (sounding {sounding:F1}), reference +{semitones}, key {result.Key!.Label}, chords majmin {majmin:F3} (unshifted {originalMajmin:F3})"));
            // The estimate is the sounding tuning on the circle, to the histogram's few cents.
            Assert.InRange(sounding - 100 * semitones - cents, -3, 3);
            Assert.InRange(semitones, 0, 1);
            Assert.Equal((original.Key!.Tonic + semitones) % 12, result.Key.Tonic);
            Assert.Equal(original.Key.Mode, result.Key.Mode);
            // Resampling and the shifted CQT grid cost little: measured within 0.02 of the unshifted clip.
            Assert.True(majmin >= originalMajmin - 0.03, $"{id} +{shift}: chords majmin {majmin:F3} against {originalMajmin:F3} unshifted");
        }
    }

    [Fact]
    public void Every_path_gives_the_same_tuning()
    {
        // The streamed file analysis (musicml tuning, key, chords, analyze) and the in-memory one must give one figure.
        var path = SharedData.Path("eval", "real", "brid_0001_samba.wav");
        var streamed = new Analyzer { Tasks = AnalysisTasks.Tuning }.Analyze(path).TuningCents!.Value;
        var audio = AudioFile.Load(path, 22050, mono: true);
        var whole = new Analyzer { Tasks = AnalysisTasks.Tuning }.Analyze(audio.Channel(0), audio.SampleRate).TuningCents!.Value;
        double chroma = 100 * Chroma.CqtChroma.EstimateTuning(audio.Channel(0), audio.SampleRate);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"streamed {streamed:F2}, whole {whole:F2}, CqtChroma {chroma:F2}"));
        Assert.Equal(whole, streamed, 1e-9);
        Assert.Equal(chroma, whole, 1e-9);
    }

    /// <summary>
    /// Chord majmin of <paramref name="result"/> against the ground truth moved up <paramref name="semitones"/>, its
    /// times multiplied by <paramref name="timeScale"/>.
    /// </summary>
    private static double Majmin(LabeledIntervals truth, AnalysisResult result, int semitones, double timeScale)
    {
        var moved = new LabeledIntervals(truth.Intervals.Select(i => new TimeInterval(i.Start * timeScale, i.End * timeScale)).ToArray(),
            truth.Labels.Select(label => Transpose(label, semitones)).ToArray());
        var estimated = new LabeledIntervals(result.Chords.Select(c => new TimeInterval(c.Start, c.End)).ToArray(), result.Chords.Select(c => c.Label).ToArray());
        return ChordEvaluation.Evaluate(moved, estimated)["majmin"];
    }

    private static string Transpose(string label, int semitones)
    {
        int colon = label.IndexOf(':');
        if (colon < 0) return label; // N or X
        int root = Classes[Array.IndexOf(Names, label[..colon])];
        return Sharps[(root + semitones) % 12] + label[colon..];
    }
}
