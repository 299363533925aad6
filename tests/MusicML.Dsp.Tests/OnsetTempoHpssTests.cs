using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;

namespace MusicML.Dsp.Tests;

public class OnsetTempoHpssTests
{
    public static TheoryData<string> Inputs() => Reference.InputData();

    [Theory]
    [MemberData(nameof(Inputs))]
    public void OnsetStrengthMatchesLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        var expected = Reference.Load(input, "onset_strength").ToFloat32();
        var ours = Onset.OnsetStrength(y);
        Assert.Equal(expected.Length, ours.Length);
        ArrayComparison.AssertRelativeMaxError(expected, ours, 1e-4, $"{input} onset_strength");
        // From a precomputed dB mel spectrogram (librosa's S=) the envelope is the same.
        var melDb = Spectral.PowerToDb(Features.MelSpectrogram(y));
        ArrayComparison.AssertRelativeMaxError(expected, Onset.OnsetStrength(melDb), 1e-4, $"{input} onset_strength from S");
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void TempogramMatchesLibrosa(string input)
    {
        var expected = Reference.Load(input, "tempogram");
        var ours = Features.Tempogram(Reference.Signal22050(input));
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        // Issue tolerance for the tempogram: 1e-3.
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.Data, 1e-3, $"{input} tempogram");
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void HpssMatchesLibrosa(string input)
    {
        var magnitude = Spectral.Stft(Reference.Signal22050(input)).Magnitude();
        var (harmonic, percussive) = Decompose.Hpss(magnitude);
        // Issue tolerance for HPSS: 1e-3.
        ArrayComparison.AssertRelativeMaxError(Reference.Load(input, "hpss_harmonic").ToFloat32(), harmonic.Data, 1e-3, $"{input} hpss_harmonic");
        ArrayComparison.AssertRelativeMaxError(Reference.Load(input, "hpss_percussive").ToFloat32(), percussive.Data, 1e-3, $"{input} hpss_percussive");
    }

    [Fact]
    public void MedianFilterMatchesScipyReflectMode()
    {
        // scipy.ndimage.median_filter([5, 1, 4, 2, 3], size=3, mode='reflect') == [5, 4, 2, 3, 3]
        var output = new float[5];
        Decompose.MedianFilter([5f, 1f, 4f, 2f, 3f], output, 3);
        Assert.Equal([5f, 4f, 2f, 3f, 3f], output);
    }

    [Fact]
    public void HpssMasksSumToOneWithUnitMargin()
    {
        var magnitude = Spectral.Stft(Reference.Signal22050("librosa_vibe_ace")).Magnitude();
        var (h, p) = Decompose.HpssMasks(magnitude);
        for (int i = 0; i < h.Data.Length; i += 97) Assert.Equal(1f, h.Data[i] + p.Data[i], 5);
        Assert.Contains("margin", Assert.Throws<MusicMLException>(() => Decompose.Hpss(magnitude, margin: 0.5)).Message);
    }

    [Fact]
    public void MultiBandOnsetStrengthAveragesToTheSingleBand()
    {
        var melDb = Spectral.PowerToDb(Features.MelSpectrogram(Reference.Signal22050("librosa_vibe_ace")));
        var single = Onset.OnsetStrength(melDb);
        var multi = Onset.OnsetStrengthMulti(melDb, [32, 64, 96]);
        Assert.Equal(4, multi.Rows);
        // Four equal bands of 32 rows: their mean is the all-band mean.
        for (int t = 0; t < single.Length; t++)
            Assert.Equal(single[t], (multi[0, t] + multi[1, t] + multi[2, t] + multi[3, t]) / 4, 4);
    }
}

public class OnsetDetectTests
{
    [Theory]
    [InlineData("vocadito_1.44k")]
    [InlineData("librosa_vibe_ace")]
    public void OnsetDetectFindsLibrosasFrames(string input)
    {
        // librosa.onset.onset_detect(y=y, sr=22050): frame indices must be identical (17 onsets for librosa_vibe_ace).
        var expected = Reference.Load(input, "onset_frames").ToFloat32().Select(v => (int)v).ToArray();
        var ours = Onset.OnsetDetect(Reference.Signal22050(input));
        Assert.Equal(expected, ours);
    }

    [Fact]
    public void PeakPickHonoursWaitAndDelta()
    {
        float[] x = [0f, 1f, 0f, 0.9f, 0f, 0f, 0.05f, 0f];
        Assert.Equal([1, 3], Onset.PeakPick(x, preMax: 1, postMax: 1, preAvg: 1, postAvg: 1, delta: 0.1, wait: 0));
        Assert.Equal([1], Onset.PeakPick(x, preMax: 1, postMax: 1, preAvg: 1, postAvg: 1, delta: 0.1, wait: 2));
    }
}
