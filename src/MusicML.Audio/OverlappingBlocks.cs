using MusicML.Core;

namespace MusicML.Audio;

/// <summary>
/// Cuts a mono stream into overlapping windows so that frame-based analyses run on a recording of any length in
/// bounded memory: each window holds one block of <see cref="BlockSamples"/> samples that it owns plus up to
/// <see cref="ContextSamples"/> samples of context on either side (none before the first block, what is left after
/// the last). An analysis computes its frames on the whole window and keeps only the frames whose centre lies in the
/// owned block (<see cref="OwnedFrames"/>); as long as the context covers half a frame and whatever temporal context
/// the analysis needs, those frames are exactly the ones a whole-file pass would compute, because every window starts
/// on a multiple of the hop and touches the file's padding only where the file itself begins or ends. A recording no
/// longer than one block and its context comes out as one window holding all of it (<see cref="IsWhole"/>).
/// </summary>
/// <example>
/// <code>
/// using var reader = new AudioStreamReader(path, 22050);
/// var blocks = new OverlappingBlocks(reader, blockSamples: 512 * 8192, contextSamples: 512 * 8);
/// while (blocks.Next())
/// {
///     var mel = Features.MelSpectrogram(blocks.Window.ToArray(), 22050);
///     var (first, count) = blocks.OwnedFrames(512);
///     // columns first .. first + count − 1 of mel are global frames blocks.WindowStart / 512 + first ...
/// }
/// </code>
/// </example>
public sealed class OverlappingBlocks
{
    private readonly AudioStreamReader _reader;
    private float[] _buffer;
    private int _length;          // valid samples in _buffer
    private bool _endOfStream;
    private bool _started;

