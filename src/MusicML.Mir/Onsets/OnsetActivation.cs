using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Mir.Onsets;

/// <summary>The onset activation functions <see cref="OnsetActivation"/> offers.</summary>
public enum OnsetMethod
{
    /// <summary>SuperFlux: flux against a frequency-max-filtered earlier frame (Böck &amp; Widmer 2013). The default.</summary>
    SuperFlux,

    /// <summary>Spectral flux on the log-filtered spectrogram (Masri 1996; Dixon, "Onset detection revisited", DAFx 2006).</summary>
    SpectralFlux,

    /// <summary>Rectified complex-domain deviation (Duxbury, Bello, Davies &amp; Sandler, DAFx 2003; Dixon 2006).</summary>
    ComplexDomain,
}

/// <summary>
/// Onset activation functions (detection functions) over a <see cref="RhythmSpectrogram"/>. Each returns one value
/// per frame; peaks mark likely onsets.
/// </summary>
public static class OnsetActivation
{
    /// <summary>Computes the activation <paramref name="method"/> of a precomputed spectrogram.</summary>
    /// <exception cref="MusicMLException"><see cref="OnsetMethod.ComplexDomain"/> on a spectrogram computed without <c>keepStft</c>.</exception>
    public static OnsetEnvelope Compute(RhythmSpectrogram spectrogram, OnsetMethod method = OnsetMethod.SuperFlux)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        var values = method switch
        {
            OnsetMethod.SuperFlux => SuperFlux(spectrogram.LogSpectrogram, spectrogram.DiffFrames),
            OnsetMethod.SpectralFlux => SpectralFlux(spectrogram.LogSpectrogram, spectrogram.DiffFrames),
            OnsetMethod.ComplexDomain => ComplexDomain(spectrogram.Stft ?? throw new MusicMLException(
                "Complex-domain onsets need the complex STFT: compute the RhythmSpectrogram with keepStft: true.")),
            _ => throw new MusicMLException($"Unknown onset method {method}."),
        };
        return new OnsetEnvelope(values, spectrogram.FrameRate);
    }

    /// <summary>
    /// SuperFlux summed over the bands of <paramref name="spectrogram"/> centred at or below <paramref name="maxHz"/>
    /// (e.g. leaving out cymbals and hi-hats, which mark subdivisions rather than beats).
    /// </summary>
    /// <exception cref="MusicMLException">A non-positive frequency or one below the lowest band.</exception>
    public static OnsetEnvelope SuperFluxBelow(RhythmSpectrogram spectrogram, double maxHz)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        InputGuard.Positive(maxHz, nameof(maxHz));
        int bands = spectrogram.Filterbank.CentreFrequencies.Count(f => f <= maxHz);
        if (bands == 0) throw new MusicMLException($"maxHz = {maxHz} Hz lies below the lowest band ({spectrogram.Filterbank.CentreFrequencies[0]:F1} Hz).");
        return new OnsetEnvelope(SuperFlux(spectrogram.LogSpectrogram, spectrogram.DiffFrames, 3, 0, bands), spectrogram.FrameRate);
    }

    /// <summary>
    /// Spectral flux: Σ_bands max(S[b, t] − S[b, t − lag], 0) over a (log-compressed) spectrogram <c>[bands, frames]</c>
    /// (Masri 1996; in its log-filtered form Böck, Krebs &amp; Schedl, ISMIR 2012). Frames before <paramref name="lag"/> are 0.
    /// </summary>
    /// <param name="spectrogram">Spectrogram <c>[bands, frames]</c>, e.g. <see cref="RhythmSpectrogram.LogSpectrogram"/>.</param>
    /// <param name="lag">Frames between the compared spectra (≥ 1).</param>
    public static float[] SpectralFlux(FloatMatrix spectrogram, int lag = 1) => SuperFlux(spectrogram, lag, maxBins: 1);

    /// <summary>
    /// SuperFlux (Böck &amp; Widmer, "Maximum filter vibrato suppression for onset detection", DAFx 2013): spectral flux
    /// where the earlier frame is first max-filtered over <paramref name="maxBins"/> neighbouring bands, so vibrato and
    /// glides that move energy by a band do not count as onsets.
    /// </summary>
    /// <param name="spectrogram">Log-filtered spectrogram <c>[bands, frames]</c>.</param>
    /// <param name="lag">Frames between the compared spectra (≥ 1).</param>
    /// <param name="maxBins">Width of the maximum filter across bands (odd, ≥ 1; 3 in the paper).</param>
    /// <param name="firstBand">First band summed (lets a caller take, e.g., only the bass bands).</param>
    /// <param name="bandCount">Number of bands summed; default all from <paramref name="firstBand"/>.</param>
    /// <exception cref="MusicMLException">Invalid lag, filter width or band range.</exception>
    public static float[] SuperFlux(FloatMatrix spectrogram, int lag = 1, int maxBins = 3, int firstBand = 0, int? bandCount = null)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        if (lag < 1) throw new MusicMLException($"lag must be at least 1 frame; got {lag}.");
        if (maxBins < 1 || maxBins % 2 == 0) throw new MusicMLException($"maxBins must be odd and positive; got {maxBins}.");
        int count = bandCount ?? spectrogram.Rows - firstBand;
        if (firstBand < 0 || count < 1 || firstBand + count > spectrogram.Rows)
            throw new MusicMLException($"Bands {firstBand}..{firstBand + count - 1} lie outside the spectrogram's {spectrogram.Rows} bands.");
        int frames = spectrogram.Columns;
        var activation = new float[frames];
        if (frames <= lag) return activation;
        var filtered = new float[frames];
        int half = maxBins / 2;
        for (int b = firstBand; b < firstBand + count; b++)
        {
            var reference = spectrogram.Row(b);
            if (half > 0)
            {
                reference.CopyTo(filtered);
                for (int o = Math.Max(0, b - half); o <= Math.Min(spectrogram.Rows - 1, b + half); o++)
                    if (o != b) VectorMath.Max(filtered, spectrogram.Row(o), filtered);
                reference = filtered;
            }
            VectorMath.AddRectifiedDifference(spectrogram.Row(b)[lag..], reference[..(frames - lag)], activation.AsSpan(lag));
        }
        return activation;
    }

    /// <summary>
    /// Rectified complex-domain onset detection (Duxbury, Bello, Davies &amp; Sandler, DAFx 2003; rectified as in Dixon,
    /// DAFx 2006): Σ_bins |X[k, t] − X̂[k, t]| over bins whose magnitude rises, where X̂ continues the magnitude and the
    /// phase increment of the two previous frames. Catches soft, pitched onsets that barely change the magnitude.
    /// </summary>
    /// <param name="stft">Complex STFT <c>[bins, frames]</c>.</param>
    public static float[] ComplexDomain(ComplexMatrix stft)
    {
        ArgumentNullException.ThrowIfNull(stft);
        int bins = stft.Rows, frames = stft.Columns;
        var activation = new float[frames];
        var data = stft.Data;
        for (int k = 0; k < bins; k++)
        {
            int row = 2 * k * frames;
            for (int t = 2; t < frames; t++)
            {
                int i = row + 2 * t;
                float re = data[i], im = data[i + 1];
                float re1 = data[i - 2], im1 = data[i - 1];
                float re2 = data[i - 4], im2 = data[i - 3];
                float magnitude = MathF.Sqrt(re * re + im * im);
                float magnitude1 = MathF.Sqrt(re1 * re1 + im1 * im1);
                if (magnitude <= magnitude1) continue;
                // Predicted phase 2φ₁ − φ₂, built from unit phasors to avoid atan2: e^{j(2φ₁−φ₂)} = (u₁)² · conj(u₂).
                float magnitude2 = MathF.Sqrt(re2 * re2 + im2 * im2);
                float predictedRe = magnitude1, predictedIm = 0f;
                if (magnitude1 > 0 && magnitude2 > 0)
                {
                    float u1r = re1 / magnitude1, u1i = im1 / magnitude1, u2r = re2 / magnitude2, u2i = -im2 / magnitude2;
                    float sqr = u1r * u1r - u1i * u1i, sqi = 2 * u1r * u1i;
                    predictedRe = magnitude1 * (sqr * u2r - sqi * u2i);
                    predictedIm = magnitude1 * (sqr * u2i + sqi * u2r);
                }
                float dr = re - predictedRe, di = im - predictedIm;
                activation[t] += MathF.Sqrt(dr * dr + di * di);
            }
        }
        return activation;
    }
}
