using MusicML.Audio;
using MusicML.Dsp;
using MusicML.TestSupport;

namespace MusicML.Dsp.Tests;

/// <summary>
/// `musicml tuning` reads files in blocks: Tuning.EstimateTuning(path) must give the whole-signal estimate exactly,
/// however the file is cut (37-frame blocks cut the clips in dozens of places), detuned or not.
/// </summary>
public class TuningStreamingTests
{
    [Theory]
    [InlineData("chords_C_major_150bpm.wav", 0.0)]
    [InlineData("melody_G_major_100bpm.wav", 0.0)]
    [InlineData("band_A_minor_100bpm.wav", 0.3)]
    public void BlockwiseEqualsWholeSignal(string clip, double detuneSemitones)
    {
        var path = SharedData.RepoPath("audio-samples", clip);
        if (detuneSemitones != 0)
        {
            // Resampling by 2^(s/12) and declaring the old rate shifts every pitch by s semitones.
            var audio = AudioFile.Load(path);
            var shifted = Resampler.Resample(audio.Channel(0).ToArray(), 22050, (int)Math.Round(22050 / Math.Pow(2, detuneSemitones / 12)), ResampleQuality.High);
            path = Path.Combine(Directory.CreateTempSubdirectory("musicml-tuning-").FullName, "detuned.wav");
            WavWriter.Write(path, new AudioBuffer(shifted, 22050), WavSampleFormat.Float32);
        }
        double whole = Tuning.EstimateTuning(AudioFile.Load(path).Channel(0));
        Assert.Equal(whole, Tuning.EstimateTuning(path, 22050, 2048, null, 0.01, 12, null, blockFrames: 37));
        Assert.Equal(whole, Tuning.EstimateTuning(path));
        if (detuneSemitones != 0) Assert.InRange(whole, 0.25, 0.35);
    }
}
