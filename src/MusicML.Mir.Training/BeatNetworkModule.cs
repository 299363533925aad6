using MusicML.Mir.Beats;
using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Mir.Training;

/// <summary>
/// The libtorch twin of <see cref="BeatNetwork"/>, layer for layer and with its weight names, so a trained state
/// dictionary saved as safetensors is what the managed network loads: normalisation buffers, a 3-frame input
/// convolution, residual blocks (5-tap dilated convolution, ELU, dropout while training, 1×1 mix added back), and a
/// 1×1 output of beat and downbeat logits. Input <c>(batch, features, frames)</c>, output <c>(batch, 2, frames)</c>.
/// </summary>
public sealed class BeatNetworkModule : Module<Tensor, Tensor>
{
    private readonly Conv1d _input, _output;
    private readonly ModuleList<ResidualBlock> _blocks;
    private readonly Normalisation _normalise;

    /// <summary>Creates the network with PyTorch's default initialisation.</summary>
    /// <param name="features">Input features per frame.</param>
    /// <param name="channels">Hidden channels.</param>
    /// <param name="dilations">Dilation of each residual block, in frames.</param>
    /// <param name="dropout">Dropout after each block's ELU while training.</param>
    public BeatNetworkModule(int features, int channels, IReadOnlyList<int> dilations, double dropout)
    {
        Features = features;
        Dilations = dilations;
        Dropout = dropout;
        _normalise = RegisterModule("normalise", new Normalisation(features));
        _input = RegisterModule("input", new Conv1d(features, channels, BeatNetwork.InputKernel, padding: (BeatNetwork.InputKernel - 1) / 2));
        _blocks = RegisterModule("blocks", new ModuleList<ResidualBlock>([.. dilations.Select(d => new ResidualBlock(channels, d))]));
        _output = RegisterModule("output", new Conv1d(channels, 2, 1));
    }

    /// <summary>Input features per frame.</summary>
    public int Features { get; }

    /// <summary>Dilations of the residual blocks.</summary>
    public IReadOnlyList<int> Dilations { get; }

    /// <summary>Dropout rate while training.</summary>
    public double Dropout { get; }

    /// <summary>Sets the per-feature normalisation (training-set mean and standard deviation).</summary>
    public void SetNormalisation(float[] mean, float[] std) => _normalise.Set(mean, std);

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        using var scope = TorchRuntime.NewDisposeScope();
        var hidden = Functional.Elu(_input.Forward(_normalise.Forward(input)));
        foreach (var block in _blocks)
        {
            var h = Functional.Elu(block.Dilated.Forward(hidden));
            if (IsTraining && Dropout > 0) h = Functional.Dropout(h, Dropout, training: true);
            hidden = hidden + block.Mix.Forward(h);
        }
        return scope.MoveToOuter(_output.Forward(hidden));
    }

    /// <summary>(x − mean) / std per feature, from buffers <c>mean</c> and <c>std</c>.</summary>
    private sealed class Normalisation : Module<Tensor, Tensor>
    {
        private readonly Tensor _mean, _std;
        private readonly int _features;

        public Normalisation(int features)
        {
            _features = features;
            _mean = RegisterBuffer("mean", Tensor.Zeros([features]))!;
            _std = RegisterBuffer("std", Tensor.Ones([features]))!;
        }

        public void Set(float[] mean, float[] std)
        {
            using var m = Tensor.From(mean);
            using var s = Tensor.From(std);
            _mean.CopyFrom(m);
            _std.CopyFrom(s);
        }

        public override Tensor Forward(Tensor input)
        {
            using var mean = _mean.Reshape([1, _features, 1]);
            using var std = _std.Reshape([1, _features, 1]);
            using var centred = input - mean;
            return centred / std;
        }
    }

    /// <summary>One residual block's layers: <c>dilated</c> (5 taps, dilation d, same padding) and the 1×1 <c>mix</c>.</summary>
    private sealed class ResidualBlock : Module
    {
        public ResidualBlock(int channels, int dilation)
        {
            Dilated = RegisterModule("dilated", new Conv1d(channels, channels, BeatNetwork.DilatedKernel, padding: dilation * (BeatNetwork.DilatedKernel - 1) / 2, dilation: dilation));
            Mix = RegisterModule("mix", new Conv1d(channels, channels, 1));
        }

        public Conv1d Dilated { get; }

        public Conv1d Mix { get; }
    }
}
