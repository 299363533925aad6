using System.Collections.Concurrent;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// The frequency-domain filter bank of one octave of a constant-Q transform, sparsified as librosa does, laid out for
/// SIMD: filters are taken <see cref="FiltersPerGroup"/> at a time (one vector lane for the real and one for the
/// imaginary part of each), and a group stores, for every float of the interleaved spectrum its filters touch, one
/// vector of weights. A frame's response is then Σ broadcast(spectrum[j]) × weights[j]: no horizontal sums, no
/// shuffles. Per bin, the real lane holds (w.re, −w.im) and the imaginary lane (w.im, w.re) against (re, im).
/// Weights include the downsampling compensation and the final 1/√length scale.
/// </summary>
internal sealed class OctaveBasis
{
    public static int FiltersPerGroup => System.Numerics.Vector<float>.Count / 2;

    public required int NFft { get; init; }

    public required int HopLength { get; init; }

    /// <summary>Output row of each filter, lowest first; filters trimmed off the bottom of the transform are absent.</summary>
    public required int[] Rows { get; init; }

    /// <summary>Per group: the first float of the interleaved spectrum it reads.</summary>
    public required int[] GroupStart { get; init; }

    /// <summary>Per group: how many consecutive spectrum floats it reads.</summary>
    public required int[] GroupLength { get; init; }

    /// <summary>Per group: where its weight vectors begin in <see cref="Weights"/> (in floats).</summary>
    public required int[] GroupOffset { get; init; }

    /// <summary>The weight vectors of every group, <c>Vector&lt;float&gt;.Count</c> floats per spectrum float.</summary>
    public required float[] Weights { get; init; }

    /// <summary>
    /// The same filters as time-domain taps over a frame's nFft samples, or null where the FFT and sparse product
    /// is cheaper: the response of filter m to frame x is Σₙ x[n]·(Taps[2m, n] + i·Taps[2m + 1, n]), because
    /// Σ_b rfft(x)[b]·W[b] = Σₙ x[n]·Σ_b W[b]·e^{−2πibn/nFft}. Row-major <c>[TapRows, nFft]</c>; rows past
    /// 2·<see cref="Rows"/>.Length are zero padding to a multiple of <see cref="TapRowsPerGroup"/>.
    /// </summary>
    public required AlignedBuffer? Taps { get; init; }

    /// <summary>Rows of <see cref="Taps"/>, padding included.</summary>
    public required int TapRows { get; init; }

    /// <summary>Tap rows the direct product computes together (two filters: their real and imaginary rows).</summary>
    public const int TapRowsPerGroup = 4;

    /// <summary>
    /// Whether the direct product (2·filters·nFft multiply-adds a frame) beats an nFft-point FFT plus the sparse
    /// product. Measured per frame on an AVX-512 Xeon: direct ≈ 0.032 ns per tap·row, FFT path ≈ 0.19 ns per
    /// nFft·log₂ nFft, so the break-even is about 6·log₂ nFft rows; 5 leaves the margin to the FFT. The default CQT
    /// (12 filters, 24 rows, nFft 256: 0.2 against 0.39 µs) goes direct, chroma_cqt's 36 filters at nFft 1024
    /// (72 rows: 2.2 against 1.8 µs) keep the FFT.
    /// </summary>
    public static bool DirectIsCheaper(int tapRows, int nFft) =>
        nFft % System.Numerics.Vector<float>.Count == 0 && tapRows <= 5 * System.Numerics.BitOperations.Log2((uint)nFft);

    /// <summary>Whether the signal is halved (librosa.resample 2 → 1, scale=True) before the next octave.</summary>
    public required bool HalveAfter { get; init; }
}

/// <summary>
/// Everything about a constant-Q transform that does not depend on the signal: the early-downsampling factor and the
/// per-octave sparse bases (Schörkhuber &amp; Klapuri, "Constant-Q transform toolbox for music processing", SMC 2010),
/// built with librosa 0.10.1's <c>vqt</c> definitions and cached per parameter set.
/// </summary>
internal sealed class ConstantQPlan
{
    // librosa's BW_FASTEST: resampy kaiser_fast's roll-off, used only to decide early downsampling.
    private const double FastestBandwidth = 0.85;

    /// <summary>
    /// Plans kept: a file's CQT chroma needs one plan per tuning-shifted fMin, so a catalogue would otherwise keep one
    /// per distinct tuning (a few MB each); eight cover the plans one analysis reuses with room to spare.
    /// </summary>
    internal const int CacheCapacity = 8;

    private static readonly BoundedCache<Key, ConstantQPlan> Cache = new(CacheCapacity);

    /// <summary>Plans held now (at most <see cref="CacheCapacity"/>).</summary>
    internal static int CachedPlans => Cache.Count;

