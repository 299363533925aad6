using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Mir.Onsets;

/// <summary>
/// madmom's offline onset peak picking (Böck, Krebs &amp; Schedl, "Evaluating the online capabilities of onset
/// detection methods", ISMIR 2012): frame t is an onset when its activation is the maximum of
/// [t − preMax, t + postMax] and exceeds the mean of [t − preAvg, t + postAvg] by <see cref="Threshold"/>; onsets
/// closer than <see cref="Combine"/> to the previous one are dropped. Windows are in seconds.
/// </summary>
public sealed record OnsetPeakPicker
{
    /// <summary>
    /// Margin above the moving average, in activation units. The default 1.7 suits SuperFlux on
    /// <see cref="RhythmSpectrogram"/>'s 72 bands per octave (madmom's 1.1 is for 24 bands; the flux sums over more
    /// bands here). On the synthetic set F stays within 0.005 of its best for thresholds 1.4–2.1.
    /// </summary>
    public double Threshold { get; init; } = 1.7;

    /// <summary>Seconds before a frame in which it must be the maximum.</summary>
    public double PreMax { get; init; } = 0.01;

    /// <summary>Seconds after a frame in which it must be the maximum.</summary>
    public double PostMax { get; init; } = 0.05;

    /// <summary>Seconds before a frame averaged for the adaptive threshold.</summary>
    public double PreAvg { get; init; } = 0.15;

    /// <summary>Seconds after a frame averaged for the adaptive threshold.</summary>
    public double PostAvg { get; init; }

    /// <summary>Minimum seconds between reported onsets (later ones within it are dropped).</summary>
    public double Combine { get; init; } = 0.03;

    /// <summary>Seconds added to every reported onset (compensates a known detection latency).</summary>
    public double Delay { get; init; }

    /// <summary>Validates every setting, naming the bad one.</summary>
    /// <exception cref="MusicMLException">A negative or non-finite window or a non-finite threshold.</exception>
    public void Validate()
    {
        if (!double.IsFinite(Threshold)) throw new MusicMLException($"Threshold must be finite; got {Threshold}.");
        MirValidation.NonNegative(PreMax, nameof(PreMax));
        MirValidation.NonNegative(PostMax, nameof(PostMax));
        MirValidation.NonNegative(PreAvg, nameof(PreAvg));
        MirValidation.NonNegative(PostAvg, nameof(PostAvg));
        MirValidation.NonNegative(Combine, nameof(Combine));
        if (!double.IsFinite(Delay)) throw new MusicMLException($"Delay must be finite; got {Delay}.");
    }

    /// <summary>Picks onset frames from <paramref name="activation"/>.</summary>
    /// <returns>Frame indices of the onsets, increasing.</returns>
    public int[] PickFrames(OnsetEnvelope activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        Validate();
        double fps = activation.FrameRate;
        int Frames(double seconds) => (int)Math.Round(seconds * fps);
        // Dsp's one peak picker with madmom's conventions: inclusive windows [t − pre, t + post] (librosa's windows
        // end one past), the mean over the whole zero-padded window, and later onsets within `combine` frames dropped
        // (librosa's wait).
        return Onset.PeakPick(activation.Values, Frames(PreMax), Frames(PostMax) + 1, Frames(PreAvg), Frames(PostAvg) + 1,
            Threshold, Frames(Combine), PeakPickEdges.ZeroPadded);
    }

    /// <summary>Picks onsets from <paramref name="activation"/> and returns their times in seconds (plus <see cref="Delay"/>).</summary>
    public double[] Pick(OnsetEnvelope activation)
    {
        var frames = PickFrames(activation);
        var times = new double[frames.Length];
        for (int i = 0; i < frames.Length; i++) times[i] = frames[i] / activation.FrameRate + Delay;
        return times;
    }
}
