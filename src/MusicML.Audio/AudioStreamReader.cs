using MusicML.Core;

namespace MusicML.Audio;

/// <summary>
/// Reads a file block by block into a caller's buffer, so a two-hour recording is processed in bounded memory.
/// Frames come out interleaved (<see cref="ChannelCount"/> samples per frame), optionally mixed to mono and
/// resampled as they stream; concatenating the blocks gives exactly what <see cref="AudioFile.Load"/> returns for the
/// same arguments.
/// </summary>
/// <example>
/// <code>
/// using var reader = new AudioStreamReader("long.flac");
/// var block = new float[65536 * reader.ChannelCount];
/// int frames;
/// while ((frames = reader.Read(block)) &gt; 0) Process(block.AsSpan(0, frames * reader.ChannelCount));
/// </code>
/// </example>
public sealed class AudioStreamReader : IDisposable
{
    private const int InputBlockFrames = 16384;
    private readonly IAudioDecoder _decoder;
    private readonly bool _downmix;
    private readonly float[] _interleaved;   // one decoded input block
    private readonly float[][] _planar;      // the block per output channel (only when resampling)
    private readonly StreamingResampler[]? _resamplers;
    private readonly float[][]? _pending;    // resampled output not yet handed out, per channel
    private readonly int _nativeRate;
    private int _pendingStart, _pendingCount;
    private long _inputRemaining;
    private long _inputConsumed;
    private long _outputLimit = long.MaxValue;
    private long _delivered;                 // resampled frames handed out
    private bool _inputDone;
    private bool _flushed;

