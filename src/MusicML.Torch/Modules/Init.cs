namespace MusicML.Torch.Modules;

/// <summary>PyTorch's default parameter initialisations, so a freshly built MusicML model starts where PyTorch's would.</summary>
internal static class Init
{
    /// <summary>
    /// U(−1/√fanIn, 1/√fanIn): PyTorch's <c>kaiming_uniform_(a=√5)</c> for Linear/Conv weights reduces to this bound
    /// (gain √(2/(1+5)) · √(3/fanIn) = 1/√fanIn), and their biases use the same bound.
    /// </summary>
    internal static Tensor Uniform(ReadOnlySpan<long> shape, double bound)
    {
        var t = Tensor.Empty(shape);
        using (TorchRuntime.NoGrad()) t.UniformInPlace(-bound, bound);
        return t;
    }

    internal static Tensor Normal(ReadOnlySpan<long> shape)
    {
        var t = Tensor.Empty(shape);
        using (TorchRuntime.NoGrad()) t.NormalInPlace(0, 1);
        return t;
    }

    internal static void RequirePositive(long value, string name)
    {
        if (value < 1) throw new TorchException($"{name} must be at least 1, got {value}");
    }
}
