using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// The one padded frame source: frames of <see cref="FrameLength"/> samples every <see cref="HopLength"/> samples
/// of a signal extended at its true ends by numpy.pad (<see cref="PadMode"/>), as librosa's <c>center=True</c>
/// framing does, either over the whole signal or over a <em>block</em> of it. Every feature, the STFT driver, the
/// CQT and Mir's front ends frame through the same padding code (<see cref="Padding"/>), so a frame is the same
/// samples whichever path computes it.
/// </summary>
/// <remarks>
/// <para>Frame t covers padded samples [t·hop, t·hop + frameLength), that is signal samples
/// [t·hop − pad, t·hop − pad + frameLength) with pad = frameLength / 2 when centred and 0 otherwise; samples outside
/// [0, signalLength) come from the padding. Frame indices are always those of the whole signal.</para>
/// <para><b>Block framing.</b> A streaming caller holds samples [offset, offset + n) of a longer signal. Construct
/// the source with that block, its <c>blockOffset</c> and whether the block reaches the signal's true end
/// (<c>endsSignal</c>; the true start is inside the block exactly when the offset is 0). Padding is applied only at
/// true edges; <see cref="AvailableFrames"/> says which frames the block determines completely, and those frames
/// equal the whole-signal frames bit for bit. To cover every frame, each block starts at least frameLength samples
/// before the previous block's end (the first frame it still needs can start frameLength − 1 samples before that
/// end, and reflect padding at the true end mirrors one sample further back) and computes the frames from where
/// the previous block stopped.</para>
/// </remarks>
public readonly ref struct FrameSource
{
    private readonly ReadOnlySpan<float> _block;

    /// <summary>Frames of a whole signal (the block is the signal: offset 0, ends the signal).</summary>
    /// <param name="signal">The samples.</param>
    /// <param name="frameLength">Samples per frame (nFft).</param>
    /// <param name="hopLength">Samples between frame starts.</param>
    /// <param name="center">Pad frameLength / 2 samples at both ends so frame t is centred at sample t·hop.</param>
    /// <param name="padMode">How the padding is filled.</param>
    /// <exception cref="MusicMLException">A size is not positive, or reflect padding of a signal shorter than 2 samples.</exception>
    public FrameSource(ReadOnlySpan<float> signal, int frameLength, int hopLength, bool center = true, PadMode padMode = PadMode.Constant)
        : this(signal, 0, true, frameLength, hopLength, center, padMode)
    {
    }

    /// <summary>Frames of a block holding samples [<paramref name="blockOffset"/>, blockOffset + block.Length) of a longer signal.</summary>
    /// <param name="block">The samples the caller holds.</param>
    /// <param name="blockOffset">Signal index of <c>block[0]</c>; 0 means the block holds the signal's true start.</param>
    /// <param name="endsSignal">Whether the block's last sample is the signal's last sample.</param>
    /// <param name="frameLength">Samples per frame (nFft).</param>
    /// <param name="hopLength">Samples between frame starts.</param>
    /// <param name="center">Pad frameLength / 2 samples at the true ends.</param>
    /// <param name="padMode">How the padding is filled.</param>
    /// <exception cref="MusicMLException">A size is not positive or the offset negative, or reflect padding of a signal shorter than 2 samples.</exception>
    public FrameSource(ReadOnlySpan<float> block, long blockOffset, bool endsSignal, int frameLength, int hopLength, bool center, PadMode padMode)
    {
        if (frameLength <= 0) throw new MusicMLException($"frameLength must be positive; got {frameLength}.");
        if (hopLength <= 0) throw new MusicMLException($"hopLength must be positive; got {hopLength}.");
        if (blockOffset < 0) throw new MusicMLException($"blockOffset must be non-negative; got {blockOffset}.");
        _block = block;
        BlockOffset = blockOffset;
        SignalLength = endsSignal ? blockOffset + block.Length : -1;
        FrameLength = frameLength;
        HopLength = hopLength;
        Pad = center ? frameLength / 2 : 0;
        PadMode = padMode;
        if (endsSignal && Pad > 0) Padding.CheckSignal(SignalLength, padMode);
    }

    /// <summary>The samples this source holds (the block).</summary>
    public ReadOnlySpan<float> Block => _block;

    /// <summary>Samples per frame.</summary>
    public int FrameLength { get; }

    /// <summary>Samples between frame starts.</summary>
    public int HopLength { get; }

    /// <summary>Samples of padding at each true end: frameLength / 2 when centred, else 0.</summary>
    public int Pad { get; }

    /// <summary>How the padding is filled.</summary>
    public PadMode PadMode { get; }

    /// <summary>Signal index of the block's first sample.</summary>
    public long BlockOffset { get; }

    /// <summary>The whole signal's length when the block reaches its end; −1 while it is not known.</summary>
    public long SignalLength { get; }

    /// <summary>
    /// Frames of a signal of <paramref name="signalLength"/> samples: 1 + (signalLength + 2·pad − frameLength) / hop
    /// (rounded down; librosa's count), 0 when the padded signal is shorter than one frame.
    /// </summary>
    public static int FrameCount(long signalLength, int frameLength, int hopLength, bool center) =>
        CountFrames(signalLength, frameLength, hopLength, center ? frameLength / 2 : 0);

    private static int CountFrames(long signalLength, int frameLength, int hopLength, int pad)
    {
        long padded = signalLength + 2L * pad;
        if (padded < frameLength) return 0;
        long frames = 1 + (padded - frameLength) / hopLength;
        if (frames > int.MaxValue) throw new MusicMLException($"A signal of {signalLength} samples gives {frames} frames of {frameLength} every {hopLength}; at most {int.MaxValue} are supported.");
        return (int)frames;
    }

    /// <summary>
    /// The frames [First, End) that this block determines completely: every sample they read, padding included,
    /// lies in the block or in padding at a true end inside it. For a whole signal that is every frame.
    /// </summary>
    public (int First, int End) AvailableFrames
    {
        get
        {
            long blockEnd = BlockOffset + _block.Length;
            int first = BlockOffset == 0 ? 0 : (int)Math.Min(int.MaxValue, (BlockOffset + Pad + HopLength - 1) / HopLength);
            int end;
            if (SignalLength >= 0)
            {
                end = CountFrames(SignalLength, FrameLength, HopLength, Pad);
                // Reflection at the end reads back before a frame's own start: step past frames whose mirror leaves the block.
                while (BlockOffset > 0 && first < end && LowestIndex(first) < BlockOffset) first++;
            }
            else
            {
                long last = blockEnd - FrameLength + Pad; // frame t fits while t·hop − pad + frameLength ≤ blockEnd
                end = last < 0 ? 0 : (int)Math.Min(int.MaxValue, last / HopLength + 1);
            }
            return (first, Math.Max(first, end));
        }
    }

    /// <summary>
    /// Frame <paramref name="t"/> (a whole-signal frame index inside <see cref="AvailableFrames"/>): a slice of the
    /// block when it lies inside, otherwise assembled with its padding in <paramref name="scratch"/> (frameLength samples).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The frame reads samples the block does not hold.</exception>
    public ReadOnlySpan<float> Frame(int t, Span<float> scratch)
    {
        long start = (long)t * HopLength - Pad - BlockOffset;
        if (start >= 0 && start + FrameLength <= _block.Length) return _block.Slice((int)start, FrameLength);
        CopyFrame(t, scratch);
        return scratch[..FrameLength];
    }

    /// <summary>Copies frame <paramref name="t"/>, padding included, into <paramref name="destination"/> (frameLength samples).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The frame reads samples the block does not hold.</exception>
    public void CopyFrame(int t, Span<float> destination)
    {
        if (destination.Length < FrameLength) throw new ArgumentException($"destination holds {destination.Length} samples; a frame is {FrameLength}.", nameof(destination));
        long first = (long)t * HopLength - Pad;
        Padding.Fill(_block, BlockOffset, SignalLength, first, PadMode, destination[..FrameLength]);
    }

    // The smallest signal index frame t reads (reflection at the true end mirrors back before the frame's start).
    private long LowestIndex(int t)
    {
        long start = (long)t * HopLength - Pad, end = start + FrameLength;
        if (PadMode == PadMode.Reflect && end > SignalLength) return Math.Min(start, Padding.ReflectIndex(end - 1, SignalLength));
        if (PadMode == PadMode.Edge && start >= SignalLength) return SignalLength - 1;
        return start;
    }
}

