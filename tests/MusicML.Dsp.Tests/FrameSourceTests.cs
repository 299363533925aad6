using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Dsp.Tests;

/// <summary>
/// The one padded frame source: every pad mode against numpy.pad, blocks of a signal against the whole signal (bit
/// for bit, at and across block boundaries), and the STFT driver's engines against each other.
/// </summary>
public class FrameSourceTests
{
    /// <summary>
    /// numpy.pad written from numpy's definitions, independently of <see cref="Padding"/>: 'constant' pads zeros,
    /// 'edge' repeats the end sample, 'reflect' mirrors without repeating the edge and, when the pad is longer than
    /// the signal, keeps mirroring the already padded array (numpy pads in chunks of n − 1 until the width is reached).
    /// </summary>
    private static float[] NumpyPad(float[] x, int pad, PadMode mode)
    {
        var current = x.ToList();
        if (mode == PadMode.Constant) return [.. Enumerable.Repeat(0f, pad), .. x, .. Enumerable.Repeat(0f, pad)];
        if (mode == PadMode.Edge) return [.. Enumerable.Repeat(x[0], pad), .. x, .. Enumerable.Repeat(x[^1], pad)];
        int left = pad, right = pad;
        while (left > 0 || right > 0)
        {
            // Each round mirrors the current array about its ends, at most n − 1 new samples per side (numpy's chunks).
            int chunk = x.Length - 1;
            int l = Math.Min(left, chunk), r = Math.Min(right, chunk);
            var array = current.ToArray();
            var head = Enumerable.Range(1, l).Select(i => array[i]).Reverse();
            var tail = Enumerable.Range(1, r).Select(i => array[array.Length - 1 - i]);
            current = [.. head, .. array, .. tail];
            left -= l;
            right -= r;
        }
        return [.. current];
    }

    [Fact]
    public void ReflectAndEdgeOfAShortSignalMatchNumpysPrintedValues()
    {
        // numpy.pad([1, 2, 3, 4], 5, mode) — the pad is longer than the signal, so reflect repeats its mirror.
        float[] x = [1, 2, 3, 4];
        Assert.Equal([2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3], Padding.Pad(x, 5, PadMode.Reflect));
        Assert.Equal([1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 4, 4], Padding.Pad(x, 5, PadMode.Edge));
        Assert.Equal([0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0], Padding.Pad(x, 5, PadMode.Constant));
        Assert.Equal(NumpyPad(x, 5, PadMode.Reflect), Padding.Pad(x, 5, PadMode.Reflect));
    }

    public static TheoryData<PadMode, int, int, int> FrameCases() => new()
    {
        { PadMode.Constant, 1000, 256, 64 },
        { PadMode.Reflect, 1000, 256, 64 },
        { PadMode.Edge, 1000, 256, 64 },
        { PadMode.Reflect, 1001, 200, 77 },
        { PadMode.Edge, 999, 300, 100 },
        { PadMode.Reflect, 50, 256, 32 },   // pad (128) longer than the signal: reflection repeats
        { PadMode.Constant, 7, 16, 3 },
    };

    [Theory]
    [MemberData(nameof(FrameCases))]
    public void EveryCentredFrameIsASliceOfTheNumpyPaddedSignal(PadMode mode, int n, int frameLength, int hop)
    {
        var x = Signal(n, n + frameLength);
        var padded = NumpyPad(x, frameLength / 2, mode);
        var source = new FrameSource(x, frameLength, hop, center: true, mode);
        var (first, end) = source.AvailableFrames;
        // librosa's count: 1 + (n + 2·pad − frameLength) / hop.
        Assert.Equal(0, first);
        Assert.Equal(1 + (n + 2 * (frameLength / 2) - frameLength) / hop, end);
        var scratch = new float[frameLength];
        for (int t = first; t < end; t++)
            Assert.Equal(padded.AsSpan(t * hop, frameLength).ToArray(), source.Frame(t, scratch).ToArray());
    }

    public static TheoryData<PadMode, int, bool> BlockCases() => new()
    {
        { PadMode.Constant, 4096, true },
        { PadMode.Reflect, 4096, true },
        { PadMode.Edge, 4096, true },
        { PadMode.Constant, 3001, true },  // not a multiple of the hop: boundaries fall inside frames
        { PadMode.Reflect, 2777, true },
        { PadMode.Constant, 4096, false },
        { PadMode.Reflect, 3001, false },
    };

