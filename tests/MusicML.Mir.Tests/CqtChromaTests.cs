using MusicML.Core;
using MusicML.Dsp;
using MusicML.Mir.Chroma;
using Xunit.Abstractions;

namespace MusicML.Mir.Tests;

public class CqtChromaTests(ITestOutputHelper output)
{
    private const int SampleRate = ToneSynth.SampleRate;

    private static float[] Sines(double seconds, params double[] frequencies)
    {
        var audio = new float[(int)(seconds * SampleRate)];
        foreach (var f in frequencies) ToneSynth.AddTone(audio, f, 0, seconds, 0.2f, partials: 1);
        return audio;
    }

    private static float[] Column(FloatMatrix chroma, int frame)
    {
        var column = new float[12];
        chroma.CopyColumn(frame, column);
        return column;
    }

    [Fact]
    public void Detuned_A_major_triad_lands_on_A_C_sharp_and_E()
    {
        // A3, C#4, E4 played 30 cents sharp: the estimated tuning must be +0.30 semitones (within the 0.01 histogram
        // step plus a little), and with it the triad's pitch classes must hold the treble chroma.
        double sharp = Math.Pow(2, 0.30 / 12);
        var audio = Sines(4, ToneSynth.MidiToHz(57) * sharp, ToneSynth.MidiToHz(61) * sharp, ToneSynth.MidiToHz(64) * sharp);
        var chroma = CqtChroma.Compute(audio, SampleRate);
        Assert.InRange(chroma.Tuning, 0.28, 0.32);
        var treble = Column(chroma.Treble, chroma.FrameCount / 2);
        output.WriteLine(string.Join(" ", treble.Select(v => v.ToString("F2"))));
        float onChord = new[] { treble[9], treble[1], treble[4] }.Min();
        float offChord = treble.Where((_, pc) => pc is not (9 or 1 or 4)).Max();
        // Measured 4.42 against 0.55: a neighbouring semitone's centre bin is three bins off, beyond the Hann main lobe.
        Assert.True(onChord > 5 * offChord, $"chord tones {onChord}, loudest other pitch class {offChord}");

        // Without the correction each note sits 0.9 CQT bins off its centre bin, nearer the next semitone's, so more of
        // it leaks into the neighbouring pitch classes (measured 0.87 against 0.55).
        var untuned = Column(CqtChroma.Compute(audio, SampleRate, tuning: 0).Treble, chroma.FrameCount / 2);
        output.WriteLine(string.Join(" ", untuned.Select(v => v.ToString("F2"))));
        float untunedOffChord = untuned.Where((_, pc) => pc is not (9 or 1 or 4)).Max();
        Assert.True(untunedOffChord > offChord * 1.3f, $"leak without tuning {untunedOffChord}, with {offChord}");
    }

    [Fact]
    public void Bass_semitones_are_resolved_down_to_E1()
    {
        // F1 (43.65 Hz) lies 2.45 Hz from E1 and 2.6 Hz from F#1 — half the bin width of a 4096-point STFT at 22050 Hz.
        // The CQT's 1/36-octave bins must still put it on F and leave its neighbours well below.
        var audio = Sines(6, ToneSynth.MidiToHz(29));
        var chroma = CqtChroma.Compute(audio, SampleRate, tuning: 0);
        var bass = Column(chroma.Bass, chroma.FrameCount / 2);
        output.WriteLine(string.Join(" ", bass.Select(v => v.ToString("F2"))));
        Assert.Equal(5, Array.IndexOf(bass, bass.Max()));
        // Measured F 4.62, E 0.24, F# 0.33 (log-compressed).
        Assert.True(bass[5] > 5 * Math.Max(bass[4], bass[6]), $"F {bass[5]}, E {bass[4]}, F# {bass[6]}");
    }

    [Fact]
    public void Tuning_is_defined_within_a_semitone_so_baroque_A_reads_as_G_sharp()
    {
        // A at 415 Hz (a whole semitone flat) is G#4 of A440 tuning to within 0.7 cents: the estimate is ~0 and the
        // tone is G#, as librosa.estimate_tuning (in [-0.5, 0.5) semitones) would have it.
        var audio = Sines(3, 415.0);
        var chroma = CqtChroma.Compute(audio, SampleRate);
        Assert.InRange(chroma.Tuning, -0.03, 0.03);
        var full = Column(chroma.Full, chroma.FrameCount / 2);
        Assert.Equal(8, Array.IndexOf(full, full.Max()));
    }

    [Fact]
    public void Analyzer_gives_the_same_tuning_with_or_without_the_segment_spectrogram()
    {
        // With segments the Analyzer takes the tuning from the segment STFT instead of a second STFT of the same
        // size; both must give CqtChroma's own estimate exactly (here 30 cents sharp tones).
        double sharp = Math.Pow(2, 0.30 / 12);
        var audio = Sines(4, ToneSynth.MidiToHz(57) * sharp, ToneSynth.MidiToHz(64) * sharp);
        double expected = 100 * CqtChroma.EstimateTuning(audio, SampleRate);
        Assert.InRange(expected, 28, 32);
        var tuningOnly = new Analysis.Analyzer { Tasks = Analysis.AnalysisTasks.Tuning }.Analyze(audio, SampleRate);
        var withSegments = new Analysis.Analyzer { Tasks = Analysis.AnalysisTasks.Tuning | Analysis.AnalysisTasks.Segments }.Analyze(audio, SampleRate);
        Assert.Equal(expected, tuningOnly.TuningCents!.Value, 1e-9);
        Assert.Equal(expected, withSegments.TuningCents!.Value, 1e-9);
    }

    [Fact]
    public void Frames_follow_the_hop()
    {
        var audio = Sines(2, 440);
        var chroma = CqtChroma.Compute(audio, SampleRate, hopLength: 512);
        Assert.Equal(1 + audio.Length / 512, chroma.FrameCount);
        Assert.Equal(512.0 / SampleRate, chroma.FrameDuration, 1e-12);
        Assert.Equal(12, chroma.Bass.Rows);
    }

    [Fact]
    public void Bad_input_names_the_problem()
    {
        Assert.Contains("empty", Assert.Throws<MusicMLException>(() => CqtChroma.Compute(Array.Empty<float>())).Message);
        var nan = Sines(1, 440);
        nan[10] = float.NaN;
        Assert.Contains("finite", Assert.Throws<MusicMLException>(() => CqtChroma.Compute(nan)).Message);
        var audio = Sines(1, 440);
        Assert.Contains("hopLength", Assert.Throws<MusicMLException>(() => CqtChroma.Compute(audio, hopLength: 0)).Message);
        Assert.Contains("0.7", Assert.Throws<MusicMLException>(() => CqtChroma.Compute(audio, tuning: 0.7)).Message);
        Assert.Contains("sampleRate", Assert.Throws<MusicMLException>(() => CqtChroma.Compute(audio, sampleRate: 0)).Message);
        // C7 (2093 Hz) and its filter do not fit below a 2 kHz Nyquist frequency.
        Assert.Contains("4000 Hz is too low", Assert.Throws<MusicMLException>(() => CqtChroma.Compute(audio, sampleRate: 4000)).Message);
    }
}
