using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// The reference level of a decibel conversion: a fixed value (librosa's <c>ref=1.0</c>) or the input's maximum
/// (librosa's <c>ref=np.max</c>). A double converts implicitly.
/// </summary>
public readonly record struct DbReference
{
    private DbReference(double value, bool isMax)
    {
        Value = value;
        IsMax = isMax;
    }

    /// <summary>The fixed reference value (ignored when <see cref="IsMax"/>).</summary>
    public double Value { get; }

    /// <summary>True when the input's maximum is the reference.</summary>
    public bool IsMax { get; }

    /// <summary>Use the maximum of the input as reference (librosa's <c>ref=np.max</c>): the loudest bin is 0 dB.</summary>
    public static DbReference Max => new(0, true);

    /// <summary>A fixed reference value.</summary>
    public static DbReference Fixed(double value) => new(value, false);

    /// <summary>A fixed reference value.</summary>
    public static implicit operator DbReference(double value) => Fixed(value);
}

/// <summary>
/// Short-time Fourier analysis and synthesis and the decibel scale, with librosa 0.10's definitions, parameter
/// names and defaults.
/// </summary>
public static unsafe partial class Spectral
{
    // Frames staged per STFT block. Each output row then receives 128 complex values (1 KB, 16 cache lines) per visit
    // instead of 256 bytes with 32 frames, so the pass over 1025 rows, each in its own page, costs a quarter of the
    // TLB and cache-line traffic; measured 19.6 -> 12.3 ms CPU per 60 s for nFft 2048. The 1 MB stage still fits in L2.
    private const int FrameBlock = 128;

    /// <summary>
    /// Short-time Fourier transform (librosa.stft): frames of <paramref name="nFft"/> samples every
    /// <paramref name="hopLength"/> samples, windowed and transformed, as a <c>[1 + nFft/2, frames]</c> complex matrix.
    /// With <paramref name="center"/> the signal is padded by nFft/2 samples on both sides so that frame t is centred
    /// at sample t·hopLength; the frame count is 1 + (padded length − nFft) / hopLength (rounded down), as in librosa.
    /// </summary>
    /// <param name="y">Audio samples (any sample rate).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames; default winLength / 4.</param>
    /// <param name="winLength">Window length in samples, centred in the frame; default nFft.</param>
    /// <param name="window">Window shape (periodic, as scipy's get_window with fftbins=True).</param>
    /// <param name="center">Centre frames on hop multiples by padding the signal.</param>
    /// <param name="padMode">Padding used when <paramref name="center"/> is set.</param>
    /// <param name="options">FFT engine and threads; null for <see cref="DspOptions.Default"/>.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, invalid sizes, or a signal shorter than one frame.</exception>
    public static ComplexMatrix Stft(ReadOnlySpan<float> y, int nFft = 2048, int? hopLength = null, int? winLength = null,
        WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant, DspOptions? options = null)
    {
        options ??= DspOptions.Default;
        var (hop, win) = ResolveFrameSizes(nFft, hopLength, winLength);
        int frames = FramePipeline.CheckedFrameCount(y, nFft, hop, center, options);
        var windowValues = Windows.GetPadded(window, win, nFft);
        var result = NewStftMatrix(nFft, frames);
        fixed (float* signal = y)
            StftRange(new FrameReader(signal, y.Length, nFft, hop, center ? nFft / 2 : 0, padMode), windowValues, hop, result, 0, options);
        return result;
    }

