using MusicML.Core;

namespace MusicML.Audio;

/// <summary>
/// What a decodable header may declare. A sample rate or channel count outside these bounds is corruption or an
/// attack (a 20 KB WAV claiming 1 Hz would otherwise be resampled to 22 050 Hz into hours of audio and gigabytes of
/// memory), so it is refused when the header is read, before any sample buffer is allocated.
/// </summary>
public static class AudioLimits
{
    /// <summary>Lowest accepted native rate, 1 kHz (below telephone band; nothing musical is recorded lower).</summary>
    public const int MinSampleRate = 1_000;

    /// <summary>Highest accepted native rate, 768 kHz (the highest rate professional converters offer).</summary>
    public const int MaxSampleRate = 768_000;

    /// <summary>Most channels accepted (Ambisonics and multitrack stems stay far below this).</summary>
    public const int MaxChannels = 256;

    /// <summary>Refuses a header whose rate or channel count is out of bounds, naming the file and the value.</summary>
    /// <exception cref="AudioFormatException">The rate or channel count is implausible.</exception>
    public static void CheckHeader(string path, long sampleRate, long channels)
    {
        if (channels < 1 || channels > MaxChannels)
            throw new AudioFormatException(path, $"the header declares {channels} channels; MusicML reads 1 to {MaxChannels} (a damaged or hostile header?).");
        if (sampleRate < MinSampleRate || sampleRate > MaxSampleRate)
            throw new AudioFormatException(path,
                $"the header declares a sample rate of {sampleRate} Hz, outside {MinSampleRate}–{MaxSampleRate} Hz (a damaged or hostile header?).");
    }
}
