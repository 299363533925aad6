using MusicML.Core;
using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Tagging;

/// <summary>
/// A tagging network from the dB mel spectrogram to one logit per tag. Every network starts with <c>spec_bn</c>, a
/// BatchNorm2d(1) over the whole spectrogram, and its tensors carry the PyTorch <c>state_dict</c> names of
/// Won et al.'s <c>training/model.py</c> so published checkpoints load name for name.
/// </summary>
public abstract class TaggerNetwork : Module<Tensor, Tensor>
{
    private readonly BatchNorm2d _specBn;

    /// <summary>Registers <c>spec_bn</c>; subclasses register their layers after it, in PyTorch's order.</summary>
    /// <param name="nMels">Mel bands of the input spectrogram.</param>
    /// <param name="tagCount">Number of outputs.</param>
    private protected TaggerNetwork(int nMels, int tagCount)
    {
        if (nMels <= 0) throw new MusicMLException($"nMels must be positive, got {nMels}");
        if (tagCount <= 0) throw new MusicMLException($"the number of tags must be positive, got {tagCount}");
        (NMels, TagCount) = (nMels, tagCount);
        _specBn = RegisterModule("spec_bn", new BatchNorm2d(1));
    }

    /// <summary>
    /// Registers the Conv–BN–ReLU–MaxPool blocks <c>layer1</c>…<c>layerN</c> that FCN and CRNN share, after checking
    /// that the pools bring the <see cref="NMels"/> frequency rows down to exactly one.
    /// </summary>
    private protected ConvBlock2d[] RegisterConvBlocks(string architecture, IReadOnlyList<long> channels,
        IReadOnlyList<(long Freq, long Time)> pools)
    {
        long freq = NMels;
        long product = 1;
        foreach (var (f, _) in pools) (freq, product) = (freq / f, product * f);
        if (freq != 1)
            throw new MusicMLException($"{architecture} pools {product} mel bands down to one row; nMels {NMels} leaves {freq} rows (use {product}..{2 * product - 1})");
        var blocks = new ConvBlock2d[pools.Count];
        long inChannels = 1;
        for (int i = 0; i < pools.Count; i++)
        {
            blocks[i] = RegisterModule($"layer{i + 1}", new ConvBlock2d(inChannels, channels[i], pools[i]));
            inChannels = channels[i];
        }
        return blocks;
    }

    /// <summary>
    /// Runs <paramref name="spectrogram"/> through <paramref name="blocks"/> (at least one) in order, releasing each
    /// intermediate's handle as soon as the next block has consumed it (autograd keeps what backward needs).
    /// </summary>
    private protected static Tensor ForwardThrough(IReadOnlyList<ConvBlock2d> blocks, Tensor spectrogram)
    {
        var x = blocks[0].Forward(spectrogram);
        for (int i = 1; i < blocks.Count; i++)
        {
            using var previous = x;
            x = blocks[i].Forward(previous);
        }
        return x;
    }

    /// <summary>The network family.</summary>
    public abstract TaggerArchitecture Architecture { get; }

    /// <summary>Mel bands the network expects.</summary>
    public int NMels { get; }

    /// <summary>Number of outputs (tags).</summary>
    public int TagCount { get; }

    /// <summary>The fewest frames the network accepts (its pooling must leave at least one time step).</summary>
    public abstract long MinimumFrames { get; }

    /// <summary>The number of trainable scalars.</summary>
    public long ParameterCount => Parameters().Sum(p => p.NumElements);

    /// <summary>Length of the vector <see cref="Embed"/> returns: the width of the layer before the output layer.</summary>
    public long EmbeddingSize => Head.Output.InFeatures;

    /// <summary>
    /// The output layer and the dropout before it, registered by each subclass under its PyTorch names and in its
    /// PyTorch order; every architecture ends in this dropout → dense pair after its embedding.
    /// </summary>
    private protected abstract (Dropout Dropout, Linear Output) Head { get; }

    /// <summary>Computes one logit per tag (pre-sigmoid, the input of a BCE-with-logits loss).</summary>
    /// <param name="input">dB mel spectrograms (batch, nMels, frames).</param>
    /// <returns>(batch, tags).</returns>
    /// <exception cref="MusicMLException">The input's shape does not fit the network (the shape is named).</exception>
    public override Tensor Forward(Tensor input)
    {
        using var embedding = Embed(input);
        return Classify(embedding);
    }

    /// <summary>
    /// The penultimate layer's activations, the input of the output layer (before its dropout): a track descriptor
    /// for similarity search, as in the transfer-learning use of taggers (Choi et al. 2017, "Transfer learning for
    /// music classification and regression tasks", ISMIR).
    /// </summary>
    /// <param name="input">dB mel spectrograms (batch, nMels, frames).</param>
    /// <returns>(batch, <see cref="EmbeddingSize"/>).</returns>
    /// <exception cref="MusicMLException">The input's shape does not fit the network (the shape is named).</exception>
    public Tensor Embed(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3 || input.Size(1) != NMels)
            throw new MusicMLException(
                $"{Architecture} expects dB mel spectrograms (batch, {NMels}, frames), got shape [{string.Join(", ", input.Shape)}]");
        if (input.Size(2) < MinimumFrames)
            throw new MusicMLException($"{Architecture} needs at least {MinimumFrames} frames, got {input.Size(2)}");
        using var withChannel = input.Unsqueeze(1);
        using var normalised = _specBn.Forward(withChannel);
        return EmbedNormalized(normalised);
    }

    /// <summary>Tag probabilities σ(logits): what the original PyTorch <c>forward</c> returns.</summary>
    /// <param name="input">dB mel spectrograms (batch, nMels, frames).</param>
    /// <returns>(batch, tags) in [0, 1].</returns>
    public Tensor PredictProbabilities(Tensor input)
    {
        using var logits = Forward(input);
        return Functional.Sigmoid(logits);
    }

    /// <summary>The layers after <c>spec_bn</c> up to the output layer: (batch, 1, nMels, frames) → (batch, <see cref="EmbeddingSize"/>).</summary>
    private protected abstract Tensor EmbedNormalized(Tensor spectrogram);

    /// <summary>The output layer (with its dropout): (batch, <see cref="EmbeddingSize"/>) → (batch, tags) logits.</summary>
    private Tensor Classify(Tensor embedding)
    {
        var (dropout, output) = Head;
        using var dropped = dropout.Forward(embedding);
        return output.Forward(dropped);
    }

    /// <summary>Builds the network a configuration names, with freshly initialised weights.</summary>
    public static TaggerNetwork Create(TaggerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Architecture switch
        {
            TaggerArchitecture.Fcn => new FcnTagger(config.NMels, config.Tags.Count),
            TaggerArchitecture.Crnn => new CrnnTagger(config.NMels, config.Tags.Count),
            TaggerArchitecture.Musicnn => new MusicnnTagger(config.NMels, config.Tags.Count,
                verticalChannels: config.LayerSize("layers.0.conv.out_channels", 204),
                horizontalChannels: config.LayerSize("layers.2.conv.out_channels", 51),
                backEndChannels: config.LayerSize("layer1.conv.out_channels", 64),
                denseUnits: config.LayerSize("dense1.out_features", 200)),
            TaggerArchitecture.ShortChunk => new ShortChunkTagger(config.NMels, config.Tags.Count,
                channels: config.LayerSize("layer1.conv.out_channels", ShortChunkTagger.PublishedChannels)),
            _ => throw new MusicMLException($"unknown architecture {config.Architecture}"),
        };
    }
}
