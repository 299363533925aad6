using BenchmarkDotNet.Attributes;
using MusicML.Torch;
using MusicML.Torch.Modules;
using MusicML.Torch.Optim;

namespace MusicML.Bench;

/// <summary>
/// One training step (forward, BCE-with-logits, backward, Adam) of a small conv + GRU tagger through MusicML.Torch,
/// to hold the binding's overhead against the same step in PyTorch on the same libtorch (target ≤ 1.10×). The PyTorch
/// twin is the same architecture with <c>torch.set_num_threads(1)</c>, timed over the same batch.
/// </summary>
[MemoryDiagnoser]
public class TorchTrainingStepBenchmark
{
    private TinyTagger _model = null!;
    private Adam _optimizer = null!;
    private Tensor _input = null!;
    private Tensor _target = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchRuntime.NumThreads = 1;
        TorchRuntime.ManualSeed(0);
        _model = new TinyTagger();
        _optimizer = new Adam(_model.Parameters(), lr: 1e-3);
        _input = Tensor.Randn([8, 1, 16, 20]);
        _target = Tensor.Rand([8, 5]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _optimizer.Dispose();
        _model.Dispose();
        _input.Dispose();
        _target.Dispose();
    }

    [Benchmark]
    public double TrainingStep()
    {
        using var scope = TorchRuntime.NewDisposeScope();
        _optimizer.ZeroGrad();
        var loss = Losses.BinaryCrossEntropyWithLogits(_model.Forward(_input), _target);
        loss.Backward();
        _optimizer.Step();
        return loss.ToDouble();
    }

    /// <summary>Conv2d(1→4, 3×5) → BatchNorm2d → ReLU → MaxPool(2×1) → 2-layer bidirectional GRU(32→6) → Linear(12→5).</summary>
    private sealed class TinyTagger : Module<Tensor, Tensor>
    {
        private readonly Conv2d _conv;
        private readonly BatchNorm2d _bn;
        private readonly GRU _gru;
        private readonly Linear _fc;

        public TinyTagger()
        {
            _conv = RegisterModule("conv", new Conv2d(1, 4, (3, 5), padding: (1, 2)));
            _bn = RegisterModule("bn", new BatchNorm2d(4));
            _gru = RegisterModule("gru", new GRU(32, 6, numLayers: 2, batchFirst: true, bidirectional: true));
            _fc = RegisterModule("fc", new Linear(12, 5));
        }

        public override Tensor Forward(Tensor input)
        {
            using var c = _conv.Forward(input);
            using var b = _bn.Forward(c);
            using var r = Functional.Relu(b);
            using var p = Functional.MaxPool2d(r, [2, 1]);
            using var flat = p.Flatten(1, 2);
            using var seq = flat.Transpose(1, 2);
            using var g = _gru.Forward(seq);
            using var last = g.Output.Select(1, -1);
            return _fc.Forward(last);
        }
    }
}
