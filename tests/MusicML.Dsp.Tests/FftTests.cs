using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Dsp.Tests;

public class FftTests
{
    // Sizes cover radix-2, composite non-powers (Bluestein in the managed engine), primes and the trivial n = 1.
    public static TheoryData<int> Sizes() => [1, 2, 3, 8, 12, 15, 17, 64, 100, 257, 1000, 1024, 2048, 4096 + 3];

    private static double[] NaiveDft(ReadOnlySpan<float> interleaved, int n, int sign)
    {
        var result = new double[2 * n];
        for (int k = 0; k < n; k++)
        {
            double re = 0, im = 0;
            for (int t = 0; t < n; t++)
            {
                double angle = sign * 2 * Math.PI * ((long)k * t % n) / n;
                double xr = interleaved[2 * t], xi = interleaved[2 * t + 1];
                re += xr * Math.Cos(angle) - xi * Math.Sin(angle);
                im += xr * Math.Sin(angle) + xi * Math.Cos(angle);
            }
            result[2 * k] = re;
            result[2 * k + 1] = im;
        }
        return result;
    }

    private static float[] RandomSignal(int length, int seed)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        return x;
    }

    private static double RelativeError(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, int count)
    {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < count; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxDiff / maxRef;
    }

    /// <summary>Every engine a caller can pick: Auto (the AVX-512 frame-batch engine for power-of-two STFTs where
    /// the machine has it, else FFTW or managed), then the two per-frame engines explicitly.</summary>
    public static IEnumerable<FftBackend> Backends()
    {
        yield return FftBackend.Auto;
        yield return FftBackend.Managed;
        if (!NativeDependency.IsDisabledByEnvironment("fftw")) yield return FftBackend.Fftw;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void RealForwardMatchesDoublePrecisionDftOnBothBackends(int n)
    {
        var x = RandomSignal(n, n);
        var complexInput = new float[2 * n];
        for (int i = 0; i < n; i++) complexInput[2 * i] = x[i];
        var expected = NaiveDft(complexInput, n, -1);
        foreach (var backend in Backends())
        {
            var fft = RealFft.Create(n, backend);
            var spectrum = new float[2 * fft.Bins];
            fft.Forward(x, spectrum);
            // float32 FFTs of random data agree with a double DFT to a few float32 ulps of the largest bin (~1e-6).
            Assert.True(RelativeError(expected, spectrum, 2 * fft.Bins) < 1e-5, $"{backend} n={n}");
            var back = new float[n];
            fft.Inverse(spectrum, back);
            Assert.True(RelativeError(Array.ConvertAll(x, v => (double)v), back, n) < 1e-5, $"{backend} inverse n={n}");
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ComplexForwardAndInverseMatchDftOnBothBackends(int n)
    {
        var x = RandomSignal(2 * n, 7 * n);
        var expected = NaiveDft(x, n, -1);
        foreach (var backend in Backends())
        {
            var fft = ComplexFft.Create(n, backend);
            var output = new float[2 * n];
            fft.Forward(x, output);
            Assert.True(RelativeError(expected, output, 2 * n) < 1e-5, $"{backend} n={n}");
            // In place, as callers that transform a buffer in situ will do.
            fft.Inverse(output, output);
            Assert.True(RelativeError(Array.ConvertAll(x, v => (double)v), output, 2 * n) < 1e-5, $"{backend} inverse n={n}");
        }
    }

    // FFTW's cases cannot run when MUSICML_DISABLE_NATIVE names it or libfftw3f is absent: reported as skipped.
    private static void SkipWithoutFftw() =>
        Skip.If(NativeDependency.IsDisabledByEnvironment("fftw") || !FftwNative.IsAvailable,
            "FFTW is disabled (MUSICML_DISABLE_NATIVE=fftw) or libfftw3f is not installed (apt-get install libfftw3-single3)");

    [SkippableFact]
    public void UnalignedCallerBuffersGiveTheSameResult()
    {
        SkipWithoutFftw();
        var fft = RealFft.Create(2048, FftBackend.Fftw);
        var x = RandomSignal(2049, 3);
        var aligned = new float[2 * fft.Bins];
        var offsetOutput = new float[2 * fft.Bins + 1];
        fft.Forward(x.AsSpan(0, 2048), aligned);
        fft.Forward(x.AsSpan(0, 2048), offsetOutput.AsSpan(1));
        Assert.Equal(aligned, offsetOutput.AsSpan(1).ToArray());
    }

    [Fact]
    public void PlansAreSharedAndSafeAcrossThreads()
    {
        var x = RandomSignal(1024, 11);
        foreach (var backend in Backends())
        {
            var fft = RealFft.Create(1024, backend);
            Assert.Same(fft, RealFft.Create(1024, backend));
            var expected = new float[2 * fft.Bins];
            fft.Forward(x, expected);
            Parallel.For(0, 64, _ =>
            {
                var local = new float[2 * fft.Bins];
                fft.Forward(x, local);
                Assert.Equal(expected, local);
            });
        }
    }

    [Fact]
    public void InvalidLengthIsRejectedWithTheValue()
    {
        var e = Assert.Throws<MusicMLException>(() => RealFft.Create(0));
        Assert.Contains("0", e.Message);
    }

    [SkippableTheory]
    [InlineData(256)]
    [InlineData(1000)]
    [InlineData(2048)]
    [InlineData(4096)]
    public void FftwPlansOfTheSameLengthGiveBitIdenticalResults(int n)
    {
        // Measured planning chose between algorithms by timing, so runs of the same program rounded differently.
        // Planning twice with FFTW's accumulated wisdom forgotten in between must give the same bits.
        SkipWithoutFftw();
        var x = RandomSignal(n, 7);
        var first = new float[n + 2];
        var second = new float[n + 2];
        RealFft.CreateUnshared(n, FftBackend.Fftw).Forward(x, first);
        lock (FftwNative.PlannerLock) FftwNative.fftwf_forget_wisdom();
        RealFft.CreateUnshared(n, FftBackend.Fftw).Forward(x, second);
        Assert.Equal(first, second);
    }

    [Fact]
    public void AnOwnedFftwPlanIsReleasedOnDisposeEvenWhileOtherThreadsRunIt()
    {
        if (!FftEngines.HasFftw)
        {
            // No FFTW here: the explicit request must say so rather than run another engine.
            Assert.Throws<NativeLibraryMissingException>(() => RealFft.Create(64, FftBackend.Fftw));
            return;
        }
        var x = new float[256];
        x[0] = 1; // a unit impulse: every bin is 1 + 0i
        var owned = RealFft.CreateUnshared(256, FftBackend.Fftw);
        Assert.False(owned.IsShared);
        // Calls racing the Dispose either finish with the right spectrum or are refused with ObjectDisposedException:
        // the handle keeps the plan alive for every call already inside FFTW, so none can run on a destroyed plan.
        int completed = 0, refused = 0;
        Parallel.For(0, 2000, i =>
        {
            if (i == 1000) owned.Dispose();
            var spectrum = new float[258];
            try
            {
                owned.Forward(x, spectrum);
                Assert.All(Enumerable.Range(0, 129), k => Assert.Equal(1f, spectrum[2 * k]));
                Interlocked.Increment(ref completed);
            }
            catch (ObjectDisposedException)
            {
                Interlocked.Increment(ref refused);
            }
        });
        Assert.Equal(2000, completed + refused);
        Assert.Throws<ObjectDisposedException>(() => owned.Forward(x, new float[258]));

        // The cache owns shared plans: Dispose leaves them working for everyone else.
        var shared = RealFft.Create(256, FftBackend.Fftw);
        Assert.True(shared.IsShared);
        shared.Dispose();
        var after = new float[258];
        shared.Forward(x, after);
        Assert.Equal(1f, after[0]);
    }
}
