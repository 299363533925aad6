using MusicML.TestSupport;
using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Torch.Tests;

public class PyTorchParityTests
{
    /// <summary>The module of Fixtures/make_pytorch_reference.py, built from MusicML layers with the same member names.</summary>
    private sealed class Reference : Module<Tensor, Tensor>
    {
        private readonly Conv2d _conv;
        private readonly BatchNorm2d _bn;
        private readonly GRU _gru;
        private readonly LSTM _lstm;
        private readonly LayerNorm _norm;
        private readonly Linear _fc;

        public Reference()
        {
            _conv = RegisterModule("conv", new Conv2d(1, 3, (3, 5), stride: (1, 2), padding: (1, 2)));
            _bn = RegisterModule("bn", new BatchNorm2d(3));
            _gru = RegisterModule("gru", new GRU(12, 5, numLayers: 2, batchFirst: true, bidirectional: true));
            _lstm = RegisterModule("lstm", new LSTM(10, 4, numLayers: 2));
            _norm = RegisterModule("norm", new LayerNorm([4]));
            _fc = RegisterModule("fc", new Linear(4, 3));
        }

        public override Tensor Forward(Tensor input)
        {
            using var scope = TorchRuntime.NewDisposeScope();
            var h = Functional.MaxPool2d(Functional.Elu(_bn.Forward(_conv.Forward(input))), [2, 1]);
            var seq = h.Flatten(1, 2).Transpose(1, 2);
            var g = _gru.Forward(seq);
            var l = _lstm.Forward(g.Output.Transpose(0, 1));
            return scope.MoveToOuter(_fc.Forward(_norm.Forward(l.Output[-1])));
        }
    }

    [Fact]
    public void ModuleBuiltFromPyTorchStateDictReproducesPyTorchOutput()
    {
        // The fixture holds a PyTorch 1.13.1 module's state_dict (conv, batch norm with running statistics, 2-layer
        // bidirectional GRU, 2-layer LSTM, layer norm, linear) plus an input and PyTorch's eval-mode output. Both sides
        // run the same libtorch kernels, so the outputs agree to float32 rounding (measured: 0, allowed 1e-6).
        using var file = SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch_reference.safetensors"));
        var state = file.Where(kv => kv.Key is not ("input" or "output")).ToDictionary(kv => kv.Key, kv => kv.Value);
        using var model = new Reference();
        Assert.Equal(state.Keys.Order(StringComparer.Ordinal), model.StateDict().Select(kv => kv.Key).Order(StringComparer.Ordinal));
        model.LoadStateDict(state);
        Assert.Equal(17, model.StateDict().Single(kv => kv.Key == "bn.num_batches_tracked").Value.ToInt64());
        model.Eval();
        using var noGrad = TorchRuntime.NoGrad();
        using var output = model.Forward(file["input"]);
        var error = ArrayComparison.RelativeMaxError(file["output"].ToArray<float>(), output.ToArray<float>());
        Assert.True(error <= 1e-6, $"MusicML vs PyTorch output: relative max error {error:E3}");
    }
}
