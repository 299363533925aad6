using MusicML.Torch.Interop;
using static MusicML.Torch.Interop.TorchNative;

namespace MusicML.Torch;

/// <summary>How a loss combines its per-element values.</summary>
public enum Reduction
{
    /// <summary>Return the per-element losses.</summary>
    None = 0,
    /// <summary>Average them (the default, as in PyTorch).</summary>
    Mean = 1,
    /// <summary>Sum them.</summary>
    Sum = 2,
}

/// <summary>Loss functions with PyTorch's definitions (<c>torch.nn.functional</c>), differentiable through autograd.</summary>
public static class Losses
{
    private static Tensor Loss(LossOp op, Tensor input, Tensor target, Tensor? weight, Tensor? extra, Reduction reduction,
        double p1 = 0, double p2 = 0) =>
        Tensor.Wrap(mm_loss(op, input.Handle, target.Handle, weight?.Handle ?? TensorHandle.Null, extra?.Handle ?? TensorHandle.Null,
            (int)reduction, p1, p2));

    /// <summary>
    /// −w·[p·y·log σ(x) + (1 − y)·log(1 − σ(x))], computed stably from logits: the multi-label tagging loss.
    /// </summary>
    /// <param name="logits">Raw scores x.</param>
    /// <param name="target">Targets y in [0, 1], same shape.</param>
    /// <param name="weight">Per-element weight w (broadcast), or null.</param>
    /// <param name="posWeight">Weight p of positive examples per class (broadcast over the last dimension), or null.</param>
    /// <param name="reduction">How to combine the elements.</param>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? weight = null,
        Tensor? posWeight = null, Reduction reduction = Reduction.Mean) =>
        Loss(LossOp.BceWithLogits, logits, target, weight, posWeight, reduction);

    /// <summary>−w·[y·log p + (1 − y)·log(1 − p)] from probabilities p (log clamped at −100, as in PyTorch).</summary>
    public static Tensor BinaryCrossEntropy(Tensor probabilities, Tensor target, Tensor? weight = null,
        Reduction reduction = Reduction.Mean) =>
        Loss(LossOp.Bce, probabilities, target, weight, null, reduction);

    /// <summary>
    /// Cross-entropy of logits (N, C) against int64 class indices (N) or class probabilities (N, C):
    /// −log softmax(x)[y], optionally class-weighted, with label smoothing.
    /// </summary>
    /// <param name="logits">(N, C) or (N, C, d…) raw scores.</param>
    /// <param name="target">Class indices (int64) or probabilities (float, same shape as logits).</param>
    /// <param name="weight">(C) class weights, or null.</param>
    /// <param name="reduction">How to combine the elements (mean is weighted by the target classes' weights).</param>
    /// <param name="ignoreIndex">A target index that contributes nothing.</param>
    /// <param name="labelSmoothing">ε in [0, 1]: the target becomes (1 − ε)·one-hot + ε/C.</param>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null,
        Reduction reduction = Reduction.Mean, long ignoreIndex = -100, double labelSmoothing = 0)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new TorchException($"label smoothing must be in [0, 1], got {labelSmoothing}");
        return Loss(LossOp.CrossEntropy, logits, target, weight, null, reduction, ignoreIndex, labelSmoothing);
    }

    /// <summary>Negative log-likelihood −x[y] of log-probabilities (N, C) against int64 class indices (N).</summary>
    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Tensor? weight = null,
        Reduction reduction = Reduction.Mean, long ignoreIndex = -100) =>
        Loss(LossOp.Nll, logProbabilities, target, weight, null, reduction, ignoreIndex);

    /// <summary>(x − y)², element-wise.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Loss(LossOp.Mse, input, target, null, null, reduction);

    /// <summary>|x − y|, element-wise.</summary>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Loss(LossOp.L1, input, target, null, null, reduction);

    /// <summary>
    /// max(d(a, p) − d(a, n) + margin, 0) with d the p-norm distance (plus ε = 1e-6 inside the norm, as in PyTorch)
    /// (Schroff et al. 2015, "FaceNet"; Balntas et al. 2016). Rows are embeddings: (N, D).
    /// </summary>
    public static Tensor TripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative, double margin = 1.0,
        double p = 2, Reduction reduction = Reduction.Mean)
    {
        if (!(p > 0)) throw new TorchException($"triplet-margin norm order p must be positive, got {p}");
        return Loss(LossOp.TripletMargin, anchor, positive, null, negative, reduction, margin, p);
    }

    /// <summary>1 − cos(x₁, x₂) where y = 1, max(0, cos(x₁, x₂) − margin) where y = −1; rows are (N, D) embeddings.</summary>
    public static Tensor CosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target, double margin = 0,
        Reduction reduction = Reduction.Mean) =>
        Loss(LossOp.CosineEmbedding, input1, target, null, input2, reduction, margin);
}