    /// <summary>
    /// Block form of <see cref="Stft(ReadOnlySpan{float}, int, int?, int?, WindowType, bool, PadMode, DspOptions?)"/>:
    /// the complex STFT of frames [<paramref name="firstFrame"/>, firstFrame + frameCount) of the signal that
    /// <paramref name="frames"/> frames (a whole signal or a block of one; its frame length is nFft and its hop the
    /// hop), shaped <c>[1 + nFft/2, frameCount]</c>. Column j equals column firstFrame + j of the whole-signal STFT
    /// bit for bit, whichever block it came from and whichever engine runs, so a streaming caller can concatenate blocks.
    /// </summary>
    /// <param name="frames">The padded frame source (see <see cref="FrameSource"/> for blocks and their overlap).</param>
    /// <param name="firstFrame">Whole-signal index of the first frame wanted.</param>
    /// <param name="frameCount">Frames wanted; all must lie in <see cref="FrameSource.AvailableFrames"/>.</param>
    /// <param name="winLength">Window length in samples, centred in the frame; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="options">FFT engine and threads; null for <see cref="DspOptions.Default"/>.</param>
    /// <exception cref="MusicMLException">Frames outside what the block holds, non-finite samples or invalid sizes.</exception>
    public static ComplexMatrix Stft(FrameSource frames, int firstFrame, int frameCount, int? winLength = null,
        WindowType window = WindowType.Hann, DspOptions? options = null)
    {
        options ??= DspOptions.Default;
        int nFft = frames.FrameLength, hop = frames.HopLength;
        var (_, win) = ResolveFrameSizes(nFft, hop, winLength);
        CheckAvailable(frames, firstFrame, frameCount);
        var block = frames.Block;
        if (!block.IsEmpty) InputGuard.Audio(block);
        var result = NewStftMatrix(nFft, frameCount);
        if (frameCount == 0) return result;
        var windowValues = Windows.GetPadded(window, win, nFft);
        fixed (float* samples = block)
            StftRange(new FrameReader(samples, block.Length, frames.BlockOffset, frames.SignalLength, nFft, hop, frames.Pad, frames.PadMode),
                windowValues, hop, result, firstFrame, options);
        return result;
    }

    /// <summary>An uninitialised <c>[1 + nFft/2, frames]</c> complex matrix: the STFT writes every element (212 MB for 10 minutes need not be zeroed first).</summary>
    private static ComplexMatrix NewStftMatrix(int nFft, int frames)
    {
        int bins = nFft / 2 + 1;
        var result = new ComplexMatrix(bins, frames, GC.AllocateUninitializedArray<float>(checked(2 * bins * frames)));
        HugePages.Advise(result.Data);
        return result;
    }

    /// <summary>
    /// The one STFT driver of the complex transform: frames [firstFrame, firstFrame + result.Columns) of
    /// <paramref name="reader"/> into the columns of <paramref name="result"/>, split over <paramref name="options"/>'s
    /// threads, through the frame-batch engine or a plain FFT per frame as <see cref="StftEngine"/> decides.
    /// </summary>
    private static void StftRange(FrameReader reader, float[] window, int hop, ComplexMatrix result, int firstFrame, DspOptions options)
    {
        int nFft = window.Length;
        if (StftEngine.Resolve(nFft, options) == FftBackend.FrameBatch)
            options.ForChunks(result.Columns, (start, end) => StftBatches(reader, window, hop, result, firstFrame, firstFrame + start, firstFrame + end));
        else
        {
            var fft = RealFft.Create(nFft, options.Backend);
            options.ForChunks(result.Columns, (start, end) => StftFrames(reader, window, fft, result, firstFrame, firstFrame + start, firstFrame + end));
        }
    }

    /// <summary>Refuses frames a block does not determine completely.</summary>
    private static void CheckAvailable(FrameSource frames, int firstFrame, int frameCount)
    {
        var (available, availableEnd) = frames.AvailableFrames;
        if (frameCount < 0 || firstFrame < available || (long)firstFrame + frameCount > availableEnd)
            throw new MusicMLException($"Frames {firstFrame}..{(long)firstFrame + frameCount - 1} are not all in this block, which determines frames {available}..{availableEnd - 1}.");
    }

