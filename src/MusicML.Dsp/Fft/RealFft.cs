using System.Collections.Concurrent;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// A cached plan for the discrete Fourier transform of real signals of one length n (numpy's <c>rfft</c>/<c>irfft</c>):
/// n real samples ↔ n/2 + 1 complex bins as interleaved (re, im) float32 pairs. Any n is supported. Plans are shared
/// and thread-safe: obtain one with <see cref="Create"/> and call it from any number of threads.
/// </summary>
/// <remarks>
/// Set <c>MUSICML_DISABLE_NATIVE=fftw</c> to force the managed engine. FFTW (Frigo &amp; Johnson, "The design and implementation of FFTW3", Proc. IEEE 93(2), 2005) runs the transform when
/// libfftw3f is present; the managed engine gives the same results (to float32 rounding) otherwise. Caller buffers
/// that are not 64-byte aligned are copied through per-thread aligned scratch, because FFTW's SIMD plans require the
/// alignment they were planned with.
/// </remarks>
public sealed unsafe class RealFft : IDisposable
{
    private static readonly ConcurrentDictionary<(int, FftBackend), RealFft> Cache = new();

    private readonly ManagedRealFft<float>? _managed;
    private readonly FftwPlanHandle? _forwardPlan, _inversePlan;
    private readonly ThreadLocal<(AlignedBuffer Real, AlignedBuffer Complex)>? _scratch;

    private RealFft(int length, FftBackend backend)
    {
        Length = length;
        Backend = backend;
        if (backend == FftBackend.Managed)
        {
            _managed = new ManagedRealFft<float>(length);
            return;
        }
        var real = new AlignedBuffer(length);
        var complex = new AlignedBuffer(2 * (length / 2 + 1));
        uint rigour = FftwNative.Rigour;
        lock (FftwNative.PlannerLock)
        {
            _forwardPlan = FftwNative.fftwf_plan_dft_r2c_1d(length, real.Pointer, complex.Pointer, rigour);
            // FFTW's complex-to-real transforms overwrite their input unless asked not to; callers pass read-only spans.
            _inversePlan = FftwNative.fftwf_plan_dft_c2r_1d(length, complex.Pointer, real.Pointer, rigour | FftwNative.PreserveInput);
        }
        if (_forwardPlan!.IsInvalid || _inversePlan!.IsInvalid)
            throw new MusicMLException($"FFTW could not plan a real transform of length {length}.");
        _scratch = new ThreadLocal<(AlignedBuffer, AlignedBuffer)>(
            () => (new AlignedBuffer(length), new AlignedBuffer(2 * (length / 2 + 1))));
    }

    /// <summary>A plan of its own, outside the cache: lets tests plan the same length twice.</summary>
    internal static RealFft CreateUnshared(int length, FftBackend backend) => new(length, FftEngine.Resolve(backend));

    /// <summary>
    /// Whether this plan belongs to the shared cache (<see cref="Create"/>): shared plans live as long as the process
    /// and <see cref="Dispose"/> leaves them alone; plans of one's own are released by it.
    /// </summary>
    public bool IsShared { get; private init; }

    /// <summary>
    /// Releases the FFTW plans now (deterministically, rather than at finalization) when this plan is not shared;
    /// a shared plan from <see cref="Create"/> is owned by the cache and stays. Calls that are running keep their
    /// plan alive until they return (see <see cref="FftwPlanHandle"/>); later calls fail with ObjectDisposedException.
    /// </summary>
    public void Dispose()
    {
        if (IsShared) return;
        _forwardPlan?.Dispose();
        _inversePlan?.Dispose();
    }

    /// <summary>The transform length n (samples).</summary>
    public int Length { get; }

    /// <summary>Number of complex bins, n/2 + 1.</summary>
    public int Bins => Length / 2 + 1;

    /// <summary>The engine in use: <see cref="FftBackend.Fftw"/> or <see cref="FftBackend.Managed"/> (never Auto).</summary>
    public FftBackend Backend { get; }

    /// <summary>Returns the shared plan for length <paramref name="length"/> on <paramref name="backend"/>.</summary>
    /// <exception cref="MusicMLException"><paramref name="length"/> is not positive.</exception>
    /// <exception cref="NativeLibraryMissingException">FFTW was requested explicitly and is not installed.</exception>
    public static RealFft Create(int length, FftBackend backend = FftBackend.Auto)
    {
        if (length <= 0) throw new MusicMLException($"FFT length must be positive; got {length}.");
        var resolved = FftEngine.Resolve(backend);
        return Cache.GetOrAdd((length, resolved), key => new RealFft(key.Item1, key.Item2) { IsShared = true });
    }

