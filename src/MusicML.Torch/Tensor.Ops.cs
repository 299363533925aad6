using MusicML.Torch.Interop;
using static MusicML.Torch.Interop.TorchNative;

namespace MusicML.Torch;

// Element-wise arithmetic (with PyTorch's broadcasting and type promotion), reductions, views and indexing.
public sealed unsafe partial class Tensor
{
    private Tensor Unary(UnaryOp op) => Wrap(mm_unary(op, Handle));
    private Tensor Binary(BinaryOp op, Tensor other) => Wrap(mm_binary(op, Handle, other.Handle));
    private Tensor WithScalar(ScalarOp op, double value) => Wrap(mm_binary_scalar(op, Handle, value));

    /// <summary>Element-wise sum with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Binary(BinaryOp.Add, b);
    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor operator +(Tensor a, double b) => a.WithScalar(ScalarOp.Add, b);
    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor operator +(double a, Tensor b) => b.WithScalar(ScalarOp.Add, a);
    /// <summary>Element-wise difference with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Binary(BinaryOp.Sub, b);
    /// <summary>Subtracts a scalar from every element.</summary>
    public static Tensor operator -(Tensor a, double b) => a.WithScalar(ScalarOp.Sub, b);
    /// <summary>A scalar minus every element.</summary>
    public static Tensor operator -(double a, Tensor b) => b.WithScalar(ScalarOp.RSub, a);
    /// <summary>Element-wise negation.</summary>
    public static Tensor operator -(Tensor a) => a.Unary(UnaryOp.Neg);
    /// <summary>Element-wise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Binary(BinaryOp.Mul, b);
    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.WithScalar(ScalarOp.Mul, b);
    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => b.WithScalar(ScalarOp.Mul, a);
    /// <summary>Element-wise true division with broadcasting (integers give floats, as in PyTorch).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Binary(BinaryOp.Div, b);
    /// <summary>Divides every element by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.WithScalar(ScalarOp.Div, b);
    /// <summary>A scalar divided by every element.</summary>
    public static Tensor operator /(double a, Tensor b) => b.WithScalar(ScalarOp.RDiv, a);
    /// <summary>Element-wise remainder with the sign of the divisor (Python's %).</summary>
    public static Tensor operator %(Tensor a, Tensor b) => a.Binary(BinaryOp.Remainder, b);
    /// <summary>Element-wise remainder by a scalar, with the sign of the divisor.</summary>
    public static Tensor operator %(Tensor a, double b) => a.WithScalar(ScalarOp.Remainder, b);