    /// <summary>
    /// Magnitude (<paramref name="power"/> 1, the default) or power (2) spectrogram, |STFT|^power, shaped
    /// <c>[1 + nFft/2, frames]</c>: librosa's <c>np.abs(librosa.stft(y, …)) ** power</c> (its internal
    /// <c>_spectrogram</c>), computed without materialising the complex STFT, so it takes half the memory of
    /// <c>Stft(y).Magnitude()</c> and one pass. Values equal <see cref="ComplexMatrix.Magnitude"/> /
    /// <see cref="ComplexMatrix.Power()"/> of <see cref="Stft(ReadOnlySpan{float}, int, int?, int?, WindowType, bool, PadMode, DspOptions?)"/> with the same arguments.
    /// </summary>
    /// <param name="y">Audio samples (any sample rate).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames; default winLength / 4.</param>
    /// <param name="winLength">Window length in samples, centred in the frame; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="center">Centre frames on hop multiples by padding the signal.</param>
    /// <param name="padMode">Padding used when <paramref name="center"/> is set.</param>
    /// <param name="power">1 for magnitude, 2 for power.</param>
    /// <param name="options">FFT engine and threads; null for <see cref="DspOptions.Default"/>.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, invalid sizes or power, or a signal shorter than one frame.</exception>
    public static FloatMatrix Spectrogram(ReadOnlySpan<float> y, int nFft = 2048, int? hopLength = null, int? winLength = null,
        WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant, double power = 1.0,
        DspOptions? options = null)
    {
        var (hop, _) = ResolveFrameSizes(nFft, hopLength, winLength);
        if (y.IsEmpty) InputGuard.Audio(y);
        int frames = FramePipeline.FrameCount(y.Length, nFft, hop, center);
        var result = new FloatMatrix(nFft / 2 + 1, frames);
        var data = result.Data;
        HugePages.Advise(data);
        FramePipeline.ForEachSpectrumBlock(y, nFft, hopLength, winLength, window, center, padMode, power, options,
            (first, count, block, width) =>
            {
                for (int k = 0; k < result.Rows; k++) block.Slice(k * width, count).CopyTo(data.AsSpan(k * frames + first, count));
            });
        return result;
    }

    /// <summary>
    /// Block form of <see cref="Spectrogram(ReadOnlySpan{float}, int, int?, int?, WindowType, bool, PadMode, double, DspOptions?)"/>:
    /// |STFT|^power of frames [<paramref name="firstFrame"/>, firstFrame + frameCount) of the signal that
    /// <paramref name="frames"/> frames (a whole signal or a block of one; its frame length is nFft and its hop the
    /// hop), shaped <c>[1 + nFft/2, frameCount]</c>. Column j equals column firstFrame + j of the whole-signal
    /// spectrogram bit for bit, whichever block it came from, so a streaming caller can concatenate blocks.
    /// </summary>
    /// <param name="frames">The padded frame source (see <see cref="FrameSource"/> for blocks and their overlap).</param>
    /// <param name="firstFrame">Whole-signal index of the first frame wanted.</param>
    /// <param name="frameCount">Frames wanted; all must lie in <see cref="FrameSource.AvailableFrames"/>.</param>
    /// <param name="winLength">Window length in samples, centred in the frame; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="power">1 for magnitude, 2 for power.</param>
    /// <param name="options">FFT engine and threads; null for <see cref="DspOptions.Default"/>.</param>
    /// <exception cref="MusicMLException">Frames outside what the block holds, non-finite samples, invalid sizes or power.</exception>
    public static FloatMatrix Spectrogram(FrameSource frames, int firstFrame, int frameCount, int? winLength = null,
        WindowType window = WindowType.Hann, double power = 1.0, DspOptions? options = null)
    {
        options ??= DspOptions.Default;
        int nFft = frames.FrameLength, hop = frames.HopLength;
        var (_, win) = ResolveFrameSizes(nFft, hop, winLength);
        if (power is not (1.0 or 2.0)) throw new MusicMLException($"power must be 1 (magnitude) or 2 (power); got {power}.");
        CheckAvailable(frames, firstFrame, frameCount);
        var block = frames.Block;
        if (!block.IsEmpty) InputGuard.Audio(block);
        var result = new FloatMatrix(nFft / 2 + 1, frameCount);
        if (frameCount == 0) return result;
        var data = result.Data;
        HugePages.Advise(data);
        var windowValues = Windows.GetPadded(window, win, nFft);
        fixed (float* samples = block)
        {
            var reader = new FrameReader(samples, block.Length, frames.BlockOffset, frames.SignalLength, nFft, hop, frames.Pad, frames.PadMode);
            FramePipeline.RunSpectrumBlocks(reader, firstFrame, firstFrame + frameCount, hop, windowValues, RealFft.Create(nFft, options.Backend),
                power == 2.0, options, (first, count, values, width) =>
                {
                    for (int k = 0; k < result.Rows; k++)
                        values.Slice(k * width, count).CopyTo(data.AsSpan(k * frameCount + first - firstFrame, count));
                });
        }
        return result;
    }

