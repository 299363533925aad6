namespace MusicML.Torch.Modules;

/// <summary>Dropout (Srivastava et al. 2014): active in training mode only.</summary>
/// <param name="p">Probability of zeroing an element.</param>
public sealed class Dropout(double p = 0.5) : Module<Tensor, Tensor>
{
    private readonly double _p = p >= 0 && p <= 1 ? p : throw new TorchException($"dropout probability must be in [0, 1], got {p}");

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, _p, IsTraining);
}

/// <summary>max(0, x).</summary>
public sealed class ReLU : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Relu(input);
}

/// <summary>Leaky ReLU with the given negative slope.</summary>
/// <param name="negativeSlope">Slope for x &lt; 0.</param>
public sealed class LeakyReLU(double negativeSlope = 0.01) : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.LeakyRelu(input, negativeSlope);
}

/// <summary>Exponential linear unit.</summary>
/// <param name="alpha">Saturation value for x → −∞ is −alpha.</param>
public sealed class ELU(double alpha = 1.0) : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Elu(input, alpha);
}

/// <summary>Gaussian error linear unit (exact form).</summary>
public sealed class GELU : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Gelu(input);
}

/// <summary>Logistic sigmoid.</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Sigmoid(input);
}

/// <summary>Hyperbolic tangent.</summary>
public sealed class Tanh : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Tanh(input);
}

/// <summary>Softmax along a dimension.</summary>
/// <param name="dim">The dimension that sums to one.</param>
public sealed class Softmax(long dim) : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Softmax(dim);
}

/// <summary>Log-softmax along a dimension.</summary>
/// <param name="dim">The dimension normalised.</param>
public sealed class LogSoftmax(long dim) : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.LogSoftmax(dim);
}

/// <summary>Merges dimensions <c>startDim..endDim</c> (by default all but the batch dimension).</summary>
/// <param name="startDim">First dimension merged.</param>
/// <param name="endDim">Last dimension merged.</param>
public sealed class Flatten(long startDim = 1, long endDim = -1) : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Flatten(startDim, endDim);
}

/// <summary>1-D max pooling; the stride defaults to the kernel size.</summary>
/// <param name="kernelSize">Window length.</param>
/// <param name="stride">Step; null for the kernel size.</param>
/// <param name="padding">Implicit −∞ padding at both ends.</param>
public sealed class MaxPool1d(long kernelSize, long? stride = null, long padding = 0) : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.MaxPool1d(input, kernelSize, stride, padding);
}

/// <summary>2-D max pooling over (height, width); the stride defaults to the kernel size.</summary>
/// <param name="kernelSize">(height, width) window.</param>
/// <param name="stride">(height, width) step; null for the kernel size.</param>
/// <param name="padding">(height, width) implicit −∞ padding; null for none.</param>
public sealed class MaxPool2d((long Height, long Width) kernelSize, (long Height, long Width)? stride = null,
    (long Height, long Width)? padding = null) : Module<Tensor, Tensor>
{
    private readonly long[] _kernel = [kernelSize.Height, kernelSize.Width];
    private readonly long[] _stride = stride is { } s ? [s.Height, s.Width] : [kernelSize.Height, kernelSize.Width];
    private readonly long[] _padding = padding is { } p ? [p.Height, p.Width] : [0, 0];

    /// <summary>A square window whose stride is its size.</summary>
    public MaxPool2d(long kernelSize) : this((kernelSize, kernelSize)) { }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, _kernel, _stride, _padding);
}

/// <summary>1-D average pooling; the stride defaults to the kernel size.</summary>
/// <param name="kernelSize">Window length.</param>
/// <param name="stride">Step; null for the kernel size.</param>
/// <param name="padding">Zero padding at both ends (counted in the average).</param>
public sealed class AvgPool1d(long kernelSize, long? stride = null, long padding = 0) : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AvgPool1d(input, kernelSize, stride, padding);
}

/// <summary>2-D average pooling over (height, width); the stride defaults to the kernel size.</summary>
/// <param name="kernelSize">(height, width) window.</param>
/// <param name="stride">(height, width) step; null for the kernel size.</param>
public sealed class AvgPool2d((long Height, long Width) kernelSize, (long Height, long Width)? stride = null) : Module<Tensor, Tensor>
{
    private readonly long[] _kernel = [kernelSize.Height, kernelSize.Width];
    private readonly long[] _stride = stride is { } s ? [s.Height, s.Width] : [kernelSize.Height, kernelSize.Width];

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AvgPool2d(input, _kernel, _stride);
}

/// <summary>Average pooling of (N, C, L) to a fixed length.</summary>
/// <param name="outputSize">Output length.</param>
public sealed class AdaptiveAvgPool1d(long outputSize) : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool1d(input, outputSize);
}

/// <summary>Average pooling of (N, C, H, W) to a fixed (height, width).</summary>
/// <param name="outputSize">(height, width) of the output.</param>
public sealed class AdaptiveAvgPool2d((long Height, long Width) outputSize) : Module<Tensor, Tensor>
{
    private readonly long[] _size = [outputSize.Height, outputSize.Width];

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, _size);
}

/// <summary>Max pooling of (N, C, L) to a fixed length.</summary>
/// <param name="outputSize">Output length.</param>
public sealed class AdaptiveMaxPool1d(long outputSize) : Module<Tensor, Tensor>
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AdaptiveMaxPool1d(input, outputSize);
}

/// <summary>Max pooling of (N, C, H, W) to a fixed (height, width).</summary>
/// <param name="outputSize">(height, width) of the output.</param>
public sealed class AdaptiveMaxPool2d((long Height, long Width) outputSize) : Module<Tensor, Tensor>
{
    private readonly long[] _size = [outputSize.Height, outputSize.Width];

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AdaptiveMaxPool2d(input, _size);
}

/// <summary>
/// Runs its children in order; they are named <c>0</c>, <c>1</c>, … as in PyTorch's <c>nn.Sequential</c>, so weights
/// saved from one load into the other. Intermediate outputs are disposed as soon as the next layer has consumed them.
/// </summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor>[] _layers;

    /// <summary>Creates the chain; it owns the layers.</summary>
    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0) throw new TorchException("a Sequential needs at least one layer");
        _layers = layers;
        for (int i = 0; i < layers.Length; i++) RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), layers[i]);
    }

    /// <summary>The number of layers.</summary>
    public int Count => _layers.Length;

    /// <summary>Layer <paramref name="index"/>.</summary>
    public Module<Tensor, Tensor> this[int index] => _layers[index];

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var x = _layers[0].Forward(input);
        for (int i = 1; i < _layers.Length; i++)
        {
            var next = _layers[i].Forward(x);
            // Autograd keeps what it needs for backward inside libtorch; the C# handle of an intermediate is not needed.
            x.Dispose();
            x = next;
        }
        return x;
    }
}

/// <summary>
/// An indexed list of child modules named <c>0</c>, <c>1</c>, … (PyTorch's <c>nn.ModuleList</c>), for layers the parent
/// applies in its own way, e.g. parallel branches over the same input.
/// </summary>
/// <typeparam name="T">The kind of module held.</typeparam>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly T[] _modules;

    /// <summary>Creates the list; it owns the modules.</summary>
    public ModuleList(params T[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        _modules = modules;
        for (int i = 0; i < modules.Length; i++) RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), modules[i]);
    }

    /// <summary>Module <paramref name="index"/>.</summary>
    public T this[int index] => _modules[index];

    /// <summary>The number of modules.</summary>
    public int Count => _modules.Length;

    /// <summary>Enumerates the modules in order.</summary>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_modules).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
