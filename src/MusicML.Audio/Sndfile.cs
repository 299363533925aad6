using System.Runtime.InteropServices;
using MusicML.Core;

namespace MusicML.Audio;

/// <summary>P/Invoke surface of libsndfile (only what decoding needs).</summary>
internal static unsafe partial class Sndfile
{
    private const string Library = "sndfile";
    private const int ModeRead = 0x10;
    private const int SeekSet = 0;
    private const int TypeMask = 0x0FFF0000, SubMask = 0x0000FFFF;

    /// <summary>libsndfile, resolved by its versioned soname because Debian's runtime package has no unversioned link.</summary>
    public static readonly NativeDependency Dependency = Register(
        new NativeDependency(Library, "libsndfile", "libsndfile1", "decoding FLAC, Ogg Vorbis, Opus, MP3 and AIFF files",
            "libsndfile.so.1", "libsndfile.so", "libsndfile.dylib", "sndfile.dll"));

    [StructLayout(LayoutKind.Sequential)]
    public struct Info
    {
        public long Frames;
        public int SampleRate;
        public int Channels;
        public int Format;
        public int Sections;
        public int Seekable;
    }

    [LibraryImport(Library, EntryPoint = "sf_open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial SndfileHandle OpenNative(string path, int mode, Info* info);

    [LibraryImport(Library, EntryPoint = "sf_readf_float")]
    public static partial long ReadFrames(SndfileHandle file, float* destination, long frames);

    [LibraryImport(Library, EntryPoint = "sf_seek")]
    public static partial long SeekNative(SndfileHandle file, long frames, int whence);

    [LibraryImport(Library, EntryPoint = "sf_close")]
    internal static partial int Close(IntPtr file);

    [LibraryImport(Library, EntryPoint = "sf_strerror")]
    private static partial IntPtr ErrorText(SndfileHandle? file);

    [LibraryImport(Library, EntryPoint = "sf_strerror")]
    private static partial IntPtr GlobalErrorText(IntPtr file);

    /// <summary>Opens <paramref name="path"/> for reading or throws an <see cref="AudioFormatException"/> with libsndfile's reason.</summary>
    public static SndfileHandle Open(string path, out Info info)
    {
        Dependency.EnsureAvailable();
        Info header = default;
        SndfileHandle handle;
        using (NativeStderr.Silence()) handle = OpenNative(path, ModeRead, &header);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            var reason = (Marshal.PtrToStringUTF8(GlobalErrorText(IntPtr.Zero)) ?? "unknown error").TrimEnd('.', ' ', '\n');
            // libsndfile says "File does not exist or is not a regular file" whenever its format probe fails on a
            // stream it cannot rewind; the caller has already checked that the file exists and is regular.
            if (reason.Contains("does not exist", StringComparison.OrdinalIgnoreCase) && File.Exists(path))
                reason = "not a format it recognises, or damaged beyond its header";
            throw new AudioFormatException(path, $"libsndfile cannot decode it: {reason}.");
        }
        info = header;
        return handle;
    }

    /// <summary>The last error libsndfile recorded for <paramref name="file"/>.</summary>
    public static string LastError(SndfileHandle file) => Marshal.PtrToStringUTF8(ErrorText(file)) ?? "unknown error";

    /// <summary>soundfile's container name for a libsndfile format code.</summary>
    public static string FormatName(int format) => (format & TypeMask) switch
    {
        0x010000 => "WAV",
        0x020000 => "AIFF",
        0x030000 => "AU",
        0x040000 => "RAW",
        0x0B0000 => "W64",
        0x130000 => "WAVEX",
        0x170000 => "FLAC",
        0x180000 => "CAF",
        0x200000 => "OGG",
        0x220000 => "RF64",
        0x230000 => "MP3",
        var other => $"0x{other:X6}",
    };

    /// <summary>soundfile's subtype name for a libsndfile format code.</summary>
    public static string SubtypeName(int format) => (format & SubMask) switch
    {
        0x0001 => "PCM_S8",
        0x0002 => "PCM_16",
        0x0003 => "PCM_24",
        0x0004 => "PCM_32",
        0x0005 => "PCM_U8",
        0x0006 => "FLOAT",
        0x0007 => "DOUBLE",
        0x0010 => "ULAW",
        0x0011 => "ALAW",
        0x0012 => "IMA_ADPCM",
        0x0013 => "MS_ADPCM",
        0x0020 => "GSM610",
        0x0060 => "VORBIS",
        0x0064 => "OPUS",
        0x0070 => "ALAC_16",
        0x0071 => "ALAC_20",
        0x0072 => "ALAC_24",
        0x0073 => "ALAC_32",
        0x0080 => "MPEG_LAYER_I",
        0x0081 => "MPEG_LAYER_II",
        0x0082 => "MPEG_LAYER_III",
        var other => $"0x{other:X4}",
    };

    /// <summary>True for the float subtypes, whose samples may hold NaN or infinity.</summary>
    public static bool IsFloatSubtype(int format) => (format & SubMask) is 0x0006 or 0x0007;

    /// <summary>True for MP3, whose decoder (libmpg123) prints to stderr and whose length is an estimate.</summary>
    public static bool IsMp3(int format) => (format & TypeMask) == 0x230000;

    private static NativeDependency Register(NativeDependency dependency)
    {
        dependency.RegisterResolver(typeof(Sndfile).Assembly);
        return dependency;
    }
}

/// <summary>
/// One open libsndfile file (<c>SNDFILE*</c>), closed with <c>sf_close</c>. As a <see cref="SafeHandle"/> it is
/// reference-counted across every call, so neither Dispose nor a finalizer can close it while a read is running.
/// </summary>
internal sealed class SndfileHandle : SafeHandle
{
    /// <summary>Used by the P/Invoke marshaller for the handle <c>sf_open</c> returns.</summary>
    public SndfileHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        Sndfile.Close(handle);
        return true;
    }
}

