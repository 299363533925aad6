using MusicML.Core;

namespace MusicML.Audio;

/// <summary>
/// Decoded audio: one float array per channel (planar), samples in [-1, 1], all channels the same length.
/// </summary>
public sealed class AudioBuffer
{
    private readonly float[][] _channels;

    /// <summary>Wraps planar channel arrays without copying them.</summary>
    /// <param name="channels">One array per channel, all of the same length (frames).</param>
    /// <param name="sampleRate">Sampling rate in Hz (positive).</param>
    /// <exception cref="MusicMLException">No channels, channels of different lengths, or a non-positive rate.</exception>
    public AudioBuffer(float[][] channels, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length == 0) throw new MusicMLException("An audio buffer needs at least one channel; got 0.");
        InputGuard.SampleRate(sampleRate);
        for (int c = 0; c < channels.Length; c++)
        {
            if (channels[c] is null) throw new MusicMLException($"Channel {c} of the audio buffer is null.");
            if (channels[c].Length != channels[0].Length)
                throw new MusicMLException(
                    $"All channels must have the same length; channel {c} has {channels[c].Length} frames, channel 0 has {channels[0].Length}.");
        }
        _channels = channels;
        SampleRate = sampleRate;
    }

    /// <summary>Wraps one mono channel without copying it.</summary>
    /// <param name="mono">The samples.</param>
    /// <param name="sampleRate">Sampling rate in Hz.</param>
    public AudioBuffer(float[] mono, int sampleRate) : this([mono ?? throw new ArgumentNullException(nameof(mono))], sampleRate) { }

    /// <summary>Sampling rate in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Number of channels (1 for mono).</summary>
    public int ChannelCount => _channels.Length;

    /// <summary>Number of frames (samples per channel).</summary>
    public int FrameCount => _channels[0].Length;

    /// <summary>Length in seconds: <see cref="FrameCount"/> / <see cref="SampleRate"/>.</summary>
    public double Duration => (double)FrameCount / SampleRate;

    /// <summary>The samples of channel <paramref name="index"/> (0-based); the buffer's own array, not a copy.</summary>
    /// <exception cref="MusicMLException">The index is outside [0, <see cref="ChannelCount"/>).</exception>
    public float[] Channel(int index)
    {
        if ((uint)index >= (uint)_channels.Length)
            throw new MusicMLException($"Channel index {index} is out of range; the buffer has {_channels.Length} channel(s).");
        return _channels[index];
    }

    /// <summary>
    /// The mono signal as librosa's <c>to_mono</c> computes it: the mean of the channels. For a mono buffer the
    /// channel array itself is returned (no copy), so modifying it modifies the buffer.
    /// </summary>
    public float[] ToMono()
    {
        if (_channels.Length == 1) return _channels[0];
        var mono = new float[FrameCount];
        SampleConversion.MeanOfChannels(_channels, mono);
        return mono;
    }
}
