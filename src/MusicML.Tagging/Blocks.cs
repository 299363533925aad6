using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Tagging;

/// <summary>
/// Conv2d(3×3, padding 1) → BatchNorm2d → ReLU → MaxPool2d: the <c>Conv_2d</c> block of Won et al.'s
/// <c>training/modules.py</c>, with its tensor names <c>conv.*</c> and <c>bn.*</c>. Pool sizes are (freq, time).
/// </summary>
internal sealed class ConvBlock2d : Module<Tensor, Tensor>
{
    private readonly long[] _pool;

    public ConvBlock2d(long inChannels, long outChannels, (long Freq, long Time) pool)
    {
        Conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, (3, 3), padding: (1, 1)));
        Bn = RegisterModule("bn", new BatchNorm2d(outChannels));
        _pool = [pool.Freq, pool.Time];
    }

    public Conv2d Conv { get; }

    public BatchNorm2d Bn { get; }

    public override Tensor Forward(Tensor input)
    {
        using var convolved = Conv.Forward(input);
        using var normalised = Bn.Forward(convolved);
        using var rectified = Functional.Relu(normalised);
        return Functional.MaxPool2d(rectified, _pool);
    }
}

/// <summary>
/// Conv1d(k, padding k/2) → BatchNorm1d → ReLU: Musicnn's <c>Conv_1d</c> back-end block (its MaxPool1d(1) is the
/// identity and is left out).
/// </summary>
internal sealed class ConvBlock1d : Module<Tensor, Tensor>
{
    public ConvBlock1d(long inChannels, long outChannels, long kernelSize)
    {
        Conv = RegisterModule("conv", new Conv1d(inChannels, outChannels, kernelSize, padding: kernelSize / 2));
        Bn = RegisterModule("bn", new BatchNorm1d(outChannels));
    }

    public Conv1d Conv { get; }

    public BatchNorm1d Bn { get; }

    public override Tensor Forward(Tensor input)
    {
        using var convolved = Conv.Forward(input);
        using var normalised = Bn.Forward(convolved);
        return Functional.Relu(normalised);
    }
}

/// <summary>
/// Musicnn's vertical (timbral) branch <c>Conv_V</c>: a tall Conv2d over (freq, time) with time padding k/2, batch
/// norm, ReLU, then the maximum over whatever frequency extent remains, giving (batch, channels, time).
/// </summary>
internal sealed class VerticalBranch : Module<Tensor, Tensor>
{
    public VerticalBranch(long outChannels, (long Freq, long Time) kernel)
    {
        Conv = RegisterModule("conv", new Conv2d(1, outChannels, kernel, padding: (0, kernel.Time / 2)));
        Bn = RegisterModule("bn", new BatchNorm2d(outChannels));
    }

    public Conv2d Conv { get; }

    public BatchNorm2d Bn { get; }

    public override Tensor Forward(Tensor input)
    {
        using var convolved = Conv.Forward(input);
        using var normalised = Bn.Forward(convolved);
        using var rectified = Functional.Relu(normalised);
        return rectified.Max([2]);
    }
}

/// <summary>
/// Musicnn's horizontal (temporal) branch <c>Conv_H</c>: the mean over all mel bins, then Conv1d(1 → C, k, padding
/// k/2), batch norm and ReLU, giving (batch, channels, time).
/// </summary>
internal sealed class HorizontalBranch : Module<Tensor, Tensor>
{
    public HorizontalBranch(long outChannels, long kernelSize)
    {
        Conv = RegisterModule("conv", new Conv1d(1, outChannels, kernelSize, padding: kernelSize / 2));
        Bn = RegisterModule("bn", new BatchNorm1d(outChannels));
    }

    public Conv1d Conv { get; }

    public BatchNorm1d Bn { get; }

    public override Tensor Forward(Tensor input)
    {
        // (batch, 1, freq, time) → (batch, 1, time): the AvgPool2d((freq, 1)) + squeeze(2) of the original.
        using var averaged = input.Mean([2]);
        using var convolved = Conv.Forward(averaged);
        using var normalised = Bn.Forward(convolved);
        return Functional.Relu(normalised);
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
