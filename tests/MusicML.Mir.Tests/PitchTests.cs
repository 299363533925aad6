using MusicML.Core;
using MusicML.Mir.Pitch;

namespace MusicML.Mir.Tests;

public class PitchTests
{
    // 0.5 s silence, A3 (220 Hz) for 1 s, 0.5 s silence, E5 (659.26 Hz) for 1 s, 0.5 s silence.
    private static float[] TwoNotes()
    {
        var audio = new float[(int)(3.5 * ToneSynth.SampleRate)];
        ToneSynth.AddTone(audio, 220.0, 0.5, 1.5, 0.3f, 4);
        ToneSynth.AddTone(audio, ToneSynth.MidiToHz(76), 2.0, 3.0, 0.3f, 4);
        return audio;
    }

    private static void AssertTrack(PitchTrack track)
    {
        // Inside each note (away from its 50 ms edges) every frame is voiced and within 10 cents of the true F0;
        // in the middle of each silence every frame is unvoiced with F0 0.
        for (int t = 0; t < track.Count; t++)
        {
            double time = track.Times[t];
            double? truth = time is > 0.6 and < 1.4 ? 220.0 : time is > 2.1 and < 2.9 ? ToneSynth.MidiToHz(76) : null;
            if (truth is { } f)
            {
                Assert.True(track.Voiced[t], $"frame at {time:F3} s should be voiced");
                Assert.InRange(1200 * Math.Log2(track.Frequencies[t] / f), -10, 10);
            }
            else if (time is > 0.1 and < 0.35 or > 1.65 and < 1.85 or > 3.2 and < 3.4)
            {
                Assert.False(track.Voiced[t], $"frame at {time:F3} s should be unvoiced");
                Assert.Equal(0, track.Frequencies[t]);
            }
        }
    }

    [Fact]
    public void Yin_tracks_harmonic_tones_and_silence() => AssertTrack(Yin.Estimate(TwoNotes()));

    [Fact]
    public void PYin_tracks_harmonic_tones_and_silence()
    {
        var track = PYin.Estimate(TwoNotes());
        AssertTrack(track);
        // Frames are centred every hopLength = 512 samples (librosa's default for frameLength 2048).
        Assert.Equal(512.0 / ToneSynth.SampleRate, track.Times[1], 1e-12);
    }

    [Fact]
    public void Bad_parameters_name_the_value()
    {
        var audio = TwoNotes();
        Assert.Contains("fMax", Assert.Throws<MusicMLException>(() => Yin.Estimate(audio, fMin: 500, fMax: 400)).Message);
        Assert.Contains("too short", Assert.Throws<MusicMLException>(() => PYin.Estimate(audio, fMin: 20, frameLength: 512)).Message);
        Assert.Contains("switchProbability", Assert.Throws<MusicMLException>(() => PYin.Estimate(audio, switchProbability: 0)).Message);
        Assert.Contains("empty", Assert.Throws<MusicMLException>(() => Yin.Estimate(Array.Empty<float>())).Message);
    }
}

public class PitchRealRecordingTests
{
    [Fact]
    public void PYin_follows_the_annotated_notes_of_vocadito()
    {
        // vocadito_1: 33 s of solo singing with note annotations (onset offset pitch_hz). The reference is the notes
        // sampled every 10 ms (0 Hz between notes); vibrato and glides count against us, so these are floors for a
        // contour tracker, not its true accuracy. Measured: pYIN voicing recall 0.974, raw pitch accuracy 0.848,
        // overall 0.809.
        var audio = MusicML.Audio.AudioFile.Load(MusicML.TestSupport.SharedData.Path("eval", "real", "vocadito_1.wav"));
        var notes = File.ReadAllLines(MusicML.TestSupport.SharedData.Path("eval", "real", "vocadito_1.notes"))
            .Select(l => l.Split(' ').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var times = Enumerable.Range(0, (int)(audio.Duration / 0.01)).Select(i => i * 0.01).ToArray();
        var reference = times.Select(t => notes.FirstOrDefault(n => n[0] <= t && t < n[1])?[2] ?? 0).ToArray();
        var track = PYin.Estimate(audio.ToMono(), audio.SampleRate);
        var scores = MusicML.Evaluation.MelodyEvaluation.Evaluate(
            new MusicML.Evaluation.Annotations.TimeSeries(times, reference),
            new MusicML.Evaluation.Annotations.TimeSeries(track.Times, track.Frequencies));
        Assert.True(scores["voicing_recall"] >= 0.96, $"voicing recall {scores["voicing_recall"]:F3}");
        Assert.True(scores["raw_pitch_accuracy"] >= 0.83, $"raw pitch accuracy {scores["raw_pitch_accuracy"]:F3}");
        Assert.True(scores["overall_accuracy"] >= 0.79, $"overall accuracy {scores["overall_accuracy"]:F3}");
    }
}