    /// <summary>Windows over <paramref name="reader"/>, which must deliver one channel.</summary>
    /// <param name="reader">The mono stream (not disposed here).</param>
    /// <param name="blockSamples">Samples each window owns; a multiple of every hop the windows are framed with.</param>
    /// <param name="contextSamples">Samples of context either side; a multiple of every hop, at least half a frame plus any temporal context.</param>
    /// <exception cref="MusicMLException">A multi-channel reader or non-positive sizes.</exception>
    public OverlappingBlocks(AudioStreamReader reader, int blockSamples, int contextSamples)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.ChannelCount != 1) throw new MusicMLException($"{reader.Info.Path}: overlapping blocks need a mono stream; got {reader.ChannelCount} channels.");
        if (blockSamples <= 0) throw new MusicMLException($"blockSamples must be positive; got {blockSamples}.");
        // With context, a stream that ends exactly on a block boundary is seen to end while that block is read, so
        // the frame centred on the last sample boundary is owned by the last window rather than by none.
        if (contextSamples <= 0) throw new MusicMLException($"contextSamples must be positive; got {contextSamples}.");
        if ((long)blockSamples + 2L * contextSamples > Array.MaxLength)
            throw new MusicMLException($"A block of {blockSamples} samples with {contextSamples} of context either side does not fit in one array.");
        _reader = reader;
        BlockSamples = blockSamples;
        ContextSamples = contextSamples;
        _buffer = [];
    }

    /// <summary>Samples each window owns.</summary>
    public int BlockSamples { get; }

    /// <summary>Samples of context either side of the owned block.</summary>
    public int ContextSamples { get; }

    /// <summary>The current window's samples.</summary>
    public ReadOnlySpan<float> Window => _buffer.AsSpan(0, _length);

    /// <summary>Index in the stream of the window's first sample (a multiple of the block and context sizes' common hops).</summary>
    public long WindowStart { get; private set; }

    /// <summary>Index in the stream of the first sample the window owns.</summary>
    public long OwnedStart { get; private set; }

    /// <summary>Index one past the last sample the window owns (the stream's end for the last window).</summary>
    public long OwnedEnd { get; private set; }

    /// <summary>True for the window that reaches the end of the stream; it also owns the frame centred on the last sample boundary.</summary>
    public bool IsLast { get; private set; }

    /// <summary>True when the first window is also the last: it holds the whole recording, with no cut anywhere.</summary>
    public bool IsWhole => IsLast && OwnedStart == 0;

    /// <summary>Samples read from the stream so far.</summary>
    public long SamplesRead => _reader.FramesRead;

    /// <summary>Moves to the next window; false after the last (or for an empty stream).</summary>
    /// <exception cref="AudioFormatException">The stream is truncated or holds non-finite samples.</exception>
    public bool Next()
    {
        if (IsLast) return false;
        long ownedStart = _started ? OwnedEnd : 0;
        long windowStart = Math.Max(0, ownedStart - ContextSamples);
        if (_started)
        {
            // Keep the samples the next window shares with this one: its left context and whatever was read ahead.
            int keep = (int)(windowStart - WindowStart);
            _buffer.AsSpan(keep, _length - keep).CopyTo(_buffer);
            _length -= keep;
        }
        _started = true;
        int wanted = (int)(ownedStart - windowStart) + BlockSamples + ContextSamples;
        while (_length < wanted && !_endOfStream)
        {
            // Grow as samples arrive, so a block size far beyond the recording costs only the recording.
            if (_buffer.Length == _length) Array.Resize(ref _buffer, (int)Math.Min(wanted, Math.Max(65536, 2L * _length)));
            int got = _reader.Read(_buffer.AsSpan(_length, Math.Min(wanted, _buffer.Length) - _length));
            if (got == 0) _endOfStream = true;
            _length += got;
        }
        WindowStart = windowStart;
        OwnedStart = ownedStart;
        long end = windowStart + _length;
        if (ownedStart >= end) return false;
        IsLast = _endOfStream && ownedStart + BlockSamples >= end;
        OwnedEnd = IsLast ? end : ownedStart + BlockSamples;
        return true;
    }

    /// <summary>
    /// The frames of the current window that it owns, for centred frames every <paramref name="hopLength"/> samples
    /// (librosa's <c>center=True</c>: frame j of the window is centred on sample <c>WindowStart + j·hop</c>, and the
    /// window has <c>1 + Window.Length / hop</c> of them). Window frame j is stream frame <c>WindowStart / hop + j</c>.
    /// </summary>
    /// <exception cref="MusicMLException"><paramref name="hopLength"/> does not divide the window's start.</exception>
    public (int First, int Count) OwnedFrames(int hopLength)
    {
        if (hopLength <= 0) throw new MusicMLException($"hopLength must be positive; got {hopLength}.");
        if (WindowStart % hopLength != 0 || OwnedStart % hopLength != 0)
            throw new MusicMLException($"The window at sample {WindowStart} is not on the {hopLength}-sample frame grid: make the block and context sizes multiples of the hop.");
        int first = (int)((OwnedStart - WindowStart) / hopLength);
        int end = IsLast ? 1 + _length / hopLength : (int)((OwnedEnd - WindowStart) / hopLength);
        return (first, end - first);
    }

    /// <summary>
    /// The smallest block grid, in samples, on which frames of every one of <paramref name="hopLengths"/> start: their
    /// least common multiple. Block and context sizes that are multiples of it keep every front end's frames aligned.
    /// </summary>
    /// <exception cref="MusicMLException">A hop is not positive, or the grid exceeds a quarter of the largest int (no block could hold it).</exception>
    public static int Grid(params ReadOnlySpan<int> hopLengths)
    {
        long grid = 1;
        foreach (int hop in hopLengths)
        {
            if (hop <= 0) throw new MusicMLException($"hopLength must be positive; got {hop}.");
            long a = grid, b = hop;
            while (b != 0) (a, b) = (b, a % b);
            grid = grid / a * hop;
            if (grid > int.MaxValue / 4)
                throw new MusicMLException($"The hops {string.Join(", ", hopLengths.ToArray())} share no block grid that fits in memory.");
        }
        return (int)grid;
    }

    /// <summary>Rounds <paramref name="samples"/> up to a multiple of <paramref name="alignment"/>.</summary>
    public static int RoundUp(long samples, int alignment)
    {
        if (alignment <= 0) throw new MusicMLException($"alignment must be positive; got {alignment}.");
        long rounded = (samples + alignment - 1) / alignment * alignment;
        if (rounded > Array.MaxLength) throw new MusicMLException($"{rounded} samples do not fit in one array.");
        return (int)rounded;
    }
}