    [Theory]
    [MemberData(nameof(BlockCases))]
    public void BlocksOfTheSignalGiveTheWholeSignalsFramesAndSpectrogramBitForBit(PadMode mode, int blockLength, bool center)
    {
        const int nFft = 1024, hop = 256, n = 22050;
        var y = Signal(n, 5);
        var whole = Spectral.Spectrogram(y, nFft, hop, center: center, padMode: mode, power: 2.0);
        var wholeSource = new FrameSource(y, nFft, hop, center, mode);
        int frames = wholeSource.AvailableFrames.End;
        Assert.Equal(whole.Columns, frames);

        // A streaming reader: blocks of blockLength new samples, each keeping the nFft samples before it (the
        // overlap the frame source documents: frameLength − hop, plus one for reflection at the end).
        var stitched = new float[whole.Data.Length];
        var scratch = new float[nFft];
        var expected = new float[nFft];
        int next = 0;
        for (long start = 0; start < n; start += blockLength)
        {
            long offset = Math.Max(0, start - nFft);
            long stop = Math.Min(n, start + blockLength);
            var block = y.AsSpan((int)offset, (int)(stop - offset));
            var source = new FrameSource(block, offset, endsSignal: stop == n, nFft, hop, center, mode);
            var (first, end) = source.AvailableFrames;
            Assert.True(first <= next, $"block at {offset} starts at frame {first}, after the next frame needed ({next})");
            for (int t = next; t < end; t++)
            {
                wholeSource.CopyFrame(t, expected);
                Assert.Equal(expected, source.Frame(t, scratch).ToArray());
            }
            if (end > next)
            {
                var part = Spectral.Spectrogram(source, next, end - next, power: 2.0);
                for (int k = 0; k < part.Rows; k++) part.Row(k).CopyTo(stitched.AsSpan(k * frames + next, end - next));
                next = end;
            }
        }
        Assert.Equal(frames, next);
        Assert.Equal(whole.Data, stitched);
    }

    public static TheoryData<FftBackend, PadMode, int> ComplexBlockCases => new()
    {
        { FftBackend.Managed, PadMode.Constant, 3001 },
        { FftBackend.Managed, PadMode.Reflect, 4096 },
        { FftBackend.FrameBatch, PadMode.Constant, 3001 },
        { FftBackend.FrameBatch, PadMode.Reflect, 2777 },
        { FftBackend.Fftw, PadMode.Constant, 3001 },
    };

    [SkippableTheory]
    [MemberData(nameof(ComplexBlockCases))]
    public void BlocksOfTheComplexStftAreTheWholeSignalsColumnsBitForBit(FftBackend backend, PadMode mode, int blockLength)
    {
        // The complex STFT's block form goes through the same driver and engines as the whole-signal call: stitched
        // from blocks (boundaries inside frames, odd chunk starts for the frame-batch engine's 16-frame batches and
        // its streaming row stores), every column must be identical.
        const int nFft = 1024, hop = 256, n = 22050;
        Skip.IfNot(FftEngines.IsAvailable(backend, nFft),
            backend == FftBackend.Fftw ? "FFTW (libfftw3f3) is not installed" : "no AVX-512 here, so the frame-batch engine cannot run");
        var options = new DspOptions { Backend = backend };
        var y = Signal(n, 11);
        var whole = Spectral.Stft(y, nFft, hop, padMode: mode, options: options);
        var stitched = new float[whole.Data.Length];
        int frames = whole.Columns, next = 0;
        for (long start = 0; start < n; start += blockLength)
        {
            long offset = Math.Max(0, start - nFft);
            long stop = Math.Min(n, start + blockLength);
            var source = new FrameSource(y.AsSpan((int)offset, (int)(stop - offset)), offset, endsSignal: stop == n, nFft, hop, true, mode);
            int end = source.AvailableFrames.End;
            if (end <= next) continue;
            var part = Spectral.Stft(source, next, end - next, options: options);
            for (int k = 0; k < part.Rows; k++)
                part.Data.AsSpan(2 * k * part.Columns, 2 * part.Columns).CopyTo(stitched.AsSpan(2 * (k * frames + next)));
            next = end;
        }
        Assert.Equal(frames, next);
        Assert.Equal(whole.Data, stitched);
    }