    private readonly record struct Key(double SampleRate, int HopLength, double FMin, int NBins, int BinsPerOctave,
        double FilterScale, double? Norm, double Sparsity, WindowType Window, bool Scale);

    private ConstantQPlan(Key key)
    {
        int nOctaves = (key.NBins + key.BinsPerOctave - 1) / key.BinsPerOctave;
        int nFilters = Math.Min(key.BinsPerOctave, key.NBins);
        var frequencies = Frequencies.Cqt(key.NBins, key.FMin, key.BinsPerOctave);
        double alpha = Filters.ConstantQAlpha(key.BinsPerOctave);
        var (_, cutoff) = Filters.WaveletLengths(frequencies, key.SampleRate, alpha, key.Window, key.FilterScale);
        double nyquist = key.SampleRate / 2.0;
        if (cutoff > nyquist)
            throw new MusicMLException(
                $"A constant-Q filter reaches {cutoff:F1} Hz, above the Nyquist frequency {nyquist} Hz: reduce nBins ({key.NBins}) or fMin ({key.FMin:F2} Hz).");

        int downsampleCount = EarlyDownsampleCount(nyquist, cutoff, key.HopLength, nOctaves);
        EarlyDownsampleFactor = 1 << downsampleCount;
        double sampleRate = key.SampleRate / EarlyDownsampleFactor;
        int hop = key.HopLength / EarlyDownsampleFactor;
        // The final scale uses lengths at the rate after early downsampling, as librosa recomputes them there.
        var (scaleLengths, _) = Filters.WaveletLengths(frequencies, sampleRate, alpha, key.Window, key.FilterScale);

        var octaves = new OctaveBasis[nOctaves];
        double octaveRate = sampleRate;
        int end = key.NBins;
        for (int i = 0; i < nOctaves; i++)
        {
            // librosa's slice freqs[-n·(i+1) : -n·i] clips at the bottom, so the lowest octave may be partial.
            int hi = key.NBins - nFilters * i;
            var octaveFrequencies = frequencies[Math.Max(0, hi - nFilters)..hi];
            double rescale = Math.Sqrt(sampleRate / octaveRate);
            bool halve = hop % 2 == 0;
            octaves[i] = BuildOctave(octaveFrequencies, octaveRate, alpha, key, hop, rescale, scaleLengths, end, halve);
            end -= octaveFrequencies.Length;
            if (halve)
            {
                hop /= 2;
                octaveRate /= 2.0;
            }
        }
        Octaves = octaves;
    }

    /// <summary>2^(early downsampling count): the signal is decimated by this before the first octave.</summary>
    public int EarlyDownsampleFactor { get; }

    /// <summary>The octaves, highest first.</summary>
    public OctaveBasis[] Octaves { get; }

    public static ConstantQPlan Get(double sampleRate, int hopLength, double fMin, int nBins, int binsPerOctave,
        double filterScale, double? norm, double sparsity, WindowType window, bool scale) =>
        Cache.GetOrAdd(new Key(sampleRate, hopLength, fMin, nBins, binsPerOctave, filterScale, norm, sparsity, window, scale),
            key => new ConstantQPlan(key));

    private static int EarlyDownsampleCount(double nyquist, double cutoff, int hopLength, int nOctaves)
    {
        int count1 = Math.Max(0, (int)Math.Ceiling(Math.Log2(FastestBandwidth * nyquist / cutoff)) - 1 - 1);
        int twos = 0;
        for (int h = hopLength; h > 0 && h % 2 == 0; h /= 2) twos++;
        int count2 = Math.Max(0, twos - nOctaves + 1);
        return Math.Min(count1, count2);
    }

