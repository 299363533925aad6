namespace MusicML.Core;

/// <summary>
/// How a signal is extended beyond its ends when frames are centred (numpy.pad's modes), shared by the managed
/// front end (MusicML.Dsp) and the differentiable one (MusicML.Torch) so one name means one thing in both. Both
/// default to <see cref="Constant"/>, librosa 0.10's <c>pad_mode</c>.
/// </summary>
public enum PadMode
{
    /// <summary>Zeros (librosa 0.10's default <c>pad_mode='constant'</c>).</summary>
    Constant,
    /// <summary>Mirror without repeating the edge sample (numpy <c>reflect</c>: x[1], x[2], …; torch.stft's default).</summary>
    Reflect,
    /// <summary>Repeat the edge sample (numpy <c>edge</c>; torch's <c>replicate</c>).</summary>
    Edge,
}
