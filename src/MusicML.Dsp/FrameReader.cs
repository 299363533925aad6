using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// Frames of a pinned signal as if it were padded (numpy.pad semantics) without copying it: interior frames are
/// slices of the signal itself and only the few frames that overlap the padding are assembled in caller scratch.
/// Saves a copy of the whole signal per call (53 MB for 10 minutes at 22050 Hz). The caller keeps the signal pinned
/// (a <c>fixed</c> block) for as long as the reader is used.
/// </summary>
internal readonly unsafe struct FrameReader
{
    private readonly IntPtr _signal;
    private readonly int _length;
    private readonly int _frameLength;
    private readonly int _hop;
    private readonly int _pad;
    private readonly PadMode _mode;

    public FrameReader(float* signal, int length, int frameLength, int hop, int pad, PadMode mode)
    {
        if (pad > 0 && mode == PadMode.Reflect && length < 2)
            throw new MusicMLException($"Reflect padding needs at least 2 samples; the signal has {length}.");
        _signal = (IntPtr)signal;
        _length = length;
        _frameLength = frameLength;
        _hop = hop;
        _pad = pad;
        _mode = mode;
    }

    /// <summary>The unpadded signal this reader frames.</summary>
    public ReadOnlySpan<float> Signal => new((float*)_signal, _length);

    /// <summary>A reader of the same padded signal cut into consecutive, non-overlapping rows of hop samples.</summary>
    public FrameReader Rows() => new((float*)_signal, _length, _hop, _hop, _pad, _mode);

    /// <summary>Frame <paramref name="t"/> (frameLength samples starting at t·hop in padded coordinates); <paramref name="scratch"/> holds it when it touches the padding.</summary>
    public ReadOnlySpan<float> Frame(int t, Span<float> scratch)
    {
        var y = (float*)_signal;
        int start = t * _hop - _pad;
        if (start >= 0 && start + _frameLength <= _length) return new ReadOnlySpan<float>(y + start, _frameLength);
        for (int i = 0; i < _frameLength; i++) scratch[i] = Sample(y, start + i);
        return scratch[.._frameLength];
    }

    private float Sample(float* y, int i)
    {
        if ((uint)i < (uint)_length) return y[i];
        return _mode switch
        {
            PadMode.Constant => 0f,
            PadMode.Edge => i < 0 ? y[0] : y[_length - 1],
            _ => y[ReflectIndex(i, _length)],
        };
    }

    // numpy 'reflect' (mirror without repeating the edge), repeated as often as the pad requires.
    private static int ReflectIndex(int i, int n)
    {
        int period = 2 * (n - 1);
        int m = ((i % period) + period) % period;
        return m < n ? m : period - m;
    }
}
