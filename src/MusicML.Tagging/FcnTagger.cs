using MusicML.Core;
using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Tagging;

/// <summary>
/// The fully convolutional tagger of Choi, Fazekas &amp; Sandler (2016), "Automatic tagging using deep convolutional
/// neural networks" (ISMIR), as re-implemented by Won et al. (2020), "Evaluation of CNN-based Automatic Music Tagging
/// Models" (SMC): five Conv(3×3)–BN–ReLU–MaxPool blocks (64, 128, 128, 128, 64 channels; pools (2,4), (2,4), (2,4),
/// (3,5), (4,4) over (freq, time)) that shrink a 96 × 1813 dB mel to 1 × 1, then dropout and a dense layer.
/// Tensor names: <c>spec_bn.*</c>, <c>layer1..5.conv.*</c>, <c>layer1..5.bn.*</c>, <c>dense.*</c>.
/// </summary>
public sealed class FcnTagger : TaggerNetwork
{
    private static readonly (long Freq, long Time)[] Pools = [(2, 4), (2, 4), (2, 4), (3, 5), (4, 4)];
    private static readonly long[] Channels = [64, 128, 128, 128, 64];

    private readonly ConvBlock2d[] _blocks;
    private readonly Linear _dense;
    private readonly Dropout _dropout;

    /// <summary>Builds the network with freshly initialised weights.</summary>
    /// <param name="nMels">Mel bands; the pools need the frequency axis to reach exactly 1 (96 for the published models).</param>
    /// <param name="tagCount">Number of outputs.</param>
    public FcnTagger(int nMels = 96, int tagCount = 50) : base(nMels, tagCount)
    {
        _blocks = RegisterConvBlocks("FCN", Channels, Pools);
        long inChannels = Channels[^1];
        _dense = RegisterModule("dense", new Linear(inChannels, tagCount));
        _dropout = RegisterModule("dropout", new Dropout(0.5));
    }

    /// <inheritdoc />
    public override TaggerArchitecture Architecture => TaggerArchitecture.Fcn;

    /// <summary>1280 frames: the product of the time pools, the least that pools to one step.</summary>
    public override long MinimumFrames => 4 * 4 * 4 * 5 * 4;

    /// <summary>2559 frames: one more and the time axis would not pool to a single step.</summary>
    public long MaximumFrames => 2 * MinimumFrames - 1;

    private protected override (Dropout Dropout, Linear Output) Head => (_dropout, _dense);

    private protected override Tensor EmbedNormalized(Tensor spectrogram)
    {
        if (spectrogram.Size(3) > MaximumFrames)
            throw new MusicMLException(
                $"FCN needs {MinimumFrames}..{MaximumFrames} frames (29 s at 16 kHz gives 1813), got {spectrogram.Size(3)}");
        using var features = ForwardThrough(_blocks, spectrogram);
        return features.Flatten(1);
    }
}
