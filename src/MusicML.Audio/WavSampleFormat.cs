namespace MusicML.Audio;

/// <summary>Sample encodings <see cref="WavWriter"/> can write.</summary>
public enum WavSampleFormat
{
    /// <summary>Signed 16-bit integer PCM (samples clipped to [-1, 1) and rounded).</summary>
    Pcm16,
    /// <summary>Signed 24-bit integer PCM (samples clipped to [-1, 1) and rounded).</summary>
    Pcm24,
    /// <summary>32-bit IEEE float, written unchanged (no clipping).</summary>
    Float32,
}
