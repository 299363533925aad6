using MusicML.Torch.Interop;
using static MusicML.Torch.Interop.TorchNative;

namespace MusicML.Torch;

/// <summary>
/// Stateless layers and activations (PyTorch's <c>torch.nn.functional</c>): each maps onto one libtorch operator, so it
/// is differentiable and runs on the input's device. Layout conventions are PyTorch's: (batch, channels, length) for
/// 1-D and (batch, channels, height, width) for 2-D inputs.
/// </summary>
public static unsafe class Functional
{
    private static Tensor Wrap(TensorHandle handle) => Tensor.Wrap(handle);
    private static TensorHandle OrZero(Tensor? t) => t?.Handle ?? TensorHandle.Null;

    private static void RequireSizes(ReadOnlySpan<long> values, int count, string name, long minimum)
    {
        if (values.Length != count)
            throw new TorchException($"{name} needs {count} value(s), got {values.Length}");
        foreach (var v in values)
            if (v < minimum) throw new TorchException($"{name} must be at least {minimum}, got {v}");
    }

    private static Tensor Convolution(Tensor input, Tensor weight, Tensor? bias, int dims, ReadOnlySpan<long> stride,
        ReadOnlySpan<long> padding, ReadOnlySpan<long> dilation, long groups)
    {
        RequireSizes(stride, dims, "stride", 1);
        RequireSizes(padding, dims, "padding", 0);
        RequireSizes(dilation, dims, "dilation", 1);
        if (groups < 1) throw new TorchException($"groups must be at least 1, got {groups}");
        fixed (long* s = stride) fixed (long* p = padding) fixed (long* d = dilation)
            return Wrap(mm_conv(input.Handle, weight.Handle, OrZero(bias), dims, s, p, d, groups));
    }

    /// <summary>1-D convolution (cross-correlation, as in PyTorch) of (N, C_in, L) with weight (C_out, C_in/groups, K).</summary>
    /// <param name="input">(N, C_in, L) or (C_in, L).</param>
    /// <param name="weight">(C_out, C_in / groups, kernel size).</param>
    /// <param name="bias">(C_out), or null.</param>
    /// <param name="stride">Step between output positions, in samples.</param>
    /// <param name="padding">Zeros added at both ends, in samples.</param>
    /// <param name="dilation">Spacing between kernel taps, in samples.</param>
    /// <param name="groups">Number of blocked connections between input and output channels.</param>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1) =>
        Convolution(input, weight, bias, 1, [stride], [padding], [dilation], groups);

