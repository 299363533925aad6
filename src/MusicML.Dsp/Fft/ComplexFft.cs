using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Collections.Concurrent;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// A cached plan for the complex discrete Fourier transform of one length n (numpy's <c>fft</c>/<c>ifft</c>) on
/// interleaved (re, im) float32 data. Any n is supported; plans are shared and thread-safe (see <see cref="RealFft"/>
/// for the engines and alignment handling).
/// </summary>
public sealed unsafe class ComplexFft : IDisposable
{
    private static readonly ConcurrentDictionary<(int, FftBackend), ComplexFft> Cache = new();

    private readonly ManagedComplexFft<float>? _managed;
    private readonly FftwPlanHandle? _forwardPlan, _inversePlan;
    private readonly ThreadLocal<(AlignedBuffer In, AlignedBuffer Out)>? _scratch;

    private ComplexFft(int length, FftBackend backend)
    {
        Length = length;
        Backend = backend;
        if (backend == FftBackend.Managed)
        {
            _managed = new ManagedComplexFft<float>(length);
            return;
        }
        var a = new AlignedBuffer(2 * length);
        var b = new AlignedBuffer(2 * length);
        uint rigour = FftwNative.Rigour;
        lock (FftwNative.PlannerLock)
        {
            _forwardPlan = FftwNative.fftwf_plan_dft_1d(length, a.Pointer, b.Pointer, FftwNative.ForwardSign, rigour | FftwNative.PreserveInput);
            _inversePlan = FftwNative.fftwf_plan_dft_1d(length, a.Pointer, b.Pointer, FftwNative.BackwardSign, rigour | FftwNative.PreserveInput);
        }
        if (_forwardPlan!.IsInvalid || _inversePlan!.IsInvalid)
            throw new MusicMLException($"FFTW could not plan a complex transform of length {length}.");
        _scratch = new ThreadLocal<(AlignedBuffer, AlignedBuffer)>(() => (new AlignedBuffer(2 * length), new AlignedBuffer(2 * length)));
    }

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

    /// <summary>The transform length n (complex values).</summary>
    public int Length { get; }

    /// <summary>The engine in use: <see cref="FftBackend.Fftw"/> or <see cref="FftBackend.Managed"/> (never Auto).</summary>
    public FftBackend Backend { get; }

    /// <summary>Returns the shared plan for length <paramref name="length"/> on <paramref name="backend"/>.</summary>
    /// <exception cref="MusicMLException"><paramref name="length"/> is not positive.</exception>
    /// <exception cref="NativeLibraryMissingException">FFTW was requested explicitly and is not installed.</exception>
    public static ComplexFft Create(int length, FftBackend backend = FftBackend.Auto)
    {
        if (length <= 0) throw new MusicMLException($"FFT length must be positive; got {length}.");
        var resolved = FftEngine.Resolve(backend);
        return Cache.GetOrAdd((length, resolved), key => new ComplexFft(key.Item1, key.Item2) { IsShared = true });
    }

    /// <summary>Forward transform (e^{−2πikn/N}, unnormalised) of n interleaved values from <paramref name="input"/> into <paramref name="output"/> (2n floats each; may be the same span).</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output) => Execute(input, output, inverse: false);

    /// <summary>Inverse transform (e^{+2πikn/N}) scaled by 1/n like numpy's <c>ifft</c>; input and output may be the same span.</summary>
    public void Inverse(ReadOnlySpan<float> input, Span<float> output)
    {
        Execute(input, output, inverse: true);
        float scale = 1f / Length;
        var o = output[..(2 * Length)];
        for (int i = 0; i < o.Length; i++) o[i] *= scale;
    }

    private void Execute(ReadOnlySpan<float> input, Span<float> output, bool inverse)
    {
        int floats = 2 * Length;
        if (input.Length < floats) throw new ArgumentException($"Input needs {floats} floats; got {input.Length}.", nameof(input));
        if (output.Length < floats) throw new ArgumentException($"Output needs {floats} floats; got {output.Length}.", nameof(output));
        if (_managed != null)
        {
            if (!input.Overlaps(output) || !Unsafe.AreSame(ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output)))
                input[..floats].CopyTo(output);
            _managed.Transform(output[..floats], inverse);
            return;
        }
        var plan = (inverse ? _inversePlan : _forwardPlan)!;
        fixed (float* inPtr = input)
        fixed (float* outPtr = output)
        {
            // Plans were made out of place; in-place calls and unaligned buffers go through aligned scratch.
            if (inPtr != outPtr && !input.Overlaps(output) && FftwNative.IsAligned(inPtr) && FftwNative.IsAligned(outPtr))
            {
                FftwNative.fftwf_execute_dft(plan, inPtr, outPtr);
                return;
            }
            var (a, b) = _scratch!.Value;
            input[..floats].CopyTo(a.Span);
            FftwNative.fftwf_execute_dft(plan, a.Pointer, b.Pointer);
            b.Span.CopyTo(output);
        }
    }
}
