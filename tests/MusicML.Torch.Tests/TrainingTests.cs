using MusicML.Torch;
using MusicML.Torch.Modules;
using MusicML.Torch.Optim;

namespace MusicML.Torch.Tests;

public sealed class TrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-training-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A small 1-D CNN + GRU tagger exercising conv, batch norm, pooling, recurrence, dropout and a linear head.</summary>
    private sealed class TinyTagger : Module<Tensor, Tensor>
    {
        private readonly Sequential _features;
        private readonly GRU _gru;
        private readonly Linear _head;

        public TinyTagger()
        {
            _features = RegisterModule("features", new Sequential(
                new Conv1d(1, 8, 3, padding: 1), new BatchNorm1d(8), new ReLU(), new MaxPool1d(2), new Dropout(0.1)));
            _gru = RegisterModule("gru", new GRU(8, 8, batchFirst: true));
            _head = RegisterModule("head", new Linear(8, 1));
        }

        public override Tensor Forward(Tensor input)
        {
            using var f = _features.Forward(input);          // (N, 8, 8)
            using var seq = f.Transpose(1, 2);                // (N, 8 steps, 8 features)
            using var rnn = _gru.Forward(seq);
            using var last = rnn.HiddenState[0];               // (N, 8)
            return _head.Forward(last);                        // (N, 1)
        }
    }

    /// <summary>Signals of 16 samples; label 1 when the second half is louder than the first.</summary>
    private static (Tensor X, Tensor Y) Batch(int n)
    {
        var x = Tensor.Randn([n, 1, 16]);
        using var second = x.Slice(2, 8).Abs().Sum([1, 2]);
        using var first = x.Slice(2, 0, 8).Abs().Sum([1, 2]);
        using var louder = second.Gt(first);
        using var asFloat = louder.To(DType.Float32);
        return (x, asFloat.Unsqueeze(1));
    }

    // Tensors that earlier tests left to the finalizer are freed whenever the GC runs; collecting first keeps them
    // out of this test's before/after figures.
    private static long LiveTensorsAfterFinalizers()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return TorchRuntime.LiveTensorCount;
    }

    [Fact]
    public void SmallModelTrainsWithoutLeaksAndRoundTripsThroughSafeTensors()
    {
        TorchRuntime.ManualSeed(42);
        using var model = new TinyTagger();
        using var optimizer = new Adam(model.Parameters(), lr: 0.01);
        var scheduler = new StepLR(optimizer, stepSize: 100, gamma: 0.5);
        var losses = new List<double>();
        long liveAfterWarmup = 0;
        for (int step = 0; step < 150; step++)
        {
            using (TorchRuntime.NewDisposeScope())
            {
                var (x, y) = Batch(32);
                optimizer.ZeroGrad();
                var loss = Losses.BinaryCrossEntropyWithLogits(model.Forward(x), y);
                loss.Backward();
                GradientClipping.ClipNorm(model.Parameters(), 5.0);
                optimizer.Step();
                losses.Add(loss.ToDouble());
            }
            if (step == 10) liveAfterWarmup = LiveTensorsAfterFinalizers();
            scheduler.Step();
        }
        // Every intermediate of every step was released: the count is the same after 10 steps as after 150 (the
        // optimiser's state is created on the first step, so it is in both figures).
        Assert.Equal(liveAfterWarmup, LiveTensorsAfterFinalizers());

        // Chance level is ln 2 = 0.693 and the first 10 steps sit there; with seed 42 the last 20 steps average 0.378
        // (labels near the loudness boundary stay hard), so requiring below 0.7 × the start leaves room for libtorch
        // versions whose kernels round differently while still failing a model that does not learn.
        double early = losses.Take(10).Average(), late = losses.TakeLast(20).Average();
        Assert.True(late < 0.7 * early, $"loss fell from {early:F3} to {late:F3} only");

        // Save with PyTorch state_dict names, load into a fresh model, and get identical evaluation outputs.
        var path = Path.Combine(_dir, "tiny.safetensors");
        SafeTensors.Save(path, model.StateDict());
        var names = SafeTensors.ReadHeader(path).Entries.Select(e => e.Name).ToList();
        Assert.Contains("features.0.weight", names);
        Assert.Contains("features.1.running_var", names);
        Assert.Contains("features.1.num_batches_tracked", names);
        Assert.Contains("gru.weight_hh_l0", names);
        Assert.Contains("head.bias", names);
        Assert.Equal(model.StateDict().Select(kv => kv.Key), names);

        using var restored = new TinyTagger();
        using (var weights = SafeTensors.Load(path)) restored.LoadStateDict(weights);
        model.Eval();
        restored.Eval();
        using var probe = Tensor.Randn([4, 1, 16]);
        using (TorchRuntime.NoGrad())
        {
            using var a = model.Forward(probe);
            using var b = restored.Forward(probe);
            Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        }
    }

    [Fact]
    public void ContainersNameChildrenByIndexAsPyTorchDoes()
    {
        using var branches = new ModuleList<Conv1d>(new Conv1d(1, 2, 3), new Conv1d(1, 2, 5, bias: false));
        using var chain = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
        Assert.Equal(["0.weight", "0.bias", "1.weight"], branches.StateDict().Select(kv => kv.Key));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], chain.StateDict().Select(kv => kv.Key));
        Assert.Equal(2, branches.Count);
        Assert.Null(branches[1].Bias);
        chain.Eval();
        Assert.All(chain.NamedChildren(), c => Assert.False(c.Module.IsTraining));
    }

    [Fact]
    public void ModuleMovesAndConvertsInPlace()
    {
        using var layer = new Linear(2, 2);
        var weight = layer.Weight;
        layer.To(DType.Float64);
        Assert.Same(weight, layer.Weight);
        Assert.Equal(DType.Float64, layer.Weight.DType);
        Assert.True(layer.Weight.RequiresGrad);
        layer.To(Device.Cpu);
        Assert.Equal(Device.Cpu, layer.Weight.Device);
        if (!TorchRuntime.IsCudaAvailable)
            Assert.Throws<TorchException>(() => layer.To(Device.Cuda));
    }
}
