using MusicML.Core;
namespace MusicML.Dsp;

/// <summary>
/// The engines' view of a <see cref="FrameSource"/>: frames of a pinned block of a signal as if it were padded at its
/// true ends (numpy.pad semantics, through <see cref="Padding"/>) without copying it. Interior frames are slices of
/// the block itself and only the few frames that overlap the padding are assembled in caller scratch, which saves a
/// copy of the whole signal per call (53 MB for 10 minutes at 22050 Hz). Unlike the public ref struct it can be
/// captured by the per-thread chunk delegates and held by <see cref="FrameBatches"/>; the caller keeps the block
/// pinned (a <c>fixed</c> block) for as long as the reader is used.
/// </summary>
internal readonly unsafe struct FrameReader
{
    private readonly IntPtr _block;
    private readonly int _length;
    private readonly long _offset, _signalLength;
    private readonly int _frameLength;
    private readonly int _hop;
    private readonly int _pad;
    private readonly PadMode _mode;
    private readonly bool _zerosPastBlock;

    /// <summary>A reader of a whole signal of <paramref name="length"/> samples.</summary>
    public FrameReader(float* signal, int length, int frameLength, int hop, int pad, PadMode mode)
        : this(signal, length, 0, length, frameLength, hop, pad, mode)
    {
    }

    /// <summary>A reader of the block holding samples [blockOffset, blockOffset + length) of a signal of <paramref name="signalLength"/> samples (−1 while unknown).</summary>
    public FrameReader(float* block, int length, long blockOffset, long signalLength, int frameLength, int hop, int pad, PadMode mode)
        : this(block, length, blockOffset, signalLength, frameLength, hop, pad, mode, zerosPastBlock: false)
    {
    }

    private FrameReader(float* block, int length, long blockOffset, long signalLength, int frameLength, int hop, int pad, PadMode mode, bool zerosPastBlock)
    {
        _zerosPastBlock = zerosPastBlock;
        if (pad > 0 && signalLength >= 0) Padding.CheckSignal(signalLength, mode);
        _block = (IntPtr)block;
        _length = length;
        _offset = blockOffset;
        _signalLength = signalLength;
        _frameLength = frameLength;
        _hop = hop;
        _pad = pad;
        _mode = mode;
    }

    /// <summary>The samples of the block this reader frames.</summary>
    public ReadOnlySpan<float> Signal => new((float*)_block, _length);

    /// <summary>
    /// A reader of the same padded signal cut into consecutive, non-overlapping rows of hop samples. The hop-major
    /// stage reads whole rows, so the last row a frame touches can run up to hop − 1 samples past the frame; in a
    /// block that does not end the signal those samples are not held, and no frame uses them, so they read as zeros.
    /// </summary>
    public FrameReader Rows() => new((float*)_block, _length, _offset, _signalLength, _hop, _hop, _pad, _mode, zerosPastBlock: true);

    /// <summary>Whether frame <paramref name="t"/> is a slice of the block itself (no padding, no scratch needed).</summary>
    public bool IsInPlace(int t)
    {
        long first = (long)t * _hop - _pad;
        long start = first - _offset;
        return start >= 0 && start + _frameLength <= _length && (_signalLength < 0 || first + _frameLength <= _signalLength);
    }

    /// <summary>Frame <paramref name="t"/> (frameLength samples starting at t·hop in padded coordinates); <paramref name="scratch"/> holds it when it touches the padding.</summary>
    public ReadOnlySpan<float> Frame(int t, Span<float> scratch)
    {
        long first = (long)t * _hop - _pad;
        if (IsInPlace(t)) return new ReadOnlySpan<float>((float*)_block + (first - _offset), _frameLength);
        var frame = scratch[.._frameLength];
        long held = _offset + _length;
        if (_zerosPastBlock && _signalLength < 0 && first + _frameLength > held)
        {
            int inside = (int)Math.Clamp(held - first, 0, _frameLength);
            Padding.Fill(Signal, _offset, _signalLength, first, _mode, frame[..inside]);
            frame[inside..].Clear();
            return frame;
        }
        Padding.Fill(Signal, _offset, _signalLength, first, _mode, frame);
        return frame;
    }
}
