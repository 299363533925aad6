using System.Numerics;
using System.Runtime.CompilerServices;
using MusicML.Audio;
using MusicML.Core;

namespace MusicML.Dsp;

public static partial class Spectral
{
    /// <summary>
    /// Constant-Q transform (librosa.cqt, i.e. librosa 0.10.1's vqt with γ = 0) by recursive sub-sampling
    /// (Schörkhuber &amp; Klapuri, "Constant-Q transform toolbox for music processing", SMC 2010; Brown, "Calculation of a
    /// constant Q spectral transform", JASA 89(1), 1991): the top octave's Hann-windowed wavelets are applied as a
    /// sparse frequency-domain basis to an STFT (window of ones, frames centred) of the signal; the signal is then
    /// halved with soxr_hq (librosa.resample 2 → 1, scale=True) and the same relative filters give the next octave
    /// down, until <paramref name="nBins"/> are covered. With <paramref name="scale"/>, bin k is divided by the square
    /// root of its wavelet length, so a full-scale sinusoid has roughly the same response at every frequency.
    /// Shape <c>[nBins, frames]</c>, frames = 1 + ⌊n / hopLength⌋ (the coarsest octave's count when that is smaller).
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="hopLength">Samples between frames (default 512); each octave halves it while it stays even.</param>
    /// <param name="fMin">Frequency of the lowest bin in Hz; default C1 ≈ 32.70 Hz.</param>
    /// <param name="nBins">Number of bins (default 84: seven octaves).</param>
    /// <param name="binsPerOctave">Bins per octave (default 12).</param>
    /// <param name="tuning">Tuning deviation from A440 in fractions of a bin (default 0); null estimates it with
    /// <see cref="Tuning.EstimateTuning(ReadOnlySpan{float}, int, int, int?, double, int, DspOptions?)"/>.</param>
    /// <param name="filterScale">Scale on the wavelet lengths (default 1); smaller is shorter in time.</param>
    /// <param name="norm">Norm each wavelet is normalised to (default 1 = L1; ∞ = peak); null leaves them unnormalised.</param>
    /// <param name="sparsity">Share of each filter's spectral L1 mass that may be dropped (default 0.01); 0 keeps everything.</param>
    /// <param name="window">Window shape of the wavelets (default Hann).</param>
    /// <param name="scale">Divide each bin by √(wavelet length) (default true).</param>
    /// <param name="padMode">How frames are padded beyond the ends of the signal (default zeros).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <returns>The complex transform, <c>[nBins, frames]</c>.</returns>
    /// <exception cref="MusicMLException">Empty or non-finite audio, an invalid parameter, or filters reaching past the Nyquist frequency.</exception>
    /// <remarks>
    /// Parity with librosa 0.10.1 (max|ours − ref| / max|ref| of the magnitude) is about 2e-7 on the reference
    /// recordings with libsoxr and FFTW, and below 3e-5 with the managed resampler and FFT. The bases are built once
    /// per parameter set (sample rate, hop, tuned fMin, bins, filter settings) and cached; after that the cost is
    /// the soxr halving chain (about half) and one nFft-point FFT per frame and octave. With more than one thread the
    /// halving chain runs beside the octave responses; results are identical for every thread count.
    /// </remarks>
    public static ComplexMatrix Cqt(ReadOnlySpan<float> y, int sampleRate = 22050, int hopLength = 512, double? fMin = null,
        int nBins = 84, int binsPerOctave = 12, double? tuning = 0.0, double filterScale = 1.0, double? norm = 1.0,
        double sparsity = 0.01, WindowType window = WindowType.Hann, bool scale = true, PadMode padMode = PadMode.Constant,
        DspOptions? options = null)
    {
        options ??= DspOptions.Default;
        Validation.Audio(y);
        Validation.Positive(sampleRate, "sampleRate");
        Validation.Positive(hopLength, "hopLength");
        Validation.Positive(nBins, "nBins");
        Validation.Positive(binsPerOctave, "binsPerOctave");
        Validation.Positive(filterScale, "filterScale");
        double lowest = fMin ?? Filters.C1Hz;
        Validation.Positive(lowest, "fMin");
        if (!(sparsity >= 0 && sparsity < 1)) throw new MusicMLException($"sparsity must be in [0, 1); got {sparsity}.");
        if (norm is double p && !(p > 0)) throw new MusicMLException($"norm must be positive (or null for none); got {p}.");
        if (tuning is double t && !double.IsFinite(t)) throw new MusicMLException($"tuning must be finite; got {t}.");
        _ = options.ResolveThreads(1);

        double tune = tuning ?? Tuning.EstimateTuning(y, sampleRate, binsPerOctave: binsPerOctave, options: options);
        double tunedMin = lowest * Math.Pow(2.0, tune / binsPerOctave);
        var plan = ConstantQPlan.Get(sampleRate, hopLength, tunedMin, nBins, binsPerOctave, filterScale, norm, sparsity, window, scale);

        float[]? signal = null;
        if (plan.EarlyDownsampleFactor > 1)
        {
            if (y.Length < plan.EarlyDownsampleFactor)
                throw new MusicMLException($"The signal has {y.Length} samples, too short for a {plan.Octaves.Length}-octave CQT.");
            signal = Decimate(y, plan.EarlyDownsampleFactor);
            // Without the length scale librosa restores the energy the decimation removed.
            if (!scale)
            {
                float gain = (float)Math.Sqrt(plan.EarlyDownsampleFactor);
                for (int i = 0; i < signal.Length; i++) signal[i] *= gain;
            }
        }

        var octaves = plan.Octaves;
        // Every halving yields ⌈n / 2⌉ samples, so the frame count is known before any resampling.
        int frames = int.MaxValue;
        int length = signal?.Length ?? y.Length;
        for (int i = 0; i < octaves.Length; i++)
        {
            frames = Math.Min(frames, 1 + (length + 2 * (octaves[i].NFft / 2) - octaves[i].NFft) / octaves[i].HopLength);
            if (octaves[i].HalveAfter) length = (length + 1) / 2;
        }
        var result = new ComplexMatrix(nBins, frames);

        if (options.ResolveThreads(frames / 16) == 1)
        {
            ReadOnlySpan<float> current = signal ?? y;
            for (int i = 0; i < octaves.Length; i++)
            {
                ConstantQFrames(current, octaves[i], padMode, result, 0, frames, options.Backend);
                if (octaves[i].HalveAfter && i + 1 < octaves.Length) current = Decimate(current, 2);
            }
            return result;
        }

        // The halving chain is sequential; it runs on its own task while the octaves already resampled are split
        // across the other threads, so the slower of the two sets the time rather than their sum.
        var signals = new TaskCompletionSource<float[]>[octaves.Length];
        for (int i = 0; i < signals.Length; i++) signals[i] = new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        signals[0].SetResult(signal ?? y.ToArray());
        var chain = Task.Run(() =>
        {
            try
            {
                var current = signals[0].Task.Result;
                for (int i = 1; i < octaves.Length; i++)
                {
                    if (octaves[i - 1].HalveAfter) current = Decimate(current, 2);
                    signals[i].SetResult(current);
                }
            }
            catch (Exception e)
            {
                for (int i = 1; i < signals.Length; i++) signals[i].TrySetException(e);
            }
        });
        for (int i = 0; i < octaves.Length; i++)
        {
            var basis = octaves[i];
            var octaveSignal = signals[i].Task.GetAwaiter().GetResult();
            options.ForChunks(frames, (start, end) => ConstantQFrames(octaveSignal, basis, padMode, result, start, end, options.Backend));
        }
        chain.GetAwaiter().GetResult();
        return result;
    }

