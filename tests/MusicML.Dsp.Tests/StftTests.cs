using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;

namespace MusicML.Dsp.Tests;

public class StftTests
{
    public static TheoryData<string> Inputs() => Reference.InputData();

    private static void AssertStft(string input, string caseName, ComplexMatrix ours)
    {
        var expected = Reference.Load(input, caseName);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        var error = ArrayComparison.RelativeMaxErrorComplex(expected.ToComplexInterleaved(), ours.Data);
        // librosa transforms in float64; our float32 FFT differs by float32 rounding (~1e-6), well inside 1e-4.
        Assert.True(error <= 1e-4, $"{input} {caseName}: {error:E3}");
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void StftMatchesLibrosaWithBothBackends(string input)
    {
        var y = Reference.Signal22050(input);
        foreach (var backend in FftTests.Backends())
        {
            var options = new DspOptions { Backend = backend };
            AssertStft(input, "stft", Spectral.Stft(y, options: options));
            AssertStft(input, "stft_1024_256", Spectral.Stft(y, nFft: 1024, hopLength: 256, options: options));
            AssertStft(input, "stft_nocenter", Spectral.Stft(y, center: false, options: options));
        }
    }

    [Theory]
    [InlineData(2048, 512, true)]
    [InlineData(2048, 220, true)]   // a hop that is not a multiple of 8 takes the frame-pointer batch path
    [InlineData(1000, 250, false)]  // not a power of two: per-frame engines
    public void SpectrogramEqualsTheModulusOfTheStft(int nFft, int hop, bool center)
    {
        var y = Reference.Signal22050("librosa_vibe_ace");
        foreach (var backend in FftTests.Backends())
        {
            var options = new DspOptions { Backend = backend };
            var stft = Spectral.Stft(y, nFft, hop, center: center, options: options);
            // Same FFT, same hypot formula: the magnitudes are identical, not merely close.
            Assert.Equal(stft.Magnitude().Data, Spectral.Spectrogram(y, nFft, hop, center: center, options: options).Data);
            var power = Spectral.Spectrogram(y, nFft, hop, center: center, power: 2, options: options);
            // |X|² may be summed with or without a fused multiply-add: one float32 rounding apart at most.
            Assert.True(ArrayComparison.RelativeMaxError(stft.Power().Data, power.Data) < 1e-6);
        }
        Assert.Throws<MusicMLException>(() => Spectral.Spectrogram([], nFft, hop));
        Assert.Throws<MusicMLException>(() => Spectral.Spectrogram(y, nFft, hop, power: 3));
    }

    [Fact]
    public void ParallelStftEqualsSingleThreaded()
    {
        var y = Reference.Signal22050("librosa_vibe_ace");
        var single = Spectral.Stft(y);
        var parallel = Spectral.Stft(y, options: new DspOptions { MaxDegreeOfParallelism = 4 });
        Assert.Equal(single.Data, parallel.Data);
    }

    [Theory]
    [InlineData(2048, null, null, true)]
    [InlineData(1024, 256, null, true)]
    [InlineData(2048, 512, 1024, true)]
    [InlineData(2048, 512, null, false)]
    public void IstftReconstructsTheSignal(int nFft, int? hop, int? win, bool center)
    {
        var y = Reference.Signal22050("vocadito_1.44k");
        var s = Spectral.Stft(y, nFft, hop, win, center: center);
        var back = Spectral.Istft(s, hop, win, center: center, length: y.Length);
        Assert.Equal(y.Length, back.Length);
        // Perfect reconstruction up to float32 rounding wherever frames fully overlap: all of the signal when centred;
        // without centring, the first and last nFft samples are covered only by window tails near zero, where the
        // division by the tiny window sum amplifies rounding (librosa behaves the same).
        int covered = (s.Columns - 1) * (hop ?? (win ?? nFft) / 4) + nFft;
        int from = center ? 0 : nFft, to = center ? y.Length : covered - nFft;
        var error = ArrayComparison.RelativeMaxError(y.AsSpan(from, to - from), back.AsSpan(from, to - from));
        Assert.True(error < 1e-5, $"reconstruction error {error:E3}");
    }

    [Fact]
    public void IstftWithoutLengthTrimsThePadding()
    {
        var y = new float[22050];
        for (int i = 0; i < y.Length; i++) y[i] = MathF.Sin(i * 0.05f);
        var back = Spectral.Istft(Spectral.Stft(y));
        // librosa: n_fft + hop·(frames − 1) − 2·(n_fft/2) = 2048 + 512·43 − 2048 = 22016 samples.
        Assert.Equal(22016, back.Length);
    }

    [Fact]
    public void BadInputNamesTheProblem()
    {
        Assert.Contains("empty", Assert.Throws<MusicMLException>(() => Spectral.Stft(ReadOnlySpan<float>.Empty)).Message);
        var withNaN = new float[4096];
        withNaN[100] = float.NaN;
        Assert.Contains("sample 100", Assert.Throws<MusicMLException>(() => Spectral.Stft(withNaN)).Message);
        Assert.Contains("hopLength", Assert.Throws<MusicMLException>(() => Spectral.Stft(new float[4096], hopLength: 0)).Message);
        Assert.Contains("winLength", Assert.Throws<MusicMLException>(() => Spectral.Stft(new float[4096], winLength: 4096)).Message);
        Assert.Contains("fewer than one frame", Assert.Throws<MusicMLException>(() => Spectral.Stft(new float[100], center: false)).Message);
    }

    [Fact]
    public void ReflectPaddingMatchesNumpy()
    {
        // np.pad([1, 2, 3], 4, mode='reflect') == [1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3]: the mirror repeats when the pad is longer than the signal.
        Assert.Equal([1f, 2f, 3f, 2f, 1f, 2f, 3f, 2f, 1f, 2f, 3f], Padding.Pad([1f, 2f, 3f], 4, PadMode.Reflect));
        Assert.Equal([1f, 1f, 1f, 2f, 3f, 3f, 3f], Padding.Pad([1f, 2f, 3f], 2, PadMode.Edge));
    }
}