/// <summary>
/// numpy.pad's constant/reflect/edge extension, written once: every framing path in Dsp reads samples outside the
/// signal through here.
/// </summary>
internal static class Padding
{
    /// <summary>Refuses a signal that <paramref name="mode"/> cannot extend (reflect needs two samples; nothing pads an empty signal).</summary>
    public static void CheckSignal(long signalLength, PadMode mode)
    {
        if (mode == PadMode.Reflect && signalLength < 2)
            throw new MusicMLException($"Reflect padding needs at least 2 samples; the signal has {signalLength}.");
        if (mode == PadMode.Edge && signalLength < 1)
            throw new MusicMLException("Edge padding needs at least 1 sample; the signal is empty.");
    }

    /// <summary>
    /// Writes signal samples [<paramref name="first"/>, first + destination.Length) of the padded signal, given the
    /// block holding samples [blockOffset, blockOffset + block.Length) (<paramref name="signalLength"/> −1 while the
    /// block does not reach the end).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A sample the range needs is not in the block.</exception>
    public static void Fill(ReadOnlySpan<float> block, long blockOffset, long signalLength, long first, PadMode mode, Span<float> destination)
    {
        long from = first - blockOffset;
        // The common case, a frame wholly inside the block: one copy.
        if (from >= 0 && from + destination.Length <= block.Length && (signalLength < 0 || first + destination.Length <= signalLength))
        {
            block.Slice((int)from, destination.Length).CopyTo(destination);
            return;
        }
        for (int i = 0; i < destination.Length; i++) destination[i] = Sample(block, blockOffset, signalLength, first + i, mode);
    }

