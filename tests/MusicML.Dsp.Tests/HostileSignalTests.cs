using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Dsp.Tests;

/// <summary>
/// Signals no test tone resembles (issue 9, hostile input): denormals, DC, digital and dithered silence, a few
/// milliseconds, integer-scaled and limit-scale amplitude. Every feature must return only finite numbers for them;
/// samples beyond <see cref="InputGuard.MaxAbsSample"/> (±3·10<sup>38</sup>, whose power spectrum would be ∞) are
/// refused by every feature with the same "out of range" message instead of returning NaN.
/// </summary>
public class HostileSignalTests
{
    private const int Rate = 22050;

    private static readonly string[] SignalNames = ["denormal", "dc", "digital-silence", "dithered-silence", "5-ms", "int16-scale", "limit-scale"];

    private static readonly string[] FeatureList =
    [
        "spectrogram", "mel", "mfcc", "chroma_stft", "chroma_cqt", "chroma_cens", "cqt", "centroid", "bandwidth", "rolloff",
        "flatness", "contrast", "rms", "zcr", "tempogram", "tonnetz", "onset_strength", "tuning", "piptrack",
    ];

    public static TheoryData<string> FeatureNames => new(FeatureList);

    private static float[] Signal(string name)
    {
        var random = new Random(17);
        float[] y = new float[name == "5-ms" ? Rate * 5 / 1000 : Rate];
        for (int i = 0; i < y.Length; i++)
        {
            double tone = Math.Sin(2 * Math.PI * 440 * i / Rate);
            y[i] = name switch
            {
                // 1e-40 is below float's smallest normal (1.18e-38): every sample is subnormal.
                "denormal" => (float)(1e-40 * (random.NextDouble() - 0.5)),
                "dc" => 0.5f,
                "digital-silence" => 0f,
                // TPDF dither at 16-bit: the sum of two uniform ±½ LSB values.
                "dithered-silence" => (float)((random.NextDouble() + random.NextDouble() - 1) / 32768),
                "5-ms" => (float)(0.5 * tone),
                "int16-scale" => (float)(30000 * tone),
                "limit-scale" => (float)(InputGuard.MaxAbsSample * tone),
                _ => throw new ArgumentException(name),
            };
        }
        return y;
    }

    private static float[] Compute(string feature, float[] y) => feature switch
    {
        "spectrogram" => Spectral.Spectrogram(y).Data,
        "mel" => Features.MelSpectrogram(y, Rate).Data,
        "mfcc" => Features.Mfcc(y, Rate).Data,
        "chroma_stft" => Features.ChromaStft(y, Rate).Data,
        "chroma_cqt" => Features.ChromaCqt(y, Rate).Data,
        "chroma_cens" => Features.ChromaCens(y, Rate).Data,
        "cqt" => Spectral.Cqt(y, Rate).Magnitude().Data,
        "centroid" => Features.SpectralCentroid(y, Rate).Data,
        "bandwidth" => Features.SpectralBandwidth(y, Rate).Data,
        "rolloff" => Features.SpectralRolloff(y, Rate).Data,
        "flatness" => Features.SpectralFlatness(y).Data,
        "contrast" => Features.SpectralContrast(y, Rate).Data,
        "rms" => Features.Rms(y).Data,
        "zcr" => Features.ZeroCrossingRate(y).Data,
        "tempogram" => Features.Tempogram(y, Rate).Data,
        "tonnetz" => Features.Tonnetz(y, Rate).Data,
        "onset_strength" => Onset.OnsetStrength(y, Rate),
        "tuning" => [(float)Tuning.EstimateTuning(y, Rate)],
        "piptrack" => Tuning.Piptrack(y, Rate).Pitches.Data,
        _ => throw new ArgumentException(feature),
    };

    public static IEnumerable<object[]> Cases() =>
        from s in SignalNames from f in FeatureList select new object[] { s, f };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryFeatureIsFiniteOnHostileSignals(string signal, string feature)
    {
        var values = Compute(feature, Signal(signal));
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        Assert.True(bad < 0, $"{feature} on {signal}: value {bad} is {(bad >= 0 ? values[bad] : 0)}");
    }

    [Theory]
    [MemberData(nameof(FeatureNames))]
    public void HugeSamplesAreRefusedNotTurnedIntoNaN(string feature)
    {
        var y = Signal("dc");
        y[1000] = 3e38f;
        var e = Assert.Throws<MusicMLException>(() => Compute(feature, y));
        Assert.Contains("out of range: sample 1000 is 3E+38, beyond ±1000000", e.Message);
    }

    [Fact]
    public void TheSampleCheckAcceptsTheLimitAndSubnormalsAndRefusesNaNInfinityAndBeyond()
    {
        var y = new float[1000];
        y[10] = InputGuard.MaxAbsSample;
        y[11] = -InputGuard.MaxAbsSample;
        y[12] = float.Epsilon;
        Assert.Equal(-1, InputGuard.FirstInvalidSample(y));
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1.0000001e6f, -3e38f })
            for (int at = 0; at < y.Length; at += 333)
            {
                var z = (float[])y.Clone();
                z[at] = bad;
                Assert.Equal(at, InputGuard.FirstInvalidSample(z));
            }
    }
}
