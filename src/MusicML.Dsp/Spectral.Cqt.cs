using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MusicML.Audio;
using MusicML.Core;

namespace MusicML.Dsp;

public static partial class Spectral
{
    /// <summary>
    /// Constant-Q transform (librosa.cqt, i.e. librosa 0.10.1's vqt with γ = 0) by recursive sub-sampling
    /// (Schörkhuber &amp; Klapuri, "Constant-Q transform toolbox for music processing", SMC 2010; Brown, "Calculation of a
    /// constant Q spectral transform", JASA 89(1), 1991): the top octave's Hann-windowed wavelets are applied as a
    /// sparse frequency-domain basis to an STFT (window of ones, frames centred) of the signal, or, where it is
    /// cheaper, as the equivalent time-domain taps to the same frames; the signal is then
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
    /// the soxr halving chain (about half) and, per frame and octave, either the 2·filters·nFft multiply-adds of the
    /// time-domain taps (the default 12 bins per octave) or one nFft-point FFT and the sparse product (chroma_cqt's
    /// 36, where that is cheaper), the FFT engine in <paramref name="options"/> only mattering then. On one thread
    /// the signal makes a single pass in blocks down the whole halving chain, each octave's frames computed while its
    /// block is in cache, so no octave's signal is held whole; with more than one thread the chain halves whole
    /// signals beside the octave responses. Results are identical for every thread count.
    /// </remarks>
    public static ComplexMatrix Cqt(ReadOnlySpan<float> y, int sampleRate = 22050, int hopLength = 512, double? fMin = null,
        int nBins = 84, int binsPerOctave = 12, double? tuning = 0.0, double filterScale = 1.0, double? norm = 1.0,
        double sparsity = 0.01, WindowType window = WindowType.Hann, bool scale = true, PadMode padMode = PadMode.Constant,
        DspOptions? options = null)
    {
        options ??= DspOptions.Default;
        if (y.IsEmpty) InputGuard.Audio(y);
        InputGuard.SampleRate(sampleRate);
        InputGuard.Positive(hopLength, "hopLength");
        InputGuard.Positive(nBins, "nBins");
        InputGuard.Positive(binsPerOctave, "binsPerOctave");
        InputGuard.Positive(filterScale, "filterScale");
        double lowest = fMin ?? Filters.C1Hz;
        InputGuard.Positive(lowest, "fMin");
        if (!(sparsity >= 0 && sparsity < 1)) throw new MusicMLException($"sparsity must be in [0, 1); got {sparsity}.");
        if (norm is double p && !(p > 0)) throw new MusicMLException($"norm must be positive (or null for none); got {p}.");
        if (tuning is double t && !double.IsFinite(t)) throw new MusicMLException($"tuning must be finite; got {t}.");
        _ = options.ResolveThreads(1);

        bool validated = tuning is null;
        if (validated) InputGuard.Audio(y);
        double tune = tuning ?? Tuning.EstimateTuning(y, sampleRate, binsPerOctave: binsPerOctave, options: options);
        double tunedMin = lowest * Math.Pow(2.0, tune / binsPerOctave);
        var plan = ConstantQPlan.Get(sampleRate, hopLength, tunedMin, nBins, binsPerOctave, filterScale, norm, sparsity, window, scale);

        int earlyFactor = plan.EarlyDownsampleFactor;
        if (y.Length < earlyFactor)
            throw new MusicMLException($"The signal has {y.Length} samples, too short for a {plan.Octaves.Length}-octave CQT.");
        var octaves = plan.Octaves;
        // Every halving yields ⌈n / 2⌉ samples (librosa.resample's length), so the frame count is known before any
        // resampling.
        int frames = int.MaxValue;
        int length = (y.Length + earlyFactor - 1) / earlyFactor;
        for (int i = 0; i < octaves.Length; i++)
        {
            frames = Math.Min(frames, 1 + (length + 2 * (octaves[i].NFft / 2) - octaves[i].NFft) / octaves[i].HopLength);
            if (octaves[i].HalveAfter) length = (length + 1) / 2;
        }
        // Every octave writes all frames of its rows and the octaves' rows tile [0, nBins), so zeroing the result
        // first would only add a pass over it.
        var result = new ComplexMatrix(nBins, frames, GC.AllocateUninitializedArray<float>(checked(2 * nBins * frames)));
        bool oneThread = options.ResolveThreads(frames / 16) == 1;

        // The one-pass path checks each block of y as it reads it, while the block is in cache.
        bool checkInBlocks = oneThread && earlyFactor == 1 && !validated;
        if (!validated && !checkInBlocks) InputGuard.Audio(y);
        float[]? signal = null;
        if (earlyFactor > 1)
        {
            signal = Decimate(y, earlyFactor);
            // Without the length scale librosa restores the energy the decimation removed.
            if (!scale)
            {
                float gain = (float)Math.Sqrt(earlyFactor);
                for (int i = 0; i < signal.Length; i++) signal[i] *= gain;
            }
        }

        if (oneThread)
        {
            ReadOnlySpan<float> input = signal ?? y;
            using var stream = new ConstantQStream(input.Length, octaves, padMode, result, frames, options.Backend);
            stream.Run(input, checkInBlocks);
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
            options.ForChunks(frames, (start, end) => OctaveFrames(new SignalWindow(octaveSignal), basis, padMode, result, start, end, options.Backend));
        }
        chain.GetAwaiter().GetResult();
        return result;
    }

