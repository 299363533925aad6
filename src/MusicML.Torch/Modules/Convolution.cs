namespace MusicML.Torch.Modules;

/// <summary>1-D convolution over (N, C_in, L); names <c>weight</c> (C_out, C_in/groups, K) and <c>bias</c> (C_out).</summary>
public sealed class Conv1d : Module<Tensor, Tensor>
{
    private readonly long _stride, _padding, _dilation, _groups;

    /// <summary>Creates the layer with PyTorch's default initialisation U(±1/√(C_in/groups·K)).</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel length, in samples (frames).</param>
    /// <param name="stride">Step between outputs, in samples.</param>
    /// <param name="padding">Zeros added at both ends, in samples.</param>
    /// <param name="dilation">Spacing between kernel taps.</param>
    /// <param name="groups">Blocked connections; must divide both channel counts.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1, bool bias = true)
    {
        Conv2d.Validate(inChannels, outChannels, groups, [kernelSize], [stride], [padding], [dilation]);
        (_stride, _padding, _dilation, _groups) = (stride, padding, dilation, groups);
        double bound = 1 / Math.Sqrt(inChannels / groups * kernelSize);
        Weight = RegisterParameter("weight", Init.Uniform([outChannels, inChannels / groups, kernelSize], bound))!;
        Bias = RegisterParameter("bias", bias ? Init.Uniform([outChannels], bound) : null);
    }

    /// <summary>(C_out, C_in / groups, K).</summary>
    public Tensor Weight { get; }

    /// <summary>(C_out), or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) =>
        Functional.Conv1d(input, Weight, Bias, _stride, _padding, _dilation, _groups);
}

/// <summary>2-D convolution over (N, C_in, H, W); names <c>weight</c> (C_out, C_in/groups, kH, kW) and <c>bias</c> (C_out).</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    private readonly long[] _stride, _padding, _dilation;
    private readonly long _groups;

    /// <summary>Creates a layer with a square kernel and equal stride/padding/dilation in both directions.</summary>
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1, bool bias = true)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding),
            (dilation, dilation), groups, bias)
    {
    }

    /// <summary>Creates the layer with PyTorch's default initialisation U(±1/√(C_in/groups·kH·kW)).</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">(height, width) of the kernel.</param>
    /// <param name="stride">(height, width) step; null for (1, 1).</param>
    /// <param name="padding">(height, width) zeros added on both sides; null for (0, 0).</param>
    /// <param name="dilation">(height, width) spacing of kernel taps; null for (1, 1).</param>
    /// <param name="groups">Blocked connections; must divide both channel counts.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    public Conv2d(long inChannels, long outChannels, (long Height, long Width) kernelSize,
        (long Height, long Width)? stride = null, (long Height, long Width)? padding = null,
        (long Height, long Width)? dilation = null, long groups = 1, bool bias = true)
    {
        var s = stride ?? (1, 1);
        var p = padding ?? (0, 0);
        var d = dilation ?? (1, 1);
        _stride = [s.Height, s.Width];
        _padding = [p.Height, p.Width];
        _dilation = [d.Height, d.Width];
        _groups = groups;
        Validate(inChannels, outChannels, groups, [kernelSize.Height, kernelSize.Width], _stride, _padding, _dilation);
        double bound = 1 / Math.Sqrt(inChannels / groups * kernelSize.Height * kernelSize.Width);
        Weight = RegisterParameter("weight",
            Init.Uniform([outChannels, inChannels / groups, kernelSize.Height, kernelSize.Width], bound))!;
        Bias = RegisterParameter("bias", bias ? Init.Uniform([outChannels], bound) : null);
    }

    /// <summary>(C_out, C_in / groups, kH, kW).</summary>
    public Tensor Weight { get; }

    /// <summary>(C_out), or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) =>
        Functional.Conv2d(input, Weight, Bias, _stride, _padding, _dilation, _groups);

    internal static void Validate(long inChannels, long outChannels, long groups, ReadOnlySpan<long> kernel,
        ReadOnlySpan<long> stride, ReadOnlySpan<long> padding, ReadOnlySpan<long> dilation)
    {
        Init.RequirePositive(inChannels, "inChannels");
        Init.RequirePositive(outChannels, "outChannels");
        Init.RequirePositive(groups, "groups");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new TorchException($"groups ({groups}) must divide inChannels ({inChannels}) and outChannels ({outChannels})");
        foreach (var k in kernel) Init.RequirePositive(k, "kernelSize");
        foreach (var s in stride) Init.RequirePositive(s, "stride");
        foreach (var d in dilation) Init.RequirePositive(d, "dilation");
        foreach (var p in padding)
            if (p < 0) throw new TorchException($"padding must be non-negative, got {p}");
    }
}
