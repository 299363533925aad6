using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>Receives one frame's spectrum (|X|^power, n/2 + 1 bins) as soon as it is computed.</summary>
internal delegate void SpectrumHandler(int frame, Span<float> spectrum);

/// <summary>
/// The shared front half of every STFT-based feature: pad, frame, window, FFT and take |X| or |X|², handing each
/// frame's spectrum to a consumer while it is still in cache, so features never materialise the complex STFT.
/// Scratch buffers are allocated once per thread chunk, never per frame.
/// </summary>
internal static unsafe class FramePipeline
{
    /// <summary>Number of frames librosa's STFT produces for <paramref name="length"/> samples.</summary>
    public static int FrameCount(int length, int nFft, int hop, bool center)
    {
        int frames = FrameSource.FrameCount(length, nFft, hop, center);
        if (frames == 0)
            throw new MusicMLException($"The signal has {length} samples, fewer than one frame of nFft = {nFft} (center = false).");
        return frames;
    }

    /// <summary>
    /// Checks <paramref name="y"/> (empty, NaN, ±∞) and returns its frame count. When the frames will go through
    /// <see cref="FrameBatches"/>' hop-major stage, which checks every sample it moves, only the samples that no frame
    /// reaches are scanned here, saving a pass over the whole signal.
    /// </summary>
    public static int CheckedFrameCount(ReadOnlySpan<float> y, int nFft, int hop, bool center, DspOptions options)
    {
        if (y.IsEmpty) InputGuard.Audio(y);
        int frames = FrameCount(y.Length, nFft, hop, center);
        if (StftEngine.Resolve(nFft, options) != FftBackend.FrameBatch || !FrameBatches.StagesHopMajor(nFft, hop))
        {
            InputGuard.Audio(y);
            return frames;
        }
        long covered = (long)(frames - 1) * hop + (long)FrameBatches.RowsPerFrame(nFft, hop) * hop - (center ? nFft / 2 : 0);
        if (covered < y.Length && InputGuard.FirstInvalidSample(y[(int)Math.Max(0, covered)..]) >= 0) InputGuard.Audio(y);
        return frames;
    }

    /// <summary>The checks and set-up both spectrum walkers share: frame sizes, power, the samples, window and FFT plan.</summary>
    private static (int Frames, int Hop, float[] Window, RealFft Fft, bool Squared, DspOptions Options) Prepare(ReadOnlySpan<float> y,
        int nFft, int? hopLength, int? winLength, WindowType window, bool center, double power, DspOptions? options, bool validated)
    {
        options ??= DspOptions.Default;
        var (hop, win) = Spectral.ResolveFrameSizes(nFft, hopLength, winLength);
        if (power is not (1.0 or 2.0))
            throw new MusicMLException($"power must be 1 (magnitude) or 2 (power); got {power}.");
        // Callers that already checked the samples say so: the scan reads the whole signal.
        int frames = validated ? FrameCount(y.Length, nFft, hop, center) : CheckedFrameCount(y, nFft, hop, center, options);
        return (frames, hop, Windows.GetPadded(window, win, nFft), RealFft.Create(nFft, options.Backend), power == 2.0, options);
    }

    /// <summary>Runs the STFT of <paramref name="y"/> and calls <paramref name="handler"/> with |X|^<paramref name="power"/> of every frame; returns the frame count.</summary>
    public static int ForEachSpectrum(ReadOnlySpan<float> y, int nFft, int? hopLength, int? winLength, WindowType window,
        bool center, PadMode padMode, double power, DspOptions? options, SpectrumHandler handler, bool validated = false)
    {
        var (frames, hop, windowValues, fft, squared, resolved) = Prepare(y, nFft, hopLength, winLength, window, center, power, options, validated);
        fixed (float* signal = y)
        {
            var reader = new FrameReader(signal, y.Length, nFft, hop, center ? nFft / 2 : 0, padMode);
            resolved.ForChunks(frames, (start, end) => Spectra(reader, windowValues, fft, squared, start, end, handler));
        }
        return frames;
    }

