using MusicML.Core;
using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Tagging;

/// <summary>
/// The short-chunk CNN of Won, Ferraro, Bogdanov &amp; Serra (2020), "Evaluation of CNN-based Automatic Music Tagging
/// Models" (SMC), the best plain CNN of that study: seven Conv(3×3)–BN–ReLU–MaxPool(2×2) blocks (<c>layer1..7</c>;
/// channels c, c, 2c, 2c, 2c, 2c, 4c) take 128 mel bands to one row, a global max over the remaining time steps
/// gives one 4c vector per chunk, then <c>dense1</c> (4c → 4c) → <c>bn</c> → ReLU → dropout 0.5 → <c>dense2</c>. The
/// paper's width is c = 128 on 3.69 s chunks; a narrower c trains on a CPU in minutes (the bundled model's width is
/// in its configuration as <c>layer1.conv.out_channels</c>). Any chunk of at least 128 frames is accepted, because
/// the global pool does not care how many time steps the convolutions leave.
/// </summary>
public sealed class ShortChunkTagger : TaggerNetwork
{
    /// <summary>Mel bands the seven frequency pools of 2 bring down to one row (128 … 255 work).</summary>
    public const int DefaultMels = 128;

    /// <summary>The paper's base width c.</summary>
    public const long PublishedChannels = 128;

    private readonly ConvBlock2d[] _blocks;
    private readonly Linear _dense1, _dense2;
    private readonly BatchNorm1d _bn;
    private readonly Dropout _dropout;

    /// <summary>Builds the network with freshly initialised weights.</summary>
    /// <param name="nMels">Mel bands (128 in the paper).</param>
    /// <param name="tagCount">Number of outputs.</param>
    /// <param name="channels">Base width c (128 in the paper).</param>
    public ShortChunkTagger(int nMels = DefaultMels, int tagCount = 50, long channels = PublishedChannels) : base(nMels, tagCount)
    {
        if (channels <= 0) throw new MusicMLException($"shortchunk: the base width must be positive, got {channels}");
        long[] widths = [channels, channels, 2 * channels, 2 * channels, 2 * channels, 2 * channels, 4 * channels];
        _blocks = RegisterConvBlocks("shortchunk", widths, Enumerable.Repeat((2L, 2L), widths.Length).ToArray());
        long embedding = widths[^1];
        _dense1 = RegisterModule("dense1", new Linear(embedding, embedding));
        _bn = RegisterModule("bn", new BatchNorm1d(embedding));
        _dense2 = RegisterModule("dense2", new Linear(embedding, tagCount));
        _dropout = RegisterModule("dropout", new Dropout(0.5));
    }

    /// <inheritdoc />
    public override TaggerArchitecture Architecture => TaggerArchitecture.ShortChunk;

    /// <summary>128 frames: seven time pools of 2 leave one step.</summary>
    public override long MinimumFrames => 128;

    private protected override (Dropout Dropout, Linear Output) Head => (_dropout, _dense2);

    private protected override Tensor EmbedNormalized(Tensor spectrogram)
    {
        using var features = ForwardThrough(_blocks, spectrogram);
        // (batch, 4c, 1, steps) → global max over the steps → (batch, 4c).
        using var pooled = features.Max([2, 3]);
        using var hidden = _dense1.Forward(pooled);
        using var normalised = _bn.Forward(hidden);
        return Functional.Relu(normalised);
    }
}
