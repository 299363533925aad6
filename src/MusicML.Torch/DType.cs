namespace MusicML.Torch;

/// <summary>Element types of a tensor; the values are libtorch's <c>c10::ScalarType</c> codes.</summary>
public enum DType
{
    /// <summary>8-bit unsigned integer (<c>torch.uint8</c>).</summary>
    UInt8 = 0,
    /// <summary>8-bit signed integer (<c>torch.int8</c>).</summary>
    Int8 = 1,
    /// <summary>16-bit signed integer (<c>torch.int16</c>).</summary>
    Int16 = 2,
    /// <summary>32-bit signed integer (<c>torch.int32</c>).</summary>
    Int32 = 3,
    /// <summary>64-bit signed integer (<c>torch.int64</c>), the type of indices and class labels.</summary>
    Int64 = 4,
    /// <summary>IEEE half precision (<c>torch.float16</c>), <see cref="Half"/> in .NET.</summary>
    Float16 = 5,
    /// <summary>IEEE single precision (<c>torch.float32</c>), the default.</summary>
    Float32 = 6,
    /// <summary>IEEE double precision (<c>torch.float64</c>).</summary>
    Float64 = 7,
    /// <summary>Boolean (<c>torch.bool</c>), one byte per element.</summary>
    Bool = 11,
    /// <summary>Brain floating point (<c>torch.bfloat16</c>): float32's exponent, 7 mantissa bits; raw bits are <see cref="ushort"/>.</summary>
    BFloat16 = 15,
}

/// <summary>Sizes and .NET counterparts of <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.UInt8 or DType.Int8 or DType.Bool => 1,
        DType.Int16 or DType.Float16 or DType.BFloat16 => 2,
        DType.Int32 or DType.Float32 => 4,
        DType.Int64 or DType.Float64 => 8,
        _ => throw new TorchException($"unknown dtype code {(int)dtype}"),
    };

    /// <summary>True for the floating-point types (those that can require gradients).</summary>
    public static bool IsFloatingPoint(this DType dtype) =>
        dtype is DType.Float16 or DType.Float32 or DType.Float64 or DType.BFloat16;

    /// <summary>The dtype whose elements a .NET <typeparamref name="T"/> holds (bfloat16 has none: use raw bytes).</summary>
    public static DType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(Half)) return DType.Float16;
        if (typeof(T) == typeof(long)) return DType.Int64;
        if (typeof(T) == typeof(int)) return DType.Int32;
        if (typeof(T) == typeof(short)) return DType.Int16;
        if (typeof(T) == typeof(sbyte)) return DType.Int8;
        if (typeof(T) == typeof(byte)) return DType.UInt8;
        if (typeof(T) == typeof(bool)) return DType.Bool;
        throw new TorchException($"{typeof(T).Name} has no tensor dtype; use float, double, Half, long, int, short, sbyte, byte or bool");
    }
}