    /// <summary>librosa.resample(y, orig_sr=factor, target_sr=1, res_type='soxr_hq', scale=True).</summary>
    private static float[] Decimate(ReadOnlySpan<float> y, int factor)
    {
        var result = Resampler.Resample(y, factor, 1, ResampleQuality.High);
        Divide(result, result, ScaleDivisor(factor));
        return result;
    }

    /// <summary>numpy divides the float32 signal by the float32-rounded √(1 / factor) (librosa.resample's scale=True).</summary>
    private static float ScaleDivisor(int factor) => (float)Math.Sqrt(1.0 / factor);

    /// <summary>destination[i] = source[i] / divisor; a true division, as numpy's, not a multiplication by the inverse.</summary>
    // AggressiveOptimization: called for every block of every octave, it would otherwise start as unoptimised code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Divide(ReadOnlySpan<float> source, Span<float> destination, float divisor)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var d = new Vector<float>(divisor);
            for (; i <= source.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(source[i..]) / d).CopyTo(destination[i..]);
        }
        for (; i < source.Length; i++) destination[i] = source[i] / divisor;
    }

    /// <summary>
    /// Frames [start, end) of one octave, by whichever of the two equivalent products its basis found cheaper;
    /// <paramref name="scratch"/> (see <see cref="FftRouteScratch"/>) spares the FFT route its buffers on repeated calls.
    /// </summary>
    internal static void OctaveFrames(SignalWindow signal, OctaveBasis basis, PadMode padMode, ComplexMatrix result,
        int start, int end, FftBackend backend, FftRouteScratch? scratch = null)
    {
        if (basis.Taps is null) ConstantQFrames(signal, basis, padMode, result, start, end, backend, scratch);
        else ConstantQFramesDirect(signal, basis, padMode, result, start, end);
    }

    /// <summary>
    /// Frames [start, end) of one octave: each centred frame of nFft samples (librosa.stft with a window of ones) is
    /// transformed and projected on the octave's sparse basis. Frames inside the signal are read in place; only the
    /// few that overhang its ends are assembled with numpy.pad's values.
    /// </summary>
    // AggressiveOptimization: one call covers every frame of an octave, which would otherwise run as OSR code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ConstantQFrames(SignalWindow signal, OctaveBasis basis, PadMode padMode, ComplexMatrix result,
        int start, int end, FftBackend backend, FftRouteScratch? scratch = null)
    {
        int nFft = basis.NFft, hop = basis.HopLength, half = nFft / 2, frames = result.Columns;
        var fft = RealFft.Create(nFft, backend);
        scratch ??= new FftRouteScratch(nFft);
        var spectrum = scratch.Spectrum;
        var frame = scratch.Frame;
        var output = result.Data;
        var rows = basis.Rows;
        var weights = basis.Weights;
        int lanes = Vector<float>.Count, perGroup = OctaveBasis.FiltersPerGroup;
        fixed (float* samples = signal.Samples)
        {
            var reader = signal.Frames(samples, nFft, hop, padMode);
            for (int t = start; t < end; t++)
            {
                // The FFT wants the frame in its aligned buffer, so an interior frame (a slice of the signal) is copied in.
                var frameSpan = frame.Span;
                var source = reader.Frame(t, frameSpan);
                if (!source.Overlaps(frameSpan)) source.CopyTo(frameSpan);
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
    }

    /// <summary>
    /// Frames [start, end) of one octave by the direct product with the basis's time-domain taps: for a dozen
    /// filters of a 256-sample frame, 24 rows of 256 multiply-adds cost less than the FFT they replace. Four frames
    /// and two filters at a time share each load, so the inner loop is 16 independent fused multiply-adds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ConstantQFramesDirect(SignalWindow signal, OctaveBasis basis, PadMode padMode, ComplexMatrix result,
        int start, int end)
    {
        int nFft = basis.NFft, hop = basis.HopLength, frames = result.Columns, filters = basis.Rows.Length;
        var rows = basis.Rows;
        var output = result.Data;
        ref float taps = ref MemoryMarshal.GetReference((basis.Taps ?? throw new ArgumentException("The basis has no time-domain taps.", nameof(basis))).Span);
        float[]? padded = null; // only the few frames that overhang an end need it
        int lanes = Vector<float>.Count;
        fixed (float* samples = signal.Samples)
        {
            var reader = signal.Frames(samples, nFft, hop, padMode);
            for (int t = start; t < end; t += 4)
            {
                int count = Math.Min(4, end - t);
                // Missing frames of the last block repeat its first; their sums are not stored.
                ref float x0 = ref FrameStart(reader, t, nFft, ref padded, 0);
                ref float x1 = ref count > 1 ? ref FrameStart(reader, t + 1, nFft, ref padded, 1) : ref x0;
                ref float x2 = ref count > 2 ? ref FrameStart(reader, t + 2, nFft, ref padded, 2) : ref x0;
                ref float x3 = ref count > 3 ? ref FrameStart(reader, t + 3, nFft, ref padded, 3) : ref x0;
                for (int r = 0; r < basis.TapRows; r += OctaveBasis.TapRowsPerGroup)
                {
                    ref float w0 = ref Unsafe.Add(ref taps, r * nFft);
                    ref float w1 = ref Unsafe.Add(ref w0, nFft);
                    ref float w2 = ref Unsafe.Add(ref w1, nFft);
                    ref float w3 = ref Unsafe.Add(ref w2, nFft);
                    Vector<float> a00 = default, a01 = default, a02 = default, a03 = default;
                    Vector<float> a10 = default, a11 = default, a12 = default, a13 = default;
                    Vector<float> a20 = default, a21 = default, a22 = default, a23 = default;
                    Vector<float> a30 = default, a31 = default, a32 = default, a33 = default;
                    for (nuint n = 0; n < (nuint)nFft; n += (nuint)lanes)
                    {
                        var v0 = Vector.LoadUnsafe(ref x0, n);
                        var v1 = Vector.LoadUnsafe(ref x1, n);
                        var v2 = Vector.LoadUnsafe(ref x2, n);
                        var v3 = Vector.LoadUnsafe(ref x3, n);
                        var c = Vector.LoadUnsafe(ref w0, n);
                        a00 = Vector.FusedMultiplyAdd(v0, c, a00);
                        a01 = Vector.FusedMultiplyAdd(v1, c, a01);
                        a02 = Vector.FusedMultiplyAdd(v2, c, a02);
                        a03 = Vector.FusedMultiplyAdd(v3, c, a03);
                        c = Vector.LoadUnsafe(ref w1, n);
                        a10 = Vector.FusedMultiplyAdd(v0, c, a10);
                        a11 = Vector.FusedMultiplyAdd(v1, c, a11);
                        a12 = Vector.FusedMultiplyAdd(v2, c, a12);
                        a13 = Vector.FusedMultiplyAdd(v3, c, a13);
                        c = Vector.LoadUnsafe(ref w2, n);
                        a20 = Vector.FusedMultiplyAdd(v0, c, a20);
                        a21 = Vector.FusedMultiplyAdd(v1, c, a21);
                        a22 = Vector.FusedMultiplyAdd(v2, c, a22);
                        a23 = Vector.FusedMultiplyAdd(v3, c, a23);
                        c = Vector.LoadUnsafe(ref w3, n);
                        a30 = Vector.FusedMultiplyAdd(v0, c, a30);
                        a31 = Vector.FusedMultiplyAdd(v1, c, a31);
                        a32 = Vector.FusedMultiplyAdd(v2, c, a32);
                        a33 = Vector.FusedMultiplyAdd(v3, c, a33);
                    }
                    int filter = r / 2;
                    StoreResponse(output, rows[filter] * frames + t, count, a00, a10, a01, a11, a02, a12, a03, a13);
                    if (filter + 1 < filters)
                        StoreResponse(output, rows[filter + 1] * frames + t, count, a20, a30, a21, a31, a22, a32, a23, a33);
                }
            }
        }
    }

    /// <summary>Where frame <paramref name="t"/>'s nFft samples start: in the signal, or assembled in slot <paramref name="slot"/> of <paramref name="padded"/> (allocated on first need) when it overhangs an end.</summary>
    private static ref float FrameStart(FrameReader reader, int t, int nFft, ref float[]? padded, int slot)
    {
        if (reader.IsInPlace(t)) return ref MemoryMarshal.GetReference(reader.Frame(t, default));
        padded ??= new float[4 * nFft];
        return ref MemoryMarshal.GetReference(reader.Frame(t, padded.AsSpan(slot * nFft, nFft)));
    }

    /// <summary>Stores the summed real and imaginary accumulators of up to four consecutive frames of one filter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreResponse(float[] output, int cell, int count, Vector<float> re0, Vector<float> im0,
        Vector<float> re1, Vector<float> im1, Vector<float> re2, Vector<float> im2, Vector<float> re3, Vector<float> im3)
    {
        var destination = output.AsSpan(2 * cell, 2 * count);
        if (Avx.IsSupported && Vector<float>.Count == 8)
        {
            // Transposing sums: the eight totals land in one vector in the output's (re, im) order, 6 horizontal
            // adds instead of 8 separate reductions. A short last block sums the same way, so a frame's value does
            // not depend on how the frames were split into blocks or chunks.
            var pairs0 = Avx.HorizontalAdd(re0.AsVector256(), im0.AsVector256());
            var pairs1 = Avx.HorizontalAdd(re1.AsVector256(), im1.AsVector256());
            var pairs2 = Avx.HorizontalAdd(re2.AsVector256(), im2.AsVector256());
            var pairs3 = Avx.HorizontalAdd(re3.AsVector256(), im3.AsVector256());
            var quads01 = Avx.HorizontalAdd(pairs0, pairs1);
            var quads23 = Avx.HorizontalAdd(pairs2, pairs3);
            var sums = Vector256.Create(quads01.GetLower() + quads01.GetUpper(), quads23.GetLower() + quads23.GetUpper());
            if (count == 4)
            {
                sums.StoreUnsafe(ref MemoryMarshal.GetReference(destination));
                return;
            }
            for (int i = 0; i < destination.Length; i++) destination[i] = sums.GetElement(i);
            return;
        }
        destination[0] = Vector.Sum(re0);
        destination[1] = Vector.Sum(im0);
        if (count < 2) return;
        destination[2] = Vector.Sum(re1);
        destination[3] = Vector.Sum(im1);
        if (count < 3) return;
        destination[4] = Vector.Sum(re2);
        destination[5] = Vector.Sum(im2);
        if (count < 4) return;
        destination[6] = Vector.Sum(re3);
        destination[7] = Vector.Sum(im3);
    }

    /// <summary>
    /// Input samples per block of the one-pass CQT: the fastest of 8K–64K measured, few enough that one block's
    /// buffers down the whole chain stay in L2, many enough that libsoxr's per-call work does not show.
    /// </summary>
    internal const int ConstantQBlockLength = 1 << 15;

    /// <summary>
    /// The single-threaded transform in one pass over the signal: each block goes down the soxr halving chain stage
    /// by stage while it is in cache, and each octave's frames are computed as soon as its signal covers them, so no
    /// octave's signal is ever held whole. Every stage receives exactly the samples <see cref="Decimate"/> gives the
    /// next octave (libsoxr's output trimmed or zero-padded to ⌈n / 2⌉, divided by √½) and libsoxr streams, so the
    /// result equals the whole-signal chain's bit for bit.
    /// </summary>
    private sealed class ConstantQStream : IDisposable
    {
        private readonly OctaveBasis[] _octaves;
        private readonly int[] _octaveLevel;
        private readonly int[] _nextFrame;
        private readonly FftRouteScratch?[] _scratch;
        private readonly Level[] _levels;
        private readonly PadMode _padMode;
        private readonly ComplexMatrix _result;
        private readonly int _frames;
        private readonly FftBackend _backend;
        private readonly float _divisor = ScaleDivisor(2);

        /// <summary>One signal of the chain: the input, or a halving of the level above.</summary>
        private sealed class Level
        {
            /// <summary>Samples this level's signal has in all.</summary>
            public required int Length { get; init; }

            /// <summary>Samples [Start, Start + Count) of the signal: what frames still need, then what just arrived.</summary>
            public required AlignedBuffer Window { get; init; }

            public int Start { get; set; }

            public int Count { get; set; }

            public int Delivered => Start + Count;

            /// <summary>The halving to the next level, and the buffer it writes into; null on the last level.</summary>
            public StreamingResampler? ToNext { get; init; }

            public float[] Halved { get; init; } = [];
        }

        public ConstantQStream(int signalLength, OctaveBasis[] octaves, PadMode padMode, ComplexMatrix result, int frames,
            FftBackend backend)
        {
            _octaves = octaves;
            _padMode = padMode;
            _result = result;
            _frames = frames;
            _backend = backend;
            _nextFrame = new int[octaves.Length];
            _scratch = new FftRouteScratch?[octaves.Length];
            _octaveLevel = new int[octaves.Length];
            int levels = 1;
            for (int i = 0; i < octaves.Length; i++)
            {
                _octaveLevel[i] = levels - 1;
                if (octaves[i].HalveAfter && i + 1 < octaves.Length) levels++;
            }
            int margin = 0;
            foreach (var octave in octaves) margin = Math.Max(margin, 4 * octave.NFft + 2 * octave.HopLength);
            _levels = new Level[levels];
            try
            {
                for (int k = 0; k < levels; k++)
                {
                    // librosa.resample's ⌈n / 2⌉ per halving.
                    int length = k == 0 ? signalLength : (_levels[k - 1].Length + 1) / 2;
                    // A window keeps what its unfinished frames need (under 2·nFft + hop samples) plus one block's
                    // arrivals; a short signal fits whole, so a clip of a second does not get a block-sized window.
                    int capacity = Math.Min(2 * ConstantQBlockLength, length) + margin;
                    var toNext = k + 1 < levels ? StreamingResampler.Create(2, 1, ResampleQuality.High, ResamplerEngine.Auto) : null;
                    _levels[k] = new Level
                    {
                        Length = length,
                        Window = new AlignedBuffer(capacity),
                        ToNext = toNext,
                        Halved = toNext is null ? [] : new float[toNext.MaxOutputLength(capacity)],
                    };
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>Transforms <paramref name="signal"/>, checking each block for NaN and infinity when asked to.</summary>
        public void Run(ReadOnlySpan<float> signal, bool checkFinite)
        {
            if (signal.Length != _levels[0].Length) throw new ArgumentException($"The stream was set up for {_levels[0].Length} samples.", nameof(signal));
            for (int offset = 0; offset < signal.Length; offset += ConstantQBlockLength)
            {
                var block = signal.Slice(offset, Math.Min(ConstantQBlockLength, signal.Length - offset));
                if (checkFinite)
                {
                    int bad = InputGuard.FirstInvalidSample(block);
                    if (bad >= 0) throw InputGuard.InvalidSample(offset + bad, block[bad]);
                }
                Append(0, block);
            }
            for (int k = 0; k < _levels.Length; k++)
            {
                var level = _levels[k];
                ComputeReadyFrames(k);
                if (level.ToNext is null) continue;
                var next = _levels[k + 1];
                while (next.Delivered < next.Length)
                {
                    int got = level.ToNext.Flush(level.Halved);
                    if (got == 0) break;
                    Append(k + 1, level.Halved.AsSpan(0, got));
                }
                // librosa's fix_length: what libsoxr did not deliver is zeros, and the next halving reads them too.
                while (next.Delivered < next.Length)
                    Append(k + 1, Zeros.AsSpan(0, Math.Min(Zeros.Length, next.Length - next.Delivered)));
            }
        }

        private static readonly float[] Zeros = new float[1024];

        /// <summary>Adds samples to level <paramref name="k"/> (dropping any past its length), computes the frames they complete, and halves them into the next level.</summary>
        private void Append(int k, ReadOnlySpan<float> samples)
        {
            var level = _levels[k];
            samples = samples[..Math.Min(samples.Length, level.Length - level.Delivered)];
            while (!samples.IsEmpty)
            {
                Compact(k);
                int take = Math.Min(samples.Length, level.Window.Length - level.Count);
                var arrived = level.Window.Span.Slice(level.Count, take);
                if (k == 0) samples[..take].CopyTo(arrived);
                else Divide(samples[..take], arrived, _divisor);
                level.Count += take;
                samples = samples[take..];
                ComputeReadyFrames(k);
                if (level.ToNext is not null)
                {
                    int got = level.ToNext.Process(arrived, level.Halved);
                    Append(k + 1, level.Halved.AsSpan(0, got));
                }
            }
        }

        /// <summary>Computes every frame of level <paramref name="k"/>'s octaves whose samples have all arrived.</summary>
        private void ComputeReadyFrames(int k)
        {
            var level = _levels[k];
            var window = new SignalWindow(level.Window.Span[..level.Count], level.Start, level.Length);
            for (int i = 0; i < _octaves.Length; i++)
            {
                if (_octaveLevel[i] != k) continue;
                var basis = _octaves[i];
                int ready;
                if (level.Delivered >= level.Length) ready = _frames;
                else
                {
                    // Frame t reads samples up to t·hop + nFft/2 (exclusive).
                    int last = level.Delivered - basis.NFft / 2;
                    ready = last < 0 ? 0 : Math.Min(_frames, last / basis.HopLength + 1);
                }
                if (ready <= _nextFrame[i]) continue;
                if (basis.Taps is null) _scratch[i] ??= new FftRouteScratch(basis.NFft);
                OctaveFrames(window, basis, _padMode, _result, _nextFrame[i], ready, _backend, _scratch[i]);
                _nextFrame[i] = ready;
            }
        }

        /// <summary>Drops samples no unfinished frame of level <paramref name="k"/> can read, padding included.</summary>
        private void Compact(int k)
        {
            var level = _levels[k];
            int keepFrom = level.Delivered;
            for (int i = 0; i < _octaves.Length; i++)
            {
                if (_octaveLevel[i] != k || _nextFrame[i] >= _frames) continue;
                var basis = _octaves[i];
                // Reflection at the end reaches one sample before the frame; a whole nFft of slack covers it.
                keepFrom = Math.Min(keepFrom, Math.Max(0, _nextFrame[i] * basis.HopLength - basis.NFft / 2 - basis.NFft));
            }
            // Whole cache lines only: sample i then sits at the same alignment as i itself, so frames starting on a
            // multiple of 16 samples are read with aligned loads.
            int drop = (keepFrom - level.Start) & ~(FftwNative.Alignment / sizeof(float) - 1);
            if (drop <= 0) return;
            level.Window.Span[drop..level.Count].CopyTo(level.Window.Span);
            level.Start += drop;
            level.Count -= drop;
        }

        public void Dispose()
        {
            foreach (var level in _levels) level?.ToNext?.Dispose();
        }
    }
}

/// <summary>Samples [<see cref="Start"/>, <see cref="Start"/> + Samples.Length) of a signal of <see cref="Length"/> samples.</summary>
internal readonly ref struct SignalWindow
{
    /// <summary>A whole signal.</summary>
    public SignalWindow(ReadOnlySpan<float> signal) : this(signal, 0, signal.Length) { }

    public SignalWindow(ReadOnlySpan<float> samples, int start, int length)
    {
        Samples = samples;
        Start = start;
        Length = length;
    }

    public ReadOnlySpan<float> Samples { get; }

    public int Start { get; }

    public int Length { get; }

    /// <summary>
    /// The centred frames of <paramref name="nFft"/> samples every <paramref name="hop"/> of this window, through the one
    /// frame reader every STFT uses (<see cref="FrameReader"/>, numpy.pad at the signal's true ends); the caller keeps
    /// <see cref="Samples"/> pinned at <paramref name="samples"/> while the reader is used.
    /// </summary>
    public unsafe FrameReader Frames(float* samples, int nFft, int hop, PadMode padMode) =>
        new(samples, Samples.Length, Start, Length, nFft, hop, nFft / 2, padMode);
}

/// <summary>
/// One frame and its spectrum for the CQT's FFT route, 64-byte aligned as FFTW's plans want: pinned buffers, kept
/// across calls by the one-pass transform, which calls once per block and octave.
/// </summary>
internal sealed class FftRouteScratch(int nFft)
{
    public AlignedBuffer Frame { get; } = new(nFft);

    public AlignedBuffer Spectrum { get; } = new(2 * (nFft / 2 + 1));
}
