using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Mir.Onsets;

/// <summary>
/// Onset detection: an activation (<see cref="OnsetMethod"/>, SuperFlux by default) and madmom-style peak picking,
/// optionally moved back to the preceding energy minimum. Returns times in seconds.
/// </summary>
public static class OnsetDetector
{
    /// <summary>Detects onsets in mono audio.</summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="method">Activation function.</param>
    /// <param name="peakPicker">Peak-picking settings; null for the defaults of <paramref name="method"/>.</param>
    /// <param name="backtrack">Move each onset to the energy minimum before it (useful for cutting, not for timing note-ons).</param>
    /// <returns>Onset times in seconds, increasing.</returns>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid setting.</exception>
    public static double[] Detect(ReadOnlySpan<float> y, int sampleRate, OnsetMethod method = OnsetMethod.SuperFlux,
        OnsetPeakPicker? peakPicker = null, bool backtrack = false)
        => Detect(RhythmSpectrogram.Compute(y, sampleRate, keepStft: method == OnsetMethod.ComplexDomain), method, peakPicker, backtrack);

    /// <summary>
    /// Detects onsets from a precomputed <see cref="RhythmSpectrogram"/> (computed with <c>keepStft: true</c> for
    /// <see cref="OnsetMethod.ComplexDomain"/>).
    /// </summary>
    public static double[] Detect(RhythmSpectrogram spectrogram, OnsetMethod method = OnsetMethod.SuperFlux,
        OnsetPeakPicker? peakPicker = null, bool backtrack = false)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        var activation = OnsetActivation.Compute(spectrogram, method);
        var picker = peakPicker ?? DefaultPeakPicker(method);
        return backtrack ? PickBacktracked(activation, FrameEnergy(spectrogram.LogSpectrogram), picker) : picker.Pick(activation);
    }

    /// <summary>
    /// The onsets <paramref name="picker"/> finds in <paramref name="activation"/>, each moved back to the energy
    /// minimum before it (<see cref="Backtrack"/>) in <paramref name="energy"/>, the per-frame band-energy sum
    /// (<see cref="RhythmFeatures.Energy"/>); times in seconds plus the picker's delay.
    /// </summary>
    public static double[] PickBacktracked(OnsetEnvelope activation, ReadOnlySpan<float> energy, OnsetPeakPicker picker)
    {
        ArgumentNullException.ThrowIfNull(activation);
        ArgumentNullException.ThrowIfNull(picker);
        var frames = picker.PickFrames(activation);
        var times = new double[frames.Length];
        for (int i = 0; i < frames.Length; i++) times[i] = Backtrack(frames[i], energy) / activation.FrameRate + picker.Delay;
        return times;
    }

    /// <summary>
    /// Peak-picking defaults per method: each threshold is the middle of the plateau of best F-measure measured on the
    /// synthetic set for that activation's scale.
    /// </summary>
    public static OnsetPeakPicker DefaultPeakPicker(OnsetMethod method) => method switch
    {
        OnsetMethod.SuperFlux => new OnsetPeakPicker(),
        OnsetMethod.SpectralFlux => new OnsetPeakPicker { Threshold = 3.5 },
        OnsetMethod.ComplexDomain => new OnsetPeakPicker { Threshold = 30.0 },
        _ => throw new MusicMLException($"Unknown onset method {method}."),
    };

    /// <summary>
    /// Moves an onset frame back while the energy keeps strictly falling towards the past, to the nearest preceding
    /// local minimum (librosa's onset_backtrack); a flat stretch (silence) stops it.
    /// </summary>
    /// <param name="frame">Onset frame.</param>
    /// <param name="energy">Energy per frame.</param>
    /// <returns>The frame of the preceding local energy minimum.</returns>
    public static int Backtrack(int frame, ReadOnlySpan<float> energy)
    {
        if ((uint)frame >= (uint)energy.Length)
            throw new MusicMLException($"Onset frame {frame} lies outside the {energy.Length} energy frames.");
        while (frame > 0 && energy[frame - 1] < energy[frame]) frame--;
        return frame;
    }

    /// <summary>Per frame, the sum of the log bands: what <see cref="Backtrack"/> walks down.</summary>
    internal static float[] FrameEnergy(FloatMatrix spectrogram)
    {
        var energy = new float[spectrogram.Columns];
        for (int b = 0; b < spectrogram.Rows; b++) VectorMath.AddScaled(energy, spectrogram.Row(b), 1f);
        return energy;
    }
}
