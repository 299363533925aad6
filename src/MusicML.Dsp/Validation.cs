using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>Up-front checks shared by every entry point, so bad input fails with a message naming the value.</summary>
internal static class Validation
{
    public static void Audio(ReadOnlySpan<float> y, string name = "y")
    {
        if (y.IsEmpty) throw new MusicMLException($"The audio signal '{name}' is empty.");
        for (int i = 0; i < y.Length; i++)
            if (!float.IsFinite(y[i]))
                throw new MusicMLException($"The audio signal '{name}' is not finite: sample {i} is {y[i]}.");
    }

    public static void Finite(ReadOnlySpan<float> values, string name)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new MusicMLException($"'{name}' contains a non-finite value ({values[i]}) at index {i}.");
    }

    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new MusicMLException($"{name} must be positive; got {value}.");
    }

    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new MusicMLException($"{name} must be positive and finite; got {value}.");
    }

    public static void NotEmpty(FloatMatrix matrix, string name)
    {
        ArgumentNullException.ThrowIfNull(matrix, name);
        if (matrix.Rows == 0 || matrix.Columns == 0)
            throw new MusicMLException($"'{name}' is empty ({matrix.Rows} × {matrix.Columns}).");
    }
}
