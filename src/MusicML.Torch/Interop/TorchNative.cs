using System.Runtime.InteropServices;
using MusicML.Core;

namespace MusicML.Torch.Interop;

/// <summary>
/// P/Invoke declarations of the C ABI in <c>native/*.cpp</c>. Every function returning a handle returns zero on failure
/// and every function returning <see cref="int"/> returns -1 on failure; <see cref="Check{THandle}(THandle)"/> and
/// <see cref="Check(int)"/> turn that into a <see cref="TorchException"/> carrying libtorch's message (the shim catches
/// every C++ exception at the boundary, native/common.h). Handles travel as <see cref="TensorHandle"/> and
/// <see cref="OptimizerHandle"/>, so a native call always holds a reference to what it uses.
/// </summary>
internal static unsafe partial class TorchNative
{
    private const string Lib = "musicml_torch";

    /// <summary>The shim and, through it, libtorch.</summary>
    internal static readonly NativeDependency Dependency = CreateDependency("libmusicml_torch.so");

    static TorchNative() => Dependency.RegisterResolver(typeof(TorchNative).Assembly);

    internal static NativeDependency CreateDependency(params string[] candidateFileNames) =>
        new(Lib, "libtorch (MusicML's shim libmusicml_torch.so)", "libtorch-dev",
            "deep learning in MusicML.Torch; install libtorch-dev and run scripts/setup.sh, which builds the shim",
            candidateFileNames);

    private static bool _verified;

    /// <summary>
    /// Throws <see cref="NativeLibraryMissingException"/> naming libtorch-dev when the shim cannot load, and a
    /// <see cref="TorchException"/> naming the first difference when the shim's opcode tables are not the ones
    /// <see cref="Opcodes"/> was written against (a shim built from other sources).
    /// </summary>
    internal static void EnsureAvailable()
    {
        if (_verified) return;
        Dependency.EnsureAvailable();
        var mismatch = Opcodes.FirstMismatch(Marshal.PtrToStringUTF8(mm_opcode_table()) ?? "");
        if (mismatch != null)
            throw new TorchException(
                $"the libtorch shim {Dependency.LoadedFrom} does not match MusicML.Torch: {mismatch}; rebuild it from this checkout " +
                "(rm -rf src/MusicML.Torch/native/build && scripts/build-native.sh)");
        _verified = true;
    }

    /// <summary>Returns <paramref name="handle"/>, or releases it and throws libtorch's message when the call failed (zero).</summary>
    internal static THandle Check<THandle>(THandle handle) where THandle : SafeHandle
    {
        if (!handle.IsInvalid) return handle;
        handle.Dispose();
        throw LastError();
    }

    internal static void Check(int status)
    {
        if (status != 0) throw LastError();
    }

    internal static TorchException LastError()
    {
        var message = Marshal.PtrToStringUTF8(mm_last_error());
        return new TorchException(string.IsNullOrWhiteSpace(message) ? "libtorch reported an unspecified error" : message.Trim());
    }

    [LibraryImport(Lib)] internal static partial IntPtr mm_last_error();
    [LibraryImport(Lib)] internal static partial IntPtr mm_opcode_table();
    [LibraryImport(Lib)] internal static partial long mm_live_tensors();
    [LibraryImport(Lib)] internal static partial void mm_tensor_free(IntPtr handle);

    [LibraryImport(Lib)]
    internal static partial TensorHandle mm_tensor_from_data(void* data, long byteCount, int dtype, long* shape, int ndim,
        int deviceType, int deviceIndex);

    [LibraryImport(Lib)] internal static partial int mm_tensor_copy_to(TensorHandle handle, int dtype, void* destination, long byteCount);

    [LibraryImport(Lib)]
    internal static partial TensorHandle mm_tensor_factory(int op, long* shape, int ndim, int dtype, int deviceType,
        int deviceIndex, double value);

