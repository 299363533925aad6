using MusicML.Core;
using MusicML.Dsp;
using MusicML.Mir.Onsets;

namespace MusicML.Mir.Tests;

public class RhythmSpectrogramTests
{
    /// <summary>Tones over noise, long enough for several 1024-frame blocks and not a whole number of hops.</summary>
    private static float[] Music(int sampleRate, double seconds)
    {
        var y = new float[(int)(seconds * sampleRate) + 123];
        var random = new Random(7);
        for (int i = 0; i < y.Length; i++) y[i] = 0.05f * (float)(random.NextDouble() - 0.5);
        TestSignals.AddBursts(y, TestSignals.Grid(120, 0.1, seconds - 0.5), 330, 0.3, decay: 0.2);
        TestSignals.AddClicks(y, TestSignals.Grid(120, 0.35, seconds - 0.5), 0.5);
        return y;
    }

    [Theory]
    [InlineData(22050, 25.0)] // nFft 2048, hop 220: 2501 frames, three blocks
    [InlineData(44100, 12.0)] // nFft 4096, hop 441: 1201 frames, two blocks
    [InlineData(22050, 0.04)] // 1005 samples, shorter than one frame: a single block that is all padding at both ends
    public void BlockwiseFilteringIsBitIdenticalToFilteringTheWholeMagnitude(int sampleRate, double seconds)
    {
        var y = Music(sampleRate, seconds);
        var blockwise = RhythmSpectrogram.Compute(y, sampleRate);
        var withStft = RhythmSpectrogram.Compute(y, sampleRate, keepStft: true);
        // The reference is what the spectrogram was before it went block-wise: the filterbank over the magnitude of the
        // whole centred STFT. Every frame sees the same zero-padded samples, so not one bit may differ.
        var whole = blockwise.Filterbank.Apply(Spectral.Spectrogram(y, blockwise.NFft, blockwise.HopLength));
        Assert.Equal(whole.Columns, blockwise.Frames);
        Assert.Equal(whole.Data, blockwise.LogSpectrogram.Data);
        Assert.Equal(whole.Data, withStft.LogSpectrogram.Data);
        Assert.Null(blockwise.Stft);
        Assert.Equal(blockwise.Frames, withStft.Stft!.Columns);
    }

    [Fact]
    public void ComplexDomainNeedsTheStftAndSaysHowToKeepIt()
    {
        var y = Music(22050, 2.0);
        var error = Assert.Throws<MusicMLException>(() => OnsetActivation.Compute(RhythmSpectrogram.Compute(y, 22050), OnsetMethod.ComplexDomain));
        Assert.Contains("keepStft", error.Message);
        // The signal-level entry points keep it themselves, and the result is the activation of the kept STFT.
        var expected = OnsetActivation.ComplexDomain(Spectral.Stft(y, 2048, 220));
        Assert.Equal(expected, OnsetActivation.Compute(RhythmSpectrogram.Compute(y, 22050, keepStft: true), OnsetMethod.ComplexDomain).Values);
        var analyzer = new RhythmAnalyzer { ActivationMethod = OnsetMethod.ComplexDomain };
        Assert.NotNull(analyzer.ComputeSpectrogram(y, 22050).Stft);
        Assert.Null(new RhythmAnalyzer().ComputeSpectrogram(y, 22050).Stft);
    }

    [Fact]
    public void DefaultSpectrogramAllocatesNoComplexStftAndNoWholeMagnitude()
    {
        var shortClip = Music(22050, 30.0);
        var longClip = Music(22050, 90.0);
        RhythmSpectrogram.Compute(shortClip, 22050); // JIT, FFT plans and window caches
        long Allocated(float[] y)
        {
            // This thread's count, so tests running in parallel do not add theirs; the DSP default runs on the caller's thread.
            long before = GC.GetAllocatedBytesForCurrentThread();
            GC.KeepAlive(RhythmSpectrogram.Compute(y, 22050));
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        var bank = new LogFilterbank(22050, 2048, 72);
        long small = Allocated(shortClip), large = Allocated(longClip);
        double perFrame = (large - small) / 6000.0; // 60 s more audio at 100 frames/s
        // Per frame: the kept log bands (4 B each), the transient magnitude of its block (1025 bins × 4 B) and
        // Spectral.Spectrogram's working buffers, about 0.4 MB per 1024-frame call (measured 5889 B per frame in all).
        // Keeping the complex STFT would add 2 × 1025 × 4 = 8200 B per frame, so the bound below fails if it comes back.
        double bound = 4.0 * (bank.Bands + bank.Bins) + 1024;
        Assert.True(perFrame <= bound, $"{perFrame:F0} bytes per frame; at most {bound:F0} expected");
    }
}
