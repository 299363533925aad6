using System.Globalization;
using MusicML.TestSupport;

namespace MusicML.Audio.Tests;

/// <summary>
/// The committed clips in audio-samples/ keep the promises of their README: format, length, level, and annotations
/// that agree with the audio (the first onset is where the sound starts).
/// </summary>
public class AudioSamplesTests
{
    public static TheoryData<string> Clips => new() { "drums_bass_120bpm", "chords_C_major_150bpm", "melody_G_major_100bpm", "band_A_minor_100bpm" };

    private static double[] Times(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => double.Parse(l.Split(' ')[0], CultureInfo.InvariantCulture)).ToArray();

    [Theory]
    [MemberData(nameof(Clips))]
    public void ClipMatchesItsAnnotations(string name)
    {
        var basePath = SharedData.RepoPath("audio-samples", name);
        var info = AudioFile.GetInfo(basePath + ".wav");
        Assert.Equal(("WAV", "PCM_16", 22050, 1), (info.Format, info.Subtype, info.SampleRate, info.ChannelCount));
        Assert.InRange(info.Duration, 5, 15);

        var y = AudioFile.Load(basePath + ".wav", sampleRate: null).Channel(0);
        // Peak-normalised to -1 dBFS (0.8913), within one 16-bit step.
        Assert.Equal(Math.Pow(10, -1 / 20.0), y.Max(Math.Abs), 1.0 / 32768);

        var onsets = Times(basePath + ".onsets");
        var beats = Times(basePath + ".beats");
        Assert.True(onsets.Zip(onsets.Skip(1)).All(p => p.Second - p.First >= 0.03), "onsets closer than 30 ms");
        Assert.Equal(0.5, onsets[0], 6);
        Assert.Equal(0.5, beats[0], 6);
        // The lead-in is digital silence and the first sound starts at the first onset (within 2 ms of attack).
        int firstSound = Array.FindIndex(y, v => Math.Abs(v) > Math.Pow(10, -45 / 20.0));
        Assert.InRange(firstSound / 22050.0 - onsets[0], 0, 0.002);
        Assert.All(onsets, t => Assert.InRange(t, 0, info.Duration));

        double tempo = double.Parse(File.ReadAllText(basePath + ".tempo"), CultureInfo.InvariantCulture);
        Assert.Equal(60 / tempo, beats[1] - beats[0], 9);
        var downbeats = Times(basePath + ".downbeats");
        Assert.All(downbeats, d => Assert.Contains(beats, b => Math.Abs(b - d) < 1e-9));

        if (File.Exists(basePath + ".chords.lab"))
        {
            var segments = File.ReadAllLines(basePath + ".chords.lab").Select(l => l.Split(' ')).ToArray();
            Assert.Equal(0, double.Parse(segments[0][0], CultureInfo.InvariantCulture));
            Assert.Equal(info.Duration, double.Parse(segments[^1][1], CultureInfo.InvariantCulture), 6);
            for (int i = 1; i < segments.Length; i++) Assert.Equal(segments[i - 1][1], segments[i][0]);
        }
    }
}
