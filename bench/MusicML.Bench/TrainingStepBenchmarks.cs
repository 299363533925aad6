using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MusicML.Tagging;
using MusicML.Torch;

namespace MusicML.Bench;

/// <summary>
/// One training step of the FCN tagger (forward, BCE-with-logits, backward, Adam) on a batch of 16 random dB mel
/// inputs of 96 × 1813 frames (29 s at 16 kHz), the MusicML side of bench/pytorch_fcn_step.py, which runs the same step
/// in Debian's python3-torch on the same libtorch. A step takes seconds, so each iteration is one step, measured after
/// warm-up with the monitoring strategy (no pilot stage). Threads: MUSICML_BENCH_THREADS (default: libtorch's choice),
/// to match the PyTorch run's torch.set_num_threads.
/// </summary>
[Config(typeof(StepConfig))]
public class TrainingStepBenchmarks
{
    /// <summary>
    /// In-process (the native shim beside this assembly is found as is, and no per-run project is compiled on a busy
    /// machine), monitoring strategy: one step per iteration, 3 warm-up and 10 measured steps, as the PyTorch script.
    /// The in-process timeout is raised from its 5 minutes: on a shared 2-core machine 13 steps take about 6.
    /// </summary>
    private sealed class StepConfig : ManualConfig
    {
        public StepConfig() => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1)
            .WithWarmupCount(3).WithIterationCount(10).WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true)));
    }

    private FcnTagger _network = null!;
    private TaggerTrainer _trainer = null!;
    private Tensor _input = null!, _targets = null!;
    private readonly List<double> _rssMiB = [];

    /// <summary>Builds the network and fixed random inputs (seeded, as in the PyTorch script).</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("MUSICML_BENCH_THREADS"), out var threads)) TorchRuntime.NumThreads = threads;
        TorchRuntime.ManualSeed(0);
        _network = new FcnTagger(96, 50);
        _trainer = new TaggerTrainer(_network, 1e-4);
        using (var noise = Tensor.Randn([16, 96, 1813])) _input = (noise * 10.0).DetachFromDisposeScope();
        using (var uniform = Tensor.Rand([16, 50])) _targets = uniform.Lt(0.1).To(DType.Float32);
    }

    /// <summary>Forward, loss, backward and Adam update of one batch.</summary>
    [Benchmark]
    public double FcnTrainStepBatch16() => _trainer.Step(_input, _targets);

    /// <summary>Records the process RSS after every measured step, to show it stays flat.</summary>
    [IterationCleanup]
    public void RecordRss()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        _rssMiB.Add(process.WorkingSet64 / 1048576.0);
    }

    /// <summary>Prints the RSS record and releases the native tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_rssMiB.Count > 0)
            Console.WriteLine(FormattableString.Invariant(
                $"// RSS after each step: first {_rssMiB[0]:F1} MiB, last {_rssMiB[^1]:F1} MiB, max {_rssMiB.Max():F1} MiB over {_rssMiB.Count} steps"));
        _trainer.Dispose();
        _network.Dispose();
        _input.Dispose();
        _targets.Dispose();
    }
}
