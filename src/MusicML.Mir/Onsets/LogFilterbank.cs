using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Mir.Onsets;

/// <summary>
/// Triangular filters on a logarithmic frequency axis (madmom's LogarithmicFilterbank): band centres every
/// 1/bandsPerOctave octave from <c>fMin</c> to <c>fMax</c>, snapped to FFT bins with duplicates removed,
/// each filter normalised to unit area. Low bands collapse to single bins, so the bass keeps its resolution while
/// the highs are pooled — the front end of SuperFlux (Böck &amp; Widmer, "Maximum filter vibrato suppression for onset
/// detection", DAFx 2013).
/// </summary>
public sealed class LogFilterbank
{
    private readonly int[] _start;
    private readonly float[][] _weights;

    /// <summary>Builds the filterbank for an STFT of <paramref name="nFft"/> samples at <paramref name="sampleRate"/> Hz.</summary>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="nFft">FFT length in samples.</param>
    /// <param name="bandsPerOctave">Bands per octave (24 as in SuperFlux).</param>
    /// <param name="fMin">Lowest band centre in Hz.</param>
    /// <param name="fMax">Highest band centre in Hz (clipped to the Nyquist frequency).</param>
    /// <exception cref="MusicMLException">A non-positive size or rate, or an empty frequency range.</exception>
    public LogFilterbank(int sampleRate, int nFft, int bandsPerOctave = 24, double fMin = 30.0, double fMax = 17000.0)
    {
        InputGuard.SampleRate(sampleRate);
        if (nFft < 16) throw new MusicMLException($"nFft must be at least 16 samples; got {nFft}.");
        if (bandsPerOctave <= 0) throw new MusicMLException($"bandsPerOctave must be positive; got {bandsPerOctave}.");
        InputGuard.Positive(fMin, nameof(fMin));
        fMax = Math.Min(fMax, sampleRate / 2.0);
        if (fMin >= fMax) throw new MusicMLException($"fMin ({fMin} Hz) must be below fMax ({fMax} Hz).");

        int bins = nFft / 2 + 1;
        double binWidth = (double)sampleRate / nFft;
        // Centres on a 440 Hz-anchored grid, as madmom's log_frequencies, so that bands align with semitones.
        var centres = new List<int>();
        int lo = (int)Math.Floor(bandsPerOctave * Math.Log2(fMin / 440.0));
        int hi = (int)Math.Ceiling(bandsPerOctave * Math.Log2(fMax / 440.0));
        for (int i = lo; i <= hi; i++)
        {
            double f = 440.0 * Math.Pow(2.0, (double)i / bandsPerOctave);
            if (f < fMin || f > fMax) continue;
            int bin = Math.Clamp((int)Math.Round(f / binWidth), 0, bins - 1);
            if (centres.Count == 0 || centres[^1] != bin) centres.Add(bin);
        }
        if (centres.Count < 3) throw new MusicMLException($"The range {fMin}–{fMax} Hz spans fewer than 3 FFT bins at nFft = {nFft}.");

        int bands = centres.Count - 2;
        _start = new int[bands];
        _weights = new float[bands][];
        CentreFrequencies = new double[bands];
        for (int b = 0; b < bands; b++)
        {
            int start = centres[b], centre = centres[b + 1], stop = centres[b + 2];
            if (stop - start < 2) { centre = start; stop = start + 1; }
            var w = new float[stop - start];
            for (int k = start; k < centre; k++) w[k - start] = (float)(k - start) / (centre - start);
            for (int k = centre; k < stop; k++) w[k - start] = 1f - (float)(k - centre) / (stop - centre);
            float sum = 0;
            foreach (var v in w) sum += v;
            for (int k = 0; k < w.Length; k++) w[k] /= sum;
            _start[b] = start;
            _weights[b] = w;
            CentreFrequencies[b] = centre * binWidth;
        }
        Bins = bins;
    }

    /// <summary>Number of filter bands.</summary>
    public int Bands => _weights.Length;

    /// <summary>Number of FFT bins the filterbank expects (nFft / 2 + 1).</summary>
    public int Bins { get; }

    /// <summary>Centre frequency of each band in Hz.</summary>
    public double[] CentreFrequencies { get; }

    /// <summary>
    /// Filters a magnitude spectrogram <c>[bins, frames]</c> into <c>[bands, frames]</c> and compresses it as
    /// log10(1 + <paramref name="multiplier"/> · x), madmom's LogarithmicSpectrogram.
    /// </summary>
    /// <param name="magnitude">Magnitude spectrogram with <see cref="Bins"/> rows.</param>
    /// <param name="multiplier">Gain before the logarithm (1 in SuperFlux).</param>
    /// <exception cref="MusicMLException">The row count differs from <see cref="Bins"/>.</exception>
    public FloatMatrix Apply(FloatMatrix magnitude, double multiplier = 1.0)
    {
        ArgumentNullException.ThrowIfNull(magnitude);
        if (magnitude.Rows != Bins)
            throw new MusicMLException($"The spectrogram has {magnitude.Rows} bins; this filterbank expects {Bins} (nFft / 2 + 1).");
        InputGuard.Positive(multiplier, nameof(multiplier));
        var result = new FloatMatrix(Bands, magnitude.Columns);
        ApplyInto(magnitude, result, 0, (float)multiplier);
        return result;
    }

    /// <summary>
    /// Filters and compresses every frame of <paramref name="magnitude"/> into frames <paramref name="firstFrame"/>
    /// onwards of <paramref name="destination"/>, so a long spectrogram can be filtered block by block; each value is
    /// computed exactly as <see cref="Apply"/> computes it.
    /// </summary>
    internal void ApplyInto(FloatMatrix magnitude, FloatMatrix destination, int firstFrame, float multiplier)
    {
        int frames = magnitude.Columns;
        for (int b = 0; b < Bands; b++)
        {
            var row = destination.Row(b).Slice(firstFrame, frames);
            var w = _weights[b];
            // Rows of the [bins, frames] layout are contiguous in time, so each band is a weighted sum of whole rows.
            for (int k = 0; k < w.Length; k++)
                VectorMath.AddScaled(row, magnitude.Row(_start[b] + k), w[k] * multiplier);
            for (int t = 0; t < row.Length; t++) row[t] = MathF.Log10(1f + row[t]);
        }
    }
}
