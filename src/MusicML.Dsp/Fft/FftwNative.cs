using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// P/Invoke surface of FFTW 3 single precision (libfftw3f). Only planning is serialised: FFTW's planner is not
/// thread-safe, while executing an existing plan on new arrays (the <c>fftwf_execute_dft*</c> calls) is.
/// </summary>
internal static unsafe class FftwNative
{
    public const uint Measure = 0;

    /// <summary>
    /// The planning rigour of every plan: FFTW_ESTIMATE. FFTW_MEASURE times candidate algorithms and keeps the
    /// fastest, so two processes could get different plans for the same length, which round differently: the same
    /// file then gave different last digits from run to run (YIN pitch, tempogram, chroma_cqt). Results must be
    /// reproducible; the frame-batch engine runs the hot STFT paths anyway.
    /// </summary>
    public const uint Rigour = Estimate;
    public const uint PreserveInput = 1u << 4;
    public const uint Estimate = 1u << 6;
    public const int ForwardSign = -1;
    public const int BackwardSign = 1;

    /// <summary>FFTW's SIMD codelets need this alignment (bytes); buffers that lack it go through aligned scratch.</summary>
    public const int Alignment = 64;

    public static readonly NativeDependency Dependency = new(
        "fftw", "FFTW (libfftw3f)", "libfftw3-single3", "fast Fourier transforms (the managed FFT is used without it)",
        "libfftw3f.so.3", "libfftw3f.so", "libfftw3f-3.dll", "libfftw3f.3.dylib");

    /// <summary>Serialises every call into FFTW's planner, which keeps global state.</summary>
    public static readonly Lock PlannerLock = new();

    static FftwNative() => Dependency.RegisterResolver(typeof(FftwNative).Assembly);

    public static bool IsAvailable => Dependency.IsAvailable;

    // Plans come back as FftwPlanHandle and go in as one: the marshaller holds a reference on the handle for the
    // length of every execute call, so neither Dispose on another thread nor the finalizer can destroy a plan that
    // native code is still running.
    [DllImport("fftw")] public static extern FftwPlanHandle fftwf_plan_dft_r2c_1d(int n, float* input, float* output, uint flags);
    [DllImport("fftw")] public static extern FftwPlanHandle fftwf_plan_dft_c2r_1d(int n, float* input, float* output, uint flags);
    [DllImport("fftw")] public static extern FftwPlanHandle fftwf_plan_dft_1d(int n, float* input, float* output, int sign, uint flags);
    [DllImport("fftw")] public static extern void fftwf_execute_dft_r2c(FftwPlanHandle plan, float* input, float* output);
    [DllImport("fftw")] public static extern void fftwf_execute_dft_c2r(FftwPlanHandle plan, float* input, float* output);
    [DllImport("fftw")] public static extern void fftwf_execute_dft(FftwPlanHandle plan, float* input, float* output);
    [DllImport("fftw")] public static extern void fftwf_destroy_plan(IntPtr plan);
    [DllImport("fftw")] public static extern void fftwf_forget_wisdom();

    /// <summary>Whether <paramref name="pointer"/> meets <see cref="Alignment"/>, so a plan made on aligned buffers may run on it.</summary>
    public static bool IsAligned(float* pointer) => ((nuint)pointer & (Alignment - 1)) == 0;
}

/// <summary>
/// An FFTW plan (<c>fftwf_plan</c>) with one owner: released by <c>fftwf_destroy_plan</c> exactly once, when the
/// owner disposes it or, failing that, by the finalizer, and never while an execute call holds it (the P/Invoke
/// marshaller adds a reference for the duration of each call). Destroying goes through the planner lock, because
/// FFTW's planner and destroyer share global state.
/// </summary>
internal sealed class FftwPlanHandle : SafeHandle
{
    /// <summary>Called by the marshaller when a planning call returns.</summary>
    public FftwPlanHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        lock (FftwNative.PlannerLock) FftwNative.fftwf_destroy_plan(handle);
        return true;
    }
}

/// <summary>
/// A float buffer on the pinned object heap whose usable part starts on an <see cref="FftwNative.Alignment"/>
/// boundary: it never moves, so its pointer stays valid for FFTW, and the GC reclaims it like any array.
/// </summary>
internal sealed unsafe class AlignedBuffer
{
    private readonly float[] _storage;
    private readonly int _offset;

    public AlignedBuffer(int length)
    {
        Length = length;
        _storage = GC.AllocateArray<float>(length + FftwNative.Alignment / sizeof(float), pinned: true);
        var address = (nuint)Unsafe.AsPointer(ref _storage[0]);
        var misalignment = (int)(address & (FftwNative.Alignment - 1));
        _offset = misalignment == 0 ? 0 : (FftwNative.Alignment - misalignment) / sizeof(float);
    }

    public int Length { get; }

    public float* Pointer => (float*)Unsafe.AsPointer(ref _storage[_offset]);

    public Span<float> Span => _storage.AsSpan(_offset, Length);
}