    private static OctaveBasis BuildOctave(double[] frequencies, double octaveRate, double alpha, Key key, int hop,
        double rescale, double[] scaleLengths, int end, bool halve)
    {
        var (lengths, _) = Filters.WaveletLengths(frequencies, octaveRate, alpha, key.Window, key.FilterScale);
        double maxLength = lengths.Max();
        int nFft = checked((int)Math.Pow(2.0, Math.Ceiling(Math.Log2(maxLength))));
        int bins = nFft / 2 + 1;
        int n = frequencies.Length;
        // librosa keeps the highest `end` filters when fewer rows remain than the octave has.
        int skip = Math.Max(0, n - end);
        int firstRow = end - (n - skip);

        int count = n - skip;
        var rows = new int[count];
        var start = new int[count];
        var stop = new int[count];
        var weights = new (float Re, float Im)[count][];
        var buffer = new System.Numerics.Complex[nFft];
        var spectrum = new double[2 * bins];
        for (int j = 0; j < count; j++)
        {
            int k = skip + j;
            Wavelet(frequencies[k], lengths[k], octaveRate, key.Window, key.Norm, nFft, buffer);
            FourierTransform(buffer);
            for (int b = 0; b < bins; b++)
            {
                spectrum[2 * b] = buffer[b].Real;
                spectrum[2 * b + 1] = buffer[b].Imaginary;
            }
            var (keepFrom, keepTo, threshold) = Sparsify(spectrum, bins, key.Sparsity);
            rows[j] = firstRow + j;
            double factor = rescale * (key.Scale ? 1.0 / Math.Sqrt(scaleLengths[rows[j]]) : 1.0);
            start[j] = keepFrom;
            stop[j] = keepTo + 1;
            weights[j] = new (float, float)[keepTo - keepFrom + 1];
            for (int b = keepFrom; b <= keepTo; b++)
            {
                double re = spectrum[2 * b], im = spectrum[2 * b + 1];
                bool kept = Math.Sqrt(re * re + im * im) >= threshold;
                // librosa stores the sparse basis in complex64 and scales it afterwards.
                weights[j][b - keepFrom] = kept ? ((float)((float)re * factor), (float)((float)im * factor)) : (0f, 0f);
            }
        }

        int lanes = System.Numerics.Vector<float>.Count, perGroup = OctaveBasis.FiltersPerGroup;
        int groups = (count + perGroup - 1) / perGroup;
        var groupStart = new int[groups];
        var groupLength = new int[groups];
        var groupOffset = new int[groups];
        var packed = new List<float>();
        for (int g = 0; g < groups; g++)
        {
            int firstFilter = g * perGroup, endFilter = Math.Min(count, firstFilter + perGroup);
            int fromBin = int.MaxValue, toBin = 0;
            for (int j = firstFilter; j < endFilter; j++)
            {
                fromBin = Math.Min(fromBin, start[j]);
                toBin = Math.Max(toBin, stop[j]);
            }
            groupStart[g] = 2 * fromBin;
            groupLength[g] = 2 * (toBin - fromBin);
            groupOffset[g] = packed.Count;
            var block = new float[groupLength[g] * lanes];
            for (int j = firstFilter; j < endFilter; j++)
            {
                int lane = 2 * (j - firstFilter);
                for (int b = start[j]; b < stop[j]; b++)
                {
                    var (wr, wi) = weights[j][b - start[j]];
                    int position = 2 * (b - fromBin);
                    block[position * lanes + lane] = wr;
                    block[(position + 1) * lanes + lane] = -wi;
                    block[position * lanes + lane + 1] = wi;
                    block[(position + 1) * lanes + lane + 1] = wr;
                }
            }
            packed.AddRange(block);
        }
        int tapRows = (2 * count + OctaveBasis.TapRowsPerGroup - 1) / OctaveBasis.TapRowsPerGroup * OctaveBasis.TapRowsPerGroup;
        return new OctaveBasis
        {
            Taps = OctaveBasis.DirectIsCheaper(tapRows, nFft) ? TimeDomainTaps(weights, start, stop, tapRows, nFft) : null,
            TapRows = tapRows,
            NFft = nFft,
            HopLength = hop,
            Rows = rows,
            GroupStart = groupStart,
            GroupLength = groupLength,
            GroupOffset = groupOffset,
            Weights = packed.ToArray(),
            HalveAfter = halve,
        };
    }

    /// <summary>The inverse-direction DFT of each filter's sparse spectrum, in double: see <see cref="OctaveBasis.Taps"/>.</summary>
    private static AlignedBuffer TimeDomainTaps((float Re, float Im)[][] weights, int[] start, int[] stop, int tapRows, int nFft)
    {
        int count = weights.Length;
        var buffer = new AlignedBuffer(tapRows * nFft);
        var taps = buffer.Span;
        var sum = new double[2 * nFft];
        var cosine = new double[nFft];
        var sine = new double[nFft];
        for (int s = 0; s < nFft; s++)
        {
            cosine[s] = Math.Cos(2 * Math.PI * s / nFft);
            sine[s] = Math.Sin(2 * Math.PI * s / nFft);
        }
        for (int j = 0; j < count; j++)
        {
            Array.Clear(sum);
            for (int b = start[j]; b < stop[j]; b++)
            {
                var (wr, wi) = weights[j][b - start[j]];
                if (wr == 0 && wi == 0) continue;
                // e^{−2πibs/nFft} from a table indexed by b·s mod nFft (nFft is a power of two).
                for (int s = 0, phase = 0; s < nFft; s++, phase = (phase + b) & (nFft - 1))
                {
                    double cos = cosine[phase], sin = sine[phase];
                    sum[2 * s] += wr * cos + wi * sin;
                    sum[2 * s + 1] += wi * cos - wr * sin;
                }
            }
            for (int s = 0; s < nFft; s++)
            {
                taps[2 * j * nFft + s] = (float)sum[2 * s];
                taps[(2 * j + 1) * nFft + s] = (float)sum[2 * s + 1];
            }
        }
        return buffer;
    }

