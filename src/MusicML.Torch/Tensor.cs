using System.Runtime.InteropServices;
using MusicML.Torch.Interop;
using static MusicML.Torch.Interop.TorchNative;

namespace MusicML.Torch;

/// <summary>
/// An n-dimensional array in libtorch (CPU or CUDA) with autograd: the C# face of one <c>at::Tensor</c>. Each instance
/// owns exactly one native handle (a <see cref="TensorHandle"/>, which every native call holds a reference to while it
/// runs); <see cref="Dispose"/> (or the enclosing <see cref="DisposeScope"/>) releases it at once, and the handle's own
/// finalizer releases it if both were forgotten. Operations return new tensors that share storage only where PyTorch's
/// would (views).
/// </summary>
public sealed unsafe partial class Tensor : IDisposable
{
    private readonly TensorHandle _handle;
    // Set once by Dispose. The handle's own closed state lags while a native call on another thread still holds it,
    // and a disposed tensor must refuse new calls at once.
    private int _disposed;

    internal Tensor(TensorHandle handle)
    {
        _handle = handle;
        DisposeScope.Current?.Add(this);
    }

    /// <summary>Wraps a handle returned by the shim, throwing libtorch's message when it is zero.</summary>
    internal static Tensor Wrap(TensorHandle handle) => new(Check(handle));

    /// <summary>The scope that will release this tensor, if any.</summary>
    internal DisposeScope? Scope { get; set; }

    /// <summary>This tensor's position in <see cref="Scope"/>'s list.</summary>
    internal int ScopeSlot { get; set; }

    /// <summary>The native handle for a call; throws once disposed.</summary>
    internal TensorHandle Handle =>
        _disposed != 0
            ? throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed (directly or by its DisposeScope)")
            : _handle;

    /// <summary>The native handle whether or not disposed, for releasing references taken earlier (<see cref="TensorHandleArray"/>).</summary>
    internal TensorHandle NativeHandle => _handle;

    /// <summary>True once the native tensor has been released.</summary>
    public bool IsDisposed => _disposed != 0;

