using System.Runtime.InteropServices;

namespace MusicML.Core;

/// <summary>Element types of <c>.npy</c> arrays that MusicML reads and writes.</summary>
public enum NpyDataType
{
    /// <summary>numpy <c>bool</c> (<c>|b1</c>).</summary>
    Bool,
    /// <summary>numpy <c>uint8</c>.</summary>
    UInt8,
    /// <summary>numpy <c>int8</c>.</summary>
    Int8,
    /// <summary>numpy <c>int16</c>.</summary>
    Int16,
    /// <summary>numpy <c>int32</c>.</summary>
    Int32,
    /// <summary>numpy <c>int64</c>.</summary>
    Int64,
    /// <summary>numpy <c>float16</c>.</summary>
    Float16,
    /// <summary>numpy <c>float32</c>.</summary>
    Float32,
    /// <summary>numpy <c>float64</c>.</summary>
    Float64,
    /// <summary>numpy <c>complex64</c>: two float32 (real, imaginary) per element.</summary>
    Complex64,
    /// <summary>numpy <c>complex128</c>: two float64 (real, imaginary) per element.</summary>
    Complex128,
}

/// <summary>
/// An n-dimensional array as numpy stores it: an element type, a shape and the elements in C (row-major) order,
/// little-endian. Fortran-ordered files are reordered on reading, so <see cref="RawBytes"/> is always C order.
/// </summary>
public sealed class NpyArray
{
    private readonly byte[] _data;
    private readonly int[] _shape;