    /// <summary>
    /// Frames start .. end − 1 of the STFT through <see cref="FrameBatchFft"/>. Full 16-frame batches stream straight
    /// into the output rows as whole 64-byte lines with non-temporal stores (<see cref="StreamingRowsSink"/>): the
    /// 21 MB per minute of output is written once, never read for ownership, and not staged; an earlier version
    /// staged 128 frames in L2 first so that each row got 1 KB runs, which cost about a sixth of the STFT. A final
    /// partial batch goes in with ordinary stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StftBatches(FrameReader reader, float[] window, int hop, ComplexMatrix result, int firstFrame, int start, int end)
    {
        var batches = new FrameBatches(reader, window, hop, end);
        int bins = result.Rows, columns = result.Columns, lanes = FrameBatchFft.Lanes;
        int full = (end - start) / lanes;
        var carry = new AlignedBuffer(16 * bins);
        var shifts = StreamingRowsSink.CreateShifts();
        fixed (float* output = result.Data)
        fixed (int* shiftTable = shifts)
        {
            // Frame t goes to column t − firstFrame.
            var rows = new StreamingRowsSink(output, columns, start - firstFrame, carry.Pointer, shiftTable);
            for (int b = 0; b < full; b++)
            {
                rows.Begin(b);
                batches.Forward(start + b * lanes, lanes, ref rows);
            }
            rows.Finish(bins, full);
            int first = start + full * lanes;
            if (first < end)
            {
                var sink = new ComplexColumnsSink(output, columns, first - firstFrame, end - first);
                batches.Forward(first, end - first, ref sink);
            }
        }
        // The sink holds only the carry's raw pointer: keep its pinned buffer alive until the last batch is written.
        GC.KeepAlive(carry);
        Sse.StoreFence();
    }

    // AggressiveOptimization: this loop covers the whole signal in one call, which would otherwise run as OSR code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StftFrames(FrameReader reader, float[] window, RealFft fft, ComplexMatrix result, int firstFrame, int start, int end)
    {
        int nFft = window.Length, bins = fft.Bins, frames = result.Columns;
        var frame = new AlignedBuffer(nFft);
        var edge = new float[nFft];
        // Spectra of a block of frames, transposed into the [bins, frames] output a block at a time so each
        // output row receives contiguous runs instead of one scattered value per frame.
        int blockStride = (2 * bins + 15) & ~15; // keep every spectrum 64-byte aligned for FFTW
        var block = new AlignedBuffer(FrameBlock * blockStride);
        fixed (float* output = result.Data)
        {
            float* staged = block.Pointer;
            for (int blockStart = start; blockStart < end; blockStart += FrameBlock)
            {
                int count = Math.Min(FrameBlock, end - blockStart);
                for (int j = 0; j < count; j++)
                {
                    FramePipeline.ApplyWindow(reader.Frame(blockStart + j, edge), window, frame.Pointer);
                    fft.Forward(frame.Span, block.Span.Slice(j * blockStride, 2 * bins));
                }
                TransposeComplex(staged, blockStride, count, bins, output + 2L * (blockStart - firstFrame), frames);
            }
        }
        // The last transpose reads the block through its raw pointer only: keep the pinned buffer alive until then.
        GC.KeepAlive(block);
    }