    /// <summary>
    /// Releases the native tensor now (or, when a native call on another thread still uses it, as soon as that call
    /// returns). Views of it stay valid (libtorch reference-counts storage).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _handle.Dispose();
        Scope?.Remove(this);
    }

    /// <summary>Takes this tensor out of its dispose scope so the caller owns it (e.g. a model parameter).</summary>
    /// <returns>The same tensor.</returns>
    public Tensor DetachFromDisposeScope()
    {
        Scope?.Remove(this);
        return this;
    }

    // ---- metadata ----------------------------------------------------------------------------------------------

    /// <summary>The number of dimensions (0 for a scalar).</summary>
    public int Rank => mm_tensor_ndim(Handle);

    /// <summary>The size of every dimension, outermost first.</summary>
    public long[] Shape
    {
        get
        {
            var h = Handle;
            var shape = new long[mm_tensor_ndim(h)];
            fixed (long* p = shape) mm_tensor_shape(h, p, shape.Length);
            return shape;
        }
    }

    /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long Size(int dim)
    {
        var h = Handle;
        int rank = mm_tensor_ndim(h);
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) throw new TorchException($"dimension {dim} is out of range for a tensor of rank {rank}");
        Span<long> shape = stackalloc long[rank];
        fixed (long* p = shape) mm_tensor_shape(h, p, rank);
        return shape[d];
    }

    /// <summary>The total number of elements.</summary>
    public long NumElements => mm_tensor_numel(Handle);

    /// <summary>The element type.</summary>
    public DType DType => (DType)mm_tensor_dtype(Handle);

    /// <summary>Where the tensor lives.</summary>
    public Device Device
    {
        get
        {
            Check(mm_tensor_info(Handle, out _, out _, out int type, out int index, out _));
            return new Device((DeviceType)type, type == 0 ? -1 : index);
        }
    }

    /// <summary>Whether autograd records operations on this tensor (settable on leaves, like PyTorch's <c>requires_grad_</c>).</summary>
    public bool RequiresGrad
    {
        get
        {
            Check(mm_tensor_info(Handle, out _, out _, out _, out _, out int requiresGrad));
            return requiresGrad != 0;
        }
        set => Check(mm_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>
    /// The gradient accumulated by <see cref="Backward"/>, or null when there is none. Each read returns a new tensor
    /// object sharing the gradient's storage; dispose it (or let the scope do so).
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            Check(mm_grad(Handle, out var grad));
            if (!grad.IsInvalid) return new Tensor(grad);
            grad.Dispose();
            return null;
        }
    }

    /// <summary>PyTorch-like description, e.g. <c>Tensor[2, 3] Float32 cpu</c>.</summary>
    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor[{string.Join(", ", Shape)}] {DType} {Device}";

    // ---- creation ----------------------------------------------------------------------------------------------

    /// <summary>Copies <paramref name="data"/> into a new tensor of the given shape; the dtype follows <typeparamref name="T"/>.</summary>
    /// <param name="data">Elements in row-major order; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">Sizes of the dimensions; empty for a 0-d scalar.</param>
    /// <param name="device">Where to place the tensor (CPU by default).</param>
    public static Tensor From<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device device = default) where T : unmanaged =>
        FromBytes(MemoryMarshal.AsBytes(data), DTypes.Of<T>(), shape, device);

    /// <summary>A 1-D tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From<T>(ReadOnlySpan<T> data, Device device = default) where T : unmanaged =>
        From(data, [data.Length], device);

    /// <summary>A 1-D tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From<T>(T[] data, Device device = default) where T : unmanaged =>
        From((ReadOnlySpan<T>)data, [data.Length], device);

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    public static Tensor From<T>(T[] data, ReadOnlySpan<long> shape, Device device = default) where T : unmanaged =>
        From((ReadOnlySpan<T>)data, shape, device);

    /// <summary>A 0-d tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar<T>(T value, Device device = default) where T : unmanaged =>
        From(new ReadOnlySpan<T>(in value), [], device);

    /// <summary>
    /// Copies raw little-endian element bytes into a new tensor of <paramref name="dtype"/>; the way to create bfloat16
    /// tensors (whose elements have no .NET type) and to load safetensors data without conversion.
    /// </summary>
    public static Tensor FromBytes(ReadOnlySpan<byte> bytes, DType dtype, ReadOnlySpan<long> shape, Device device = default)
    {
        EnsureAvailable();
        device.EnsureUsable();
        long count = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new TorchException($"tensor shape [{string.Join(", ", shape.ToArray())}] has a negative size");
            count *= s;
        }
        long expected = count * dtype.ElementSize();
        if (bytes.Length != expected)
            throw new TorchException(
                $"tensor data holds {bytes.Length} bytes but shape [{string.Join(", ", shape.ToArray())}] of {dtype} needs {expected}");
        fixed (byte* data = bytes)
        fixed (long* dims = shape)
            return Wrap(mm_tensor_from_data(data, bytes.Length, (int)dtype, dims, shape.Length, (int)device.Type, device.Index));
    }

    private static Tensor Factory(FactoryOp op, ReadOnlySpan<long> shape, DType dtype, Device device, double value)
    {
        EnsureAvailable();
        device.EnsureUsable();
        fixed (long* dims = shape)
            return Wrap(mm_tensor_factory((int)op, dims, shape.Length, (int)dtype, (int)device.Type, device.Index, value));
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device device = default) =>
        Factory(FactoryOp.Zeros, shape, dtype, device, 0);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device device = default) =>
        Factory(FactoryOp.Ones, shape, dtype, device, 0);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(ReadOnlySpan<long> shape, double value, DType dtype = DType.Float32, Device device = default) =>
        Factory(FactoryOp.Full, shape, dtype, device, value);

    /// <summary>An uninitialised tensor (contents arbitrary), for outputs that are overwritten at once.</summary>
    public static Tensor Empty(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device device = default) =>
        Factory(FactoryOp.Empty, shape, dtype, device, 0);

    /// <summary>Uniform random numbers in [0, 1) from libtorch's generator (see <see cref="TorchRuntime.ManualSeed"/>).</summary>
    public static Tensor Rand(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device device = default) =>
        Factory(FactoryOp.Rand, shape, dtype, device, 0);

    /// <summary>Standard normal random numbers from libtorch's generator (see <see cref="TorchRuntime.ManualSeed"/>).</summary>
    public static Tensor Randn(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device device = default) =>
        Factory(FactoryOp.Randn, shape, dtype, device, 0);

    /// <summary>The values start, start + step, … below <paramref name="end"/> (PyTorch's <c>arange</c>).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32, Device device = default)
    {
        EnsureAvailable();
        device.EnsureUsable();
        return Wrap(mm_tensor_arange(start, end, step, (int)dtype, (int)device.Type, device.Index));
    }

    // ---- reading data back -------------------------------------------------------------------------------------

    /// <summary>
    /// Copies the elements (row-major, moved to the CPU and converted to <typeparamref name="T"/>'s dtype if needed)
    /// into <paramref name="destination"/>, whose length must equal <see cref="NumElements"/>.
    /// </summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged =>
        CopyToBytes(MemoryMarshal.AsBytes(destination), DTypes.Of<T>());

    /// <summary>Copies the elements as raw bytes of <paramref name="dtype"/> (e.g. bfloat16 bits, or for safetensors).</summary>
    public void CopyToBytes(Span<byte> destination, DType dtype)
    {
        fixed (byte* p = destination)
            Check(mm_tensor_copy_to(Handle, (int)dtype, p, destination.Length));
    }

    /// <summary>The elements as a new array of <typeparamref name="T"/> (row-major, converted as needed).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[checked((int)NumElements)];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>The value of a one-element tensor as a double.</summary>
    public double ToDouble()
    {
        Check(mm_tensor_item(Handle, out double value));
        return value;
    }

    /// <summary>The value of a one-element tensor as a float.</summary>
    public float ToSingle() => (float)ToDouble();

    /// <summary>The value of a one-element integer tensor.</summary>
    public long ToInt64()
    {
        Span<long> value = stackalloc long[1];
        if (NumElements != 1) throw new TorchException($"ToInt64 needs a one-element tensor, not shape [{string.Join(", ", Shape)}]");
        CopyTo(value);
        return value[0];
    }

    // ---- conversion --------------------------------------------------------------------------------------------

    /// <summary>This tensor on <paramref name="device"/> (a new tensor; the same data when already there).</summary>
    public Tensor To(Device device)
    {
        device.EnsureUsable();
        return Wrap(mm_to(Handle, -1, (int)device.Type, device.Index, 0));
    }

    /// <summary>This tensor converted to <paramref name="dtype"/>.</summary>
    public Tensor To(DType dtype) => Wrap(mm_to(Handle, (int)dtype, -1, -1, 0));

    /// <summary>This tensor converted to <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public Tensor To(DType dtype, Device device)
    {
        device.EnsureUsable();
        return Wrap(mm_to(Handle, (int)dtype, (int)device.Type, device.Index, 0));
    }

    // ---- autograd ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Computes the gradient of this (scalar) tensor with respect to every leaf that requires gradients and adds it to
    /// their <see cref="Grad"/>.
    /// </summary>
    /// <param name="gradient">d(output)/d(this) for a non-scalar tensor; null for a scalar (1).</param>
    /// <param name="retainGraph">Keep the graph for a second backward pass.</param>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        Check(mm_backward(Handle, gradient?.Handle ?? TensorHandle.Null, retainGraph ? 1 : 0));

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (PyTorch's <c>requires_grad_</c>).</summary>
    public Tensor RequiresGrad_(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>Drops the accumulated gradient (PyTorch's <c>grad = None</c>).</summary>
    public void ClearGrad()
    {
        IntPtr raw;
        var self = this;
        using var handles = new TensorHandleArray(new ReadOnlySpan<Tensor>(in self), new Span<IntPtr>(&raw, 1));
        Check(mm_clear_grads(&raw, 1));
    }
}