    /// <summary>
    /// Forward transform: <paramref name="input"/> holds n samples, <paramref name="spectrum"/> receives n/2 + 1
    /// interleaved complex bins (2·(n/2 + 1) floats), unnormalised like numpy's <c>rfft</c>.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> spectrum)
    {
        if (input.Length < Length) throw new ArgumentException($"Input needs {Length} samples; got {input.Length}.", nameof(input));
        if (spectrum.Length < 2 * Bins) throw new ArgumentException($"Spectrum needs {2 * Bins} floats; got {spectrum.Length}.", nameof(spectrum));
        if (_managed != null)
        {
            _managed.Forward(input, spectrum);
            return;
        }
        fixed (float* inPtr = input)
        fixed (float* outPtr = spectrum)
        {
            if (FftwNative.IsAligned(inPtr) && FftwNative.IsAligned(outPtr))
            {
                FftwNative.fftwf_execute_dft_r2c(_forwardPlan!, inPtr, outPtr);
                return;
            }
            var (real, complex) = _scratch!.Value;
            input[..Length].CopyTo(real.Span);
            FftwNative.fftwf_execute_dft_r2c(_forwardPlan!, real.Pointer, complex.Pointer);
            complex.Span.CopyTo(spectrum);
        }
    }

    /// <summary>
    /// Inverse transform: n/2 + 1 interleaved bins in <paramref name="spectrum"/> → n samples in <paramref name="output"/>,
    /// scaled by 1/n like numpy's <c>irfft</c>, so <c>Inverse(Forward(x)) = x</c>. The imaginary parts of the DC and
    /// (for even n) Nyquist bins are ignored.
    /// </summary>
    public void Inverse(ReadOnlySpan<float> spectrum, Span<float> output)
    {
        InverseUnscaled(spectrum, output);
        float scale = 1f / Length;
        var o = output[..Length];
        for (int i = 0; i < o.Length; i++) o[i] *= scale;
    }

    /// <summary>Inverse transform without the 1/n factor, for callers that fold the scale into a window.</summary>
    internal void InverseUnscaled(ReadOnlySpan<float> spectrum, Span<float> output)
    {
        if (spectrum.Length < 2 * Bins) throw new ArgumentException($"Spectrum needs {2 * Bins} floats; got {spectrum.Length}.", nameof(spectrum));
        if (output.Length < Length) throw new ArgumentException($"Output needs {Length} samples; got {output.Length}.", nameof(output));
        if (_managed != null)
        {
            _managed.InverseUnscaled(spectrum, output);
            return;
        }
        fixed (float* inPtr = spectrum)
        fixed (float* outPtr = output)
        {
            if (FftwNative.IsAligned(inPtr) && FftwNative.IsAligned(outPtr))
            {
                FftwNative.fftwf_execute_dft_c2r(_inversePlan!, inPtr, outPtr);
                return;
            }
            var (real, complex) = _scratch!.Value;
            spectrum[..(2 * Bins)].CopyTo(complex.Span);
            FftwNative.fftwf_execute_dft_c2r(_inversePlan!, complex.Pointer, real.Pointer);
            real.Span.CopyTo(output);
        }
    }
}

/// <summary>Resolves <see cref="FftBackend.Auto"/> and checks explicit requests.</summary>
internal static class FftEngine
{
    public static FftBackend Resolve(FftBackend backend) => backend switch
    {
        FftBackend.Managed => FftBackend.Managed,
        FftBackend.Fftw => RequireFftw(),
        // FrameBatch has no single-transform form: plans for it are Auto's per-frame engine (see FftBackend.FrameBatch).
        FftBackend.Auto or FftBackend.FrameBatch => FftwNative.IsAvailable ? FftBackend.Fftw : FftBackend.Managed,
        _ => throw new MusicMLException($"Unknown FFT backend {backend}."),
    };

    private static FftBackend RequireFftw()
    {
        FftwNative.Dependency.EnsureAvailable();
        return FftBackend.Fftw;
    }
}