    /// <summary>Receives |X|^power of frames first .. first + count − 1, bin-major: value (k, j) at block[k · width + j].</summary>
    public delegate void SpectrumBlockHandler(int first, int count, ReadOnlySpan<float> block, int width);

    /// <summary>Frames per block in <see cref="ForEachSpectrumBlock"/>: four SIMD vectors, so filters run across frames.</summary>
    public static int BlockWidth => 4 * Vector<float>.Count;

    /// <summary>
    /// Like <see cref="ForEachSpectrum"/>, but hands over blocks of <see cref="BlockWidth"/> frames laid out bin-major,
    /// so a filterbank can multiply one weight by a whole vector of frames instead of reducing each frame separately.
    /// </summary>
    public static int ForEachSpectrumBlock(ReadOnlySpan<float> y, int nFft, int? hopLength, int? winLength, WindowType window,
        bool center, PadMode padMode, double power, DspOptions? options, SpectrumBlockHandler handler, bool validated = false)
    {
        var (frames, hop, windowValues, fft, squared, resolved) = Prepare(y, nFft, hopLength, winLength, window, center, power, options, validated);
        fixed (float* signal = y)
        {
            var reader = new FrameReader(signal, y.Length, nFft, hop, center ? nFft / 2 : 0, padMode);
            RunSpectrumBlocks(reader, 0, frames, hop, windowValues, fft, squared, resolved, handler);
        }
        return frames;
    }

    /// <summary>
    /// The spectrum driver itself: frames [start, end) of <paramref name="reader"/> (a whole signal or a block of
    /// one) through the engine <paramref name="options"/> resolves to (<see cref="StftEngine.Resolve"/>), handed to
    /// <paramref name="handler"/> in bin-major blocks. Every |X|^power path (spectrogram, mel, chroma, onset strength,
    /// Mir's rhythm front end) comes through here.
    /// </summary>
    public static void RunSpectrumBlocks(FrameReader reader, int start, int end, int hop, float[] windowValues, RealFft fft,
        bool squared, DspOptions options, SpectrumBlockHandler handler)
    {
        int nFft = windowValues.Length;
        if (StftEngine.Resolve(nFft, options) == FftBackend.FrameBatch && BlockWidth % FrameBatchFft.Lanes == 0)
            options.ForChunks(end - start, (from, to) => SpectrumBlocksBatched(reader, windowValues, hop, squared, start + from, start + to, handler));
        else
            options.ForChunks(end - start, (from, to) => SpectrumBlocks(reader, windowValues, fft, squared, start + from, start + to, handler));
    }

    /// <summary>
    /// <see cref="SpectrumBlocks"/> through <see cref="FrameBatchFft"/>: each 16-frame batch writes its |X|^power
    /// straight into its 16 columns of the bin-major block, so no per-frame spectrum or transpose is needed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SpectrumBlocksBatched(FrameReader reader, float[] windowValues, int hop, bool squared, int start, int end, SpectrumBlockHandler handler)
    {
        int width = BlockWidth, bins = windowValues.Length / 2 + 1;
        var batches = new FrameBatches(reader, windowValues, hop, end);
        var block = new AlignedBuffer(bins * width);
        for (int first = start; first < end; first += width)
        {
            int count = Math.Min(width, end - first);
            for (int offset = 0; offset < count; offset += FrameBatchFft.Lanes)
            {
                int lanes = Math.Min(FrameBatchFft.Lanes, count - offset);
                // Lanes past `count` transform zeros; the handler never reads their columns.
                if (squared)
                {
                    var sink = new PowerSink(block.Pointer + offset, width);
                    batches.Forward(first + offset, lanes, ref sink);
                }
                else
                {
                    var sink = new MagnitudeSink(block.Pointer + offset, width);
                    batches.Forward(first + offset, lanes, ref sink);
                }
            }
            handler(first, count, block.Span, width);
        }
    }

