using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
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
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class TrainingStepBenchmarks
{
    private FcnTagger _network = null!;
    private TaggerTrainer _trainer = null!;
    private Tensor _input = null!, _targets = null!;

    /// <summary>Builds the network and fixed random inputs (seeded, as in the PyTorch script).</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("MUSICML_BENCH_THREADS"), out var threads)) Torch.Torch.NumThreads = threads;
        Torch.Torch.ManualSeed(0);
        _network = new FcnTagger(96, 50);
        _trainer = new TaggerTrainer(_network, 1e-4);
        using (var noise = Tensor.Randn([16, 96, 1813])) _input = (noise * 10.0).DetachFromDisposeScope();
        using (var uniform = Tensor.Rand([16, 50])) _targets = uniform.Lt(0.1).To(DType.Float32);
    }

    /// <summary>Forward, loss, backward and Adam update of one batch.</summary>
    [Benchmark]
    public double FcnTrainStepBatch16() => _trainer.Step(_input, _targets);

    /// <summary>Releases the native tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _trainer.Dispose();
        _network.Dispose();
        _input.Dispose();
        _targets.Dispose();
    }
}
