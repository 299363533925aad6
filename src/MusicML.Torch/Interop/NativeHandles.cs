using System.Runtime.InteropServices;

namespace MusicML.Torch.Interop;

/// <summary>
/// One heap-allocated <c>at::Tensor</c> of the shim, released with <c>mm_tensor_free</c>. As a <see cref="SafeHandle"/>
/// it is reference-counted across every P/Invoke that takes it, so neither <see cref="Tensor.Dispose"/> on another
/// thread nor the finalizer of an unreachable <see cref="Tensor"/> can free it while a native call still uses it: the
/// release waits for the last call to return.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    /// <summary>The "no tensor" argument (an absent bias, mask, …): zero, never owned, never released.</summary>
    internal static readonly TensorHandle Null = new(IntPtr.Zero, ownsHandle: false);

    /// <summary>Used by the P/Invoke marshaller for handles the shim returns.</summary>
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    private TensorHandle(IntPtr handle, bool ownsHandle) : base(IntPtr.Zero, ownsHandle) => SetHandle(handle);

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        TorchNative.mm_tensor_free(handle);
        return true;
    }
}

/// <summary>One <c>torch::optim</c> optimiser of the shim, released with <c>mm_optim_free</c> (see <see cref="TensorHandle"/>).</summary>
internal sealed class OptimizerHandle : SafeHandle
{
    /// <summary>Used by the P/Invoke marshaller for handles the shim returns.</summary>
    public OptimizerHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        TorchNative.mm_optim_free(handle);
        return true;
    }
}

/// <summary>
/// The raw handles of several tensors for a shim function that takes an array of them (cat, RNN weights, optimiser
/// parameters): each handle is kept alive (<see cref="SafeHandle.DangerousAddRef"/>) from construction until
/// <see cref="Dispose"/>, as the marshaller does for a single <see cref="TensorHandle"/> argument.
/// </summary>
internal ref struct TensorHandleArray
{
    private readonly ReadOnlySpan<Tensor> _tensors;
    private int _added;

    /// <summary>Fills <paramref name="raw"/> (one slot per tensor) with the tensors' handles and holds a reference to each.</summary>
    /// <exception cref="ObjectDisposedException">One of the tensors was disposed (nothing stays referenced).</exception>
    public TensorHandleArray(ReadOnlySpan<Tensor> tensors, Span<IntPtr> raw)
    {
        _tensors = tensors;
        _added = 0;
        try
        {
            for (int i = 0; i < tensors.Length; i++)
            {
                var handle = tensors[i].Handle;
                bool added = false;
                handle.DangerousAddRef(ref added);
                _added++;
                raw[i] = handle.DangerousGetHandle();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Drops the references taken by the constructor.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _added; i++) _tensors[i].NativeHandle.DangerousRelease();
        _added = 0;
    }
}