    // The per-chunk loops below run for the whole signal in one call, so without AggressiveOptimization the first
    // call of a process executes them as on-stack-replacement code, measurably slower than fully optimised code.

    /// <summary>Frames start .. end − 1 of <see cref="ForEachSpectrum"/>, one thread's share.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Spectra(FrameReader reader, float[] windowValues, RealFft fft, bool squared, int start, int end, SpectrumHandler handler)
    {
        int nFft = windowValues.Length;
        var frame = new AlignedBuffer(nFft);
        var edge = new float[nFft];
        var spectrum = new AlignedBuffer(2 * fft.Bins);
        var result = new float[fft.Bins];
        for (int t = start; t < end; t++)
        {
            ApplyWindow(reader.Frame(t, edge), windowValues, frame.Pointer);
            fft.Forward(frame.Span, spectrum.Span);
            if (squared) SquaredModulus(spectrum.Span, result);
            else Modulus(spectrum.Span, result);
            handler(t, result);
        }
    }

    /// <summary>Frames start .. end − 1 of <see cref="ForEachSpectrumBlock"/>, one thread's share.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SpectrumBlocks(FrameReader reader, float[] windowValues, RealFft fft, bool squared, int start, int end, SpectrumBlockHandler handler)
    {
        int nFft = windowValues.Length, width = BlockWidth, bins = fft.Bins;
        var frame = new AlignedBuffer(nFft);
        var edge = new float[nFft];
        var spectrum = new AlignedBuffer(2 * bins);
        // With AVX the spectra are staged frame-major and moved into the bin-major block by 8×8 register
        // transposes; otherwise each frame is scattered into its column.
        bool transposeInRegisters = Avx.IsSupported && width % 8 == 0;
        int binsPadded = (bins + 7) & ~7;
        var block = new float[binsPadded * width];
        var stage = transposeInRegisters ? new float[width * binsPadded] : [];
        for (int first = start; first < end; first += width)
        {
            int count = Math.Min(width, end - first);
            for (int j = 0; j < count; j++)
            {
                ApplyWindow(reader.Frame(first + j, edge), windowValues, frame.Pointer);
                fft.Forward(frame.Span, spectrum.Span);
                if (transposeInRegisters)
                {
                    var row = stage.AsSpan(j * binsPadded, bins);
                    if (squared) SquaredModulus(spectrum.Span, row);
                    else Modulus(spectrum.Span, row);
                    continue;
                }
                // Bound-check-free scatter into column j; the block stays in L2 while it fills.
                float* s = spectrum.Pointer;
                fixed (float* b = block)
                {
                    float* column = b + j;
                    if (squared)
                        for (int k = 0; k < bins; k++) column[k * width] = s[2 * k] * s[2 * k] + s[2 * k + 1] * s[2 * k + 1];
                    else
                        for (int k = 0; k < bins; k++) column[k * width] = Hypot(s[2 * k], s[2 * k + 1]);
                }
            }
            if (transposeInRegisters)
            {
                // Frames past `count` hold stale values from the previous block; their outputs are never stored.
                fixed (float* from = stage)
                fixed (float* to = block)
                {
                    for (int j0 = 0; j0 < width; j0 += 8)
                        for (int k0 = 0; k0 < binsPadded; k0 += 8)
                            SimdTranspose.Transpose8x8(from + j0 * binsPadded + k0, binsPadded, to + k0 * width + j0, width);
                }
            }
            handler(first, count, block, width);
        }
        // The scatter above reads the spectrum through its raw pointer only.
        GC.KeepAlive(spectrum);
    }

    /// <summary>destination = frame · window, element by element (nFft samples), with AVX where available.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ApplyWindow(ReadOnlySpan<float> frame, float[] window, float* destination)
    {
        int n = window.Length, i = 0;
        fixed (float* f = frame)
        fixed (float* w = window)
        {
            if (Vector256.IsHardwareAccelerated)
                for (; i <= n - 8; i += 8)
                    Vector256.Store(Vector256.Load(f + i) * Vector256.Load(w + i), destination + i);
            for (; i < n; i++) destination[i] = f[i] * w[i];
        }
    }