    /// <summary>
    /// One time-domain wavelet (librosa.filters.wavelet with pad_fft): a Hann-windowed complex exponential of
    /// ⌈length⌉ samples, normalised, centred in nFft samples, rounded to complex64 and scaled by length / nFft.
    /// </summary>
    private static void Wavelet(double frequency, double length, double sampleRate, WindowType window, double? norm,
        int nFft, System.Numerics.Complex[] destination)
    {
        Array.Clear(destination);
        double first = Math.Floor(-length / 2), stop = Math.Floor(length / 2);
        int n = (int)(stop - first);
        double[] w = Windows.GetDouble(window, n); // scipy's get_window(fftbins=True), in double as librosa builds wavelets
        var sig = new System.Numerics.Complex[n];
        for (int j = 0; j < n; j++)
        {
            double angle = (first + j) * 2 * Math.PI * frequency / sampleRate;
            sig[j] = new System.Numerics.Complex(Math.Cos(angle) * w[j], Math.Sin(angle) * w[j]);
        }
        double normalizer = NormLength(sig, norm);
        int left = (nFft - n) / 2;
        double renormalise = length / nFft;
        for (int j = 0; j < n; j++)
        {
            var z = sig[j] / normalizer;
            float re = (float)z.Real, im = (float)z.Imaginary;
            destination[left + j] = new System.Numerics.Complex((float)(re * renormalise), (float)(im * renormalise));
        }
    }

    // util.normalize on a vector: the p-norm (max for ∞), left at 1 when below the smallest normal double.
    private static double NormLength(System.Numerics.Complex[] values, double? norm)
    {
        if (norm is not double p) return 1.0;
        double result;
        if (double.IsPositiveInfinity(p))
        {
            result = 0;
            foreach (var v in values) result = Math.Max(result, v.Magnitude);
        }
        else
        {
            double sum = 0;
            foreach (var v in values) sum += p == 1 ? v.Magnitude : Math.Pow(v.Magnitude, p);
            result = p == 1 ? sum : Math.Pow(sum, 1.0 / p);
        }
        return result < 2.2250738585072014e-308 ? 1.0 : result;
    }

    /// <summary>
    /// librosa.util.sparsify_rows on one row: sort the magnitudes, find the first whose cumulative share of the L1 norm
    /// reaches <paramref name="quantile"/>, and keep every bin at least that large. Returns the kept run's first and
    /// last bins and the magnitude threshold.
    /// </summary>
    private static (int From, int To, double Threshold) Sparsify(double[] spectrum, int bins, double quantile)
    {
        var magnitudes = new double[bins];
        double total = 0;
        for (int b = 0; b < bins; b++)
        {
            magnitudes[b] = Math.Sqrt(spectrum[2 * b] * spectrum[2 * b] + spectrum[2 * b + 1] * spectrum[2 * b + 1]);
            total += magnitudes[b];
        }
        var sorted = (double[])magnitudes.Clone();
        Array.Sort(sorted);
        double cumulative = 0;
        int index = 0;
        for (; index < bins; index++)
        {
            cumulative += sorted[index] / total;
            if (!(cumulative < quantile)) break;
        }
        if (index == bins) index = 0; // numpy's argmin of an all-True mask is 0
        double threshold = sorted[index];
        int from = Array.FindIndex(magnitudes, m => m >= threshold);
        int to = Array.FindLastIndex(magnitudes, m => m >= threshold);
        return (from, to, threshold);
    }

    /// <summary>In-place radix-2 complex FFT (e^{−2πikn/N}) in double, as numpy.fft transforms the wavelets.</summary>
    private static void FourierTransform(System.Numerics.Complex[] data)
    {
        int n = data.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j |= bit;
            if (i < j) (data[i], data[j]) = (data[j], data[i]);
        }
        for (int size = 2; size <= n; size <<= 1)
        {
            double angle = -2 * Math.PI / size;
            for (int s = 0; s < n; s += size)
            {
                for (int k = 0; k < size / 2; k++)
                {
                    var twiddle = System.Numerics.Complex.FromPolarCoordinates(1.0, angle * k);
                    var a = data[s + k];
                    var b = data[s + k + size / 2] * twiddle;
                    data[s + k] = a + b;
                    data[s + k + size / 2] = a - b;
                }
            }
        }
    }
}
