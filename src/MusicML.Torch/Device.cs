using MusicML.Torch.Interop;

namespace MusicML.Torch;

/// <summary>The kind of processor a tensor lives on; values are libtorch's <c>c10::DeviceType</c> codes.</summary>
public enum DeviceType
{
    /// <summary>Main memory, computed by the CPU.</summary>
    Cpu = 0,
    /// <summary>An NVIDIA GPU through CUDA.</summary>
    Cuda = 1,
}

/// <summary>Where a tensor lives: the CPU (the default value) or one CUDA device.</summary>
/// <param name="Type">CPU or CUDA.</param>
/// <param name="Index">The CUDA device ordinal, or -1 for "the current one" (always -1 for the CPU).</param>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    /// <summary>The CPU.</summary>
    public static Device Cpu => new(DeviceType.Cpu);

    /// <summary>The first CUDA device. Using it where CUDA is absent raises a <see cref="TorchException"/> that says so.</summary>
    public static Device Cuda => new(DeviceType.Cuda, 0);

    /// <summary>CUDA device number <paramref name="index"/>.</summary>
    public static Device CudaAt(int index) => new(DeviceType.Cuda, index);

    /// <summary>True for a CUDA device.</summary>
    public bool IsCuda => Type == DeviceType.Cuda;

    /// <summary>PyTorch's spelling: <c>cpu</c>, <c>cuda:0</c>.</summary>
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";

    /// <summary>Throws a clear error when this device is CUDA and no CUDA device is usable.</summary>
    internal void EnsureUsable()
    {
        if (Type == DeviceType.Cpu) return;
        int count = TorchRuntime.CudaDeviceCount;
        if (count == 0)
            throw new TorchException(
                $"{this} was requested but CUDA is not available: either this machine has no NVIDIA GPU/driver or the " +
                "libtorch the shim was built against is CPU-only (Debian's libtorch-dev is). Build the shim against a " +
                "CUDA libtorch as described in docs/cuda.md, or use Device.Cpu.");
        if (Index >= count)
            throw new TorchException($"{this} was requested but only {count} CUDA device(s) exist (cuda:0 to cuda:{count - 1}).");
    }
}