    /// <summary>The whole |X|^power spectrogram, frame-major (<c>[frames, bins]</c>), for features that need every frame first.</summary>
    public static float[] FrameMajorSpectrogram(ReadOnlySpan<float> y, int nFft, int? hopLength, int? winLength, WindowType window,
        bool center, PadMode padMode, double power, DspOptions? options, out int frames)
    {
        var (hop, _) = Spectral.ResolveFrameSizes(nFft, hopLength, winLength);
        InputGuard.Audio(y);
        int bins = nFft / 2 + 1;
        // Every frame's row is written below, so the array (106 MB for 10 minutes) need not be zeroed first.
        var data = GC.AllocateUninitializedArray<float>(checked(FrameCount(y.Length, nFft, hop, center) * bins));
        HugePages.Advise(data);
        if (StftEngine.Resolve(nFft, options ?? DspOptions.Default) == FftBackend.FrameBatch)
        {
            // The batch engine emits bins across frames; 8 × 8 transposes turn each block back into frame rows.
            frames = ForEachSpectrumBlock(y, nFft, hopLength, winLength, window, center, padMode, power, options,
                (first, count, block, width) => BlockToFrameRows(block, width, first, count, bins, data), validated: true);
            return data;
        }
        frames = ForEachSpectrum(y, nFft, hopLength, winLength, window, center, padMode, power, options,
            (t, spectrum) => spectrum.CopyTo(data.AsSpan(t * bins, bins)), validated: true);
        return data;
    }

    /// <summary>Writes frames first … first + count − 1 of a bin-major block (value (k, j) at block[k · width + j]) as rows of the frame-major <paramref name="data"/>.</summary>
    private static void BlockToFrameRows(ReadOnlySpan<float> block, int width, int first, int count, int bins, float[] data)
    {
        int fullFrames = Avx.IsSupported ? count & ~7 : 0, fullBins = bins & ~7;
        fixed (float* from = block)
        fixed (float* to = data)
        {
            float* rows = to + (long)first * bins;
            for (int j0 = 0; j0 < fullFrames; j0 += 8)
                for (int k0 = 0; k0 < fullBins; k0 += 8)
                    SimdTranspose.Transpose8x8(from + k0 * width + j0, width, rows + (long)j0 * bins + k0, bins);
            for (int j = 0; j < count; j++)
                for (int k = j < fullFrames ? fullBins : 0; k < bins; k++)
                    rows[(long)j * bins + k] = from[k * width + j];
        }
    }

    /// <summary>Transposes a librosa-shaped <c>[bins, frames]</c> matrix to frame-major order.</summary>
    public static float[] ToFrameMajor(FloatMatrix s)
    {
        var result = new float[s.Data.Length];
        Transpose(s.Data, s.Rows, s.Columns, result);
        return result;
    }

