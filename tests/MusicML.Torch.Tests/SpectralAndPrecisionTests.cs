using MusicML.Torch;
using MusicML.Torch.Optim;

namespace MusicML.Torch.Tests;

public class SpectralAndPrecisionTests
{
    [Fact]
    public void StftFrameMatchesDirectDft()
    {
        // Frame 0 of a centred STFT is the reflect-padded signal's first nFft samples times a periodic Hann window;
        // its DFT computed directly in double must match libtorch's FFT to single precision.
        const int nFft = 32, hop = 8, n = 100;
        var x = Enumerable.Range(0, n).Select(i => (float)(Math.Sin(0.3 * i) + 0.25 * Math.Cos(1.7 * i))).ToArray();
        using var signal = Tensor.From(x);
        using var stft = Spectral.Stft(signal, nFft: nFft, hopLength: hop, padMode: MusicML.Core.PadMode.Reflect);
        Assert.Equal([nFft / 2 + 1L, 1 + n / hop, 2], stft.Shape);
        var padded = Enumerable.Range(-nFft / 2, nFft).Select(i => (double)x[Math.Abs(i)]).ToArray();
        var re = new float[nFft / 2 + 1];
        var im = new float[nFft / 2 + 1];
        for (int k = 0; k <= nFft / 2; k++)
        {
            double r = 0, m = 0;
            for (int t = 0; t < nFft; t++)
            {
                double w = 0.5 - 0.5 * Math.Cos(2 * Math.PI * t / nFft);
                r += padded[t] * w * Math.Cos(2 * Math.PI * k * t / nFft);
                m -= padded[t] * w * Math.Sin(2 * Math.PI * k * t / nFft);
            }
            (re[k], im[k]) = ((float)r, (float)m);
        }
        using var frame0 = stft.Select(1, 0);
        var got = frame0.ToArray<float>();
        var expected = new float[got.Length];
        for (int k = 0; k <= nFft / 2; k++) (expected[2 * k], expected[2 * k + 1]) = (re[k], im[k]);
        MusicML.TestSupport.ArrayComparison.AssertRelativeMaxError(expected, got, 1e-5, "STFT frame 0 vs direct DFT");

        using var power = Spectral.Spectrogram(signal, nFft: nFft, hopLength: hop, padMode: MusicML.Core.PadMode.Reflect);
        using var power0 = power.Select(1, 0);
        var p = power0.ToArray<float>();
        for (int k = 0; k <= nFft / 2; k++) Assert.Equal(re[k] * re[k] + im[k] * im[k], p[k], 3);
    }

    [Fact]
    public void PaddingDefaultsToZerosAsTheManagedFrontEndAndEdgeIsRefused()
    {
        // MusicML.Core.PadMode is shared with MusicML.Dsp, and both default to Constant (librosa 0.10). Frame 0 of a
        // zero-padded centred STFT of a constant 1 signal sees nFft/2 zeros then ones: its DC bin is the sum of the
        // periodic Hann window's second half, w[16] + … + w[31] = (Σw + w[16] − w[0]) / 2 = (16 + 1 − 0) / 2 = 8.5 for nFft
        // 32 (w[n] and w[32 − n] are equal, so each half holds half the total plus its own end sample). Reflect
        // padding would give the whole window's sum, 16.
        var ones = Enumerable.Repeat(1f, 100).ToArray();
        using var signal = Tensor.From(ones);
        using var byDefault = Spectral.Stft(signal, nFft: 32, hopLength: 8);
        using var dc = byDefault.Select(0, 0).Select(0, 0);
        Assert.Equal(8.5, dc.ToArray<float>()[0], 4);
        var e = Assert.Throws<TorchException>(() => Spectral.Stft(signal, nFft: 32, padMode: MusicML.Core.PadMode.Edge));
        Assert.Contains("Edge", e.Message);
    }

    [Fact]
    public void MelProjectionAppliesTheFilterbank()
    {
        // Spectrogram (3 freqs, 2 frames) and 2 bands: band 0 = freq 0 + half of freq 1, band 1 = the other half + freq 2.
        using var spec = Tensor.From([1f, 2, 3, 4, 5, 6], [3, 2]);
        using var fb = Tensor.From([1f, 0.5f, 0, 0, 0.5f, 1], [2, 3]);
        using var mel = Spectral.MelProjection(spec, fb);
        Assert.Equal([2L, 2], mel.Shape);
        Assert.Equal([1 + 1.5f, 2 + 2, 1.5f + 5, 2 + 6], mel.ToArray<float>());
        using var torchaudioLayout = fb.Transpose(0, 1);
        var e = Assert.Throws<TorchException>(() => Spectral.MelProjection(spec, torchaudioLayout.Contiguous()));
        Assert.Contains("transpose", e.Message);
        using var empty = Tensor.Zeros([0]);
        Assert.Throws<TorchException>(() => Spectral.Stft(empty, nFft: 16));
    }

    [Fact]
    public void GradScalerSkipsNonFiniteStepsAndAdaptsTheScale()
    {
        using var p = Tensor.From([1f, 1f]).RequiresGrad_();
        using var sgd = new SGD([p], lr: 0.5);
        var scaler = new GradScaler(initScale: 8, growthInterval: 2);

        // Finite step: loss = Σ 3p, scaled by 8 → gradient 24, unscaled to 3, so p moves by −0.5·3.
        using (TorchRuntime.NewDisposeScope())
        {
            using var c = Tensor.From([3f, 3f]);
            scaler.ScaleLoss((p * c).Sum()).Backward();
        }
        Assert.True(scaler.Step(sgd));
        scaler.Update();
        Assert.Equal([-0.5f, -0.5f], p.ToArray<float>());
        Assert.Equal(8, scaler.Scale);

        // An infinite gradient: the step is skipped and the scale halves.
        sgd.ZeroGrad();
        using (TorchRuntime.NewDisposeScope())
        {
            using var c = Tensor.From([float.PositiveInfinity, 1f]);
            scaler.ScaleLoss((p * c).Sum()).Backward();
        }
        Assert.False(scaler.Step(sgd));
        scaler.Update();
        Assert.Equal([-0.5f, -0.5f], p.ToArray<float>());
        Assert.Equal(4, scaler.Scale);

        // Two finite steps in a row double it.
        for (int i = 0; i < 2; i++)
        {
            sgd.ZeroGrad();
            using (TorchRuntime.NewDisposeScope())
                scaler.ScaleLoss(p.Sum()).Backward();
            Assert.True(scaler.Step(sgd));
            scaler.Update();
        }
        Assert.Equal(8, scaler.Scale);
    }

    [Fact]
    public void AutocastNeedsCuda()
    {
        Assert.Throws<TorchException>(() => TorchRuntime.Autocast(DType.Float32));
        if (TorchRuntime.IsCudaAvailable)
        {
            // On CUDA a float32 matmul inside autocast runs in float16.
            using var a = Tensor.Ones([4, 4], device: Device.Cuda);
            using (TorchRuntime.Autocast())
            {
                using var c = a.MatMul(a);
                Assert.Equal(DType.Float16, c.DType);
            }
            return;
        }
        var e = Assert.Throws<TorchException>(() => TorchRuntime.Autocast());
        Assert.Contains("CUDA is not available", e.Message);
    }
}
