using MusicML.Core;
using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Tagging;

/// <summary>
/// Musicnn, the musically motivated tagger of Pons, Nieto, Prockup, Schmidt, Ehmann &amp; Serra (2018), "End-to-end
/// learning for music audio tagging at scale" (ISMIR), in the PyTorch re-implementation of Won et al. (2020),
/// "Evaluation of CNN-based Automatic Music Tagging Models" (SMC). Front end (tensor names <c>layers.0..4.*</c>): two
/// vertical timbral branches, Conv2d kernels (0.7·nMels, 7) and (0.4·nMels, 7) max-pooled over the remaining frequency
/// rows, and three horizontal temporal branches on the mel-averaged signal, Conv1d kernels 129, 65 and 33; their
/// outputs are concatenated (204 + 204 + 51 + 51 + 51 = 561 channels for the MTAT/Jamendo models). Back end
/// (<c>layer1..3.*</c>): three Conv1d(7) blocks with residual sums, whose outputs join the front end's before global
/// max and mean pooling over time; then <c>dense1</c> → <c>bn</c> → ReLU → dropout → <c>dense2</c>.
/// </summary>
public sealed class MusicnnTagger : TaggerNetwork
{
    private readonly ModuleList _frontEnd;
    private readonly ConvBlock1d _layer1, _layer2, _layer3;
    private readonly Linear _dense1, _dense2;
    private readonly BatchNorm1d _bn;
    private readonly Dropout _dropout;

    /// <summary>Builds the network with freshly initialised weights.</summary>
    /// <param name="nMels">Mel bands (at least 67 for the tallest vertical filter to fit at 96).</param>
    /// <param name="tagCount">Number of outputs.</param>
    /// <param name="verticalChannels">Channels of each vertical branch (204 for MTAT/Jamendo).</param>
    /// <param name="horizontalChannels">Channels of each horizontal branch (51).</param>
    /// <param name="backEndChannels">Channels of the back-end blocks (64).</param>
    /// <param name="denseUnits">Units of the first dense layer (200).</param>
    public MusicnnTagger(int nMels = 96, int tagCount = 50, long verticalChannels = 204, long horizontalChannels = 51,
        long backEndChannels = 64, long denseUnits = 200) : base(nMels, tagCount)
    {
        long tall = (long)(0.7 * nMels), short_ = (long)(0.4 * nMels);
        if (tall < 1) throw new MusicMLException($"Musicnn needs more mel bands, got nMels {nMels}");
        _frontEnd = RegisterModule("layers", new ModuleList(
            new VerticalBranch(verticalChannels, (tall, 7)),
            new VerticalBranch(verticalChannels, (short_, 7)),
            new HorizontalBranch(horizontalChannels, 129),
            new HorizontalBranch(horizontalChannels, 65),
            new HorizontalBranch(horizontalChannels, 33)));
        long frontEndChannels = 2 * verticalChannels + 3 * horizontalChannels;
        _layer1 = RegisterModule("layer1", new ConvBlock1d(frontEndChannels, backEndChannels, 7));
        _layer2 = RegisterModule("layer2", new ConvBlock1d(backEndChannels, backEndChannels, 7));
        _layer3 = RegisterModule("layer3", new ConvBlock1d(backEndChannels, backEndChannels, 7));
        long pooledChannels = 2 * (frontEndChannels + 3 * backEndChannels);
        _dense1 = RegisterModule("dense1", new Linear(pooledChannels, denseUnits));
        _bn = RegisterModule("bn", new BatchNorm1d(denseUnits));
        _dropout = RegisterModule("dropout", new Dropout(0.5));
        _dense2 = RegisterModule("dense2", new Linear(denseUnits, tagCount));
    }

    /// <inheritdoc />
    public override TaggerArchitecture Architecture => TaggerArchitecture.Musicnn;

    /// <inheritdoc />
    public override long MinimumFrames => 1;

    private protected override (Dropout Dropout, Linear Output) Head => (_dropout, _dense2);

    private protected override Tensor EmbedNormalized(Tensor spectrogram)
    {
        var branches = _frontEnd.Items;
        var outputs = new Tensor[branches.Count];
        try
        {
            for (int i = 0; i < branches.Count; i++) outputs[i] = branches[i].Forward(spectrogram);
            using var frontEnd = Tensor.Cat(outputs, 1);
            using var res1 = _layer1.Forward(frontEnd);
            using var block2 = _layer2.Forward(res1);
            using var res2 = block2 + res1;
            using var block3 = _layer3.Forward(res2);
            using var res3 = block3 + res2;
            using var features = Tensor.Cat([frontEnd, res1, res2, res3], 1);
            using var maxPooled = features.Max([2]);
            using var meanPooled = features.Mean([2]);
            using var pooled = Tensor.Cat([maxPooled, meanPooled], 1);
            using var hidden = _dense1.Forward(pooled);
            using var normalised = _bn.Forward(hidden);
            return Functional.Relu(normalised);
        }
        finally
        {
            foreach (var t in outputs) t?.Dispose();
        }
    }
}
