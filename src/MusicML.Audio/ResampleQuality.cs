namespace MusicML.Audio;

/// <summary>Resampling quality, named after libsoxr's recipes (librosa's <c>soxr_lq</c> … <c>soxr_vhq</c>).</summary>
public enum ResampleQuality
{
    /// <summary>libsoxr <c>SOXR_LQ</c>: 16-bit precision, large roll-off. Fastest.</summary>
    Low,
    /// <summary>libsoxr <c>SOXR_MQ</c>: 16-bit precision, medium roll-off.</summary>
    Medium,
    /// <summary>libsoxr <c>SOXR_HQ</c>: 20-bit precision, pass band to 91.3 % of Nyquist. librosa's default (<c>soxr_hq</c>).</summary>
    High,
    /// <summary>libsoxr <c>SOXR_VHQ</c>: 28-bit precision. Slowest.</summary>
    VeryHigh,
}

/// <summary>Which implementation resamples.</summary>
public enum ResamplerEngine
{
    /// <summary>libsoxr when it loads, else the managed polyphase resampler.</summary>
    Auto,
    /// <summary>libsoxr; fails with <see cref="MusicML.Core.NativeLibraryMissingException"/> when it is absent.</summary>
    Soxr,
    /// <summary>The managed Kaiser-windowed-sinc polyphase resampler, always available.</summary>
    Managed,
}
