using static MusicML.Torch.Interop.TorchNative;

namespace MusicML.Torch;

/// <summary>Process-wide libtorch state: availability, seeds, gradient mode, threads, CUDA, dispose scopes.</summary>
public static class TorchRuntime
{
    private static int _cudaDeviceCount = -1;

    /// <summary>True when the shim and libtorch load on this machine.</summary>
    public static bool IsAvailable => Dependency.IsAvailable;

    /// <summary>Throws <see cref="MusicML.Core.NativeLibraryMissingException"/> (naming libtorch-dev) when libtorch is unusable.</summary>
    public static void EnsureAvailable() => Interop.TorchNative.EnsureAvailable();


    /// <summary>How many native tensors are alive in this process: flat over a loop means nothing leaks.</summary>
    public static long LiveTensorCount
    {
        get
        {
            Interop.TorchNative.EnsureAvailable();
            return mm_live_tensors();
        }
    }

    /// <summary>Seeds libtorch's random generators (CPU and CUDA), so Rand/Randn/dropout/initialisation repeat.</summary>
    public static void ManualSeed(ulong seed)
    {
        Interop.TorchNative.EnsureAvailable();
        Check(mm_manual_seed(seed));
    }

    /// <summary>The number of usable CUDA devices (0 on CPU-only builds such as Debian's libtorch-dev).</summary>
    public static int CudaDeviceCount
    {
        get
        {
            if (_cudaDeviceCount < 0)
            {
                Interop.TorchNative.EnsureAvailable();
                _cudaDeviceCount = mm_cuda_device_count();
            }
            return _cudaDeviceCount;
        }
    }

    /// <summary>True when at least one CUDA device is usable.</summary>
    public static bool IsCudaAvailable => CudaDeviceCount > 0;

    /// <summary>The most intra-op threads an option may ask for (a typo such as 10000 is refused, not obeyed).</summary>
    public const int MaxThreads = 1024;

    /// <summary>The number of threads libtorch uses for intra-op parallelism on the CPU.</summary>
    public static int NumThreads
    {
        get
        {
            Interop.TorchNative.EnsureAvailable();
            return mm_get_num_threads();
        }
        set
        {
            if (value < 1) throw new TorchException($"NumThreads must be at least 1, not {value}");
            Interop.TorchNative.EnsureAvailable();
            mm_set_num_threads(value);
        }
    }

    /// <summary>Whether autograd records operations on this thread (false inside <see cref="NoGrad"/>).</summary>
    public static bool IsGradEnabled
    {
        get
        {
            Interop.TorchNative.EnsureAvailable();
            return mm_is_grad_enabled() != 0;
        }
    }

    /// <summary>
    /// Turns gradient recording off on this thread until the returned guard is disposed (PyTorch's
    /// <c>torch.no_grad()</c>): <c>using (TorchRuntime.NoGrad()) { … }</c>.
    /// </summary>
    public static GradModeGuard NoGrad() => new(false);

    /// <summary>Turns gradient recording on (e.g. inside an outer <see cref="NoGrad"/>) until the guard is disposed.</summary>
    public static GradModeGuard EnableGrad() => new(true);

    /// <summary>
    /// Runs eligible CUDA operations (convolutions, matrix products, …) in <paramref name="dtype"/> (float16 or
    /// bfloat16) until the guard is disposed, as PyTorch's <c>torch.autocast("cuda")</c>; pair it with
    /// <see cref="Optim.GradScaler"/> for float16 training.
    /// </summary>
    /// <exception cref="TorchException">CUDA is unavailable or the dtype is not a half-precision type.</exception>
    public static AutocastGuard Autocast(DType dtype = DType.Float16)
    {
        if (dtype is not (DType.Float16 or DType.BFloat16))
            throw new TorchException($"autocast runs in Float16 or BFloat16, not {dtype}");
        Device.Cuda.EnsureUsable();
        return new AutocastGuard(dtype);
    }

    /// <summary>Opens a scope that disposes every tensor created on this thread until it closes (see <see cref="DisposeScope"/>).</summary>
    public static DisposeScope NewDisposeScope() => new();
}

/// <summary>Restores the previous gradient mode of the thread when disposed.</summary>
public readonly struct GradModeGuard : IDisposable
{
    private readonly bool _previous;

    internal GradModeGuard(bool enabled)
    {
        Interop.TorchNative.EnsureAvailable();
        _previous = mm_set_grad_enabled(enabled ? 1 : 0) != 0;
    }

    /// <summary>Restores the gradient mode in force before the guard was created.</summary>
    public void Dispose() => mm_set_grad_enabled(_previous ? 1 : 0);
}

/// <summary>Restores the previous autocast state when disposed.</summary>
public readonly struct AutocastGuard : IDisposable
{
    private readonly int _previous;

    internal AutocastGuard(DType dtype) => _previous = mm_autocast_enter((int)dtype);

    /// <summary>Leaves the autocast region.</summary>
    public void Dispose() => mm_autocast_exit(_previous);
}
