using MusicML.Core;

namespace MusicML.Mir;

/// <summary>Up-front checks shared by the MIR processors, so a bad value is named before any work is done.</summary>
internal static class MirValidation
{
    public static void Audio(ReadOnlySpan<float> y, int sampleRate)
    {
        if (sampleRate <= 0) throw new MusicMLException($"sampleRate must be positive; got {sampleRate} Hz.");
        if (y.IsEmpty) throw new MusicMLException("The audio is empty (0 samples).");
        for (int i = 0; i < y.Length; i++)
            if (!float.IsFinite(y[i]))
                throw new MusicMLException($"The audio holds a non-finite sample ({y[i]}) at index {i}.");
    }

    public static void Activation(ReadOnlySpan<float> values, double frameRate, string name)
    {
        if (!(frameRate > 0) || !double.IsFinite(frameRate))
            throw new MusicMLException($"frameRate must be positive and finite; got {frameRate} Hz.");
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new MusicMLException($"The {name} holds a non-finite value ({values[i]}) at frame {i}.");
    }

    public static void Positive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new MusicMLException($"{name} must be positive and finite; got {value}.");
    }

    public static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || !double.IsFinite(value))
            throw new MusicMLException($"{name} must be non-negative and finite; got {value}.");
    }

    public static void TempoRange(double minBpm, double maxBpm)
    {
        Positive(minBpm, "minBpm");
        Positive(maxBpm, "maxBpm");
        if (minBpm >= maxBpm) throw new MusicMLException($"minBpm ({minBpm}) must be below maxBpm ({maxBpm}).");
    }
}
