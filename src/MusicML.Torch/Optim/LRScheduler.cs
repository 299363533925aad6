namespace MusicML.Torch.Optim;

/// <summary>
/// Sets an optimiser's learning rate per epoch from a closed-form schedule of the epoch count; call
/// <see cref="Step"/> once at the end of every epoch, as with PyTorch's schedulers.
/// </summary>
public abstract class LRScheduler
{
    /// <summary>Binds the schedule to <paramref name="optimizer"/>, whose current learning rate is the base rate.</summary>
    protected LRScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimiser whose learning rate is set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning rate at epoch 0.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Epochs completed (calls to <see cref="Step"/>).</summary>
    public int Epoch { get; private set; }

    /// <summary>The learning rate the schedule gives for <paramref name="epoch"/>.</summary>
    public abstract double LearningRateAt(int epoch);

    /// <summary>Advances one epoch and applies that epoch's learning rate.</summary>
    public void Step()
    {
        Epoch++;
        Optimizer.LearningRate = LearningRateAt(Epoch);
    }
}

/// <summary>η = η₀ · γ^⌊epoch / stepSize⌋ (PyTorch's <c>StepLR</c>).</summary>
public sealed class StepLR : LRScheduler
{
    private readonly int _stepSize;
    private readonly double _gamma;

    /// <summary>Decays the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs.</summary>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        if (stepSize < 1) throw new TorchException($"stepSize must be at least 1, got {stepSize}");
        if (!(gamma > 0)) throw new TorchException($"gamma must be positive, got {gamma}");
        (_stepSize, _gamma) = (stepSize, gamma);
    }

    /// <inheritdoc />
    public override double LearningRateAt(int epoch) => BaseLearningRate * Math.Pow(_gamma, epoch / _stepSize);
}

/// <summary>η = η₀ · γ^epoch (PyTorch's <c>ExponentialLR</c>).</summary>
public sealed class ExponentialLR : LRScheduler
{
    private readonly double _gamma;

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every epoch.</summary>
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        if (!(gamma > 0)) throw new TorchException($"gamma must be positive, got {gamma}");
        _gamma = gamma;
    }

    /// <inheritdoc />
    public override double LearningRateAt(int epoch) => BaseLearningRate * Math.Pow(_gamma, epoch);
}

/// <summary>
/// η = η_min + (η₀ − η_min)·(1 + cos(π·epoch/T_max))/2 (Loshchilov &amp; Hutter 2017, "SGDR: Stochastic Gradient Descent
/// with Warm Restarts", without restarts; PyTorch's <c>CosineAnnealingLR</c> in closed form).
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    private readonly int _tMax;
    private readonly double _etaMin;

    /// <summary>Anneals from the optimiser's rate to <paramref name="etaMin"/> over <paramref name="tMax"/> epochs.</summary>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax < 1) throw new TorchException($"tMax must be at least 1, got {tMax}");
        if (!(etaMin >= 0)) throw new TorchException($"etaMin must be non-negative, got {etaMin}");
        (_tMax, _etaMin) = (tMax, etaMin);
    }

    /// <inheritdoc />
    public override double LearningRateAt(int epoch) =>
        _etaMin + (BaseLearningRate - _etaMin) * (1 + Math.Cos(Math.PI * epoch / _tMax)) / 2;
}
