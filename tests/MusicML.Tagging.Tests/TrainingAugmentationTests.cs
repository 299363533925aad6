namespace MusicML.Tagging.Tests;

/// <summary>
/// The training augmentation's effects measured on a pure tone and on a click train: each does what its parameters say,
/// the crop always has the asked length, and the draws alone decide the result.
/// </summary>
public class TrainingAugmentationTests
{
    private const int Rate = 16000;

    private static float[] Tone(double hz, int samples) =>
        Enumerable.Range(0, samples).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / Rate))).ToArray();

    /// <summary>Frequency in Hz from rising zero crossings over the middle half (the tone is clean, so this is exact to ~1 Hz).</summary>
    private static double ZeroCrossingHz(float[] y)
    {
        int from = y.Length / 4, to = 3 * y.Length / 4, crossings = 0;
        for (int i = from + 1; i < to; i++) if (y[i - 1] < 0 && y[i] >= 0) crossings++;
        return crossings * (double)Rate / (to - from);
    }

    private static TrainingAugmentation.Choice Only(double stretch = 1, double pitchRatio = 1, double gainDb = 0) =>
        new(stretch, pitchRatio, gainDb, FilterKind: 0, PeakHz: 1000, PeakDb: 0, BandHz: 1000, SnrDb: null, NoiseSeed: 1, Offset: 0);

    [Theory]
    [InlineData(2.0)]
    [InlineData(-2.0)]
    public void PitchShiftMovesATonesFrequencyByTheRatioAndKeepsTheLength(double semitones)
    {
        // 440 Hz shifted by ±2 semitones is 493.9 / 392.0 Hz.
        double ratio = Math.Pow(2, semitones / 12);
        var crop = TrainingAugmentation.Apply(Only(pitchRatio: ratio), Tone(440, 64000), 64000, Rate);
        Assert.Equal(64000, crop.Length);
        Assert.InRange(ZeroCrossingHz(crop), 440 * ratio - 3, 440 * ratio + 3);
    }

    [Theory]
    [InlineData(0.96)]
    [InlineData(1.04)]
    public void TimeStretchSpacesClicksByTheFactorKeepsThePitchAndTheLength(double stretch)
    {
        // Clicks every 4000 samples (0.25 s) on a 1 kHz tone: after stretching by s they are 4000·s apart, the tone
        // stays at 1 kHz, and the crop is still 48,000 samples however many source samples were cut for it.
        var audio = Tone(1000, 96000);
        for (int i = 0; i < audio.Length; i += 4000) for (int k = 0; k < 40; k++) audio[i + k] += 2f;
        var crop = TrainingAugmentation.Apply(Only(stretch: stretch), audio, 48000, Rate);
        Assert.Equal(48000, crop.Length);
        Assert.InRange(ZeroCrossingHz(crop), 990, 1010);
        var onsets = new List<int>();
        for (int i = 1; i < crop.Length; i++)
            if (Math.Abs(crop[i]) > 1.5f && (onsets.Count == 0 || i - onsets[^1] > 1000)) onsets.Add(i);
        double spacing = (double)(onsets[^1] - onsets[0]) / (onsets.Count - 1);
        Assert.InRange(spacing, 4000 * stretch - 60, 4000 * stretch + 60);
    }

    [Fact]
    public void GainScalesAndTheCropStartsAtTheDrawnOffset()
    {
        var audio = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();
        var crop = TrainingAugmentation.Apply(Only(gainDb: 20) with { Offset = 0.5 }, audio, 100, Rate);
        // 901 possible starts; offset ½ starts at 450, and +20 dB multiplies by 10.
        Assert.Equal(4500f, crop[0], 1e-2f);
        Assert.Equal(5490f, crop[^1], 1e-2f);
    }

    [Fact]
    public void TheSameDrawsGiveTheSameCropAndEveryDrawUsesTheSameNumberOfValues()
    {
        var audio = Tone(330, 80000);
        var a = new TrainingRandom(42);
        var b = new TrainingRandom(42);
        for (int example = 0; example < 20; example++)
        {
            var choice = TrainingAugmentation.Draw(a);
            Assert.Equal(choice, TrainingAugmentation.Draw(b));
            Assert.Equal(TrainingAugmentation.Apply(choice, audio, 64000, Rate), TrainingAugmentation.Apply(choice, audio, 64000, Rate));
            Assert.InRange(choice.Stretch, 1 - TrainingAugmentation.MaxStretch, 1 + TrainingAugmentation.MaxStretch);
            Assert.InRange(12 * Math.Log2(choice.PitchRatio), -TrainingAugmentation.MaxShiftSemitones - 1e-9, TrainingAugmentation.MaxShiftSemitones + 1e-9);
        }
        // Whatever was chosen, every Draw advances the generator by the same count (14 values), so one example's
        // choices never shift the next one's.
        var c = new TrainingRandom(42);
        for (int i = 0; i < 20 * 14; i++) c.NextUInt64();
        Assert.Equal(a.State, c.State);
    }
}
