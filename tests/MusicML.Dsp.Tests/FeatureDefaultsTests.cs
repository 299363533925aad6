using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;

namespace MusicML.Dsp.Tests;

/// <summary>
/// librosa 0.10's defaults: every feature hops 512 samples whatever nFft is (librosa.stft alone defaults to
/// win_length // 4), and mfcc forwards the whole melspectrogram parameter set and chooses scipy's DCT type and norm.
/// </summary>
public class FeatureDefaultsTests
{
    private static float[] Signal(int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(0.4 * Math.Sin(2 * Math.PI * 440 * i / 22050.0) + 0.2 * Math.Sin(2 * Math.PI * 1234.5 * i / 22050.0) + 0.05 * Math.Sin(0.9 * i * i / 22050.0));
        return x;
    }

    [Fact]
    public void EveryFeatureHops512WhateverNFftIs()
    {
        var y = Signal(22050);
        // Centred frames: 1 + 22050 / 512 = 44 (librosa.feature.melspectrogram(y, n_fft=4096).shape[1]); the old
        // nFft / 4 default hopped 1024 and gave 22.
        const int frames = 1 + 22050 / 512;
        Assert.Equal(frames, Features.MelSpectrogram(y, nFft: 4096).Columns);
        Assert.Equal(frames, Features.Mfcc(y, nFft: 4096).Columns);
        Assert.Equal(frames, Features.ChromaStft(y, nFft: 4096, tuning: 0).Columns);
        Assert.Equal(frames, Features.SpectralCentroid(y, nFft: 4096).Columns);
        Assert.Equal(frames, Features.SpectralBandwidth(y, nFft: 4096).Columns);
        Assert.Equal(frames, Features.SpectralRolloff(y, nFft: 4096).Columns);
        Assert.Equal(frames, Features.SpectralFlatness(y, nFft: 4096).Columns);
        Assert.Equal(frames, Features.SpectralContrast(y, nFft: 4096).Columns);
        // librosa.stft keeps win_length // 4: 1 + 22050 / 1024 = 22 frames.
        Assert.Equal(1 + 22050 / 1024, Spectral.Stft(y, nFft: 4096).Columns);
        Assert.Equal(1 + 22050 / 1024, Spectral.Spectrogram(y, nFft: 4096).Columns);
    }

    [Fact]
    public void MfccForwardsEveryMelParameter()
    {
        var y = Signal(30000);
        var mel = Features.MelSpectrogram(y, 16000, nFft: 1024, hopLength: 300, winLength: 800, window: WindowType.Hamming, center: false,
            padMode: PadMode.Reflect, power: 1.0, nMels: 40, fMin: 50, fMax: 7000, htk: true, norm: MelNorm.None);
        var logMel = Spectral.PowerToDb(mel);
        var expected = Features.Mfcc(logMel, 13);
        var ours = Features.Mfcc(y, 16000, 13, nFft: 1024, hopLength: 300, nMels: 40, fMin: 50, fMax: 7000, htk: true, winLength: 800,
            window: WindowType.Hamming, center: false, padMode: PadMode.Reflect, power: 1.0, norm: MelNorm.None);
        Assert.Equal(expected.Data, ours.Data);
    }

    [Theory]
    [InlineData(1, DctNorm.Ortho)]
    [InlineData(2, DctNorm.Ortho)]
    [InlineData(3, DctNorm.Ortho)]
    [InlineData(1, DctNorm.None)]
    [InlineData(2, DctNorm.None)]
    [InlineData(3, DctNorm.None)]
    public void MfccDctTypesMatchScipysDefinitionsInDouble(int type, DctNorm norm)
    {
        var y = Signal(22050);
        var logMel = Spectral.PowerToDb(Features.MelSpectrogram(y, nMels: 32));
        int n = logMel.Rows, frames = logMel.Columns, keep = 20;
        var ours = Features.Mfcc(logMel, keep, dctType: type, dctNorm: norm);
        // scipy.fftpack.dct(x, type, norm) written out in float64 (scipy's documented formulas).
        var expected = new float[keep * frames];
        for (int t = 0; t < frames; t++)
            for (int k = 0; k < keep; k++)
            {
                double sum = 0;
                for (int m = 0; m < n; m++)
                {
                    double x = logMel[m, t];
                    sum += type switch
                    {
                        1 => (m == 0 ? x : m == n - 1 ? x * Math.Pow(-1, k) : 2 * x * Math.Cos(Math.PI * k * m / (n - 1)))
                             * (norm == DctNorm.Ortho ? (m == 0 || m == n - 1 ? Math.Sqrt(2) : 1) : 1),
                        2 => 2 * x * Math.Cos(Math.PI * k * (2 * m + 1) / (2.0 * n)),
                        _ => m == 0 ? x * (norm == DctNorm.Ortho ? Math.Sqrt(2) : 1) : 2 * x * Math.Cos(Math.PI * m * (2 * k + 1) / (2.0 * n)),
                    };
                }
                double scale = norm == DctNorm.None ? 1 : type switch
                {
                    1 => (k == 0 || k == n - 1 ? 0.5 * Math.Sqrt(1.0 / (n - 1)) : 0.5 * Math.Sqrt(2.0 / (n - 1))),
                    2 => k == 0 ? Math.Sqrt(1.0 / (4 * n)) : Math.Sqrt(1.0 / (2 * n)),
                    _ => Math.Sqrt(1.0 / (2 * n)),
                };
                expected[k * frames + t] = (float)(sum * scale);
            }
        // float32 accumulation of 32 terms of up to ~100 dB against float64: relative max error well under 1e-5.
        ArrayComparison.AssertRelativeMaxError(expected, ours.Data, 1e-5, $"DCT type {type}, norm {norm}");
    }

    [Fact]
    public void OrthonormalDctType3InvertsType2()
    {
        var logMel = Spectral.PowerToDb(Features.MelSpectrogram(Signal(22050), nMels: 24));
        var cepstrum = Features.Mfcc(logMel, 24, dctType: 2);
        var back = Features.Mfcc(cepstrum, 24, dctType: 3);
        ArrayComparison.AssertRelativeMaxError(logMel.Data, back.Data, 1e-5, "DCT-III(DCT-II(x))");
    }

    [Fact]
    public void AnUnknownDctTypeIsNamed()
    {
        Assert.Contains("dctType", Assert.Throws<MusicMLException>(() => Features.Mfcc(Signal(4096), dctType: 4)).Message);
    }
}
