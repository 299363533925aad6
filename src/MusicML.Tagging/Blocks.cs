using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Tagging;

/// <summary>
/// Convolution → batch norm → ReLU under PyTorch's child names <c>conv</c> and <c>bn</c>: the core that every block of
/// Won et al.'s <c>training/modules.py</c> shares. Subclasses add what comes before it (Musicnn's mean over frequency)
/// or after it (pooling).
/// </summary>
internal abstract class ConvBnRelu : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _conv;
    private readonly BatchNorm _bn;

    private protected ConvBnRelu(Module<Tensor, Tensor> conv, BatchNorm bn)
    {
        _conv = RegisterModule("conv", conv);
        _bn = RegisterModule("bn", bn);
    }

    /// <summary>ReLU(bn(conv(input))).</summary>
    private protected Tensor Rectified(Tensor input)
    {
        using var convolved = _conv.Forward(input);
        using var normalised = _bn.Forward(convolved);
        return Functional.Relu(normalised);
    }
}

/// <summary>
/// Conv2d(3×3, padding 1) → BatchNorm2d → ReLU → MaxPool2d: the <c>Conv_2d</c> block of Won et al.'s
/// <c>training/modules.py</c>. Pool sizes are (freq, time).
/// </summary>
internal sealed class ConvBlock2d : ConvBnRelu
{
    private readonly long[] _pool;

    public ConvBlock2d(long inChannels, long outChannels, (long Freq, long Time) pool)
        : base(new Conv2d(inChannels, outChannels, (3, 3), padding: (1, 1)), new BatchNorm2d(outChannels))
    {
        _pool = [pool.Freq, pool.Time];
    }

    public override Tensor Forward(Tensor input)
    {
        using var rectified = Rectified(input);
        return Functional.MaxPool2d(rectified, _pool);
    }
}

/// <summary>
/// Conv1d(k, padding k/2) → BatchNorm1d → ReLU: Musicnn's <c>Conv_1d</c> back-end block (its MaxPool1d(1) is the
/// identity and is left out).
/// </summary>
internal sealed class ConvBlock1d(long inChannels, long outChannels, long kernelSize)
    : ConvBnRelu(new Conv1d(inChannels, outChannels, kernelSize, padding: kernelSize / 2), new BatchNorm1d(outChannels))
{
    public override Tensor Forward(Tensor input) => Rectified(input);
}

/// <summary>
/// Musicnn's vertical (timbral) branch <c>Conv_V</c>: a tall Conv2d over (freq, time) with time padding k/2, batch
/// norm, ReLU, then the maximum over whatever frequency extent remains, giving (batch, channels, time).
/// </summary>
internal sealed class VerticalBranch(long outChannels, (long Freq, long Time) kernel)
    : ConvBnRelu(new Conv2d(1, outChannels, kernel, padding: (0, kernel.Time / 2)), new BatchNorm2d(outChannels))
{
    public override Tensor Forward(Tensor input)
    {
        using var rectified = Rectified(input);
        return rectified.Max([2]);
    }
}

/// <summary>
/// Musicnn's horizontal (temporal) branch <c>Conv_H</c>: the mean over all mel bins, then Conv1d(1 → C, k, padding
/// k/2), batch norm and ReLU, giving (batch, channels, time).
/// </summary>
internal sealed class HorizontalBranch(long outChannels, long kernelSize)
    : ConvBnRelu(new Conv1d(1, outChannels, kernelSize, padding: kernelSize / 2), new BatchNorm1d(outChannels))
{
    public override Tensor Forward(Tensor input)
    {
        // (batch, 1, freq, time) → (batch, 1, time): the AvgPool2d((freq, 1)) + squeeze(2) of the original.
        using var averaged = input.Mean([2]);
        return Rectified(averaged);
    }
}

/// <summary>Children named <c>0</c>, <c>1</c>, … like PyTorch's <c>nn.ModuleList</c>; the owner decides how to run them.</summary>
internal sealed class ModuleList : Module
{
    private readonly Module<Tensor, Tensor>[] _items;

    public ModuleList(params Module<Tensor, Tensor>[] items)
    {
        _items = items;
        for (int i = 0; i < items.Length; i++)
            RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), items[i]);
    }

    public IReadOnlyList<Module<Tensor, Tensor>> Items => _items;
}
