using MusicML.Core;

namespace MusicML.Mir.Onsets;

/// <summary>
/// An onset activation (detection function): one non-negative value per frame at <see cref="FrameRate"/> frames per
/// second, frame t centred at t / FrameRate seconds. Tempo estimation and beat tracking take it as input, so one
/// activation computed once serves them all.
/// </summary>
public sealed class OnsetEnvelope
{
    /// <summary>Wraps <paramref name="values"/> (not copied) sampled at <paramref name="frameRate"/> Hz.</summary>
    /// <exception cref="MusicMLException">A non-positive frame rate or a non-finite value.</exception>
    public OnsetEnvelope(float[] values, double frameRate)
    {
        ArgumentNullException.ThrowIfNull(values);
        MirValidation.Activation(values, frameRate, "onset activation");
        Values = values;
        FrameRate = frameRate;
    }

    /// <summary>Activation per frame (arbitrary units, larger means a likelier onset).</summary>
    public float[] Values { get; }

    /// <summary>Frames per second (Hz).</summary>
    public double FrameRate { get; }

    /// <summary>Number of frames.</summary>
    public int Length => Values.Length;

    /// <summary>Duration covered in seconds.</summary>
    public double Duration => Values.Length / FrameRate;
}
