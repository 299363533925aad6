namespace MusicML.Torch.Interop;

// Mirrors of the opcode enums in native/opcodes.h: one general entry point per family keeps the shim small while a
// call stays a single integer-dispatched transition. Opcodes.FirstMismatch compares them with the shim's own table when
// the library loads, so the two sides cannot drift apart silently.

internal enum FactoryOp { Empty = 0, Zeros, Ones, Full, Rand, Randn }

internal enum UnaryOp
{
    Neg = 0, Abs, Exp, Log, Sqrt, Rsqrt, Sin, Cos, Tanh, Sigmoid, Relu, Gelu, Silu, Log1p, Square, Sign, Floor, Ceil,
    Round, Clone, Contiguous, Detach, Reciprocal, Softplus, LogicalNot, IsNan, Erf, IsFinite, Log10, Expm1,
}

internal enum BinaryOp
{
    Add = 0, Sub, Mul, Div, Pow, MatMul, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, Remainder, Atan2,
}

internal enum ScalarOp
{
    Add = 0, Sub, Mul, Div, Pow, RSub, Eq, Ne, Lt, Le, Gt, Ge, LeakyRelu, Elu, ClampMin, ClampMax, Remainder, RDiv, RPow,
}

internal enum InplaceOp { Copy = 0, Add, Mul, MulScalar, AddScalar, Fill, Zero, Uniform, Normal, Clamp, Div, Sub, SetData }

internal enum ReduceOp { Sum = 0, Mean, Amax, Amin, ArgMax, ArgMin, Std, Var, LogSumExp, Norm, Any, All, Prod }

internal enum DimOp { Softmax = 0, LogSoftmax, CumSum, Squeeze, Unsqueeze, SqueezeAll }

internal enum ViewOp { Reshape = 0, View, Permute, Expand, Flatten, Transpose, Slice, Select, Narrow, Repeat, Flip }

internal enum IndexOp { IndexSelect = 0, Gather, MaskedFill, Where, MaskedSelect }

internal enum PoolOp { Max = 0, Avg }

internal enum LossOp { BceWithLogits = 0, CrossEntropy, Mse, L1, Bce, Nll, TripletMargin, CosineEmbedding }

internal enum RnnKind { Gru = 0, Lstm }

internal enum OptimKind { Sgd = 0, Adam, AdamW }

/// <summary>Checks the enums above against the table the shim was compiled with.</summary>
internal static class Opcodes
{
    /// <summary>Every opcode family shared with native/opcodes.h, under the C++ enum's name.</summary>
    internal static readonly (string Family, Type Enum)[] Families =
    [
        ("FactoryOp", typeof(FactoryOp)), ("UnaryOp", typeof(UnaryOp)), ("BinaryOp", typeof(BinaryOp)),
        ("ScalarOp", typeof(ScalarOp)), ("InplaceOp", typeof(InplaceOp)), ("ReduceOp", typeof(ReduceOp)),
        ("DimOp", typeof(DimOp)), ("ViewOp", typeof(ViewOp)), ("IndexOp", typeof(IndexOp)), ("PoolOp", typeof(PoolOp)),
        ("RnnKind", typeof(RnnKind)), ("LossOp", typeof(LossOp)), ("OptimKind", typeof(OptimKind)),
    ];

    /// <summary>
    /// The first difference between <paramref name="nativeTable"/> (mm_opcode_table's "Family:U_NAME,U_NAME,…;" with
    /// values 0, 1, … in order) and the C# enums, or null when they agree. Names compare without the C++ prefix and
    /// underscores, ignoring case (U_LOGICAL_NOT = LogicalNot).
    /// </summary>
    internal static string? FirstMismatch(string nativeTable)
    {
        var native = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var entry in nativeTable.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = entry.IndexOf(':');
            if (colon <= 0) return $"its opcode table is unreadable near \"{entry}\"";
            native[entry[..colon]] = entry[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
        }
        foreach (var (family, type) in Families)
        {
            if (!native.Remove(family, out var names)) return $"the shim has no {family} table";
            var values = (int[])Enum.GetValuesAsUnderlyingType(type);
            var managed = Enum.GetNames(type);
            for (int i = 0; i < Math.Max(names.Length, managed.Length); i++)
            {
                if (i >= managed.Length) return $"{family} {i} is {names[i]} in the shim but missing in Interop/Opcodes.cs";
                if (i >= names.Length) return $"{family} {i} is {managed[i]} in Interop/Opcodes.cs but missing in the shim";
                if (values[i] != i) return $"{family}.{managed[i]} is {values[i]} in Interop/Opcodes.cs but {i} in the shim's order";
                if (!string.Equals(Normalise(names[i]), managed[i], StringComparison.OrdinalIgnoreCase))
                    return $"{family} {i} is {names[i]} in the shim but {managed[i]} in Interop/Opcodes.cs";
            }
        }
        return native.Count == 0 ? null : $"the shim has a {native.Keys.First()} table that Interop/Opcodes.cs lacks";
    }

    // U_LOGICAL_NOT -> LOGICALNOT, RNN_GRU -> GRU.
    private static string Normalise(string nativeName) =>
        nativeName[(nativeName.IndexOf('_') + 1)..].Replace("_", "", StringComparison.Ordinal);
}