/// <summary>Decodes any format libsndfile reads (FLAC, Ogg Vorbis, Opus, MP3, AIFF, compressed WAV, …).</summary>
/// <remarks>
/// Compressed headers state a length the data may not back: a FLAC cut off mid-download keeps its STREAMINFO total,
/// a damaged Ogg page can make libsndfile report 10<sup>14</sup> frames. The length is therefore checked at open
/// (seek to the last declared frame and decode it); when that fails the file is decoded once to count what is
/// readable, <see cref="Info"/> reports that, reads stop there, and a one-line <see cref="AudioWarnings"/> says how
/// much was read.
/// </remarks>
internal sealed unsafe class SndfileDecoder : IAudioDecoder
{
    private SndfileHandle _handle;
    private readonly bool _seekable;
    private readonly bool _silenceReads;
    private long _frame;

    public SndfileDecoder(string path)
    {
        _handle = Sndfile.Open(path, out var info);
        try
        {
            AudioLimits.CheckHeader(path, info.SampleRate, info.Channels);
            _seekable = info.Seekable != 0;
            // libmpg123 prints a line per damaged frame; libsndfile's other codecs are quiet.
            _silenceReads = Sndfile.IsMp3(info.Format);
            MayHoldNonFinite = Sndfile.IsFloatSubtype(info.Format);
            long readable = ReadableFrames(path, info, out bool plausible);
            if (readable <= 0) throw new AudioFormatException(path, "decoded no audio samples (damaged or empty).");
            if (!plausible)
                AudioWarnings.Raise(path, AudioWarnings.ImpossibleLength(path, readable, info.Frames, info.SampleRate));
            else if (readable < info.Frames && IsReportableShortfall(info, readable))
                AudioWarnings.Raise(path, AudioWarnings.Truncated(path, readable, info.Frames, info.SampleRate));
            Info = new AudioInfo(path, Sndfile.FormatName(info.Format), Sndfile.SubtypeName(info.Format), info.SampleRate, info.Channels, readable);
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public AudioInfo Info { get; }

    public bool MayHoldNonFinite { get; }

    public void Seek(long frame)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        frame = Math.Clamp(frame, 0, Info.FrameCount);
        if (frame == _frame) return;
        using var quiet = _silenceReads ? NativeStderr.Silence() : default;
        if (Sndfile.SeekNative(_handle, frame, 0) < 0)
            throw new AudioFormatException(Info.Path, $"cannot seek to frame {frame}: {Sndfile.LastError(_handle)}");
        _frame = frame;
    }

    public int Read(Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        // Reads stop at the readable length found at open, so the damage past it is never decoded again.
        long frames = Math.Min(destination.Length / Info.ChannelCount, Info.FrameCount - _frame);
        if (frames <= 0) return 0;
        long got;
        fixed (float* pointer = destination)
        {
            using var quiet = _silenceReads ? NativeStderr.Silence() : default;
            got = Sndfile.ReadFrames(_handle, pointer, frames);
        }
        if (got < 0) throw new AudioFormatException(Info.Path, $"decoding failed: {Sndfile.LastError(_handle)}");
        _frame += got;
        return (int)got;
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// The frames that actually decode: the declared count when its last frame decodes, otherwise a full count.
    /// Leaves the file positioned at frame 0 (on a reopened handle if probing left the codec unable to rewind).
    /// </summary>
    private long ReadableFrames(string path, Sndfile.Info info, out bool plausible)
    {
        long declared = info.Frames;
        // The file's own size, through any symbolic links (a link's Length is the length of its target's name).
        var file = new FileInfo(path);
        long fileBytes = (file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file).Length;
        // No codec libsndfile reads packs more than a few thousand frames into a byte (FLAC of digital silence is
        // the extreme); a larger claim is a damaged header, and probing it would seek into nonsense.
        plausible = declared > 0 && declared / 8192 <= fileBytes;
        using var quiet = _silenceReads ? NativeStderr.Silence() : default;
        if (!_seekable)
        {
            // Nothing to probe without seeking (MusicML opens regular files only, which libsndfile can always seek).
            if (!plausible) throw new AudioFormatException(path, $"its header declares {declared} frames in {fileBytes} bytes (damaged?).");
            return declared;
        }
        if (plausible && LastFrameDecodes(declared, info.Channels))
        {
            if (!Rewind()) Reopen(path);
            return declared;
        }
        // A failed seek can leave the codec in an error state (libFLAC does), so the count runs on a fresh handle.
        Reopen(path);
        long counted = CountFrames(info.Channels);
        Reopen(path);
        return counted;
    }

    private void Reopen(string path)
    {
        _handle.Dispose();
        _handle = Sndfile.Open(path, out _);
    }

    private bool LastFrameDecodes(long declared, int channels)
    {
        Span<float> frame = stackalloc float[channels];
        bool ok = Sndfile.SeekNative(_handle, declared - 1, 0) == declared - 1;
        fixed (float* pointer = frame) ok = ok && Sndfile.ReadFrames(_handle, pointer, 1) == 1;
        return ok;
    }

    private bool Rewind() => Sndfile.SeekNative(_handle, 0, 0) == 0;

    private long CountFrames(int channels)
    {
        const int blockFrames = 8192;
        var block = new float[blockFrames * channels];
        long total = 0;
        fixed (float* pointer = block)
        {
            while (true)
            {
                long got = Sndfile.ReadFrames(_handle, pointer, blockFrames);
                if (got <= 0) break;
                total += got;
            }
        }
        return total;
    }

    /// <summary>
    /// MP3 headers without a Xing/LAME frame count give an estimate from the bit rate, and the encoder's padding is
    /// in it; a shortfall within max(1 %, 0.1 s) is that estimate, not damage. Every other codec states exact counts.
    /// </summary>
    private static bool IsReportableShortfall(Sndfile.Info info, long readable)
    {
        if (!Sndfile.IsMp3(info.Format)) return true;
        long tolerance = Math.Max(info.Frames / 100, info.SampleRate / 10);
        return info.Frames - readable > tolerance;
    }
}
