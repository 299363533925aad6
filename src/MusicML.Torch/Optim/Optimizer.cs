using MusicML.Torch.Interop;
using static MusicML.Torch.Interop.TorchNative;

namespace MusicML.Torch.Optim;

/// <summary>
/// Updates parameters from their gradients. The update rules are libtorch's own <c>torch::optim</c> implementations
/// (identical to PyTorch's), run over all parameters in one native call per <see cref="Step"/>. The optimiser refers to
/// the parameter tensors; it does not own them.
/// </summary>
public abstract unsafe class Optimizer : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly OptimizerHandle _native;
    private double _learningRate;

    private protected Optimizer(IEnumerable<Tensor> parameters, OptimKind kind, double lr, double a, double b, double eps,
        double weightDecay, bool flag)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        if (_parameters.Length == 0) throw new TorchException($"{GetType().Name} was given no parameters to optimise");
        RequireNonNegative(lr, "learning rate");
        RequireNonNegative(weightDecay, "weight decay");
        TorchRuntime.EnsureAvailable();
        _learningRate = lr;
        var raw = new IntPtr[_parameters.Length];
        using var handles = new TensorHandleArray(_parameters, raw);
        fixed (IntPtr* h = raw)
            _native = Check(mm_optim_new((int)kind, h, raw.Length, lr, a, b, eps, weightDecay, flag ? 1 : 0));
    }

    private protected static void RequireNonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new TorchException($"{name} must be a finite non-negative number, got {value}");
    }

    private OptimizerHandle Native => _native.IsClosed ? throw new ObjectDisposedException(GetType().Name) : _native;

    /// <summary>The parameters this optimiser updates.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The learning rate of the next step; schedulers set it.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            RequireNonNegative(value, "learning rate");
            Check(mm_optim_set_lr(Native, value));
            _learningRate = value;
        }
    }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step() => Check(mm_optim_step(Native));

    /// <summary>Drops every parameter's gradient (PyTorch's <c>zero_grad(set_to_none=True)</c>).</summary>
    public void ZeroGrad()
    {
        Span<IntPtr> raw = _parameters.Length <= 256 ? stackalloc IntPtr[_parameters.Length] : new IntPtr[_parameters.Length];
        using var handles = new TensorHandleArray(_parameters, raw);
        fixed (IntPtr* h = raw) Check(mm_clear_grads(h, raw.Length));
    }

    // Slot names of the per-parameter state in the shim's order (Adam/AdamW: exp_avg, exp_avg_sq, max_exp_avg_sq;
    // SGD: momentum_buffer), as PyTorch's optimizer.state_dict() names them.
    private string[] SlotNames => this is SGD ? ["momentum_buffer"] : ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

    /// <summary>
    /// Copies of the optimiser's per-parameter state for a checkpoint, named <c>state.{i}.{slot}</c> after PyTorch's
    /// <c>optimizer.state_dict()</c> (i = the parameter's position; Adam's slots <c>exp_avg</c>, <c>exp_avg_sq</c>,
    /// <c>max_exp_avg_sq</c> when AMSGrad, its step count as the int64 scalar <c>state.{i}.step</c>; SGD's
    /// <c>momentum_buffer</c>). Parameters never stepped have no entries. The caller owns the returned tensors.
    /// </summary>
    public List<KeyValuePair<string, Tensor>> StateDict()
    {
        var result = new List<KeyValuePair<string, Tensor>>();
        var slots = SlotNames;
        try
        {
            for (int i = 0; i < _parameters.Length; i++)
            {
                int info = mm_optim_state_info(Native, i, out long step);
                Check(info < 0 ? -1 : 0);
                if (info == 0) continue;
                int mask = (info - 1) >> 1;
                for (int slot = 0; slot < slots.Length; slot++)
                    if ((mask & (1 << slot)) != 0)
                        result.Add(new($"state.{i}.{slots[slot]}", Tensor.Wrap(mm_optim_state_tensor(Native, i, slot))));
                if (this is not SGD) result.Add(new($"state.{i}.step", Tensor.From(new[] { step })));
            }
            return result;
        }
        catch
        {
            foreach (var (_, t) in result) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Restores state saved by <see cref="StateDict"/> (tensors are copied to each parameter's dtype and device), so
    /// the next <see cref="Step"/> is the one the saved optimiser would have made. Parameters without entries keep
    /// no state, as if never stepped.
    /// </summary>
    /// <exception cref="TorchException">An entry names no parameter or slot of this optimiser, or its shape differs from the parameter's.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var slots = SlotNames;
        var known = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < _parameters.Length; i++)
        {
            var found = new Tensor?[3];
            for (int slot = 0; slot < slots.Length; slot++)
                if (state.TryGetValue($"state.{i}.{slots[slot]}", out var t)) { found[slot] = t; known.Add($"state.{i}.{slots[slot]}"); }
            long step = 0;
            if (state.TryGetValue($"state.{i}.step", out var stepTensor)) { step = (long)stepTensor.ToDouble(); known.Add($"state.{i}.step"); }
            if (found.All(t => t is null)) continue;
            Check(mm_optim_set_state(Native, i, step,
                found[0]?.Handle ?? TensorHandle.Null, found[1]?.Handle ?? TensorHandle.Null, found[2]?.Handle ?? TensorHandle.Null));
        }
        var unknown = state.Keys.Where(k => !known.Contains(k)).ToArray();
        if (unknown.Length > 0)
            throw new TorchException($"optimiser state has entries this {GetType().Name} of {_parameters.Length} parameters does not know: {string.Join(", ", unknown.Take(5))}");
    }

    /// <summary>
    /// Releases the optimiser's state (momentum buffers, moment estimates); the handle's finalizer does so when this
    /// is forgotten.
    /// </summary>
    public void Dispose() => _native.Dispose();
}

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum (Sutskever et al. 2013, "On the importance of
/// initialization and momentum in deep learning") and L2 weight decay, exactly as PyTorch's <c>torch.optim.SGD</c>:
/// g ← ∇ + λθ; b ← μb + (1 − τ)g (b = g on the first step); g ← g + μb (Nesterov) or b; θ ← θ − η·g.
/// </summary>
public sealed class SGD : Optimizer
{
    /// <summary>Creates the optimiser.</summary>
    /// <param name="parameters">Tensors to update.</param>
    /// <param name="lr">Learning rate η.</param>
    /// <param name="momentum">Momentum μ (0 for plain SGD).</param>
    /// <param name="dampening">Dampening τ of the momentum.</param>
    /// <param name="weightDecay">L2 penalty λ.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs μ &gt; 0 and τ = 0).</param>
    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : base(parameters, OptimKind.Sgd, lr, Validate(momentum, dampening, nesterov), dampening, 0, weightDecay, nesterov) { }

    private static double Validate(double momentum, double dampening, bool nesterov)
    {
        RequireNonNegative(momentum, "momentum");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new TorchException($"Nesterov momentum needs momentum > 0 and dampening = 0, got momentum {momentum} and dampening {dampening}");
        return momentum;
    }
}

/// <summary>
/// Adam (Kingma &amp; Ba 2015, "Adam: A Method for Stochastic Optimization") as PyTorch's <c>torch.optim.Adam</c>: weight
/// decay is added to the gradient (L2), moments m, v with bias correction, θ ← θ − η·m̂/(√v̂ + ε).
/// </summary>
public sealed class Adam : Optimizer
{
    /// <summary>Creates the optimiser.</summary>
    /// <param name="parameters">Tensors to update.</param>
    /// <param name="lr">Learning rate η.</param>
    /// <param name="beta1">Decay of the first-moment estimate.</param>
    /// <param name="beta2">Decay of the second-moment estimate.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient.</param>
    /// <param name="amsgrad">Use the AMSGrad variant (running maximum of v̂).</param>
    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : base(parameters, OptimKind.Adam, lr, Betas.Check(beta1, "beta1"), Betas.Check(beta2, "beta2"), Betas.CheckEps(eps), weightDecay, amsgrad) { }
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization") as PyTorch's <c>torch.optim.AdamW</c>:
/// Adam with weight decay applied to the parameters directly, θ ← θ − ηλθ, instead of through the gradient.
/// </summary>
public sealed class AdamW : Optimizer
{
    /// <summary>Creates the optimiser.</summary>
    /// <param name="parameters">Tensors to update.</param>
    /// <param name="lr">Learning rate η.</param>
    /// <param name="beta1">Decay of the first-moment estimate.</param>
    /// <param name="beta2">Decay of the second-moment estimate.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <param name="weightDecay">Decoupled weight decay λ.</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(parameters, OptimKind.AdamW, lr, Betas.Check(beta1, "beta1"), Betas.Check(beta2, "beta2"), Betas.CheckEps(eps), weightDecay, amsgrad) { }
}

internal static class Betas
{
    internal static double Check(double beta, string name) =>
        beta >= 0 && beta < 1 ? beta : throw new TorchException($"{name} must be in [0, 1), got {beta}");

    internal static double CheckEps(double eps) =>
        eps >= 0 && !double.IsInfinity(eps) ? eps : throw new TorchException($"eps must be a finite non-negative number, got {eps}");
}

/// <summary>Rescales or clips gradients in place before an optimiser step (PyTorch's <c>torch.nn.utils.clip_grad_*</c>).</summary>
public static unsafe class GradientClipping
{
    /// <summary>
    /// Scales all gradients together so that their joint p-norm is at most <paramref name="maxNorm"/> (Pascanu et al.
    /// 2013, "On the difficulty of training recurrent neural networks").
    /// </summary>
    /// <returns>The joint norm before clipping.</returns>
    public static double ClipNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2)
    {
        if (!(maxNorm >= 0)) throw new TorchException($"maxNorm must be non-negative, got {maxNorm}");
        if (!(normType > 0)) throw new TorchException($"normType must be positive, got {normType}");
        var tensors = Parameters(parameters);
        var raw = new IntPtr[tensors.Length];
        using var handles = new TensorHandleArray(tensors, raw);
        fixed (IntPtr* h = raw)
        {
            double norm = mm_clip_grad_norm(h, raw.Length, maxNorm, normType);
            if (norm < 0) throw LastError();
            return norm;
        }
    }

    /// <summary>Clamps every gradient element to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>].</summary>
    public static void ClipValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        if (!(clipValue >= 0)) throw new TorchException($"clipValue must be non-negative, got {clipValue}");
        var tensors = Parameters(parameters);
        var raw = new IntPtr[tensors.Length];
        using var handles = new TensorHandleArray(tensors, raw);
        fixed (IntPtr* h = raw) Check(mm_clip_grad_value(h, raw.Length, clipValue));
    }

    private static Tensor[] Parameters(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        TorchRuntime.EnsureAvailable();
        return [.. parameters];
    }
}