    /// <summary>librosa.resample(y, orig_sr=factor, target_sr=1, res_type='soxr_hq', scale=True).</summary>
    private static float[] Decimate(ReadOnlySpan<float> y, int factor)
    {
        var result = Resampler.Resample(y, factor, 1, ResampleQuality.High);
        // numpy divides the float32 signal by the float32-rounded √ratio.
        float divisor = (float)Math.Sqrt(1.0 / factor);
        var span = result.AsSpan();
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var d = new Vector<float>(divisor);
            for (; i <= span.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(span[i..]) / d).CopyTo(span[i..]);
        }
        for (; i < span.Length; i++) span[i] /= divisor;
        return result;
    }

    /// <summary>
    /// Frames [start, end) of one octave: each centred frame of nFft samples (librosa.stft with a window of ones) is
    /// transformed and projected on the octave's sparse basis. Frames inside the signal are read in place; only the
    /// few that overhang its ends are assembled with numpy.pad's values.
    /// </summary>
    // AggressiveOptimization: one call covers every frame of an octave, which would otherwise run as OSR code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConstantQFrames(ReadOnlySpan<float> signal, OctaveBasis basis, PadMode padMode, ComplexMatrix result,
        int start, int end, FftBackend backend)
    {
        int nFft = basis.NFft, hop = basis.HopLength, half = nFft / 2, frames = result.Columns;
        var fft = RealFft.Create(nFft, backend);
        var spectrum = new AlignedBuffer(2 * fft.Bins);
        var frame = new AlignedBuffer(nFft);
        var output = result.Data;
        var rows = basis.Rows;
        var weights = basis.Weights;
        int lanes = Vector<float>.Count, perGroup = OctaveBasis.FiltersPerGroup;
        for (int t = start; t < end; t++)
        {
            int first = t * hop - half;
            var frameSpan = frame.Span;
            if (first >= 0 && first + nFft <= signal.Length)
                signal.Slice(first, nFft).CopyTo(frameSpan);
            else
                for (int i = 0; i < nFft; i++) frameSpan[i] = PaddedSample(signal, first + i, padMode);
            var s = spectrum.Span;
            fft.Forward(frameSpan, s);
            for (int g = 0; g < basis.GroupStart.Length; g++)
            {
                var bins = s.Slice(basis.GroupStart[g], basis.GroupLength[g]);
                var w = weights.AsSpan(basis.GroupOffset[g], bins.Length * lanes);
                var acc = Vector<float>.Zero;
                for (int j = 0; j < bins.Length; j++)
                    acc += new Vector<float>(bins[j]) * new Vector<float>(w.Slice(j * lanes, lanes));
                int firstFilter = g * perGroup, filters = Math.Min(perGroup, rows.Length - firstFilter);
                for (int m = 0; m < filters; m++)
                {
                    int index = 2 * (rows[firstFilter + m] * frames + t);
                    output[index] = acc[2 * m];
                    output[index + 1] = acc[2 * m + 1];
                }
            }
        }
    }

    /// <summary>Sample <paramref name="index"/> of numpy.pad(signal, mode) for an index possibly outside the signal.</summary>
    private static float PaddedSample(ReadOnlySpan<float> signal, int index, PadMode mode)
    {
        int n = signal.Length;
        if ((uint)index < (uint)n) return signal[index];
        switch (mode)
        {
            case PadMode.Constant:
                return 0f;
            case PadMode.Edge:
                return index < 0 ? signal[0] : signal[n - 1];
            default:
                if (n < 2) throw new MusicMLException($"Reflect padding needs at least 2 samples; the signal has {n}.");
                return signal[ReflectIndex(index, n)];
        }
    }
}
