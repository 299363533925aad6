using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MusicML.Torch;

namespace MusicML.Bench;

/// <summary>
/// The per-call cost of the libtorch binding: element-wise ops on 16 floats, where the work inside libtorch is
/// negligible and what is measured is the P/Invoke, the <c>SafeHandle</c> reference taken and dropped on each tensor
/// argument, the new <c>Tensor</c> and its handle, and the dispose. One libtorch thread, so no pool wake-up is timed.
/// </summary>
[Config(typeof(CallConfig))]
public class TensorCallBenchmarks
{
    /// <summary>In-process, so the native shim beside this assembly is found as is.</summary>
    private sealed class CallConfig : ManualConfig
    {
        public CallConfig() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
    }

    private Tensor _a = null!, _b = null!;

    /// <summary>Two fixed 16-element tensors.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.NumThreads = 1;
        _a = Tensor.Ones([16]).DetachFromDisposeScope();
        _b = Tensor.Ones([16]).DetachFromDisposeScope();
    }

    /// <summary>Releases the inputs.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose();
        _b.Dispose();
    }

    /// <summary>One binary op (two handle arguments, one new tensor), disposed at once.</summary>
    [Benchmark]
    public void AddSmall()
    {
        using var c = _a + _b;
    }

    /// <summary>One unary op (one handle argument, one new tensor), disposed at once.</summary>
    [Benchmark]
    public void AbsSmall()
    {
        using var c = _a.Abs();
    }

    /// <summary>A metadata read (one handle argument, no allocation).</summary>
    [Benchmark]
    public long NumElements() => _a.NumElements;
}
