namespace MusicML.Mir.Pitch;

/// <summary>A fundamental-frequency track: one value per frame.</summary>
/// <param name="Times">Frame centres in seconds.</param>
/// <param name="Frequencies">F0 in Hz per frame; 0 where the frame is unvoiced.</param>
/// <param name="Voiced">Whether each frame is voiced.</param>
/// <param name="VoicedProbability">Probability (pYIN) or 1 − aperiodicity (YIN) of each frame being voiced, 0–1.</param>
public sealed record PitchTrack(double[] Times, double[] Frequencies, bool[] Voiced, double[] VoicedProbability)
{
    /// <summary>Number of frames.</summary>
    public int Count => Times.Length;
}