    /// <summary>Row-major <paramref name="rows"/> × <paramref name="columns"/> to its transpose, in cache-sized tiles.</summary>
    public static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> destination)
    {
        const int tile = 32;
        for (int r0 = 0; r0 < rows; r0 += tile)
        for (int c0 = 0; c0 < columns; c0 += tile)
        {
            int r1 = Math.Min(rows, r0 + tile), c1 = Math.Min(columns, c0 + tile);
            for (int r = r0; r < r1; r++)
            for (int c = c0; c < c1; c++)
                destination[c * rows + r] = source[r * columns + c];
        }
    }

    /// <summary>|z|² of interleaved complex values, two AVX registers at a time where available.</summary>
    public static void SquaredModulus(ReadOnlySpan<float> interleaved, Span<float> destination)
    {
        int n = destination.Length;
        int i = 0;
        if (Avx2.IsSupported && n >= 8)
        {
            ref float src = ref MemoryMarshal.GetReference(interleaved);
            ref float dst = ref MemoryMarshal.GetReference(destination);
            for (; i <= n - 8; i += 8)
            {
                var a = Vector256.LoadUnsafe(ref src, (nuint)(2 * i));
                var b = Vector256.LoadUnsafe(ref src, (nuint)(2 * i + 8));
                // hadd pairs (re², im²) per 128-bit lane; the 64-bit permute restores frequency order across lanes.
                var sum = Avx.HorizontalAdd(a * a, b * b);
                var ordered = Avx2.Permute4x64(sum.AsDouble(), 0b11_01_10_00).AsSingle();
                ordered.StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float re = interleaved[2 * i], im = interleaved[2 * i + 1];
            destination[i] = re * re + im * im;
        }
    }

    /// <summary>
    /// |z| of interleaved complex values, bit-identical to numpy's <c>np.abs</c> on complex64 as librosa's reference
    /// machines run it (AVX-512 hypot: larger · sqrt(fma(r, r, 1)) with r = smaller / larger). Features that select
    /// bins by thresholds (roll-off) flip on a one-ulp difference, so the formula is matched rather than approximated.
    /// </summary>
    public static void Modulus(ReadOnlySpan<float> interleaved, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Hypot(interleaved[2 * i], interleaved[2 * i + 1]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Hypot(float re, float im)
    {
        float a = MathF.Abs(re), b = MathF.Abs(im);
        float larger = MathF.Max(a, b), smaller = MathF.Min(a, b);
        if (larger == 0) return 0;
        if (float.IsInfinity(larger)) return float.PositiveInfinity;
        float ratio = smaller / larger;
        return larger * MathF.Sqrt(MathF.FusedMultiplyAdd(ratio, ratio, 1f));
    }

    /// <summary>
    /// |STFT| computed the way librosa does it, in double precision (float64 window and FFT), rounded to complex64
    /// and then to magnitude, frame-major. Used where float32 FFT rounding (~1e-7 of the frame's peak) would swamp
    /// the quietest bins that a feature reads, e.g. spectral contrast's valleys near an anti-aliasing filter's stopband.
    /// </summary>
    public static float[] PreciseMagnitudeFrames(ReadOnlySpan<float> y, int nFft, int? hopLength, int? winLength, WindowType window,
        bool center, PadMode padMode, DspOptions? options, out int frames)
    {
        options ??= DspOptions.Default;
        var (hop, win) = Spectral.ResolveFrameSizes(nFft, hopLength, winLength);
        InputGuard.Audio(y);
        int count = FrameCount(y.Length, nFft, hop, center);
        frames = count;
        var windowValues = Windows.GetPaddedDouble(window, win, nFft);
        var fft = new ManagedRealFft<double>(nFft);
        int bins = nFft / 2 + 1;
        var result = new float[(long)count * bins];
        fixed (float* signal = y)
        {
            var reader = new FrameReader(signal, y.Length, nFft, hop, center ? nFft / 2 : 0, padMode);
            options.ForChunks(count, (start, end) =>
            {
                var frame = new double[nFft];
                var edge = new float[nFft];
                var spectrum = new double[2 * bins];
                for (int t = start; t < end; t++)
                {
                    var source = reader.Frame(t, edge);
                    for (int i = 0; i < nFft; i++) frame[i] = source[i] * windowValues[i];
                    fft.Forward(frame, spectrum);
                    var destination = result.AsSpan(t * bins, bins);
                    for (int k = 0; k < bins; k++) destination[k] = Hypot((float)spectrum[2 * k], (float)spectrum[2 * k + 1]);
                }
            });
        }
        return result;
    }

    /// <summary>Dot product in float32 with SIMD, as BLAS's sgemm accumulates for librosa's einsum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            int width = Vector<float>.Count;
            for (; i <= a.Length - width; i += width)
                acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
            sum = Vector.Sum(acc);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
