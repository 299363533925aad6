using System.Runtime.CompilerServices;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// librosa's <c>estimate_tuning</c> gathered frame by frame, so the tuning of a recording of any length can be
/// estimated while it streams past in blocks: every frame's spectral peaks (<see cref="Tuning.Piptrack(FloatMatrix, int, double, double, double)"/>
/// between 150 Hz and 4 kHz) are kept as (pitch, magnitude) pairs — eight bytes per peak, the compact per-frame
/// result — and <see cref="Estimate"/> takes librosa's median magnitude threshold and pitch-residual histogram over all
/// of them. Adding a file's frames in any number of pieces gives exactly <see cref="Tuning.EstimateTuning(FloatMatrix, int, double, int)"/>
/// of the whole magnitude, which is itself computed through this type.
/// </summary>
public sealed class TuningAccumulator
{
    private readonly List<float> _pitches = [];
    private readonly List<float> _magnitudes = [];
    private (int First, int End)? _range;
    private int _bins;

    /// <summary>Gathers peaks at <paramref name="sampleRate"/> Hz with librosa's resolution and bins per octave by default.</summary>
    /// <exception cref="MusicMLException">A non-positive sample rate, or a resolution outside (0, 1).</exception>
    public TuningAccumulator(int sampleRate = 22050, double resolution = 0.01, int binsPerOctave = 12)
    {
        InputGuard.Positive(sampleRate, "sampleRate");
        if (!(resolution > 0 && resolution < 1)) throw new MusicMLException($"resolution must be in (0, 1); got {resolution}.");
        InputGuard.Positive(binsPerOctave, "binsPerOctave");
        SampleRate = sampleRate;
        Resolution = resolution;
        BinsPerOctave = binsPerOctave;
    }

    /// <summary>Sample rate of the analysed audio in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Resolution of the tuning estimate in fractions of a bin.</summary>
    public double Resolution { get; }

    /// <summary>Bins per octave the tuning is measured against.</summary>
    public int BinsPerOctave { get; }

    /// <summary>Peaks gathered so far.</summary>
    public int PeakCount => _pitches.Count;

    /// <summary>
    /// Adds frames <paramref name="first"/>..<paramref name="first"/>+<paramref name="count"/>−1 of the magnitude
    /// spectrogram <paramref name="magnitude"/> <c>[1 + nFft/2, frames]</c>.
    /// </summary>
    /// <exception cref="MusicMLException">An empty or non-finite magnitude, a bin count unlike the earlier frames', or a range outside it.</exception>
    public void Add(FloatMatrix magnitude, int first, int count)
    {
        Validation.NotEmpty(magnitude, nameof(magnitude));
        InputGuard.Finite(magnitude.Data, nameof(magnitude));
        if (first < 0 || count < 0 || (long)first + count > magnitude.Columns)
            throw new MusicMLException($"Frames {first}..{first + count - 1} lie outside a magnitude of {magnitude.Columns} frames.");
        AddFrameMajor(FramePipeline.ToFrameMajor(magnitude), magnitude.Rows, first, count);
    }

    /// <summary>
    /// Adds every frame of the magnitude STFT of <paramref name="y"/> (Hann window of <paramref name="nFft"/> samples,
    /// centred frames <paramref name="hopLength"/> apart, librosa's <c>estimate_tuning</c> framing).
    /// </summary>
    /// <exception cref="MusicMLException">Empty or non-finite audio, an invalid length, or frames unlike the earlier ones.</exception>
    public void Add(ReadOnlySpan<float> y, int nFft, int hopLength, DspOptions? options = null)
    {
        var magnitude = FramePipeline.FrameMajorSpectrogram(y, nFft, hopLength, null, WindowType.Hann, true, PadMode.Constant, 1.0, options, out int frames);
        AddFrameMajor(magnitude, nFft / 2 + 1, 0, frames);
    }

    /// <summary>Adds frames of a frame-major magnitude (each frame's <paramref name="bins"/> values contiguous).</summary>
    // One call loops over every frame and every peak: fully optimised rather than run as OSR code on first use.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void AddFrameMajor(float[] frameMajor, int bins, int first, int count)
    {
        if (_range is null)
        {
            _bins = bins;
            _range = Tuning.PeakRange(SampleRate, 2 * (bins - 1), 150.0, 4000.0);
        }
        else if (bins != _bins) throw new MusicMLException($"Frames of {bins} bins added to a tuning estimate of {_bins}-bin frames.");
        var range = _range.Value;
        for (int t = first; t < first + count; t++)
            Tuning.FramePeaks(frameMajor.AsSpan(t * bins, bins), range, SampleRate, 0.1, (_, pitch, magnitude) =>
            {
                if (pitch > 0)
                {
                    _pitches.Add(pitch);
                    _magnitudes.Add(magnitude);
                }
            });
    }

    /// <summary>
    /// The tuning in fractions of a bin, in [−0.5, 0.5): the most common pitch residual among the peaks whose
    /// magnitude reaches the median peak magnitude; 0 when no peak was found (librosa's answer for silence).
    /// </summary>
    public double Estimate() => Tuning.PitchTuning(StrongPitches(), Resolution, BinsPerOctave);

    /// <summary>
    /// The tuning in fractions of a bin, in [−0.5, 0.5), from the same peaks as <see cref="Estimate"/> but with the pitch
    /// residuals treated as the circle they are (<see cref="Tuning.PitchTuningCircular"/>): a recording tuned near ±½ bin
    /// has its peaks split between both ends of librosa's histogram, and librosa's fullest-bin rule then reports
    /// either end depending on the window length or on a few peaks. This is the estimate the MIR tasks (key, chords,
    /// analyze, <c>musicml tuning</c>) share, so they all pick the same reference; 0 when no peak was found.
    /// </summary>
    public double EstimateCircular() => Tuning.PitchTuningCircular(StrongPitches(), Resolution, BinsPerOctave);

    /// <summary>The pitches of the peaks whose magnitude reaches the median peak magnitude (librosa's selection); none without peaks.</summary>
    private float[] StrongPitches()
    {
        if (_pitches.Count == 0) return [];
        float median = Tuning.Median([.. _magnitudes]);
        var selected = new List<float>(_pitches.Count);
        for (int i = 0; i < _pitches.Count; i++) if (_magnitudes[i] >= median) selected.Add(_pitches[i]);
        return [.. selected];
    }
}
