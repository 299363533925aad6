using System.Runtime.InteropServices;
using MusicML.Core;

namespace MusicML.Audio;

/// <summary>P/Invoke surface of libsoxr, the resampler behind librosa's default <c>soxr_hq</c>.</summary>
internal static unsafe partial class Soxr
{
    private const string Library = "soxr";
    private const int Float32Interleaved = 0;

    /// <summary>libsoxr, resolved by its versioned soname.</summary>
    public static readonly NativeDependency Dependency = Register(
        new NativeDependency(Library, "libsoxr", "libsoxr0", "high-quality resampling (librosa's soxr_hq)",
            "libsoxr.so.0", "libsoxr.so", "libsoxr.dylib", "soxr.dll"));

    [StructLayout(LayoutKind.Sequential)]
    public struct IoSpec
    {
        public int InputType;
        public int OutputType;
        public double Scale;
        public IntPtr Reserved;
        public CULong Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct QualitySpec
    {
        public double Precision;
        public double PhaseResponse;
        public double PassbandEnd;
        public double StopbandBegin;
        public IntPtr Reserved;
        public CULong Flags;
    }

    [LibraryImport(Library, EntryPoint = "soxr_quality_spec")]
    private static partial QualitySpec QualitySpecNative(CULong recipe, CULong flags);

    [LibraryImport(Library, EntryPoint = "soxr_create")]
    private static partial SoxrHandle CreateNative(double inputRate, double outputRate, uint channels, IntPtr* error,
        IoSpec* ioSpec, QualitySpec* qualitySpec, IntPtr runtimeSpec);

    [LibraryImport(Library, EntryPoint = "soxr_process")]
    private static partial IntPtr ProcessNative(SoxrHandle resampler, float* input, nuint inputLength, nuint* inputDone,
        float* output, nuint outputLength, nuint* outputDone);

    [LibraryImport(Library, EntryPoint = "soxr_delete")]
    internal static partial void Delete(IntPtr resampler);

    /// <summary>
    /// Creates a one-channel float32 resampler with the recipe python-soxr uses for a quality name
    /// (<c>soxr_quality_spec(recipe, 0)</c>, default runtime: one thread).
    /// </summary>
    public static SoxrHandle Create(double inputRate, double outputRate, ResampleQuality quality)
    {
        Dependency.EnsureAvailable();
        ulong recipe = quality switch
        {
            ResampleQuality.Low => 1,
            ResampleQuality.Medium => 2,
            ResampleQuality.High => 4,
            _ => 6,
        };
        var q = QualitySpecNative(new CULong((nuint)recipe), new CULong(0));
        var io = new IoSpec { InputType = Float32Interleaved, OutputType = Float32Interleaved, Scale = 1.0 };
        IntPtr error = IntPtr.Zero;
        var handle = CreateNative(inputRate, outputRate, 1, &error, &io, &q, IntPtr.Zero);
        if (error != IntPtr.Zero || handle.IsInvalid)
        {
            handle.Dispose();
            throw new MusicMLException($"libsoxr rejected {inputRate} Hz → {outputRate} Hz: {Marshal.PtrToStringUTF8(error) ?? "unknown error"}.");
        }
        return handle;
    }

    /// <summary>
    /// Feeds all of <paramref name="input"/> (libsoxr buffers what it cannot output yet) and writes up to
    /// <paramref name="output"/>.Length samples; an empty input with <paramref name="flush"/> drains the tail.
    /// </summary>
    public static int Process(SoxrHandle resampler, ReadOnlySpan<float> input, Span<float> output, bool flush)
    {
        nuint done = 0;
        IntPtr error;
        float placeholder = 0;
        fixed (float* i = input)
        fixed (float* o = output)
        {
            // A null input pointer is libsoxr's end-of-input signal, so an empty block must not pass null; a null
            // idone makes it take all the input.
            float* source = flush ? null : input.IsEmpty ? &placeholder : i;
            error = ProcessNative(resampler, source, flush ? 0 : (nuint)input.Length, null, o, (nuint)output.Length, &done);
        }
        if (error != IntPtr.Zero) throw new MusicMLException($"libsoxr failed: {Marshal.PtrToStringUTF8(error)}.");
        return (int)done;
    }

    private static NativeDependency Register(NativeDependency dependency)
    {
        dependency.RegisterResolver(typeof(Soxr).Assembly);
        return dependency;
    }
}

/// <summary>
/// One libsoxr resampler (<c>soxr_t</c>), deleted with <c>soxr_delete</c>. As a <see cref="SafeHandle"/> it is
/// reference-counted across <c>soxr_process</c>, so neither Dispose nor a finalizer can delete it during a call.
/// </summary>
internal sealed class SoxrHandle : SafeHandle
{
    /// <summary>Used by the P/Invoke marshaller for the handle <c>soxr_create</c> returns.</summary>
    public SoxrHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        Soxr.Delete(handle);
        return true;
    }
}
