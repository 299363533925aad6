using MusicML.Core;
using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Tagging;

/// <summary>
/// The convolutional recurrent tagger of Choi, Fazekas, Sandler &amp; Cho (2017), "Convolutional recurrent neural
/// networks for music classification" (ICASSP), as re-implemented by Won et al. (2020), "Evaluation of CNN-based
/// Automatic Music Tagging Models" (SMC): four Conv(3×3)–BN–ReLU–MaxPool blocks (64, 128, 128, 128 channels; pools
/// (2,2), (3,3), (4,4), (4,4)) reduce the 96 mel bands to one row, a two-layer GRU(128 → 32) reads the remaining time
/// steps from a zero state, and the last step feeds dropout and a dense layer. Tensor names: <c>spec_bn.*</c>,
/// <c>layer1..4.conv.*</c>, <c>layer1..4.bn.*</c>, <c>layer5.weight_ih_l0</c>…, <c>dense.*</c>.
/// </summary>
public sealed class CrnnTagger : TaggerNetwork
{
    private static readonly (long Freq, long Time)[] Pools = [(2, 2), (3, 3), (4, 4), (4, 4)];
    private static readonly long[] Channels = [64, 128, 128, 128];
    private const long HiddenSize = 32;

    private readonly ConvBlock2d[] _blocks;
    private readonly GRU _gru;
    private readonly Dropout _dropout;
    private readonly Linear _dense;

    /// <summary>Builds the network with freshly initialised weights.</summary>
    /// <param name="nMels">Mel bands; the pools need the frequency axis to reach exactly 1 (96 for the published models).</param>
    /// <param name="tagCount">Number of outputs.</param>
    public CrnnTagger(int nMels = 96, int tagCount = 50) : base(nMels, tagCount)
    {
        _blocks = RegisterConvBlocks("CRNN", Channels, Pools);
        long inChannels = Channels[^1];
        _gru = RegisterModule("layer5", new GRU(inChannels, HiddenSize, numLayers: 2, batchFirst: true));
        _dropout = RegisterModule("dropout", new Dropout(0.5));
        _dense = RegisterModule("dense", new Linear(HiddenSize, tagCount));
    }

    /// <inheritdoc />
    public override TaggerArchitecture Architecture => TaggerArchitecture.Crnn;

    /// <summary>96 frames: the product of the time pools, the least that leaves one GRU step.</summary>
    public override long MinimumFrames => 2 * 3 * 4 * 4;

    private protected override (Dropout Dropout, Linear Output) Head => (_dropout, _dense);

    private protected override Tensor EmbedNormalized(Tensor spectrogram)
    {
        using var features = ForwardThrough(_blocks, spectrogram);
        // (batch, 128, 1, time) → (batch, time, 128) for the batch-first GRU.
        using var squeezed = features.Squeeze(2);
        using var sequence = squeezed.Permute(0, 2, 1);
        using var recurrent = _gru.Forward(sequence);
        return recurrent.Output.Select(1, -1);
    }
}
