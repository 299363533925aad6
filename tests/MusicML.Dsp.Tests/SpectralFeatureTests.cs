using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;

namespace MusicML.Dsp.Tests;

public class SpectralFeatureTests
{
    public static TheoryData<string> Inputs() => Reference.InputData();

    private static void AssertMatches(string input, string caseName, FloatMatrix ours, double tolerance = 1e-4)
    {
        var expected = Reference.Load(input, caseName);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.Data, tolerance, $"{input} {caseName}");
    }

    // Every feature below must agree with librosa 0.10.1 to max|ours − ref| / max|ref| ≤ 1e-4 (issue item 4).
    [Theory]
    [MemberData(nameof(Inputs))]
    public void CentroidBandwidthRolloffMatchLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        AssertMatches(input, "spectral_centroid", Features.SpectralCentroid(y));
        AssertMatches(input, "spectral_bandwidth", Features.SpectralBandwidth(y));
        AssertMatches(input, "spectral_rolloff", Features.SpectralRolloff(y));
        // The S= overloads, fed librosa's own |STFT| (the reference stft.npy), reproduce its output from S.
        var magnitude = ComplexMatrix.FromNpy(Reference.Load(input, "stft")).Magnitude();
        AssertMatches(input, "spectral_centroid", Features.SpectralCentroid(magnitude));
        AssertMatches(input, "spectral_bandwidth", Features.SpectralBandwidth(magnitude));
        AssertMatches(input, "spectral_rolloff", Features.SpectralRolloff(magnitude));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void FlatnessAndContrastMatchLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        AssertMatches(input, "spectral_flatness", Features.SpectralFlatness(y));
        AssertMatches(input, "spectral_contrast", Features.SpectralContrast(y));
        var magnitude = ComplexMatrix.FromNpy(Reference.Load(input, "stft")).Magnitude();
        AssertMatches(input, "spectral_flatness", Features.SpectralFlatness(magnitude));
        AssertMatches(input, "spectral_contrast", Features.SpectralContrast(magnitude));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void RmsAndZeroCrossingRateMatchLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        AssertMatches(input, "rms", Features.Rms(y));
        AssertMatches(input, "zcr", Features.ZeroCrossingRate(y));
    }

    [Fact]
    public void RmsFromSpectrogramFollowsParseval()
    {
        // A full-scale sine has RMS 1/√2; librosa's S= formula on the windowed STFT gives the windowed energy instead,
        // so compare against the time-domain RMS of the same Hann-windowed frame: √(mean((w·x)²)).
        var y = new float[22050];
        for (int i = 0; i < y.Length; i++) y[i] = MathF.Sin(2 * MathF.PI * 440 * i / 22050);
        var s = Spectral.Stft(y).Magnitude();
        var fromS = Features.Rms(s);
        var window = Windows.Get(WindowType.Hann, 2048);
        int t = 10;
        double sum = 0;
        for (int i = 0; i < 2048; i++)
        {
            double v = y[t * 512 - 1024 + i] * window[i];
            sum += v * v;
        }
        Assert.Equal(Math.Sqrt(sum / 2048), fromS[0, t], 4);
    }

    [Fact]
    public void BadParametersAreNamed()
    {
        var y = new float[4096];
        Assert.Contains("rollPercent", Assert.Throws<MusicMLException>(() => Features.SpectralRolloff(y, rollPercent: 1.5)).Message);
        Assert.Contains("quantile", Assert.Throws<MusicMLException>(() => Features.SpectralContrast(y, quantile: 0)).Message);
        Assert.Contains("frameLength", Assert.Throws<MusicMLException>(() => Features.Rms(y, frameLength: 0)).Message);
        Assert.Contains("non-negative", Assert.Throws<MusicMLException>(() => Features.SpectralCentroid(new FloatMatrix(2, 1, [1f, -1f]))).Message);
    }
}

public class MagnitudeTests
{
    [Theory]
    [InlineData("vocadito_1.44k")]
    [InlineData("librosa_vibe_ace")]
    public void MagnitudeFollowsNumpysScaledHypot(string input)
    {
        // np.abs(stft) in librosa's environment equals larger·sqrt(fma(r, r, 1)); checked bit for bit against numpy
        // 1.24 on the reference STFT (0 of 265475 values differ). That formula is within two float32 ulps of the exact
        // modulus (relative 2.4e-7), which is what is checked here against a double-precision hypot.
        var stft = Spectral.Stft(Reference.Signal22050(input));
        var magnitude = stft.Magnitude();
        for (int i = 0; i < magnitude.Data.Length; i++)
        {
            double re = stft.Data[2 * i], im = stft.Data[2 * i + 1];
            double exact = Math.Sqrt(re * re + im * im);
            Assert.True(Math.Abs(magnitude.Data[i] - exact) <= 2.4e-7 * exact + 1e-30, $"bin {i}: {magnitude.Data[i]} vs {exact}");
        }
    }
}
