namespace MusicML.Dsp;

/// <summary>Which engine computes Fourier transforms.</summary>
public enum FftBackend
{
    /// <summary>
    /// The fastest engine present: for framed transforms (STFT and every feature built on it) of a power-of-two
    /// length on a CPU with AVX-512, the managed frame-batch engine, which transforms 16 frames at once (about twice
    /// FFTW's per-frame speed; bench/README.md); otherwise FFTW (libfftw3f) when it loads, and the managed
    /// per-frame engine when it does not. <c>MUSICML_DISABLE_NATIVE=batchfft</c> turns the frame-batch engine off.
    /// </summary>
    Auto,
    /// <summary>FFTW's single-precision library, one frame at a time; fails with the Debian package name when absent.</summary>
    Fftw,
    /// <summary>The managed engine (radix-2, Bluestein for other lengths): same results, no native dependency.</summary>
    Managed,
}
