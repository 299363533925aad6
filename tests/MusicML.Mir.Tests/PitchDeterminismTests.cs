using MusicML.Mir.Pitch;

namespace MusicML.Mir.Tests;

/// <summary>
/// YIN and pYIN must give bit-identical tracks for the same input, however often and in whatever order they are called
/// in a process: no state may leak from one signal into the next (pooled or uninitialised buffers), and code that the
/// tiered JIT recompiles after its first calls must compute the same floats as the first calls did.
/// </summary>
public class PitchDeterminismTests
{
    // 2 s of a 5-partial tone gliding from 180 to 330 Hz with 6 Hz vibrato, plus seeded low-level noise, so that every
    // frame's trough sits at a different fractional lag and the parabolic refinement exposes any change in the last bits.
    private static float[] Glide()
    {
        var audio = new float[2 * ToneSynth.SampleRate];
        var random = new Random(7);
        double phase = 0;
        for (int i = 0; i < audio.Length; i++)
        {
            double t = (double)i / ToneSynth.SampleRate;
            double f0 = 180 * Math.Pow(330.0 / 180, t / 2) * Math.Pow(2, 0.3 / 12 * Math.Sin(2 * Math.PI * 6 * t));
            phase += 2 * Math.PI * f0 / ToneSynth.SampleRate;
            double sample = 0;
            for (int h = 1; h <= 5; h++) sample += Math.Sin(h * phase) / h;
            audio[i] = (float)(0.2 * sample + 0.002 * (random.NextDouble() - 0.5));
        }
        return audio;
    }

    // A different signal run in between: two notes with silences, as in PitchTests.
    private static float[] TwoNotes()
    {
        var audio = new float[(int)(1.5 * ToneSynth.SampleRate)];
        ToneSynth.AddTone(audio, 440.0, 0.2, 0.7, 0.3f, 4);
        ToneSynth.AddTone(audio, ToneSynth.MidiToHz(50), 0.9, 1.4, 0.3f, 4);
        return audio;
    }

    private static long[] Bits(PitchTrack track) =>
        [.. track.Frequencies.Select(BitConverter.DoubleToInt64Bits), .. track.VoicedProbability.Select(BitConverter.DoubleToInt64Bits)];

    /// <summary>
    /// First call, a call on another signal, the same call again, then the same call after enough short calls that
    /// the tiered JIT has had the chance to promote the hot methods (30 calls, then its 100 ms back-off) to optimised
    /// code: all three tracks of the first signal must agree bit for bit (expected difference: exactly 0 ulp).
    /// </summary>
    private static void AssertReproducible(Func<float[], PitchTrack> estimate)
    {
        var glide = Glide();
        var first = Bits(estimate(glide));
        var other = estimate(TwoNotes());
        Assert.Contains(other.Voiced, voiced => voiced); // the call in between did real work
        var second = Bits(estimate(glide));
        Assert.Equal(first, second);

        var shortSignal = TwoNotes()[..(ToneSynth.SampleRate / 4)];
        for (int i = 0; i < 40; i++) estimate(shortSignal);
        Thread.Sleep(300);
        for (int i = 0; i < 10; i++) estimate(shortSignal);
        var third = Bits(estimate(glide));
        Assert.Equal(first, third);
    }

    [Fact]
    public void Yin_is_bit_reproducible_within_a_process() => AssertReproducible(y => Yin.Estimate(y));

    [Fact]
    public void PYin_is_bit_reproducible_within_a_process() => AssertReproducible(y => PYin.Estimate(y));
}