    /// <summary>2-D convolution of (N, C_in, H, W) with weight (C_out, C_in/groups, kH, kW); pairs are (height, width).</summary>
    /// <param name="input">(N, C_in, H, W) or (C_in, H, W).</param>
    /// <param name="weight">(C_out, C_in / groups, kernel height, kernel width).</param>
    /// <param name="bias">(C_out), or null.</param>
    /// <param name="stride">(height, width) step; default (1, 1).</param>
    /// <param name="padding">(height, width) zeros added on both sides; default (0, 0).</param>
    /// <param name="dilation">(height, width) spacing between kernel taps; default (1, 1).</param>
    /// <param name="groups">Number of blocked connections between input and output channels.</param>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, ReadOnlySpan<long> stride = default,
        ReadOnlySpan<long> padding = default, ReadOnlySpan<long> dilation = default, long groups = 1) =>
        Convolution(input, weight, bias, 2, stride.IsEmpty ? [1, 1] : stride, padding.IsEmpty ? [0, 0] : padding,
            dilation.IsEmpty ? [1, 1] : dilation, groups);

    /// <summary>
    /// Batch normalisation (Ioffe &amp; Szegedy 2015, "Batch Normalization: Accelerating Deep Network Training by
    /// Reducing Internal Covariate Shift"). In training mode it normalises by the batch statistics and updates the running
    /// ones in place (running = (1 − momentum)·running + momentum·batch, variance unbiased); otherwise it uses the
    /// running statistics.
    /// </summary>
    /// <param name="input">(N, C, …).</param>
    /// <param name="runningMean">(C) running mean, or null to always use batch statistics.</param>
    /// <param name="runningVar">(C) running variance, or null.</param>
    /// <param name="weight">(C) scale γ, or null.</param>
    /// <param name="bias">(C) shift β, or null.</param>
    /// <param name="training">Use (and update) batch statistics.</param>
    /// <param name="momentum">Weight of the new batch in the running statistics.</param>
    /// <param name="eps">Added to the variance for stability.</param>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null,
        Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        if (!(eps > 0)) throw new TorchException($"batch-norm eps must be positive, got {eps}");
        return Wrap(mm_batch_norm(input.Handle, OrZero(weight), OrZero(bias), OrZero(runningMean), OrZero(runningVar),
            training ? 1 : 0, momentum, eps));
    }

    /// <summary>
    /// Layer normalisation over the trailing <paramref name="normalizedShape"/> dimensions (Ba, Kiros &amp; Hinton 2016,
    /// "Layer Normalization"), with biased variance as in PyTorch.
    /// </summary>
    public static Tensor LayerNorm(Tensor input, ReadOnlySpan<long> normalizedShape, Tensor? weight = null,
        Tensor? bias = null, double eps = 1e-5)
    {
        if (!(eps > 0)) throw new TorchException($"layer-norm eps must be positive, got {eps}");
        fixed (long* s = normalizedShape)
            return Wrap(mm_layer_norm(input.Handle, s, normalizedShape.Length, OrZero(weight), OrZero(bias), eps));
    }

    /// <summary>y = x·Wᵀ + b over the last dimension; <paramref name="weight"/> is (out features, in features).</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) =>
        Wrap(mm_linear(input.Handle, weight.Handle, OrZero(bias)));

    /// <summary>
    /// Dropout (Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from Overfitting"): in training
    /// zeroes each element with probability <paramref name="p"/> and scales the rest by 1/(1 − p); identity otherwise.
    /// </summary>
    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true)
    {
        if (!(p >= 0 && p <= 1)) throw new TorchException($"dropout probability must be in [0, 1], got {p}");
        return Wrap(mm_dropout(input.Handle, p, training ? 1 : 0));
    }

    /// <summary>Rows of <paramref name="weight"/> (num embeddings, dim) picked by the int64 <paramref name="indices"/>.</summary>
    /// <param name="indices">Int64 indices of any shape.</param>
    /// <param name="weight">(num embeddings, embedding dim) table.</param>
    /// <param name="paddingIdx">An index whose row receives no gradient, or -1 for none.</param>
    public static Tensor Embedding(Tensor indices, Tensor weight, long paddingIdx = -1) =>
        Wrap(mm_embedding(weight.Handle, indices.Handle, paddingIdx));

    private static Tensor Pool(PoolOp op, Tensor input, int dims, ReadOnlySpan<long> kernel, ReadOnlySpan<long> stride,
        ReadOnlySpan<long> padding, ReadOnlySpan<long> dilation, bool ceilMode, bool countIncludePad)
    {
        RequireSizes(kernel, dims, "kernel size", 1);
        RequireSizes(stride, dims, "stride", 1);
        RequireSizes(padding, dims, "padding", 0);
        RequireSizes(dilation, dims, "dilation", 1);
        fixed (long* k = kernel) fixed (long* s = stride) fixed (long* p = padding) fixed (long* d = dilation)
            return Wrap(mm_pool(op, input.Handle, dims, k, s, p, d, ceilMode ? 1 : 0, countIncludePad ? 1 : 0));
    }

    /// <summary>1-D max pooling over (N, C, L); the stride defaults to the kernel size, as in PyTorch.</summary>
    public static Tensor MaxPool1d(Tensor input, long kernelSize, long? stride = null, long padding = 0, long dilation = 1,
        bool ceilMode = false) =>
        Pool(PoolOp.Max, input, 1, [kernelSize], [stride ?? kernelSize], [padding], [dilation], ceilMode, false);

    /// <summary>2-D max pooling over (N, C, H, W); pairs are (height, width) and the stride defaults to the kernel size.</summary>
    public static Tensor MaxPool2d(Tensor input, ReadOnlySpan<long> kernelSize, ReadOnlySpan<long> stride = default,
        ReadOnlySpan<long> padding = default, ReadOnlySpan<long> dilation = default, bool ceilMode = false) =>
        Pool(PoolOp.Max, input, 2, kernelSize, stride.IsEmpty ? kernelSize : stride, padding.IsEmpty ? [0, 0] : padding,
            dilation.IsEmpty ? [1, 1] : dilation, ceilMode, false);

    /// <summary>1-D average pooling over (N, C, L); the stride defaults to the kernel size.</summary>
    public static Tensor AvgPool1d(Tensor input, long kernelSize, long? stride = null, long padding = 0,
        bool ceilMode = false, bool countIncludePad = true) =>
        Pool(PoolOp.Avg, input, 1, [kernelSize], [stride ?? kernelSize], [padding], [1], ceilMode, countIncludePad);

    /// <summary>2-D average pooling over (N, C, H, W); pairs are (height, width) and the stride defaults to the kernel size.</summary>
    public static Tensor AvgPool2d(Tensor input, ReadOnlySpan<long> kernelSize, ReadOnlySpan<long> stride = default,
        ReadOnlySpan<long> padding = default, bool ceilMode = false, bool countIncludePad = true) =>
        Pool(PoolOp.Avg, input, 2, kernelSize, stride.IsEmpty ? kernelSize : stride, padding.IsEmpty ? [0, 0] : padding,
            [1, 1], ceilMode, countIncludePad);

    private static Tensor AdaptivePool(PoolOp op, Tensor input, ReadOnlySpan<long> outputSize, int dims)
    {
        RequireSizes(outputSize, dims, "output size", 1);
        fixed (long* o = outputSize) return Wrap(mm_adaptive_pool(op, input.Handle, dims, o));
    }

    /// <summary>Average pooling of (N, C, L) to exactly <paramref name="outputSize"/> positions.</summary>
    public static Tensor AdaptiveAvgPool1d(Tensor input, long outputSize) => AdaptivePool(PoolOp.Avg, input, [outputSize], 1);
    /// <summary>Average pooling of (N, C, H, W) to exactly (height, width) = <paramref name="outputSize"/>.</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, ReadOnlySpan<long> outputSize) => AdaptivePool(PoolOp.Avg, input, outputSize, 2);
    /// <summary>Max pooling of (N, C, L) to exactly <paramref name="outputSize"/> positions.</summary>
    public static Tensor AdaptiveMaxPool1d(Tensor input, long outputSize) => AdaptivePool(PoolOp.Max, input, [outputSize], 1);
    /// <summary>Max pooling of (N, C, H, W) to exactly (height, width) = <paramref name="outputSize"/>.</summary>
    public static Tensor AdaptiveMaxPool2d(Tensor input, ReadOnlySpan<long> outputSize) => AdaptivePool(PoolOp.Max, input, outputSize, 2);

    /// <summary>max(0, x) (Nair &amp; Hinton 2010, "Rectified Linear Units Improve Restricted Boltzmann Machines").</summary>
    public static Tensor Relu(Tensor input) => Tensor.Wrap(mm_unary(UnaryOp.Relu, input.Handle));
    /// <summary>x for x ≥ 0, slope·x otherwise (Maas et al. 2013).</summary>
    public static Tensor LeakyRelu(Tensor input, double negativeSlope = 0.01) =>
        Tensor.Wrap(mm_binary_scalar(ScalarOp.LeakyRelu, input.Handle, negativeSlope));
    /// <summary>x for x &gt; 0, α(eˣ − 1) otherwise (Clevert et al. 2016, "Fast and Accurate Deep Network Learning by ELUs").</summary>
    public static Tensor Elu(Tensor input, double alpha = 1.0) => Tensor.Wrap(mm_binary_scalar(ScalarOp.Elu, input.Handle, alpha));
    /// <summary>x·Φ(x) with the exact Gaussian CDF (Hendrycks &amp; Gimpel 2016, "Gaussian Error Linear Units").</summary>
    public static Tensor Gelu(Tensor input) => Tensor.Wrap(mm_unary(UnaryOp.Gelu, input.Handle));
    /// <summary>x·σ(x) (SiLU / swish).</summary>
    public static Tensor Silu(Tensor input) => Tensor.Wrap(mm_unary(UnaryOp.Silu, input.Handle));
    /// <summary>1 / (1 + e⁻ˣ).</summary>
    public static Tensor Sigmoid(Tensor input) => Tensor.Wrap(mm_unary(UnaryOp.Sigmoid, input.Handle));
    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor input) => Tensor.Wrap(mm_unary(UnaryOp.Tanh, input.Handle));
    /// <summary>ln(1 + eˣ).</summary>
    public static Tensor Softplus(Tensor input) => Tensor.Wrap(mm_unary(UnaryOp.Softplus, input.Handle));
    /// <summary>Softmax along <paramref name="dim"/>.</summary>
    public static Tensor Softmax(Tensor input, long dim) => input.Softmax(dim);
    /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
    public static Tensor LogSoftmax(Tensor input, long dim) => input.LogSoftmax(dim);

    /// <summary>
    /// Scaled dot-product attention softmax(Q·Kᵀ/√d + mask)·V (Vaswani et al. 2017, "Attention Is All You Need").
    /// </summary>
    /// <param name="query">(…, L, d).</param>
    /// <param name="key">(…, S, d).</param>
    /// <param name="value">(…, S, d_v).</param>
    /// <param name="mask">Broadcastable to (…, L, S): boolean (true = attend) or additive float; null for none.</param>
    /// <param name="dropoutP">Dropout on the attention weights, applied only when <paramref name="training"/>.</param>
    /// <param name="isCausal">Position i attends only to positions ≤ i.</param>
    /// <param name="training">Whether dropout is active.</param>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? mask = null,
        double dropoutP = 0, bool isCausal = false, bool training = false)
    {
        if (!(dropoutP >= 0 && dropoutP <= 1)) throw new TorchException($"attention dropout must be in [0, 1], got {dropoutP}");
        return Wrap(mm_scaled_dot_product_attention(query.Handle, key.Handle, value.Handle, OrZero(mask), dropoutP,
            isCausal ? 1 : 0, training ? 1 : 0));
    }
}
