namespace MusicML.Torch.Modules;

/// <summary>
/// Batch normalisation over the channel dimension (Ioffe &amp; Szegedy 2015, "Batch Normalization: Accelerating Deep
/// Network Training by Reducing Internal Covariate Shift"). State-dict names are PyTorch's: <c>weight</c>, <c>bias</c>,
/// <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c> (0-d int64). Use <see cref="BatchNorm1d"/> or
/// <see cref="BatchNorm2d"/>.
/// </summary>
public abstract class BatchNorm : Module<Tensor, Tensor>
{
    private readonly int[] _ranks;
    private readonly double _momentum, _eps;

    private protected BatchNorm(long numFeatures, double eps, double momentum, bool affine, bool trackRunningStats, params int[] ranks)
    {
        Init.RequirePositive(numFeatures, "numFeatures");
        if (!(eps > 0)) throw new TorchException($"batch-norm eps must be positive, got {eps}");
        if (!(momentum >= 0 && momentum <= 1)) throw new TorchException($"batch-norm momentum must be in [0, 1], got {momentum}");
        (_ranks, _momentum, _eps) = (ranks, momentum, eps);
        Weight = RegisterParameter("weight", affine ? Tensor.Ones([numFeatures]) : null);
        Bias = RegisterParameter("bias", affine ? Tensor.Zeros([numFeatures]) : null);
        RunningMean = RegisterBuffer("running_mean", trackRunningStats ? Tensor.Zeros([numFeatures]) : null);
        RunningVar = RegisterBuffer("running_var", trackRunningStats ? Tensor.Ones([numFeatures]) : null);
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", trackRunningStats ? Tensor.Zeros([], DType.Int64) : null);
    }

    /// <summary>(C) scale γ, or null without affine parameters.</summary>
    public Tensor? Weight { get; }

    /// <summary>(C) shift β, or null without affine parameters.</summary>
    public Tensor? Bias { get; }

    /// <summary>(C) running mean, or null when statistics are not tracked.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>(C) running (unbiased) variance, or null when statistics are not tracked.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>0-d int64 count of training batches seen, or null when statistics are not tracked.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        int rank = input.Rank;
        if (Array.IndexOf(_ranks, rank) < 0)
            throw new TorchException($"{GetType().Name} expects a tensor of rank {string.Join(" or ", _ranks)}, got shape [{string.Join(", ", input.Shape)}]");
        bool useBatchStatistics = IsTraining || RunningMean == null;
        if (IsTraining && NumBatchesTracked != null)
            using (TorchRuntime.NoGrad()) NumBatchesTracked.AddInPlace(1);
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, useBatchStatistics, _momentum, _eps);
    }
}

/// <summary>Batch normalisation of (N, C) or (N, C, L) inputs.</summary>
public sealed class BatchNorm1d : BatchNorm
{
    /// <summary>Creates the layer with γ = 1, β = 0, running mean 0 and variance 1.</summary>
    /// <param name="numFeatures">Channels C.</param>
    /// <param name="eps">Added to the variance for stability.</param>
    /// <param name="momentum">Weight of each new batch in the running statistics.</param>
    /// <param name="affine">Learn γ and β.</param>
    /// <param name="trackRunningStats">Keep running statistics for evaluation mode.</param>
    public BatchNorm1d(long numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, 2, 3) { }
}

/// <summary>Batch normalisation of (N, C, H, W) inputs.</summary>
public sealed class BatchNorm2d : BatchNorm
{
    /// <summary>Creates the layer with γ = 1, β = 0, running mean 0 and variance 1.</summary>
    /// <param name="numFeatures">Channels C.</param>
    /// <param name="eps">Added to the variance for stability.</param>
    /// <param name="momentum">Weight of each new batch in the running statistics.</param>
    /// <param name="affine">Learn γ and β.</param>
    /// <param name="trackRunningStats">Keep running statistics for evaluation mode.</param>
    public BatchNorm2d(long numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool trackRunningStats = true)
        : base(numFeatures, eps, momentum, affine, trackRunningStats, 4) { }
}

/// <summary>
/// Layer normalisation over the trailing dimensions (Ba, Kiros &amp; Hinton 2016, "Layer Normalization"); names
/// <c>weight</c> and <c>bias</c> shaped like the normalised dimensions.
/// </summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    private readonly long[] _shape;
    private readonly double _eps;

    /// <summary>Creates the layer with γ = 1 and β = 0.</summary>
    /// <param name="normalizedShape">Sizes of the trailing dimensions normalised together.</param>
    /// <param name="eps">Added to the variance for stability.</param>
    /// <param name="elementwiseAffine">Learn γ and β.</param>
    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0) throw new TorchException("layer norm needs at least one normalised dimension");
        foreach (var s in normalizedShape) Init.RequirePositive(s, "normalizedShape");
        if (!(eps > 0)) throw new TorchException($"layer-norm eps must be positive, got {eps}");
        (_shape, _eps) = ((long[])normalizedShape.Clone(), eps);
        Weight = RegisterParameter("weight", elementwiseAffine ? Tensor.Ones(_shape) : null);
        Bias = RegisterParameter("bias", elementwiseAffine ? Tensor.Zeros(_shape) : null);
    }

    /// <summary>γ, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>β, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.LayerNorm(input, _shape, Weight, Bias, _eps);
}
