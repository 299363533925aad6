using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MusicML.Core;

/// <summary>
/// The one set of up-front input checks every library entry point uses (Dsp features, Mir processors, the analyser,
/// the tagger front end, the CLI), so bad input fails before any work with one wording everywhere: the value is
/// named, and a non-finite sample is reported with its index.
/// </summary>
public static class InputGuard
{
    /// <summary>
    /// Largest sample magnitude accepted as audio. Audio is expected in [−1, 1]; 16-bit integer-scaled signals (±32 768)
    /// still fit. Beyond this, squared magnitudes summed over a frame and a
    /// filter bank approach float's 3.4·10<sup>38</sup>, so a power spectrum of ±3·10<sup>38</sup> samples would be ∞ and
    /// every feature built on it NaN; the input is refused instead of answered with garbage.
    /// </summary>
    public const float MaxAbsSample = 1e6f;

    /// <summary>
    /// Refuses empty audio and audio holding NaN, ±∞ or a magnitude beyond <see cref="MaxAbsSample"/>: "The audio
    /// signal 'y' is empty (0 samples)." / "The audio signal 'y' is not finite: sample 1234 is NaN." / "… sample 7 is
    /// 3E+38, beyond ±1000000 …". Denormal and zero samples are valid.
    /// </summary>
    /// <param name="y">The samples.</param>
    /// <param name="name">The parameter (or file) the samples came from, as the message should name it.</param>
    /// <exception cref="MusicMLException">The audio is empty, not finite or out of range.</exception>
    public static void Audio(ReadOnlySpan<float> y, string name = "y")
    {
        if (y.IsEmpty) throw new MusicMLException($"The audio signal '{name}' is empty (0 samples).");
        int i = FirstInvalidSample(y);
        if (i >= 0) throw InvalidSample(i, y[i], name);
    }

    /// <summary>Checks <paramref name="sampleRate"/> (<see cref="SampleRate"/>) and then the samples (<see cref="Audio(ReadOnlySpan{float}, string)"/>).</summary>
    /// <exception cref="MusicMLException">The sample rate is not positive, or the audio is empty, not finite or out of range.</exception>
    public static void Audio(ReadOnlySpan<float> y, int sampleRate, string name = "y")
    {
        SampleRate(sampleRate);
        Audio(y, name);
    }

    /// <summary>The error for sample <paramref name="index"/> of <paramref name="name"/> being <paramref name="value"/>
    /// (NaN, ±∞ or beyond <see cref="MaxAbsSample"/>), for checks that scan block by block and know the absolute index.</summary>
    public static MusicMLException InvalidSample(long index, float value, string name = "y") =>
        float.IsFinite(value)
            ? new($"The audio signal '{name}' is out of range: sample {index} is {value}, beyond ±{MaxAbsSample} (audio is expected in [-1, 1]).")
            : new($"The audio signal '{name}' is not finite: sample {index} is {value}.");

    /// <summary>Refuses a sample rate that is zero or negative: "sampleRate must be positive; got 0 Hz."</summary>
    /// <exception cref="MusicMLException">The rate is not positive.</exception>
    public static void SampleRate(int sampleRate, string name = "sampleRate")
    {
        if (sampleRate <= 0) throw new MusicMLException($"{name} must be positive; got {sampleRate} Hz.");
    }

    /// <summary>Refuses values holding NaN or ±∞: "'envelope' contains a non-finite value (NaN) at index 7."</summary>
    /// <exception cref="MusicMLException">A value is not finite.</exception>
    public static void Finite(ReadOnlySpan<float> values, string name)
    {
        int i = FirstNonFinite(values);
        if (i >= 0) throw new MusicMLException($"'{name}' contains a non-finite value ({values[i]}) at index {i}.");
    }

    /// <summary>Refuses a size or count below 1: "hopLength must be positive; got 0."</summary>
    /// <exception cref="MusicMLException">The value is zero or negative.</exception>
    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new MusicMLException($"{name} must be positive; got {value}.");
    }

    /// <summary>Refuses a quantity that is not a positive finite number: "fMin must be positive and finite; got 0."</summary>
    /// <exception cref="MusicMLException">The value is zero, negative, NaN or infinite.</exception>
    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new MusicMLException($"{name} must be positive and finite; got {value}.");
    }

    /// <summary>Index of the first NaN or infinity, or −1.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values) => FirstBeyond(values, float.MaxValue);

    /// <summary>Index of the first sample that is NaN, ±∞ or beyond ±<see cref="MaxAbsSample"/>, or −1.</summary>
    public static int FirstInvalidSample(ReadOnlySpan<float> values) => FirstBeyond(values, MaxAbsSample);

    /// <summary>Index of the first value that is NaN or whose magnitude exceeds <paramref name="limit"/> (so ±∞ too), or −1.</summary>
    /// <remarks>
    /// Runs on every call of every feature over the whole signal (13 M samples for 10 minutes), so it scans SIMD
    /// vectors with one test, |x| ≤ limit, which is false for NaN (an unordered compare) as well as for anything
    /// larger. Fully optimised from the first call because one long loop would otherwise run as OSR code.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FirstBeyond(ReadOnlySpan<float> values, float limit)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= 4 * Vector<float>.Count)
        {
            int width = Vector<float>.Count;
            var bound = new Vector<float>(limit);
            ref float start = ref MemoryMarshal.GetReference(values);
            for (; i <= values.Length - 4 * width; i += 4 * width)
            {
                var a = Vector.LessThanOrEqual(Vector.Abs(Vector.LoadUnsafe(ref start, (nuint)i)), bound);
                var b = Vector.LessThanOrEqual(Vector.Abs(Vector.LoadUnsafe(ref start, (nuint)(i + width))), bound);
                var c = Vector.LessThanOrEqual(Vector.Abs(Vector.LoadUnsafe(ref start, (nuint)(i + 2 * width))), bound);
                var d = Vector.LessThanOrEqual(Vector.Abs(Vector.LoadUnsafe(ref start, (nuint)(i + 3 * width))), bound);
                if (!Vector.EqualsAll(a & b & c & d, new Vector<int>(-1))) break;
            }
        }
        for (; i < values.Length; i++)
            if (!(MathF.Abs(values[i]) <= limit)) return i;
        return -1;
    }
}
