using MusicML.Core;

namespace MusicML.Audio;

/// <summary>A source of interleaved float frames: the managed WAV reader or libsndfile.</summary>
internal interface IAudioDecoder : IDisposable
{
    /// <summary>The file's header information.</summary>
    AudioInfo Info { get; }

    /// <summary>True when samples are stored as floats and may be NaN or infinite.</summary>
    bool MayHoldNonFinite { get; }

    /// <summary>Moves to frame <paramref name="frame"/> (0-based).</summary>
    void Seek(long frame);

    /// <summary>Reads up to <c>destination.Length / channels</c> interleaved frames; returns the frames read, 0 at the end.</summary>
    int Read(Span<float> destination);
}

/// <summary>Opens the right decoder for a file by its first bytes, not its extension.</summary>
internal static class AudioDecoder
{
    /// <summary>
    /// Opens <paramref name="path"/>: RIFF/WAVE with the managed reader (falling back to libsndfile for encodings it
    /// does not decode), everything else with libsndfile.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="sndfile">The libsndfile dependency; tests pass an absent one to exercise the managed-only path.</param>
    public static IAudioDecoder Open(string path, NativeDependency? sndfile = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        sndfile ??= Sndfile.Dependency;
        // Asked before opening: opening a FIFO waits for a writer forever and a device can stream without end.
        var node = FileNode.Of(path);
        if (node.Kind == FileNodeKind.Missing) throw new AudioFileNotFoundException(path);
        if (!node.IsReadableFile) throw new AudioFileNotFoundException(path, $"is {node.Description}, not an audio file.");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFileNotFoundException(path, $"cannot be opened ({e.Message})");
        }

        Span<byte> head = stackalloc byte[12];
        int headLength;
        try
        {
            if (stream.Length == 0) throw new AudioFormatException(path, "the file is empty (0 bytes).");
            headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (WavHeader.LooksLikeWav(head[..headLength]))
            {
                try
                {
                    return new ManagedWavDecoder(stream, WavHeader.Read(stream, path), path);
                }
                catch (UnsupportedWavException)
                {
                    stream.Dispose();
                    // Compressed WAV is libsndfile's job; without it the user learns which package to install.
                    sndfile.EnsureAvailable();
                    return new SndfileDecoder(path);
                }
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        stream.Dispose();

        if (!sndfile.IsAvailable)
        {
            if (KnownNonWavFormat(head[..headLength]) is null)
                throw new AudioFormatException(path, "not a recognised audio format (no WAV header; other formats need libsndfile, which is not loaded).");
            sndfile.EnsureAvailable();
        }
        return new SndfileDecoder(path);
    }

    /// <summary>Names the container from its magic bytes, for formats only libsndfile decodes; null when unknown.</summary>
    private static string? KnownNonWavFormat(ReadOnlySpan<byte> head)
    {
        if (head.Length < 4) return null;
        if (head.StartsWith("fLaC"u8)) return "FLAC";
        if (head.StartsWith("OggS"u8)) return "OGG";
        if (head.StartsWith("FORM"u8)) return "AIFF";
        if (head.StartsWith("ID3"u8) || (head[0] == 0xFF && (head[1] & 0xE0) == 0xE0)) return "MP3";
        if (head.StartsWith(".snd"u8)) return "AU";
        if (head.StartsWith("caff"u8)) return "CAF";
        if (head.StartsWith("riff"u8)) return "W64";
        return null;
    }
}

/// <summary>Decodes PCM and float WAV without native code; the fast path for WAV.</summary>
internal sealed class ManagedWavDecoder : IAudioDecoder
{
    private const int ChunkBytes = 1 << 16;
    private readonly FileStream _stream;
    private readonly WavHeader _header;
    private readonly byte[] _bytes;
    private long _frame;

    public ManagedWavDecoder(FileStream stream, WavHeader header, string path)
    {
        _stream = stream;
        _header = header;
        Info = new AudioInfo(path, header.FormatName, header.SubtypeName, header.SampleRate, header.ChannelCount, header.FrameCount);
        if (header.IsTruncated && header.FrameCount > 0)
            AudioWarnings.Raise(path, AudioWarnings.Truncated(path, header.FrameCount, header.DeclaredFrameCount, header.SampleRate));
        _bytes = new byte[Math.Max(ChunkBytes / header.BlockAlign, 1) * header.BlockAlign];
        Seek(0);
    }

    public AudioInfo Info { get; }

    public bool MayHoldNonFinite => _header.IsFloat;

    public void Seek(long frame)
    {
        _frame = Math.Clamp(frame, 0, _header.FrameCount);
        _stream.Position = _header.DataOffset + _frame * _header.BlockAlign;
    }

    public int Read(Span<float> destination)
    {
        int channels = _header.ChannelCount;
        long wanted = Math.Min(destination.Length / channels, _header.FrameCount - _frame);
        int done = 0;
        while (done < wanted)
        {
            int frames = (int)Math.Min(wanted - done, _bytes.Length / _header.BlockAlign);
            int byteCount = frames * _header.BlockAlign;
            int got = _stream.ReadAtLeast(_bytes.AsSpan(0, byteCount), byteCount, throwOnEndOfStream: false);
            if (got < byteCount)
                throw new AudioFormatException(Info.Path, $"truncated: the file ended at frame {_frame + done + got / _header.BlockAlign} of {_header.FrameCount}.");
            SampleConversion.ToFloat(_header.Encoding, _bytes.AsSpan(0, byteCount), destination.Slice(done * channels, frames * channels));
            done += frames;
        }
        _frame += done;
        return done;
    }

    public void Dispose() => _stream.Dispose();
}
