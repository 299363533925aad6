namespace MusicML.Torch.Modules;

/// <summary>Fully connected layer y = x·Wᵀ + b over the last dimension; names <c>weight</c> (out, in) and <c>bias</c> (out).</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer with PyTorch's default initialisation U(±1/√inFeatures).</summary>
    public Linear(long inFeatures, long outFeatures, bool bias = true)
    {
        Init.RequirePositive(inFeatures, "inFeatures");
        Init.RequirePositive(outFeatures, "outFeatures");
        (InFeatures, OutFeatures) = (inFeatures, outFeatures);
        double bound = 1 / Math.Sqrt(inFeatures);
        Weight = RegisterParameter("weight", Init.Uniform([outFeatures, inFeatures], bound))!;
        Bias = RegisterParameter("bias", bias ? Init.Uniform([outFeatures], bound) : null);
    }

    /// <summary>Length of each input vector.</summary>
    public long InFeatures { get; }

    /// <summary>Length of each output vector.</summary>
    public long OutFeatures { get; }

    /// <summary>(out features, in features).</summary>
    public Tensor Weight { get; }

    /// <summary>(out features), or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}

/// <summary>Embedding lookup table; name <c>weight</c> (num embeddings, embedding dim), initialised N(0, 1) as in PyTorch.</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    private readonly long _paddingIdx;

    /// <summary>Creates the table; the row <paramref name="paddingIdx"/> (if ≥ 0) starts at zero and gets no gradient.</summary>
    public Embedding(long numEmbeddings, long embeddingDim, long paddingIdx = -1)
    {
        Init.RequirePositive(numEmbeddings, "numEmbeddings");
        Init.RequirePositive(embeddingDim, "embeddingDim");
        if (paddingIdx >= numEmbeddings) throw new TorchException($"paddingIdx {paddingIdx} is outside the {numEmbeddings} embeddings");
        _paddingIdx = paddingIdx;
        var weight = Init.Normal([numEmbeddings, embeddingDim]);
        if (paddingIdx >= 0)
            using (TorchRuntime.NoGrad())
            using (var row = weight.Select(0, paddingIdx))
                row.Zero();
        Weight = RegisterParameter("weight", weight)!;
    }

    /// <summary>(num embeddings, embedding dim).</summary>
    public Tensor Weight { get; }

    /// <summary>Looks up the rows for int64 <paramref name="input"/> indices of any shape.</summary>
    public override Tensor Forward(Tensor input) => Functional.Embedding(input, Weight, _paddingIdx);
}
