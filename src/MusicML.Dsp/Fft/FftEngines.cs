using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>Which FFT engines this machine and process offer, and which one <see cref="FftBackend.Auto"/> picks.</summary>
public static class FftEngines
{
    /// <summary>Whether the CPU runs AVX-512 (F) with 512-bit vectors accelerated (the frame-batch engine's requirement).</summary>
    public static bool HasAvx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>Whether libfftw3f loads (and <c>MUSICML_DISABLE_NATIVE</c> does not name <c>fftw</c>).</summary>
    public static bool HasFftw => FftwNative.IsAvailable;

    /// <summary>Where libfftw3f was loaded from, or null when it is not loaded.</summary>
    public static string? FftwLibrary => HasFftw ? FftwNative.Dependency.LoadedFrom : null;

    /// <summary>Whether <c>MUSICML_DISABLE_NATIVE=batchfft</c> keeps <see cref="FftBackend.Auto"/> off the frame-batch engine.</summary>
    public static bool FrameBatchDisabledByEnvironment { get; } = NativeDependency.IsDisabledByEnvironment("batchfft");

    /// <summary>Whether <paramref name="backend"/> can run framed transforms of length <paramref name="nFft"/> here.</summary>
    public static bool IsAvailable(FftBackend backend, int nFft) => backend switch
    {
        FftBackend.Auto or FftBackend.Managed => true,
        FftBackend.Fftw => HasFftw,
        FftBackend.FrameBatch => FrameBatchFft.IsSupported(nFft),
        _ => false,
    };

    /// <summary>
    /// The engine that framed transforms (STFT, spectrogram, every feature) of length <paramref name="nFft"/> run on
    /// under <paramref name="backend"/>: never <see cref="FftBackend.Auto"/>.
    /// </summary>
    /// <exception cref="MusicMLException">An explicit engine that cannot run here (the reason is named).</exception>
    /// <exception cref="NativeLibraryMissingException">FFTW was requested explicitly and is not installed.</exception>
    public static FftBackend ResolveFramed(FftBackend backend, int nFft)
    {
        switch (backend)
        {
            case FftBackend.Auto:
                return !FrameBatchDisabledByEnvironment && FrameBatchFft.IsSupported(nFft) ? FftBackend.FrameBatch : FftEngine.Resolve(FftBackend.Auto);
            case FftBackend.FrameBatch:
                if (!HasAvx512)
                    throw new MusicMLException("FftBackend.FrameBatch needs a CPU with AVX-512, which this machine lacks; use Auto, Fftw or Managed.");
                if (!FrameBatchFft.IsSupported(nFft))
                    throw new MusicMLException($"FftBackend.FrameBatch needs a power-of-two frame length from 16 to 2^24; nFft = {nFft}. Use Auto, Fftw or Managed.");
                return FftBackend.FrameBatch;
            default:
                return FftEngine.Resolve(backend);
        }
    }
}

/// <summary>The STFT driver's engine choice for one call.</summary>
internal static class StftEngine
{
    /// <summary>The engine framed transforms of <paramref name="nFft"/> samples use under <paramref name="options"/>.</summary>
    public static FftBackend Resolve(int nFft, DspOptions options) => FftEngines.ResolveFramed(options.Backend, nFft);
}
