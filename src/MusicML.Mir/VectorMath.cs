using System.Numerics;
using System.Runtime.InteropServices;

namespace MusicML.Mir;

/// <summary>Span kernels vectorised with <see cref="Vector{T}"/> for the per-frame loops of the MIR processors.</summary>
internal static class VectorMath
{
    /// <summary>destination[i] += source[i].</summary>
    public static void Add(Span<float> destination, ReadOnlySpan<float> source) => AddScaled(destination, source, 1f);

    /// <summary>destination[i] += weight · source[i].</summary>
    public static void AddScaled(Span<float> destination, ReadOnlySpan<float> source, float weight)
    {
        int n = Math.Min(destination.Length, source.Length), i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination[..n]);
            var s = MemoryMarshal.Cast<float, Vector<float>>(source[..n]);
            var w = new Vector<float>(weight);
            for (int v = 0; v < d.Length; v++) d[v] += s[v] * w;
            i = d.Length * Vector<float>.Count;
        }
        for (; i < n; i++) destination[i] += weight * source[i];
    }

    /// <summary>Σ a[i]·b[i].</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = Math.Min(a.Length, b.Length), i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a[..n]);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..n]);
            var acc = Vector<float>.Zero;
            for (int v = 0; v < va.Length; v++) acc += va[v] * vb[v];
            sum = Vector.Sum(acc);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>The largest value (−∞ for an empty span).</summary>
    public static float Max(ReadOnlySpan<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (var v in values) if (v > max) max = v;
        return max;
    }
}
