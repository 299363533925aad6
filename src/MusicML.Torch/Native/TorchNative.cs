using System.Runtime.InteropServices;
using MusicML.Core;

namespace MusicML.Torch.Native;

/// <summary>
/// P/Invoke declarations of the C ABI in <c>native/*.cpp</c>. Every function returning a handle returns zero on failure
/// and every function returning <see cref="int"/> returns -1 on failure; <see cref="Check(IntPtr)"/> and
/// <see cref="Check(int)"/> turn that into a <see cref="TorchException"/> carrying libtorch's message.
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

    /// <summary>Throws <see cref="NativeLibraryMissingException"/> naming libtorch-dev when the shim cannot load.</summary>
    internal static void EnsureAvailable()
    {
        if (_verified) return;
        Dependency.EnsureAvailable();
        _verified = true;
    }

    internal static IntPtr Check(IntPtr handle) => handle != IntPtr.Zero ? handle : throw LastError();

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
    [LibraryImport(Lib)] internal static partial long mm_live_tensors();
    [LibraryImport(Lib)] internal static partial void mm_tensor_free(IntPtr handle);

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_tensor_from_data(void* data, long byteCount, int dtype, long* shape, int ndim,
        int deviceType, int deviceIndex);

    [LibraryImport(Lib)] internal static partial int mm_tensor_copy_to(IntPtr handle, int dtype, void* destination, long byteCount);

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_tensor_factory(int op, long* shape, int ndim, int dtype, int deviceType,
        int deviceIndex, double value);

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_tensor_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Lib)]
    internal static partial int mm_tensor_info(IntPtr handle, out int dtype, out int ndim, out int deviceType,
        out int deviceIndex, out int requiresGrad);

    [LibraryImport(Lib)] internal static partial int mm_tensor_ndim(IntPtr handle);
    [LibraryImport(Lib)] internal static partial long mm_tensor_numel(IntPtr handle);
    [LibraryImport(Lib)] internal static partial int mm_tensor_dtype(IntPtr handle);
    [LibraryImport(Lib)] internal static partial int mm_tensor_shape(IntPtr handle, long* shape, int capacity);
    [LibraryImport(Lib)] internal static partial int mm_tensor_item(IntPtr handle, out double value);

    [LibraryImport(Lib)] internal static partial IntPtr mm_unary(UnaryOp op, IntPtr a);
    [LibraryImport(Lib)] internal static partial IntPtr mm_binary(BinaryOp op, IntPtr a, IntPtr b);
    [LibraryImport(Lib)] internal static partial IntPtr mm_binary_scalar(ScalarOp op, IntPtr a, double s);
    [LibraryImport(Lib)] internal static partial int mm_inplace(InplaceOp op, IntPtr a, IntPtr b, double s1, double s2);
    [LibraryImport(Lib)] internal static partial IntPtr mm_reduce(ReduceOp op, IntPtr a, long* dims, int ndims, int keepdim, double p);
    [LibraryImport(Lib)] internal static partial IntPtr mm_dim_op(DimOp op, IntPtr a, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr mm_view(ViewOp op, IntPtr a, long* args, int nargs);
    [LibraryImport(Lib)] internal static partial IntPtr mm_index_op(IndexOp op, IntPtr a, IntPtr b, IntPtr c, long dim, double value);
    [LibraryImport(Lib)] internal static partial IntPtr mm_cat(IntPtr* handles, int count, long dim, int stack);
    [LibraryImport(Lib)] internal static partial IntPtr mm_to(IntPtr a, int dtype, int deviceType, int deviceIndex, int copy);

    [LibraryImport(Lib)] internal static partial int mm_set_requires_grad(IntPtr a, int requiresGrad);
    [LibraryImport(Lib)] internal static partial int mm_grad(IntPtr a, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int mm_backward(IntPtr a, IntPtr gradient, int retainGraph);
    [LibraryImport(Lib)] internal static partial int mm_clear_grads(IntPtr* handles, int count);
    [LibraryImport(Lib)] internal static partial int mm_set_grad_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial int mm_is_grad_enabled();
    [LibraryImport(Lib)] internal static partial int mm_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial int mm_cuda_device_count();
    [LibraryImport(Lib)] internal static partial void mm_set_num_threads(int count);
    [LibraryImport(Lib)] internal static partial int mm_get_num_threads();

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_conv(IntPtr input, IntPtr weight, IntPtr bias, int spatialDims, long* stride,
        long* padding, long* dilation, long groups);

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_batch_norm(IntPtr input, IntPtr weight, IntPtr bias, IntPtr runningMean,
        IntPtr runningVar, int training, double momentum, double eps);

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_layer_norm(IntPtr input, long* normalizedShape, int ndims, IntPtr weight, IntPtr bias, double eps);

    [LibraryImport(Lib)] internal static partial IntPtr mm_linear(IntPtr input, IntPtr weight, IntPtr bias);
    [LibraryImport(Lib)] internal static partial IntPtr mm_dropout(IntPtr input, double p, int training);
    [LibraryImport(Lib)] internal static partial IntPtr mm_embedding(IntPtr weight, IntPtr indices, long paddingIdx);

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_pool(PoolOp op, IntPtr input, int spatialDims, long* kernel, long* stride,
        long* padding, long* dilation, int ceilMode, int countIncludePad);

    [LibraryImport(Lib)] internal static partial IntPtr mm_adaptive_pool(PoolOp op, IntPtr input, int spatialDims, long* outputSize);

    [LibraryImport(Lib)]
    internal static partial int mm_rnn(int kind, IntPtr input, IntPtr h0, IntPtr c0, IntPtr* parameters, int count,
        int hasBiases, long numLayers, double dropout, int training, int bidirectional, int batchFirst,
        out IntPtr output, out IntPtr hN, out IntPtr cN);

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_scaled_dot_product_attention(IntPtr q, IntPtr k, IntPtr v, IntPtr mask,
        double dropoutP, int isCausal, int training);

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_loss(LossOp op, IntPtr input, IntPtr target, IntPtr weight, IntPtr extra,
        int reduction, double p1, double p2);

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_stft(IntPtr input, long nFft, long hopLength, long winLength, IntPtr window,
        int center, int reflectPad, int normalized, int onesided, double power);

    [LibraryImport(Lib)] internal static partial int mm_autocast_enter(int dtype);
    [LibraryImport(Lib)] internal static partial void mm_autocast_exit(int previous);

    [LibraryImport(Lib)]
    internal static partial IntPtr mm_optim_new(int kind, IntPtr* parameters, int count, double lr, double a, double b,
        double eps, double weightDecay, int flag);

    [LibraryImport(Lib)] internal static partial void mm_optim_free(IntPtr optimizer);
    [LibraryImport(Lib)] internal static partial int mm_optim_step(IntPtr optimizer);
    [LibraryImport(Lib)] internal static partial int mm_optim_set_lr(IntPtr optimizer, double lr);
    [LibraryImport(Lib)] internal static partial double mm_clip_grad_norm(IntPtr* parameters, int count, double maxNorm, double normType);
    [LibraryImport(Lib)] internal static partial int mm_clip_grad_value(IntPtr* parameters, int count, double clipValue);
}
