using MusicML.Core;

namespace MusicML.Mir;

/// <summary>
/// The MIR-only up-front checks (activations, tempo ranges); audio, finiteness and sizes go through
/// <see cref="InputGuard"/>, the one guard shared by every library.
/// </summary>
internal static class MirValidation
{
    public static void Activation(ReadOnlySpan<float> values, double frameRate, string name)
    {
        if (!(frameRate > 0) || !double.IsFinite(frameRate))
            throw new MusicMLException($"frameRate must be positive and finite; got {frameRate} Hz.");
        InputGuard.Finite(values, name);
    }

    public static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || !double.IsFinite(value))
            throw new MusicMLException($"{name} must be non-negative and finite; got {value}.");
    }

    public static void TempoRange(double minBpm, double maxBpm)
    {
        InputGuard.Positive(minBpm, "minBpm");
        InputGuard.Positive(maxBpm, "maxBpm");
        if (minBpm >= maxBpm) throw new MusicMLException($"minBpm ({minBpm}) must be below maxBpm ({maxBpm}).");
    }
}