    /// <summary>
    /// Moves <paramref name="count"/> spectra (each <paramref name="bins"/> complex values, <paramref name="sourceStride"/>
    /// floats apart) into columns of a row-major complex matrix whose rows are <paramref name="columns"/> complex wide.
    /// </summary>
    /// <remarks>A complex64 value is 64 bits, so AVX moves 4 × 4 tiles as doubles: 4 loads, 8 shuffles, 4 stores.</remarks>
    private static void TransposeComplex(float* source, int sourceStride, int count, int bins, float* destination, int columns)
    {
        var from = (double*)source;
        var to = (double*)destination;
        int stride = sourceStride / 2;
        int full = Avx.IsSupported ? count & ~3 : 0;
        int k = 0;
        if (full > 0)
        {
            // Bins outer, frames inner: each output row then receives the block's frames as one contiguous run of
            // whole cache lines, rather than 32 bytes per row per pass over all 1025 rows (one page each), which
            // thrashed the TLB and the L1 and cost more than the FFTs.
            for (; k <= bins - 4; k += 4)
            {
                double* d = to + (long)k * columns;
                for (int j = 0; j < full; j += 4)
                {
                    double* s = from + j * stride + k;
                    var r0 = Avx.LoadVector256(s);
                    var r1 = Avx.LoadVector256(s + stride);
                    var r2 = Avx.LoadVector256(s + 2 * stride);
                    var r3 = Avx.LoadVector256(s + 3 * stride);
                    var t0 = Avx.UnpackLow(r0, r1);
                    var t1 = Avx.UnpackHigh(r0, r1);
                    var t2 = Avx.UnpackLow(r2, r3);
                    var t3 = Avx.UnpackHigh(r2, r3);
                    Avx.Store(d + j, Avx.Permute2x128(t0, t2, 0x20));
                    Avx.Store(d + columns + j, Avx.Permute2x128(t1, t3, 0x20));
                    Avx.Store(d + 2L * columns + j, Avx.Permute2x128(t0, t2, 0x31));
                    Avx.Store(d + 3L * columns + j, Avx.Permute2x128(t1, t3, 0x31));
                }
                for (int j = full; j < count; j++)
                    for (int r = k; r < k + 4; r++) to[(long)r * columns + j] = from[j * stride + r];
            }
        }
        for (; k < bins; k++)
            for (int j = 0; j < count; j++) to[(long)k * columns + j] = from[j * stride + k];
    }

    /// <summary>
    /// Inverse short-time Fourier transform (librosa.istft) by weighted overlap-add, divided by the summed squared
    /// window wherever that sum is not negligible, so <c>Istft(Stft(y), length: y.Length)</c> reproduces y.
    /// </summary>
    /// <param name="stftMatrix">Complex spectrogram <c>[1 + nFft/2, frames]</c>.</param>
    /// <param name="hopLength">Samples between frames; default winLength / 4.</param>
    /// <param name="winLength">Window length in samples; default nFft.</param>
    /// <param name="nFft">FFT length; default 2 · (rows − 1).</param>
    /// <param name="window">Window shape used by the analysis.</param>
    /// <param name="center">Whether the analysis centred its frames (removes nFft/2 samples of padding at each end).</param>
    /// <param name="length">Output length in samples (zero-padded or truncated); default all samples the frames cover.</param>
    /// <param name="options">FFT engine; null for <see cref="DspOptions.Default"/>.</param>
    /// <exception cref="MusicMLException">Invalid sizes, or a matrix whose rows do not match nFft.</exception>
    public static float[] Istft(ComplexMatrix stftMatrix, int? hopLength = null, int? winLength = null, int? nFft = null,
        WindowType window = WindowType.Hann, bool center = true, int? length = null, DspOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stftMatrix);
        options ??= DspOptions.Default;
        int n = nFft ?? 2 * (stftMatrix.Rows - 1);
        if (n <= 0 || n / 2 + 1 != stftMatrix.Rows)
            throw new MusicMLException($"An STFT with {stftMatrix.Rows} rows cannot come from nFft = {n}.");
        var (hop, win) = ResolveFrameSizes(n, hopLength, winLength);
        if (length is < 0) throw new MusicMLException($"length must be non-negative; got {length}.");
        InputGuard.Finite(stftMatrix.Data, "stftMatrix");

        int frames = stftMatrix.Columns;
        int start = center ? n / 2 : 0;
        if (length is int wanted)
        {
            int paddedLength = wanted + (center ? 2 * (n / 2) : 0);
            frames = Math.Min(frames, (paddedLength + hop - 1) / hop);
        }
        if (frames == 0) return new float[length ?? 0];
        int signalLength = n + hop * (frames - 1);
        var windowValues = Windows.GetPadded(window, win, n);
        var fft = RealFft.Create(n, options.Backend);
        var y = new float[signalLength];
        var windowSum = new float[signalLength];
        var spectrum = new AlignedBuffer(2 * fft.Bins);
        var frame = new AlignedBuffer(n);
        var data = stftMatrix.Data;
        int columns = stftMatrix.Columns;
        float scale = 1f / n;
        for (int t = 0; t < frames; t++)
        {
            var s = spectrum.Span;
            for (int k = 0; k < fft.Bins; k++)
            {
                s[2 * k] = data[2 * (k * columns + t)];
                s[2 * k + 1] = data[2 * (k * columns + t) + 1];
            }
            fft.InverseUnscaled(s, frame.Span);
            var f = frame.Span;
            int offset = t * hop;
            for (int i = 0; i < n; i++)
            {
                float w = windowValues[i];
                y[offset + i] += f[i] * w * scale;
                windowSum[offset + i] += w * w;
            }
        }
        // librosa divides only where the window sum exceeds the smallest normal float (util.tiny).
        for (int i = 0; i < signalLength; i++)
            if (windowSum[i] > 1.17549435e-38f) y[i] /= windowSum[i];

