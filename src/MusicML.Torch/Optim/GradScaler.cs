namespace MusicML.Torch.Optim;

/// <summary>
/// Dynamic loss scaling for float16 training (Micikevicius et al. 2018, "Mixed Precision Training"), with PyTorch's
/// <c>GradScaler</c> rules: multiply the loss by S before backward, divide the gradients by S before the step, skip the
/// step and halve S when a gradient is not finite, double S after <c>growthInterval</c> finite steps. It works on any
/// device; it matters on CUDA under <see cref="TorchRuntime.Autocast"/>.
/// </summary>
public sealed class GradScaler
{
    private readonly double _growthFactor, _backoffFactor;
    private readonly int _growthInterval;
    private int _finiteSteps;
    private bool? _foundInf;

    /// <summary>Creates the scaler.</summary>
    /// <param name="initScale">Initial scale S.</param>
    /// <param name="growthFactor">Multiplier of S after <paramref name="growthInterval"/> finite steps.</param>
    /// <param name="backoffFactor">Multiplier of S after a non-finite gradient.</param>
    /// <param name="growthInterval">Consecutive finite steps before S grows.</param>
    public GradScaler(double initScale = 65536, double growthFactor = 2, double backoffFactor = 0.5, int growthInterval = 2000)
    {
        if (!(initScale > 0) || double.IsInfinity(initScale)) throw new TorchException($"initScale must be a finite positive number, got {initScale}");
        if (!(growthFactor > 1)) throw new TorchException($"growthFactor must exceed 1, got {growthFactor}");
        if (!(backoffFactor > 0 && backoffFactor < 1)) throw new TorchException($"backoffFactor must be in (0, 1), got {backoffFactor}");
        if (growthInterval < 1) throw new TorchException($"growthInterval must be at least 1, got {growthInterval}");
        (Scale, _growthFactor, _backoffFactor, _growthInterval) = (initScale, growthFactor, backoffFactor, growthInterval);
    }

    /// <summary>The current scale S.</summary>
    public double Scale { get; private set; }

    /// <summary>The loss multiplied by S; call <c>Backward()</c> on the result.</summary>
    public Tensor ScaleLoss(Tensor loss) => loss * Scale;

    /// <summary>Divides every gradient of <paramref name="optimizer"/>'s parameters by S in place (e.g. before clipping).</summary>
    public void Unscale(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (_foundInf.HasValue) return;
        using var scope = TorchRuntime.NewDisposeScope();
        using var noGrad = TorchRuntime.NoGrad();
        Tensor? allFinite = null;
        foreach (var p in optimizer.Parameters)
        {
            var g = p.Grad;
            if (g == null) continue;
            g.MulInPlace(1 / Scale);
            var finite = g.IsFinite().All();
            allFinite = allFinite == null ? finite : allFinite.LogicalAnd(finite);
        }
        // One device-to-host synchronisation for all parameters.
        _foundInf = allFinite != null && allFinite.ToDouble() == 0;
    }

    /// <summary>Unscales (if not done yet) and steps unless a gradient was infinite or NaN.</summary>
    /// <returns>True when the optimiser stepped.</returns>
    public bool Step(Optimizer optimizer)
    {
        Unscale(optimizer);
        if (_foundInf == true) return false;
        optimizer.Step();
        return true;
    }

    /// <summary>Adjusts S after a step: back off after a non-finite gradient, grow after enough finite steps.</summary>
    public void Update()
    {
        if (_foundInf == true)
        {
            Scale *= _backoffFactor;
            _finiteSteps = 0;
        }
        else if (_foundInf == false && ++_finiteSteps >= _growthInterval)
        {
            Scale *= _growthFactor;
            _finiteSteps = 0;
        }
        _foundInf = null;
    }
}
