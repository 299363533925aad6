namespace MusicML.Dsp;

/// <summary>
/// Which engine computes Fourier transforms. Every engine gives the same results to float32 rounding; they differ in
/// speed and in what they need. <see cref="FftEngines"/> says which are present and what <see cref="Auto"/> picks
/// (<c>musicml info --engines</c> prints it).
/// </summary>
public enum FftBackend
{
    /// <summary>
    /// The fastest engine present: for framed transforms (STFT and every feature built on it) of a power-of-two
    /// length on a CPU with AVX-512, <see cref="FrameBatch"/> (about twice FFTW's per-frame speed; bench/README.md);
    /// otherwise FFTW (libfftw3f) when it loads, and the managed per-frame engine when it does not.
    /// <c>MUSICML_DISABLE_NATIVE=batchfft</c> keeps Auto off the frame-batch engine, <c>=fftw</c> off FFTW.
    /// </summary>
    Auto,
    /// <summary>FFTW's single-precision library, one frame at a time; fails with the Debian package name when absent.</summary>
    Fftw,
    /// <summary>The managed engine (radix-2, Bluestein for other lengths): same results, no native dependency.</summary>
    Managed,
    /// <summary>
    /// The managed frame-batch engine for framed transforms: 16 frames at once, one per AVX-512 lane, bins written
    /// across frames. Needs AVX-512 and a power-of-two frame length of at least 16; an explicit request that cannot
    /// be met fails with a message saying why instead of silently running another engine. Transforms that are not
    /// framed (ISTFT, the CQT's and tempogram's single transforms, <see cref="RealFft"/> plans) have no batch form and
    /// run on Auto's per-frame engine.
    /// </summary>
    FrameBatch,
}