    /// <summary>Sample <paramref name="index"/> (any integer) of the padded signal; see <see cref="Fill"/>.</summary>
    public static float Sample(ReadOnlySpan<float> block, long blockOffset, long signalLength, long index, PadMode mode)
    {
        long source = index;
        bool inside = index >= 0 && (signalLength < 0 || index < signalLength);
        if (!inside)
        {
            if (index >= 0 && signalLength < 0)
                throw new ArgumentOutOfRangeException(nameof(index), $"Sample {index} is past the block ending at {blockOffset + block.Length}, which does not end the signal.");
            if (index < 0 && blockOffset > 0)
                throw new ArgumentOutOfRangeException(nameof(index), $"Sample {index} is padding before the signal's start, which block at {blockOffset} does not hold.");
            switch (mode)
            {
                case PadMode.Constant:
                    return 0f;
                case PadMode.Edge:
                    source = index < 0 ? 0 : signalLength - 1;
                    break;
                case PadMode.Reflect:
                    // Before the start the mirror is −index while that is inside what is known of the signal.
                    long known = signalLength >= 0 ? signalLength : blockOffset + block.Length;
                    if (signalLength < 0 && -index >= known)
                        throw new ArgumentOutOfRangeException(nameof(index), $"Reflecting sample {index} needs the signal's length; the block does not reach its end.");
                    source = ReflectIndex(index, known);
                    break;
                default:
                    throw new MusicMLException($"Unknown pad mode {mode}.");
            }
        }
        long at = source - blockOffset;
        if (at < 0 || at >= block.Length)
            throw new ArgumentOutOfRangeException(nameof(index), $"Sample {index} reads signal sample {source}, outside the block [{blockOffset}, {blockOffset + block.Length}).");
        return block[(int)at];
    }

    /// <summary>numpy's 'reflect' (mirror without repeating the edge), repeated as often as the pad requires.</summary>
    public static long ReflectIndex(long i, long n)
    {
        if (n < 2) return 0;
        long period = 2 * (n - 1);
        long m = ((i % period) + period) % period;
        return m < n ? m : period - m;
    }

    /// <summary>numpy.pad of a whole signal by <paramref name="pad"/> samples at each end, materialised.</summary>
    public static float[] Pad(ReadOnlySpan<float> y, int pad, PadMode mode)
    {
        if (pad > 0) CheckSignal(y.Length, mode);
        var result = new float[y.Length + 2L * pad];
        Fill(y, 0, y.Length, -pad, mode, result);
        return result;
    }
}