    /// <summary>Element-wise power.</summary>
    public Tensor Pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);
    /// <summary>Every element raised to <paramref name="exponent"/>.</summary>
    public Tensor Pow(double exponent) => WithScalar(ScalarOp.Pow, exponent);
    /// <summary>Matrix product with PyTorch's <c>matmul</c> rules (vectors, matrices, batched broadcasting).</summary>
    public Tensor MatMul(Tensor other) => Binary(BinaryOp.MatMul, other);
    /// <summary>Element-wise maximum of two tensors.</summary>
    public Tensor Maximum(Tensor other) => Binary(BinaryOp.Maximum, other);
    /// <summary>Element-wise minimum of two tensors.</summary>
    public Tensor Minimum(Tensor other) => Binary(BinaryOp.Minimum, other);
    /// <summary>Element-wise four-quadrant arctangent of this / <paramref name="other"/> (radians).</summary>
    public Tensor Atan2(Tensor other) => Binary(BinaryOp.Atan2, other);

    /// <summary>Boolean tensor: this == other.</summary>
    public Tensor Eq(Tensor other) => Binary(BinaryOp.Eq, other);
    /// <summary>Boolean tensor: this == value.</summary>
    public Tensor Eq(double value) => WithScalar(ScalarOp.Eq, value);
    /// <summary>Boolean tensor: this != other.</summary>
    public Tensor Ne(Tensor other) => Binary(BinaryOp.Ne, other);
    /// <summary>Boolean tensor: this != value.</summary>
    public Tensor Ne(double value) => WithScalar(ScalarOp.Ne, value);
    /// <summary>Boolean tensor: this &lt; other.</summary>
    public Tensor Lt(Tensor other) => Binary(BinaryOp.Lt, other);
    /// <summary>Boolean tensor: this &lt; value.</summary>
    public Tensor Lt(double value) => WithScalar(ScalarOp.Lt, value);
    /// <summary>Boolean tensor: this &lt;= other.</summary>
    public Tensor Le(Tensor other) => Binary(BinaryOp.Le, other);
    /// <summary>Boolean tensor: this &lt;= value.</summary>
    public Tensor Le(double value) => WithScalar(ScalarOp.Le, value);
    /// <summary>Boolean tensor: this &gt; other.</summary>
    public Tensor Gt(Tensor other) => Binary(BinaryOp.Gt, other);
    /// <summary>Boolean tensor: this &gt; value.</summary>
    public Tensor Gt(double value) => WithScalar(ScalarOp.Gt, value);
    /// <summary>Boolean tensor: this &gt;= other.</summary>
    public Tensor Ge(Tensor other) => Binary(BinaryOp.Ge, other);
    /// <summary>Boolean tensor: this &gt;= value.</summary>
    public Tensor Ge(double value) => WithScalar(ScalarOp.Ge, value);
    /// <summary>Element-wise logical and (non-zero is true).</summary>
    public Tensor LogicalAnd(Tensor other) => Binary(BinaryOp.LogicalAnd, other);
    /// <summary>Element-wise logical or (non-zero is true).</summary>
    public Tensor LogicalOr(Tensor other) => Binary(BinaryOp.LogicalOr, other);
    /// <summary>Element-wise logical not.</summary>
    public Tensor LogicalNot() => Unary(UnaryOp.LogicalNot);

    /// <summary>Element-wise absolute value.</summary>
    public Tensor Abs() => Unary(UnaryOp.Abs);
    /// <summary>Element-wise eˣ.</summary>
    public Tensor Exp() => Unary(UnaryOp.Exp);
    /// <summary>Element-wise eˣ − 1, accurate near 0.</summary>
    public Tensor Expm1() => Unary(UnaryOp.Expm1);
    /// <summary>Element-wise natural logarithm.</summary>
    public Tensor Log() => Unary(UnaryOp.Log);
    /// <summary>Element-wise base-10 logarithm.</summary>
    public Tensor Log10() => Unary(UnaryOp.Log10);
    /// <summary>Element-wise ln(1 + x), accurate near 0.</summary>
    public Tensor Log1p() => Unary(UnaryOp.Log1p);
    /// <summary>Element-wise square root.</summary>
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);
    /// <summary>Element-wise 1/√x.</summary>
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);
    /// <summary>Element-wise x².</summary>
    public Tensor Square() => Unary(UnaryOp.Square);
    /// <summary>Element-wise 1/x.</summary>
    public Tensor Reciprocal() => Unary(UnaryOp.Reciprocal);
    /// <summary>Element-wise sine (radians).</summary>
    public Tensor Sin() => Unary(UnaryOp.Sin);
    /// <summary>Element-wise cosine (radians).</summary>
    public Tensor Cos() => Unary(UnaryOp.Cos);
    /// <summary>Element-wise sign (−1, 0, 1).</summary>
    public Tensor Sign() => Unary(UnaryOp.Sign);
    /// <summary>Element-wise floor.</summary>
    public Tensor Floor() => Unary(UnaryOp.Floor);
    /// <summary>Element-wise ceiling.</summary>
    public Tensor Ceil() => Unary(UnaryOp.Ceil);
    /// <summary>Element-wise rounding to nearest, ties to even.</summary>
    public Tensor Round() => Unary(UnaryOp.Round);
    /// <summary>Element-wise Gauss error function.</summary>
    public Tensor Erf() => Unary(UnaryOp.Erf);
    /// <summary>Boolean tensor marking NaN elements.</summary>
    public Tensor IsNan() => Unary(UnaryOp.IsNan);
    /// <summary>Boolean tensor marking finite elements (neither infinite nor NaN).</summary>
    public Tensor IsFinite() => Unary(UnaryOp.IsFinite);
    /// <summary>Elements clamped to at least <paramref name="min"/>.</summary>
    public Tensor ClampMin(double min) => WithScalar(ScalarOp.ClampMin, min);
    /// <summary>Elements clamped to at most <paramref name="max"/>.</summary>
    public Tensor ClampMax(double max) => WithScalar(ScalarOp.ClampMax, max);
    /// <summary>Elements clamped to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public Tensor Clamp(double min, double max)
    {
        using var low = ClampMin(min);
        return low.ClampMax(max);
    }

    /// <summary>A copy with its own storage (differentiable, like PyTorch's <c>clone</c>).</summary>
    public Tensor Clone() => Unary(UnaryOp.Clone);
    /// <summary>This tensor laid out contiguously in row-major order (itself when it already is).</summary>
    public Tensor Contiguous() => Unary(UnaryOp.Contiguous);
    /// <summary>The same data cut off from the autograd graph.</summary>
    public Tensor Detach() => Unary(UnaryOp.Detach);

    // ---- reductions ----------------------------------------------------------------------------------------------

    private Tensor Reduce(ReduceOp op, ReadOnlySpan<long> dims, bool keepDim, double p = 0)
    {
        fixed (long* d = dims) return Wrap(mm_reduce(op, Handle, d, dims.Length, keepDim ? 1 : 0, p));
    }

    /// <summary>Sum of all elements (0-d).</summary>
    public Tensor Sum() => Reduce(ReduceOp.Sum, [], false);
    /// <summary>Sum over <paramref name="dims"/>.</summary>
    public Tensor Sum(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Sum, dims, keepDim);
    /// <summary>Mean of all elements (0-d).</summary>
    public Tensor Mean() => Reduce(ReduceOp.Mean, [], false);
    /// <summary>Mean over <paramref name="dims"/>.</summary>
    public Tensor Mean(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Mean, dims, keepDim);
    /// <summary>Maximum of all elements (0-d).</summary>
    public Tensor Max() => Reduce(ReduceOp.Amax, [], false);
    /// <summary>Maximum over <paramref name="dims"/> (PyTorch's <c>amax</c>).</summary>
    public Tensor Max(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Amax, dims, keepDim);
    /// <summary>Minimum of all elements (0-d).</summary>
    public Tensor Min() => Reduce(ReduceOp.Amin, [], false);
    /// <summary>Minimum over <paramref name="dims"/> (PyTorch's <c>amin</c>).</summary>
    public Tensor Min(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.Amin, dims, keepDim);
    /// <summary>Product of all elements (0-d).</summary>
    public Tensor Prod() => Reduce(ReduceOp.Prod, [], false);
    /// <summary>Index of the largest element of the flattened tensor (int64, 0-d).</summary>
    public Tensor ArgMax() => Reduce(ReduceOp.ArgMax, [], false);
    /// <summary>Indices of the largest elements along <paramref name="dim"/> (int64).</summary>
    public Tensor ArgMax(long dim, bool keepDim = false) => Reduce(ReduceOp.ArgMax, [dim], keepDim);
    /// <summary>Index of the smallest element of the flattened tensor (int64, 0-d).</summary>
    public Tensor ArgMin() => Reduce(ReduceOp.ArgMin, [], false);
    /// <summary>Indices of the smallest elements along <paramref name="dim"/> (int64).</summary>
    public Tensor ArgMin(long dim, bool keepDim = false) => Reduce(ReduceOp.ArgMin, [dim], keepDim);
    /// <summary>Standard deviation over <paramref name="dims"/> (all when empty); <paramref name="unbiased"/> divides by n − 1.</summary>
    public Tensor Std(ReadOnlySpan<long> dims = default, bool unbiased = true, bool keepDim = false) =>
        Reduce(ReduceOp.Std, dims, keepDim, unbiased ? 1 : 0);
    /// <summary>Variance over <paramref name="dims"/> (all when empty); <paramref name="unbiased"/> divides by n − 1.</summary>
    public Tensor Var(ReadOnlySpan<long> dims = default, bool unbiased = true, bool keepDim = false) =>
        Reduce(ReduceOp.Var, dims, keepDim, unbiased ? 1 : 0);
    /// <summary>log Σ exp over <paramref name="dims"/>, computed stably.</summary>
    public Tensor LogSumExp(ReadOnlySpan<long> dims, bool keepDim = false) => Reduce(ReduceOp.LogSumExp, dims, keepDim);
    /// <summary>The p-norm over <paramref name="dims"/> (all when empty).</summary>
    public Tensor Norm(double p = 2, ReadOnlySpan<long> dims = default, bool keepDim = false) => Reduce(ReduceOp.Norm, dims, keepDim, p);
    /// <summary>True where any element over <paramref name="dims"/> (all when empty) is non-zero.</summary>
    public Tensor Any(ReadOnlySpan<long> dims = default, bool keepDim = false) => Reduce(ReduceOp.Any, dims, keepDim);
    /// <summary>True where every element over <paramref name="dims"/> (all when empty) is non-zero.</summary>
    public Tensor All(ReadOnlySpan<long> dims = default, bool keepDim = false) => Reduce(ReduceOp.All, dims, keepDim);

    private Tensor AlongDim(DimOp op, long dim) => Wrap(mm_dim_op(op, Handle, dim));

    /// <summary>Softmax along <paramref name="dim"/>.</summary>
    public Tensor Softmax(long dim) => AlongDim(DimOp.Softmax, dim);
    /// <summary>Log-softmax along <paramref name="dim"/>, computed stably.</summary>
    public Tensor LogSoftmax(long dim) => AlongDim(DimOp.LogSoftmax, dim);
    /// <summary>Cumulative sum along <paramref name="dim"/>.</summary>
    public Tensor CumSum(long dim) => AlongDim(DimOp.CumSum, dim);

    // ---- views and shape -----------------------------------------------------------------------------------------

    private Tensor ViewOp(ViewOp op, ReadOnlySpan<long> args)
    {
        fixed (long* a = args) return Wrap(mm_view(op, Handle, a, args.Length));
    }

    /// <summary>The same elements with a new shape (a view when possible); one size may be −1 to be inferred.</summary>
    public Tensor Reshape(params ReadOnlySpan<long> shape) => ViewOp(Interop.ViewOp.Reshape, shape);
    /// <summary>A view with a new shape; fails (with libtorch's reason) when the strides do not allow it.</summary>
    public Tensor View(params ReadOnlySpan<long> shape) => ViewOp(Interop.ViewOp.View, shape);
    /// <summary>A view with the dimensions reordered.</summary>
    public Tensor Permute(params ReadOnlySpan<long> dims) => ViewOp(Interop.ViewOp.Permute, dims);
    /// <summary>A view broadcasting size-1 dimensions to <paramref name="shape"/> (−1 keeps a size).</summary>
    public Tensor Expand(params ReadOnlySpan<long> shape) => ViewOp(Interop.ViewOp.Expand, shape);
    /// <summary>The tensor tiled <paramref name="repeats"/> times along each dimension (a copy).</summary>
    public Tensor Repeat(params ReadOnlySpan<long> repeats) => ViewOp(Interop.ViewOp.Repeat, repeats);
    /// <summary>A copy with the order of elements reversed along <paramref name="dims"/>.</summary>
    public Tensor Flip(params ReadOnlySpan<long> dims) => ViewOp(Interop.ViewOp.Flip, dims);
    /// <summary>Dimensions <paramref name="startDim"/>..<paramref name="endDim"/> merged into one.</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1) => ViewOp(Interop.ViewOp.Flatten, [startDim, endDim]);
    /// <summary>A view with two dimensions swapped.</summary>
    public Tensor Transpose(long dim0, long dim1) => ViewOp(Interop.ViewOp.Transpose, [dim0, dim1]);
    /// <summary>
    /// A view of indices <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive) every
    /// <paramref name="step"/> along <paramref name="dim"/>; negative indices count from the end, bounds are clipped.
    /// </summary>
    public Tensor Slice(long dim, long start, long end = long.MaxValue, long step = 1) =>
        ViewOp(Interop.ViewOp.Slice, [dim, start, end, step]);
    /// <summary>A view of index <paramref name="index"/> along <paramref name="dim"/>, which disappears.</summary>
    public Tensor Select(long dim, long index) => ViewOp(Interop.ViewOp.Select, [dim, index]);
    /// <summary>A view of <paramref name="length"/> indices from <paramref name="start"/> along <paramref name="dim"/>.</summary>
    public Tensor Narrow(long dim, long start, long length) => ViewOp(Interop.ViewOp.Narrow, [dim, start, length]);
    /// <summary>A view with a size-1 dimension inserted at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(long dim) => AlongDim(DimOp.Unsqueeze, dim);
    /// <summary>A view without dimension <paramref name="dim"/> if its size is 1 (unchanged otherwise).</summary>
    public Tensor Squeeze(long dim) => AlongDim(DimOp.Squeeze, dim);
    /// <summary>A view without any size-1 dimension.</summary>
    public Tensor Squeeze() => AlongDim(DimOp.SqueezeAll, 0);

    /// <summary>Index <paramref name="index"/> of the first dimension (a view; negative counts from the end).</summary>
    public Tensor this[long index] => Select(0, index);

    /// <summary>Elements of <paramref name="dim"/> at the positions in the int64 tensor <paramref name="indices"/> (a copy).</summary>
    public Tensor IndexSelect(long dim, Tensor indices) =>
        Wrap(mm_index_op(IndexOp.IndexSelect, Handle, indices.Handle, TensorHandle.Null, dim, 0));
    /// <summary>PyTorch's <c>gather</c>: out[i][j] = this[i][indices[i][j]] along <paramref name="dim"/>.</summary>
    public Tensor Gather(long dim, Tensor indices) =>
        Wrap(mm_index_op(IndexOp.Gather, Handle, indices.Handle, TensorHandle.Null, dim, 0));
    /// <summary>A copy with <paramref name="value"/> wherever the boolean <paramref name="mask"/> (broadcast) is true.</summary>
    public Tensor MaskedFill(Tensor mask, double value) =>
        Wrap(mm_index_op(IndexOp.MaskedFill, Handle, mask.Handle, TensorHandle.Null, 0, value));
    /// <summary>The elements where the boolean <paramref name="mask"/> is true, as a 1-D tensor.</summary>
    public Tensor MaskedSelect(Tensor mask) =>
        Wrap(mm_index_op(IndexOp.MaskedSelect, Handle, mask.Handle, TensorHandle.Null, 0, 0));

    /// <summary>Elements of <paramref name="whereTrue"/> where <paramref name="condition"/> holds, else of <paramref name="whereFalse"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor whereTrue, Tensor whereFalse) =>
        Wrap(mm_index_op(IndexOp.Where, condition.Handle, whereTrue.Handle, whereFalse.Handle, 0, 0));

    /// <summary>Joins tensors along an existing dimension <paramref name="dim"/>; other sizes must agree.</summary>
    public static Tensor Cat(ReadOnlySpan<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>Joins equally shaped tensors along a new dimension <paramref name="dim"/>.</summary>
    public static Tensor Stack(ReadOnlySpan<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static Tensor Join(ReadOnlySpan<Tensor> tensors, long dim, bool stack)
    {
        if (tensors.Length == 0) throw new TorchException($"{(stack ? "stack" : "cat")} needs at least one tensor");
        Span<IntPtr> raw = tensors.Length <= 64 ? stackalloc IntPtr[tensors.Length] : new IntPtr[tensors.Length];
        using var handles = new TensorHandleArray(tensors, raw);
        fixed (IntPtr* h = raw) return Wrap(mm_cat(h, raw.Length, dim, stack ? 1 : 0));
    }

    // ---- in-place updates (for initialisation, loading and optimisers; not recorded when under NoGrad) -------------

    private void Inplace(InplaceOp op, Tensor? other, double s1 = 0, double s2 = 0) =>
        Check(mm_inplace(op, Handle, other?.Handle ?? TensorHandle.Null, s1, s2));

    /// <summary>Makes this tensor object refer to <paramref name="source"/>'s data (device and dtype included), keeping the handle.</summary>
    internal void SetData(Tensor source) => Inplace(InplaceOp.SetData, source);
    /// <summary>Copies <paramref name="source"/> (broadcast, converted) into this tensor's storage.</summary>
    public void CopyFrom(Tensor source) => Inplace(InplaceOp.Copy, source);
    /// <summary>this += alpha · other, in place.</summary>
    public void AddInPlace(Tensor other, double alpha = 1) => Inplace(InplaceOp.Add, other, alpha);
    /// <summary>this −= alpha · other, in place.</summary>
    public void SubInPlace(Tensor other, double alpha = 1) => Inplace(InplaceOp.Sub, other, alpha);
    /// <summary>this *= other, in place.</summary>
    public void MulInPlace(Tensor other) => Inplace(InplaceOp.Mul, other);
    /// <summary>this /= other, in place.</summary>
    public void DivInPlace(Tensor other) => Inplace(InplaceOp.Div, other);
    /// <summary>this *= value, in place.</summary>
    public void MulInPlace(double value) => Inplace(InplaceOp.MulScalar, null, value);
    /// <summary>this += value, in place.</summary>
    public void AddInPlace(double value) => Inplace(InplaceOp.AddScalar, null, value);
    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(double value) => Inplace(InplaceOp.Fill, null, value);
    /// <summary>Sets every element to zero.</summary>
    public void Zero() => Inplace(InplaceOp.Zero, null);
    /// <summary>Clamps every element to [<paramref name="min"/>, <paramref name="max"/>] in place.</summary>
    public void ClampInPlace(double min, double max) => Inplace(InplaceOp.Clamp, null, min, max);
    /// <summary>Fills with uniform random numbers in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void UniformInPlace(double low, double high) => Inplace(InplaceOp.Uniform, null, low, high);
    /// <summary>Fills with normal random numbers of the given mean and standard deviation.</summary>
    public void NormalInPlace(double mean, double std) => Inplace(InplaceOp.Normal, null, mean, std);
}