        int outputLength = length ?? Math.Max(0, signalLength - 2 * start);
        var result = new float[outputLength];
        int available = Math.Max(0, Math.Min(outputLength, signalLength - start));
        y.AsSpan(start, available).CopyTo(result);
        return result;
    }

    /// <summary>
    /// Power spectrogram to decibels (librosa.power_to_db): 10·log10(max(amin, S)) − 10·log10(max(amin, |ref|)),
    /// then clipped from below at (maximum − <paramref name="topDb"/>) when <paramref name="topDb"/> is given.
    /// </summary>
    /// <param name="power">Power values (e.g. |STFT|²).</param>
    /// <param name="reference">Level mapped to 0 dB: a value (default 1.0) or <see cref="DbReference.Max"/>.</param>
    /// <param name="amin">Floor applied before the logarithm (default 1e-10), keeping silence finite.</param>
    /// <param name="topDb">Dynamic range kept below the peak in dB (default 80); null keeps everything.</param>
    /// <exception cref="MusicMLException"><paramref name="amin"/> is not positive, or <paramref name="topDb"/> is negative.</exception>
    public static FloatMatrix PowerToDb(FloatMatrix power, DbReference? reference = null, double amin = 1e-10, double? topDb = 80.0)
    {
        Validation.NotEmpty(power, nameof(power));
        var result = new FloatMatrix(power.Rows, power.Columns);
        PowerToDb(power.Data, result.Data, reference ?? 1.0, amin, topDb);
        return result;
    }

    /// <summary>Span form of <see cref="PowerToDb(FloatMatrix, DbReference?, double, double?)"/>; the clip uses the maximum over the whole span.</summary>
    public static void PowerToDb(ReadOnlySpan<float> power, Span<float> destination, DbReference reference, double amin = 1e-10, double? topDb = 80.0)
    {
        if (!(amin > 0)) throw new MusicMLException($"amin must be positive; got {amin}.");
        if (topDb is < 0) throw new MusicMLException($"topDb must be non-negative; got {topDb}.");
        if (destination.Length < power.Length) throw new MusicMLException($"destination holds {destination.Length} values; {power.Length} needed.");
        double refValue = reference.IsMax ? MaxOf(power) : Math.Abs(reference.Value);
        // librosa computes in the input's float32 precision; the offset is a float32 scalar there too.
        float amin32 = (float)amin;
        float offset = (float)(10.0 * Math.Log10(Math.Max(amin, refValue)));
        // 10·log10(x) = (10·log10 2)·log2(x); Vector.Log2 is accurate to ~3e-7 relative, well inside float32 dB noise.
        const float TenLog10Of2 = 3.0102999566398120f;
        float max = float.NegativeInfinity;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var floor = new Vector<float>(amin32);
            var scale = new Vector<float>(TenLog10Of2);
            var shift = new Vector<float>(offset);
            var vmax = new Vector<float>(float.NegativeInfinity);
            for (; i <= power.Length - width; i += width)
            {
                var db = Vector.Log2(Vector.Max(floor, new Vector<float>(power[i..]))) * scale - shift;
                db.CopyTo(destination[i..]);
                vmax = Vector.Max(vmax, db);
            }
            for (int j = 0; j < width; j++) max = MathF.Max(max, vmax[j]);
        }
        for (; i < power.Length; i++)
        {
            float db = TenLog10Of2 * MathF.Log2(MathF.Max(amin32, power[i])) - offset;
            destination[i] = db;
            if (db > max) max = db;
        }
        if (topDb is double range)
        {
            float floorDb = max - (float)range;
            int k = 0;
            if (Vector.IsHardwareAccelerated)
            {
                int width = Vector<float>.Count;
                var vfloor = new Vector<float>(floorDb);
                for (; k <= power.Length - width; k += width)
                    Vector.Max(vfloor, new Vector<float>(destination[k..])).CopyTo(destination[k..]);
            }
            for (; k < power.Length; k++) if (destination[k] < floorDb) destination[k] = floorDb;
        }
    }

    /// <summary>
    /// Amplitude spectrogram to decibels (librosa.amplitude_to_db): <see cref="PowerToDb(FloatMatrix, DbReference?, double, double?)"/>
    /// of |S|² with reference ref² and floor amin², i.e. 20·log10(|S| / ref).
    /// </summary>
    /// <param name="amplitude">Magnitudes (e.g. |STFT|).</param>
    /// <param name="reference">Level mapped to 0 dB: a value (default 1.0) or <see cref="DbReference.Max"/>.</param>
    /// <param name="amin">Amplitude floor (default 1e-5).</param>
    /// <param name="topDb">Dynamic range kept below the peak in dB (default 80); null keeps everything.</param>
    /// <exception cref="MusicMLException"><paramref name="amin"/> is not positive, or <paramref name="topDb"/> is negative.</exception>
    public static FloatMatrix AmplitudeToDb(FloatMatrix amplitude, DbReference? reference = null, double amin = 1e-5, double? topDb = 80.0)
    {
        Validation.NotEmpty(amplitude, nameof(amplitude));
        var r = reference ?? 1.0;
        double refValue = r.IsMax ? MaxAbsOf(amplitude.Data) : Math.Abs(r.Value);
        var power = new FloatMatrix(amplitude.Rows, amplitude.Columns);
        var a = amplitude.Data;
        var p = power.Data;
        for (int i = 0; i < a.Length; i++) p[i] = a[i] * a[i];
        PowerToDb(p, p, refValue * refValue, amin * amin, topDb);
        return power;
    }

    /// <summary>Decibels to power (librosa.db_to_power): ref · 10^(dB/10).</summary>
    public static FloatMatrix DbToPower(FloatMatrix db, double reference = 1.0)
    {
        ArgumentNullException.ThrowIfNull(db);
        var result = new FloatMatrix(db.Rows, db.Columns);
        for (int i = 0; i < db.Data.Length; i++) result.Data[i] = (float)(reference * Math.Pow(10.0, 0.1 * db.Data[i]));
        return result;
    }

    /// <summary>Decibels to amplitude (librosa.db_to_amplitude): ref · 10^(dB/20).</summary>
    public static FloatMatrix DbToAmplitude(FloatMatrix db, double reference = 1.0)
    {
        ArgumentNullException.ThrowIfNull(db);
        var result = new FloatMatrix(db.Rows, db.Columns);
        for (int i = 0; i < db.Data.Length; i++) result.Data[i] = (float)(reference * Math.Pow(10.0, 0.05 * db.Data[i]));
        return result;
    }

    /// <summary>Validates frame parameters and applies librosa's defaults (winLength = nFft, hop = winLength / 4).</summary>
    internal static (int Hop, int Win) ResolveFrameSizes(int nFft, int? hopLength, int? winLength)
    {
        InputGuard.Positive(nFft, "nFft");
        int win = winLength ?? nFft;
        if (win <= 0 || win > nFft) throw new MusicMLException($"winLength must be between 1 and nFft = {nFft}; got {win}.");
        int hop = hopLength ?? Math.Max(1, win / 4);
        InputGuard.Positive(hop, "hopLength");
        return (hop, win);
    }

    internal static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; i <= a.Length - width; i += width)
                (new Vector<float>(a[i..]) * new Vector<float>(b[i..])).CopyTo(destination[i..]);
        }
        for (; i < a.Length; i++) destination[i] = a[i] * b[i];
    }

    internal static float MaxOf(ReadOnlySpan<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (var v in values) if (v > max) max = v;
        return max;
    }

    private static float MaxAbsOf(ReadOnlySpan<float> values)
    {
        float max = 0;
        foreach (var v in values) if (Math.Abs(v) > max) max = Math.Abs(v);
        return max;
    }
}
