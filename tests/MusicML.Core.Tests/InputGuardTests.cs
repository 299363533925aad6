using MusicML.Core;

namespace MusicML.Core.Tests;

/// <summary>The one input guard: one wording for each refusal, the index of the first bad sample wherever it lies.</summary>
public class InputGuardTests
{
    [Fact]
    public void EmptyAudioIsRefusedWithOneWording()
    {
        var e = Assert.Throws<MusicMLException>(() => InputGuard.Audio([]));
        Assert.Equal("The audio signal 'y' is empty (0 samples).", e.Message);
        e = Assert.Throws<MusicMLException>(() => InputGuard.Audio([], 22050, "track.wav"));
        Assert.Equal("The audio signal 'track.wav' is empty (0 samples).", e.Message);
    }

    [Fact]
    public void NonPositiveSampleRateIsCheckedBeforeTheSamples()
    {
        var e = Assert.Throws<MusicMLException>(() => InputGuard.Audio([], 0));
        Assert.Equal("sampleRate must be positive; got 0 Hz.", e.Message);
    }

    [Fact]
    public void TheFirstNonFiniteSampleIsFoundAtEveryPositionOfTheVectorisedScan()
    {
        // 4 · Vector<float>.Count samples per SIMD step; positions in the first step, the last full step and the
        // scalar tail must all be reported exactly, and only the first of two bad samples.
        var y = new float[1000];
        for (int i = 0; i < y.Length; i++) y[i] = MathF.Sin(i);
        Assert.Equal(-1, InputGuard.FirstNonFinite(y));
        foreach (int index in new[] { 0, 1, 31, 32, 63, 500, 959, 960, 998, 999 })
        {
            y[index] = float.NaN;
            if (index + 1 < y.Length) y[index + 1] = float.PositiveInfinity;
            Assert.Equal(index, InputGuard.FirstNonFinite(y));
            var e = Assert.Throws<MusicMLException>(() => InputGuard.Audio(y));
            Assert.Equal($"The audio signal 'y' is not finite: sample {index} is NaN.", e.Message);
            y[index] = 0;
            if (index + 1 < y.Length) y[index + 1] = 0;
        }
    }

    [Fact]
    public void SizesAndQuantitiesMustBePositive()
    {
        Assert.Equal("hopLength must be positive; got 0.",
            Assert.Throws<MusicMLException>(() => InputGuard.Positive(0, "hopLength")).Message);
        Assert.Equal("fMin must be positive and finite; got Infinity.",
            Assert.Throws<MusicMLException>(() => InputGuard.Positive(double.PositiveInfinity, "fMin")).Message);
        Assert.Equal("fMin must be positive and finite; got NaN.",
            Assert.Throws<MusicMLException>(() => InputGuard.Positive(double.NaN, "fMin")).Message);
        Assert.Equal("'envelope' contains a non-finite value (-Infinity) at index 2.",
            Assert.Throws<MusicMLException>(() => InputGuard.Finite([1f, 2f, float.NegativeInfinity], "envelope")).Message);
    }
}