    /// <summary>Opens <paramref name="path"/> for block reading.</summary>
    /// <param name="path">The audio file.</param>
    /// <param name="sampleRate">Output rate in Hz, resampled while streaming; null keeps the native rate (default).</param>
    /// <param name="mono">Average the channels into one (default) or keep them.</param>
    /// <param name="offset">Start this many seconds into the file (rounded to the nearest frame).</param>
    /// <param name="duration">Stop after this many seconds of input; null reads to the end.</param>
    /// <param name="quality">Resampling quality when <paramref name="sampleRate"/> differs from the native rate.</param>
    /// <exception cref="AudioFileNotFoundException">The file does not exist or cannot be opened.</exception>
    /// <exception cref="AudioFormatException">The file is empty, truncated or not audio.</exception>
    /// <exception cref="NativeLibraryMissingException">A non-WAV file and libsndfile is not installed.</exception>
    /// <exception cref="MusicMLException">An invalid parameter, or an offset at or past the end of the audio.</exception>
    public AudioStreamReader(string path, int? sampleRate = null, bool mono = true, double offset = 0,
        double? duration = null, ResampleQuality quality = ResampleQuality.High)
    {
        AudioFile.ValidateWindow(sampleRate, offset, duration);
        _decoder = AudioDecoder.Open(path);
        try
        {
            Info = _decoder.Info;
            var (start, frames) = AudioFile.Window(Info, offset, duration);
            _decoder.Seek(start);
            _inputRemaining = frames;
            WindowFrames = frames;
            _downmix = mono && Info.ChannelCount > 1;
            ChannelCount = mono ? 1 : Info.ChannelCount;
            _nativeRate = Info.SampleRate;
            SampleRate = sampleRate ?? _nativeRate;
            _interleaved = new float[InputBlockFrames * Info.ChannelCount];
            _planar = [];
            if (SampleRate != _nativeRate)
            {
                _planar = new float[ChannelCount][];
                _resamplers = new StreamingResampler[ChannelCount];
                _pending = new float[ChannelCount][];
                for (int c = 0; c < ChannelCount; c++)
                {
                    _planar[c] = new float[InputBlockFrames];
                    _resamplers[c] = StreamingResampler.Create(_nativeRate, SampleRate, quality, ResamplerEngine.Auto);
                    _pending[c] = new float[_resamplers[c].MaxOutputLength(InputBlockFrames)];
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The file's header information (native rate and channels).</summary>
    public AudioInfo Info { get; }

    /// <summary>Rate of the frames <see cref="Read"/> returns, in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Samples per frame in what <see cref="Read"/> returns: 1 when mixing to mono.</summary>
    public int ChannelCount { get; }

    /// <summary>Input frames (at the native rate) the header says the window holds.</summary>
    private long WindowFrames { get; }

    /// <summary>
    /// Frames <see cref="Read"/> will hand out in all if the file decodes as long as its header says: the window's
    /// frames, resampled to ⌈n · <see cref="SampleRate"/> / native rate⌉ as librosa's length rule does. A truncated or
    /// damaged file gives fewer (never more); <see cref="FramesRead"/> at the end is the true count.
    /// </summary>
    public long ExpectedFrameCount => SampleRate == _nativeRate
        ? WindowFrames
        : (long)(((Int128)WindowFrames * SampleRate + _nativeRate - 1) / _nativeRate);

    /// <summary>Frames handed out so far.</summary>
    public long FramesRead { get; private set; }

    /// <summary>
    /// Fills <paramref name="destination"/> with up to <c>destination.Length / ChannelCount</c> interleaved frames and
    /// returns how many; fewer only at the end of the stream, 0 after it.
    /// </summary>
    /// <exception cref="AudioFormatException">The file is truncated or holds NaN/infinite samples.</exception>
    public int Read(Span<float> destination)
    {
        int wanted = destination.Length / ChannelCount;
        if (wanted == 0 && destination.Length > 0)
            throw new MusicMLException($"The destination holds {destination.Length} samples, less than one frame of {ChannelCount} channels.");
        int done = _resamplers is null ? ReadNative(destination, wanted) : ReadResampled(destination, wanted);
        FramesRead += done;
        return done;
    }

    /// <summary>Closes the file and releases the resamplers.</summary>
    public void Dispose()
    {
        _decoder?.Dispose();
        if (_resamplers is not null)
            foreach (var r in _resamplers) r?.Dispose();
    }

    /// <summary>Decodes up to <paramref name="maxFrames"/> input frames into <see cref="_interleaved"/>.</summary>
    private int DecodeBlock(int maxFrames)
    {
        if (_inputDone) return 0;
        int want = (int)Math.Min(Math.Min(maxFrames, InputBlockFrames), _inputRemaining);
        int got = want == 0 ? 0 : _decoder.Read(_interleaved.AsSpan(0, want * Info.ChannelCount));
        if (got == 0)
        {
            _inputDone = true;
            return 0;
        }
        var block = _interleaved.AsSpan(0, got * Info.ChannelCount);
        if (_decoder.MayHoldNonFinite)
        {
            int bad = InputGuard.FirstInvalidSample(block);
            if (bad >= 0)
                throw new AudioFormatException(Info.Path, $"sample at frame {_inputConsumed + bad / Info.ChannelCount} (after the offset) is {block[bad]}; {AudioFile.SampleRule}");
        }
        _inputRemaining -= got;
        _inputConsumed += got;
        return got;
    }

    private int ReadNative(Span<float> destination, int wanted)
    {
        int done = 0;
        while (done < wanted)
        {
            int got = DecodeBlock(wanted - done);
            if (got == 0) break;
            var block = _interleaved.AsSpan(0, got * Info.ChannelCount);
            if (_downmix) SampleConversion.DownmixInterleaved(block, Info.ChannelCount, destination.Slice(done, got));
            else block.CopyTo(destination[(done * ChannelCount)..]);
            done += got;
        }
        return done;
    }

    private int ReadResampled(Span<float> destination, int wanted)
    {
        int done = 0;
        while (done < wanted)
        {
            if (_pendingCount == 0 && !Refill()) break;
            // A short block can vanish into the resampler's filter delay (1 024 frames of a cut-off file do): decode on.
            if (_pendingCount == 0) continue;
            int take = (int)Math.Min(Math.Min(_pendingCount, wanted - done), _outputLimit - _delivered);
            if (take <= 0) break;
            if (ChannelCount == 1) _pending![0].AsSpan(_pendingStart, take).CopyTo(destination[done..]);
            else SampleConversion.Interleave(_pending!, _pendingStart, take, destination[(done * ChannelCount)..]);
            _pendingStart += take;
            _pendingCount -= take;
            _delivered += take;
            done += take;
        }
        return done;
    }

    /// <summary>Resamples the next input block (or the flushed tail) into the pending buffers; false at the end.</summary>
    private bool Refill()
    {
        _pendingStart = 0;
        int got = DecodeBlock(InputBlockFrames);
        if (got > 0)
        {
            var block = _interleaved.AsSpan(0, got * Info.ChannelCount);
            if (_downmix) SampleConversion.DownmixInterleaved(block, Info.ChannelCount, _planar[0]);
            else SampleConversion.Deinterleave(block, Info.ChannelCount, _planar, 0);
            int produced = 0;
            for (int c = 0; c < ChannelCount; c++) produced = _resamplers![c].Process(_planar[c].AsSpan(0, got), _pending![c]);
            _pendingCount = produced;
            return true;
        }
        // librosa's length: ⌈n · target / native⌉ frames in all, zero-padded if the filter tail falls short.
        _outputLimit = (_inputConsumed * SampleRate + _nativeRate - 1) / _nativeRate;
        if (_flushed) return PadToLimit();
        int tail = 0;
        for (int c = 0; c < ChannelCount; c++) tail = _resamplers![c].Flush(_pending![c]);
        if (tail == 0)
        {
            _flushed = true;
            return PadToLimit();
        }
        _pendingCount = tail;
        return true;
    }

    private bool PadToLimit()
    {
        long missing = _outputLimit - _delivered;
        if (missing <= 0) return false;
        int count = (int)Math.Min(missing, _pending![0].Length);
        for (int c = 0; c < ChannelCount; c++) _pending[c].AsSpan(0, count).Clear();
        _pendingCount = count;
        return true;
    }
}
