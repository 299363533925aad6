using System.Numerics;
using System.Runtime.InteropServices;

namespace MusicML.Mir;

/// <summary>Span kernels with <see cref="Vector{T}"/> for the per-row loops of the rhythm front end.</summary>
internal static class VectorOps
{
    /// <summary>destination += source · scale.</summary>
    public static void AddScaled(ReadOnlySpan<float> source, float scale, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = MemoryMarshal.Cast<float, Vector<float>>(source);
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination[..source.Length]);
            var k = new Vector<float>(scale);
            for (int v = 0; v < s.Length; v++) d[v] += s[v] * k;
            i = s.Length * Vector<float>.Count;
        }
        for (; i < source.Length; i++) destination[i] += source[i] * scale;
    }

    /// <summary>destination[i] = max(a[i], b[i]).</summary>
    public static void Max(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..a.Length]);
            var vd = MemoryMarshal.Cast<float, Vector<float>>(destination[..a.Length]);
            for (int v = 0; v < va.Length; v++) vd[v] = Vector.Max(va[v], vb[v]);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < a.Length; i++) destination[i] = Math.Max(a[i], b[i]);
    }

    /// <summary>destination += max(current − previous, 0): the half-wave rectified difference of two rows.</summary>
    public static void AddRectifiedDifference(ReadOnlySpan<float> current, ReadOnlySpan<float> previous, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var c = MemoryMarshal.Cast<float, Vector<float>>(current);
            var p = MemoryMarshal.Cast<float, Vector<float>>(previous[..current.Length]);
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination[..current.Length]);
            for (int v = 0; v < c.Length; v++) d[v] += Vector.Max(c[v] - p[v], Vector<float>.Zero);
            i = c.Length * Vector<float>.Count;
        }
        for (; i < current.Length; i++) destination[i] += Math.Max(current[i] - previous[i], 0f);
    }

    /// <summary>Σ a[i] · b[i] over the length of <paramref name="a"/>.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0;
        var acc = Vector<float>.Zero;
        if (Vector.IsHardwareAccelerated)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..a.Length]);
            for (int v = 0; v < va.Length; v++) acc += va[v] * vb[v];
            i = va.Length * Vector<float>.Count;
        }
        float sum = Vector.Sum(acc);
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
