using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// Onset strength envelopes (librosa.onset.onset_strength, onset_strength_multi): the spectral flux of a log-power
/// mel spectrogram, half-wave rectified and averaged over frequency (Böck &amp; Widmer, "Maximum filter vibrato
/// suppression for onset detection", DAFx 2013, for <c>maxSize</c> &gt; 1).
/// </summary>
public static partial class Onset
{
    /// <summary>
    /// Onset strength of a signal: mel spectrogram (<paramref name="nMels"/> bands, power) in dB (ref 1, top_db 80),
    /// then mean over bands of max(0, S[t] − ref[t − lag]), shifted by <paramref name="lag"/> + nFft / (2·hopLength)
    /// frames when <paramref name="center"/> so that peaks align with the audio. Length = number of STFT frames.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512).</param>
    /// <param name="lag">Frames between the compared spectra (default 1).</param>
    /// <param name="maxSize">Size of the maximum filter over frequency applied to the reference spectrum (default 1: none).</param>
    /// <param name="detrend">Remove the DC component with a leaky differentiator (y[n] = x[n] − x[n−1] + 0.99·y[n−1]).</param>
    /// <param name="center">Shift the envelope to compensate for centred framing (default true).</param>
    /// <param name="nMels">Number of mel bands (default 128).</param>
    /// <param name="fMax">Highest mel frequency in Hz; default sampleRate / 2.</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <returns>One value per frame.</returns>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static float[] OnsetStrength(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 2048, int hopLength = 512,
        int lag = 1, int maxSize = 1, bool detrend = false, bool center = true, int nMels = 128, double? fMax = null, DspOptions? options = null)
    {
        var mel = Features.MelSpectrogram(y, sampleRate, nFft, hopLength, nMels: nMels, fMax: fMax, options: options);
        Spectral.PowerToDb(mel.Data, mel.Data, 1.0);
        return OnsetStrengthMulti(mel, null, lag, maxSize, detrend, center, nFft, hopLength).Data;
    }

    /// <summary>
    /// Onset strength from a precomputed log-power spectrogram <paramref name="s"/> <c>[bands, frames]</c> (librosa's
    /// <c>S=</c>, e.g. a mel spectrogram in dB); <paramref name="nFft"/> and <paramref name="hopLength"/> only set the
    /// centring shift.
    /// </summary>
    /// <param name="s">Log-power spectrogram.</param>
    /// <param name="lag">Frames between the compared spectra (default 1).</param>
    /// <param name="maxSize">Size of the maximum filter over frequency for the reference (default 1: none).</param>
    /// <param name="detrend">Remove the DC component.</param>
    /// <param name="center">Shift by lag + nFft / (2·hopLength) frames (default true).</param>
    /// <param name="nFft">FFT length the spectrogram was made with (default 2048).</param>
    /// <param name="hopLength">Hop the spectrogram was made with (default 512).</param>
    /// <exception cref="MusicMLException">An empty or non-finite spectrogram, or an invalid parameter.</exception>
    public static float[] OnsetStrength(FloatMatrix s, int lag = 1, int maxSize = 1, bool detrend = false, bool center = true,
        int nFft = 2048, int hopLength = 512) =>
        OnsetStrengthMulti(s, null, lag, maxSize, detrend, center, nFft, hopLength).Data;

    /// <summary>
    /// Onset strength per frequency sub-band (librosa.onset.onset_strength_multi): the flux is averaged within each
    /// band [channels[i], channels[i+1]) of rows of <paramref name="s"/>; 0 and the row count are added as outer
    /// boundaries. Shape <c>[bands, frames]</c>; with no <paramref name="channels"/>, one band over all rows.
    /// </summary>
    /// <param name="s">Log-power spectrogram <c>[rows, frames]</c>.</param>
    /// <param name="channels">Increasing row boundaries of the sub-bands; null for a single band.</param>
    /// <param name="lag">Frames between the compared spectra (default 1).</param>
    /// <param name="maxSize">Size of the maximum filter over frequency for the reference (default 1: none).</param>
    /// <param name="detrend">Remove the DC component.</param>
    /// <param name="center">Shift by lag + nFft / (2·hopLength) frames (default true).</param>
    /// <param name="nFft">FFT length the spectrogram was made with (default 2048).</param>
    /// <param name="hopLength">Hop the spectrogram was made with (default 512).</param>
    /// <exception cref="MusicMLException">An empty or non-finite spectrogram, or invalid channels or parameters.</exception>
    public static FloatMatrix OnsetStrengthMulti(FloatMatrix s, int[]? channels = null, int lag = 1, int maxSize = 1,
        bool detrend = false, bool center = true, int nFft = 2048, int hopLength = 512)
    {
        Validation.NotEmpty(s, nameof(s));
        InputGuard.Finite(s.Data, nameof(s));
        InputGuard.Positive(lag, "lag");
        InputGuard.Positive(maxSize, "maxSize");
        InputGuard.Positive(nFft, "nFft");
        InputGuard.Positive(hopLength, "hopLength");
        int rows = s.Rows, frames = s.Columns;
        var bounds = ChannelBounds(channels, rows);
        var reference = maxSize == 1 ? s : MaximumFilterOverRows(s, maxSize);
        int shift = lag + (center ? nFft / (2 * hopLength) : 0);
        int bands = bounds.Length - 1;
        var result = new FloatMatrix(bands, frames);
        var flux = new double[Math.Max(0, frames - lag)];
        for (int b = 0; b < bands; b++)
        {
            Array.Clear(flux);
            for (int r = bounds[b]; r < bounds[b + 1]; r++)
            {
                AccumulateFlux(s.Row(r)[lag..], reference.Row(r), flux);
            }
            int count = bounds[b + 1] - bounds[b];
            // Pad `shift` zeros in front, then (librosa) detrend the padded series, then trim to the frame count.
            var output = result.Row(b);
            double previousX = 0, previousY = 0;
            int total = center ? frames : shift + flux.Length;
            for (int t = 0; t < Math.Min(total, frames); t++)
            {
                int source = t - shift;
                double x = source >= 0 && source < flux.Length ? (float)(flux[source] / count) : 0.0;
                double value = x;
                if (detrend)
                {
                    value = x - previousX + 0.99 * previousY;
                    previousX = x;
                    previousY = value;
                }
                output[t] = (float)value;
            }
        }
        return result;
    }

    /// <summary>
    /// flux[t] += max(0, next[t] − previous[t]), the difference rectified in float32 (as librosa's float32 arrays) and
    /// summed in double, SIMD-wide: the same operations per element as a scalar loop, so the same result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateFlux(ReadOnlySpan<float> next, ReadOnlySpan<float> previous, Span<double> flux)
    {
        int n = flux.Length, t = 0, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && next.Length >= n && previous.Length >= n)
        {
            ref float a = ref MemoryMarshal.GetReference(next);
            ref float b = ref MemoryMarshal.GetReference(previous);
            ref double f = ref MemoryMarshal.GetReference(flux);
            int half = Vector<double>.Count;
            for (; t <= n - width; t += width)
            {
                var rectified = Vector.Max(Vector<float>.Zero, Vector.LoadUnsafe(ref a, (nuint)t) - Vector.LoadUnsafe(ref b, (nuint)t));
                Vector.Widen(rectified, out var low, out var high);
                (Vector.LoadUnsafe(ref f, (nuint)t) + low).StoreUnsafe(ref f, (nuint)t);
                (Vector.LoadUnsafe(ref f, (nuint)(t + half)) + high).StoreUnsafe(ref f, (nuint)(t + half));
            }
        }
        for (; t < n; t++) flux[t] += Math.Max(0f, next[t] - previous[t]);
    }

    private static int[] ChannelBounds(int[]? channels, int rows)
    {
        if (channels is null || channels.Length == 0) return [0, rows];
        var bounds = new List<int> { 0 };
        foreach (var c in channels)
        {
            if (c < 0 || c > rows) throw new MusicMLException($"Channel boundary {c} is outside 0..{rows}.");
            if (c <= bounds[^1] && !(c == 0 && bounds.Count == 1))
                throw new MusicMLException($"Channel boundaries must increase; got {string.Join(", ", channels)}.");
            if (c != bounds[^1]) bounds.Add(c);
        }
        if (bounds[^1] != rows) bounds.Add(rows);
        return bounds.ToArray();
    }

    /// <summary>scipy.ndimage.maximum_filter1d over rows (frequency) with 'reflect' (edge-repeating) boundaries.</summary>
    private static FloatMatrix MaximumFilterOverRows(FloatMatrix s, int size)
    {
        int rows = s.Rows;
        var result = new FloatMatrix(rows, s.Columns);
        int before = size / 2;
        for (int r = 0; r < rows; r++)
        {
            var output = result.Row(r);
            output.Fill(float.NegativeInfinity);
            for (int j = 0; j < size; j++)
            {
                var source = s.Row(Decompose.SymmetricIndex(r - before + j, rows));
                for (int t = 0; t < output.Length; t++) output[t] = MathF.Max(output[t], source[t]);
            }
        }
        return result;
    }
}
