using Xunit;

namespace MusicML.TestSupport;

/// <summary>
/// The comparison every parity test states its tolerance in: max |ours − ref| / max |ref| over the whole array
/// (the measure named in eval/librosa_reference/README.md).
/// </summary>
public static class ArrayComparison
{
    /// <summary>max |actual − expected| / max |expected|; shapes must already agree (same length).</summary>
    public static double RelativeMaxError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(a) != double.IsNaN(e)) return double.PositiveInfinity;
            if (double.IsNaN(e)) continue;
            maxDiff = Math.Max(maxDiff, Math.Abs(a - e));
            maxRef = Math.Max(maxRef, Math.Abs(e));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    /// <summary>Relative max error of complex arrays given as interleaved (re, im) pairs, using complex moduli.</summary>
    public static double RelativeMaxErrorComplex(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i + 1 < expected.Length; i += 2)
        {
            double dr = actual[i] - expected[i], di = actual[i + 1] - expected[i + 1];
            maxDiff = Math.Max(maxDiff, Math.Sqrt(dr * dr + di * di));
            maxRef = Math.Max(maxRef, Math.Sqrt((double)expected[i] * expected[i] + (double)expected[i + 1] * expected[i + 1]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    /// <summary>Asserts the relative max error is at most <paramref name="tolerance"/>, reporting the measured figure.</summary>
    public static void AssertRelativeMaxError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        var error = RelativeMaxError(expected, actual);
        Assert.True(error <= tolerance, $"{what}: max|ours-ref|/max|ref| = {error:E3}, allowed {tolerance:E1}");
    }
}