    [LibraryImport(Lib)]
    internal static partial TensorHandle mm_tensor_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Lib)]
    internal static partial int mm_tensor_info(TensorHandle handle, out int dtype, out int ndim, out int deviceType,
        out int deviceIndex, out int requiresGrad);

    [LibraryImport(Lib)] internal static partial int mm_tensor_ndim(TensorHandle handle);
    [LibraryImport(Lib)] internal static partial long mm_tensor_numel(TensorHandle handle);
    [LibraryImport(Lib)] internal static partial int mm_tensor_dtype(TensorHandle handle);
    [LibraryImport(Lib)] internal static partial int mm_tensor_shape(TensorHandle handle, long* shape, int capacity);
    [LibraryImport(Lib)] internal static partial int mm_tensor_item(TensorHandle handle, out double value);

    [LibraryImport(Lib)] internal static partial TensorHandle mm_unary(UnaryOp op, TensorHandle a);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_binary(BinaryOp op, TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_binary_scalar(ScalarOp op, TensorHandle a, double s);
    [LibraryImport(Lib)] internal static partial int mm_inplace(InplaceOp op, TensorHandle a, TensorHandle b, double s1, double s2);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_reduce(ReduceOp op, TensorHandle a, long* dims, int ndims, int keepdim, double p);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_dim_op(DimOp op, TensorHandle a, long dim);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_view(ViewOp op, TensorHandle a, long* args, int nargs);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_index_op(IndexOp op, TensorHandle a, TensorHandle b, TensorHandle c, long dim, double value);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_cat(IntPtr* handles, int count, long dim, int stack);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_to(TensorHandle a, int dtype, int deviceType, int deviceIndex, int copy);

    [LibraryImport(Lib)] internal static partial int mm_set_requires_grad(TensorHandle a, int requiresGrad);
    [LibraryImport(Lib)] internal static partial int mm_grad(TensorHandle a, out TensorHandle grad);
    [LibraryImport(Lib)] internal static partial int mm_backward(TensorHandle a, TensorHandle gradient, int retainGraph);
    [LibraryImport(Lib)] internal static partial int mm_clear_grads(IntPtr* handles, int count);
    [LibraryImport(Lib)] internal static partial int mm_set_grad_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial int mm_is_grad_enabled();
    [LibraryImport(Lib)] internal static partial int mm_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial int mm_cuda_device_count();
    [LibraryImport(Lib)] internal static partial void mm_set_num_threads(int count);
    [LibraryImport(Lib)] internal static partial int mm_get_num_threads();

    [LibraryImport(Lib)]
    internal static partial TensorHandle mm_conv(TensorHandle input, TensorHandle weight, TensorHandle bias, int spatialDims, long* stride,
        long* padding, long* dilation, long groups);

    [LibraryImport(Lib)]
    internal static partial TensorHandle mm_batch_norm(TensorHandle input, TensorHandle weight, TensorHandle bias, TensorHandle runningMean,
        TensorHandle runningVar, int training, double momentum, double eps);

    [LibraryImport(Lib)]
    internal static partial TensorHandle mm_layer_norm(TensorHandle input, long* normalizedShape, int ndims, TensorHandle weight, TensorHandle bias, double eps);

    [LibraryImport(Lib)] internal static partial TensorHandle mm_linear(TensorHandle input, TensorHandle weight, TensorHandle bias);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_dropout(TensorHandle input, double p, int training);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_embedding(TensorHandle weight, TensorHandle indices, long paddingIdx);

    [LibraryImport(Lib)]
    internal static partial TensorHandle mm_pool(PoolOp op, TensorHandle input, int spatialDims, long* kernel, long* stride,
        long* padding, long* dilation, int ceilMode, int countIncludePad);

    [LibraryImport(Lib)] internal static partial TensorHandle mm_adaptive_pool(PoolOp op, TensorHandle input, int spatialDims, long* outputSize);

    [LibraryImport(Lib)]
    internal static partial int mm_rnn(int kind, TensorHandle input, TensorHandle h0, TensorHandle c0, IntPtr* parameters, int count,
        int hasBiases, long numLayers, double dropout, int training, int bidirectional, int batchFirst,
        out TensorHandle output, out TensorHandle hN, out TensorHandle cN);

    [LibraryImport(Lib)]
    internal static partial TensorHandle mm_scaled_dot_product_attention(TensorHandle q, TensorHandle k, TensorHandle v, TensorHandle mask,
        double dropoutP, int isCausal, int training);

    [LibraryImport(Lib)]
    internal static partial TensorHandle mm_loss(LossOp op, TensorHandle input, TensorHandle target, TensorHandle weight, TensorHandle extra,
        int reduction, double p1, double p2);

    [LibraryImport(Lib)]
    internal static partial TensorHandle mm_stft(TensorHandle input, long nFft, long hopLength, long winLength, TensorHandle window,
        int center, int reflectPad, int normalized, int onesided, double power);

    [LibraryImport(Lib)] internal static partial int mm_autocast_enter(int dtype);
    [LibraryImport(Lib)] internal static partial void mm_autocast_exit(int previous);

    [LibraryImport(Lib)]
    internal static partial OptimizerHandle mm_optim_new(int kind, IntPtr* parameters, int count, double lr, double a, double b,
        double eps, double weightDecay, int flag);

    [LibraryImport(Lib)] internal static partial void mm_optim_free(IntPtr optimizer);
    [LibraryImport(Lib)] internal static partial int mm_optim_step(OptimizerHandle optimizer);
    [LibraryImport(Lib)] internal static partial int mm_optim_set_lr(OptimizerHandle optimizer, double lr);
    [LibraryImport(Lib)] internal static partial int mm_optim_state_info(OptimizerHandle optimizer, int index, out long step);
    [LibraryImport(Lib)] internal static partial TensorHandle mm_optim_state_tensor(OptimizerHandle optimizer, int index, int slot);
    [LibraryImport(Lib)]
    internal static partial int mm_optim_set_state(OptimizerHandle optimizer, int index, long step, TensorHandle s0, TensorHandle s1, TensorHandle s2);
    [LibraryImport(Lib)] internal static partial double mm_clip_grad_norm(IntPtr* parameters, int count, double maxNorm, double normType);
    [LibraryImport(Lib)] internal static partial int mm_clip_grad_value(IntPtr* parameters, int count, double clipValue);
}