    /// <summary>Wraps raw little-endian C-ordered bytes; the length must equal the element count times the element size.</summary>
    public NpyArray(NpyDataType dataType, int[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        foreach (var d in shape)
            if (d < 0) throw new ArgumentException($"Array dimensions must be non-negative; got shape ({string.Join(", ", shape)}).", nameof(shape));
        long count = ElementCount(shape);
        if (count * ElementSize(dataType) != data.LongLength)
            throw new ArgumentException($"{data.LongLength} bytes do not hold {count} elements of {dataType}.", nameof(data));
        DataType = dataType;
        _shape = (int[])shape.Clone();
        _data = data;
    }

    /// <summary>The element type.</summary>
    public NpyDataType DataType { get; }

    /// <summary>The array's shape; an empty list for a 0-d scalar.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long Length => ElementCount(_shape);

    /// <summary>The elements as little-endian bytes in C order.</summary>
    public ReadOnlySpan<byte> RawBytes => _data;

    /// <summary>Creates a float32 array from <paramref name="data"/> with the given shape.</summary>
    public static NpyArray FromFloat32(ReadOnlySpan<float> data, params int[] shape) =>
        new(NpyDataType.Float32, shape, MemoryMarshal.AsBytes(data).ToArray());

    /// <summary>Creates a float64 array from <paramref name="data"/> with the given shape.</summary>
    public static NpyArray FromFloat64(ReadOnlySpan<double> data, params int[] shape) =>
        new(NpyDataType.Float64, shape, MemoryMarshal.AsBytes(data).ToArray());

    /// <summary>Creates an int64 array from <paramref name="data"/> with the given shape.</summary>
    public static NpyArray FromInt64(ReadOnlySpan<long> data, params int[] shape) =>
        new(NpyDataType.Int64, shape, MemoryMarshal.AsBytes(data).ToArray());

    /// <summary>Creates a complex64 array from interleaved (real, imaginary) pairs; <paramref name="shape"/> counts complex elements.</summary>
    public static NpyArray FromComplex64Interleaved(ReadOnlySpan<float> interleaved, params int[] shape) =>
        new(NpyDataType.Complex64, shape, MemoryMarshal.AsBytes(interleaved).ToArray());

    /// <summary>The elements converted to float32. Complex arrays are rejected: use <see cref="ToComplexInterleaved"/>.</summary>
    public float[] ToFloat32()
    {
        var result = new float[Length];
        switch (DataType)
        {
            case NpyDataType.Float32: MemoryMarshal.Cast<byte, float>(_data).CopyTo(result); break;
            default:
                var d = ToFloat64();
                for (int i = 0; i < d.Length; i++) result[i] = (float)d[i];
                break;
        }
        return result;
    }

    /// <summary>The elements converted to float64. Complex arrays are rejected: use <see cref="ToComplexInterleaved"/>.</summary>
    public double[] ToFloat64()
    {
        var n = checked((int)Length);
        var result = new double[n];
        ReadOnlySpan<byte> b = _data;
        switch (DataType)
        {
            case NpyDataType.Bool:
            case NpyDataType.UInt8: for (int i = 0; i < n; i++) result[i] = b[i]; break;
            case NpyDataType.Int8: for (int i = 0; i < n; i++) result[i] = (sbyte)b[i]; break;
            case NpyDataType.Int16: var s16 = MemoryMarshal.Cast<byte, short>(b); for (int i = 0; i < n; i++) result[i] = s16[i]; break;
            case NpyDataType.Int32: var s32 = MemoryMarshal.Cast<byte, int>(b); for (int i = 0; i < n; i++) result[i] = s32[i]; break;
            case NpyDataType.Int64: var s64 = MemoryMarshal.Cast<byte, long>(b); for (int i = 0; i < n; i++) result[i] = s64[i]; break;
            case NpyDataType.Float16: var h = MemoryMarshal.Cast<byte, Half>(b); for (int i = 0; i < n; i++) result[i] = (double)h[i]; break;
            case NpyDataType.Float32: var f = MemoryMarshal.Cast<byte, float>(b); for (int i = 0; i < n; i++) result[i] = f[i]; break;
            case NpyDataType.Float64: MemoryMarshal.Cast<byte, double>(b).CopyTo(result); break;
            default: throw new MusicMLException($"A {DataType} array cannot be converted to real numbers; read it with ToComplexInterleaved().");
        }
        return result;
    }

    /// <summary>The elements converted to int64; floating-point arrays are rejected rather than silently truncated.</summary>
    public long[] ToInt64()
    {
        var n = checked((int)Length);
        var result = new long[n];
        ReadOnlySpan<byte> b = _data;
        switch (DataType)
        {
            case NpyDataType.Bool:
            case NpyDataType.UInt8: for (int i = 0; i < n; i++) result[i] = b[i]; break;
            case NpyDataType.Int8: for (int i = 0; i < n; i++) result[i] = (sbyte)b[i]; break;
            case NpyDataType.Int16: var s16 = MemoryMarshal.Cast<byte, short>(b); for (int i = 0; i < n; i++) result[i] = s16[i]; break;
            case NpyDataType.Int32: var s32 = MemoryMarshal.Cast<byte, int>(b); for (int i = 0; i < n; i++) result[i] = s32[i]; break;
            case NpyDataType.Int64: MemoryMarshal.Cast<byte, long>(b).CopyTo(result); break;
            default: throw new MusicMLException($"A {DataType} array cannot be read as integers.");
        }
        return result;
    }

    /// <summary>Complex elements as interleaved float32 (real, imaginary) pairs; real arrays get zero imaginary parts.</summary>
    public float[] ToComplexInterleaved()
    {
        var n = checked((int)Length);
        var result = new float[2 * n];
        switch (DataType)
        {
            case NpyDataType.Complex64: MemoryMarshal.Cast<byte, float>(_data).CopyTo(result); break;
            case NpyDataType.Complex128:
                var d = MemoryMarshal.Cast<byte, double>(_data);
                for (int i = 0; i < 2 * n; i++) result[i] = (float)d[i];
                break;
            default:
                var re = ToFloat32();
                for (int i = 0; i < n; i++) result[2 * i] = re[i];
                break;
        }
        return result;
    }

    /// <summary>Size in bytes of one element of <paramref name="type"/>.</summary>
    public static int ElementSize(NpyDataType type) => type switch
    {
        NpyDataType.Bool or NpyDataType.UInt8 or NpyDataType.Int8 => 1,
        NpyDataType.Int16 or NpyDataType.Float16 => 2,
        NpyDataType.Int32 or NpyDataType.Float32 => 4,
        NpyDataType.Int64 or NpyDataType.Float64 or NpyDataType.Complex64 => 8,
        NpyDataType.Complex128 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    internal static long ElementCount(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape) n = checked(n * d);
        return n;
    }

    internal static void SwapBytesInPlace(Span<byte> data, NpyDataType type)
    {
        int size = type is NpyDataType.Complex64 ? 4 : type is NpyDataType.Complex128 ? 8 : ElementSize(type);
        if (size == 1) return;
        for (int i = 0; i + size <= data.Length; i += size) data.Slice(i, size).Reverse();
    }
}