    [Fact]
    public void ABlockRefusesFramesItDoesNotHold()
    {
        var y = Signal(10000, 9);
        var block = new FrameSource(y.AsSpan(2000, 4000), 2000, endsSignal: false, 1024, 256, center: true, PadMode.Constant);
        var (first, end) = block.AvailableFrames;
        // Frame t needs samples [t·256 − 512, t·256 + 512) inside [2000, 6000): t from ⌈2512/256⌉ = 10 to ⌊5488/256⌋ = 21.
        Assert.Equal((10, 22), (first, end));
        var e = Assert.Throws<MusicMLException>(() => Spectral.Spectrogram(new FrameSource(y.AsSpan(2000, 4000), 2000, false, 1024, 256, true, PadMode.Constant), 5, 10));
        Assert.Contains("10..21", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameSource(y.AsSpan(2000, 4000), 2000, false, 1024, 256, true, PadMode.Constant).CopyFrame(9, new float[1024]));
    }

    [Fact]
    public void ReflectPaddingOfOneSampleIsRefusedWithTheReason()
    {
        var e = Assert.Throws<MusicMLException>(() => new FrameSource([1f], 16, 4, center: true, PadMode.Reflect));
        Assert.Contains("at least 2 samples", e.Message);
    }

    /// <summary>Every engine this machine offers, and for the ones it lacks, the error an explicit request gets.</summary>
    [Theory]
    [InlineData(2048, 512)]
    [InlineData(1024, 256)]
    [InlineData(1000, 250)]   // not a power of two: the frame-batch engine cannot run it
    public void EveryEngineGivesTheSameStft(int nFft, int hop)
    {
        var y = Signal(22050, 3);
        var managed = Spectral.Stft(y, nFft, hop, options: new DspOptions { Backend = FftBackend.Managed });
        // Same float32 transform, different butterflies: relative max error of order 1e-7·log2 n, far below 1e-5.
        var auto = Spectral.Stft(y, nFft, hop);
        MusicML.TestSupport.ArrayComparison.AssertRelativeMaxError(managed.Data, auto.Data, 1e-5, "Auto vs Managed");

        var fftwOptions = new DspOptions { Backend = FftBackend.Fftw };
        if (FftEngines.HasFftw)
            MusicML.TestSupport.ArrayComparison.AssertRelativeMaxError(managed.Data, Spectral.Stft(y, nFft, hop, options: fftwOptions).Data, 1e-5, "FFTW vs Managed");
        else
            Assert.Throws<NativeLibraryMissingException>(() => Spectral.Stft(y, nFft, hop, options: fftwOptions));

        var batchOptions = new DspOptions { Backend = FftBackend.FrameBatch };
        if (FftEngines.IsAvailable(FftBackend.FrameBatch, nFft))
        {
            Assert.Equal(FftBackend.FrameBatch, FftEngines.ResolveFramed(FftBackend.FrameBatch, nFft));
            MusicML.TestSupport.ArrayComparison.AssertRelativeMaxError(managed.Data, Spectral.Stft(y, nFft, hop, options: batchOptions).Data, 1e-5, "FrameBatch vs Managed");
            MusicML.TestSupport.ArrayComparison.AssertRelativeMaxError(
                Spectral.Spectrogram(y, nFft, hop, options: new DspOptions { Backend = FftBackend.Managed }).Data,
                Spectral.Spectrogram(y, nFft, hop, options: batchOptions).Data, 1e-5, "FrameBatch spectrogram vs Managed");
        }
        else
        {
            // The explicit choice is honoured: it fails saying why rather than running another engine.
            var e = Assert.Throws<MusicMLException>(() => Spectral.Stft(y, nFft, hop, options: batchOptions));
            Assert.Contains(FftEngines.HasAvx512 ? "power-of-two" : "AVX-512", e.Message);
        }
    }

    [Fact]
    public void AutoPicksTheFrameBatchEngineExactlyWhenItCanRun()
    {
        bool batch = FftEngines.HasAvx512 && !FftEngines.FrameBatchDisabledByEnvironment;
        Assert.Equal(batch ? FftBackend.FrameBatch : FftEngines.HasFftw ? FftBackend.Fftw : FftBackend.Managed, FftEngines.ResolveFramed(FftBackend.Auto, 2048));
        Assert.Equal(FftEngines.HasFftw ? FftBackend.Fftw : FftBackend.Managed, FftEngines.ResolveFramed(FftBackend.Auto, 1000));
        Assert.Equal(FftBackend.Managed, FftEngines.ResolveFramed(FftBackend.Managed, 2048));
    }

    private static float[] Signal(int n, int seed)
    {
        var random = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(0.5 * Math.Sin(0.031 * i) + 0.3 * Math.Sin(0.77 * i) + 0.2 * (random.NextDouble() - 0.5));
        return x;
    }
}
