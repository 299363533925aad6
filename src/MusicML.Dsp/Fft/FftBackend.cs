namespace MusicML.Dsp;

/// <summary>Which engine computes Fourier transforms.</summary>
public enum FftBackend
{
    /// <summary>FFTW (libfftw3f) when it loads, the managed engine otherwise.</summary>
    Auto,
    /// <summary>FFTW's single-precision library; fails with the Debian package name when absent.</summary>
    Fftw,
    /// <summary>The managed engine (radix-2, Bluestein for other lengths): same results, no native dependency.</summary>
    Managed,
}
