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
    private static partial IntPtr OpenNative(string path, int mode, Info* info);

    [LibraryImport(Library, EntryPoint = "sf_readf_float")]
    public static partial long ReadFrames(IntPtr file, float* destination, long frames);

    [LibraryImport(Library, EntryPoint = "sf_seek")]
    public static partial long SeekNative(IntPtr file, long frames, int whence);

    [LibraryImport(Library, EntryPoint = "sf_close")]
    public static partial int Close(IntPtr file);

    [LibraryImport(Library, EntryPoint = "sf_strerror")]
    private static partial IntPtr ErrorText(IntPtr file);

    /// <summary>Opens <paramref name="path"/> for reading or throws an <see cref="AudioFormatException"/> with libsndfile's reason.</summary>
    public static IntPtr Open(string path, out Info info)
    {
        Dependency.EnsureAvailable();
        Info header = default;
        var handle = OpenNative(path, ModeRead, &header);
        if (handle == IntPtr.Zero)
        {
            var reason = Marshal.PtrToStringUTF8(ErrorText(IntPtr.Zero)) ?? "unknown error";
            throw new AudioFormatException(path, $"libsndfile cannot decode it: {reason.TrimEnd('.', ' ', '\n')}.");
        }
        info = header;
        return handle;
    }

    /// <summary>The last error libsndfile recorded for <paramref name="file"/>.</summary>
    public static string LastError(IntPtr file) => Marshal.PtrToStringUTF8(ErrorText(file)) ?? "unknown error";

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

    private static NativeDependency Register(NativeDependency dependency)
    {
        dependency.RegisterResolver(typeof(Sndfile).Assembly);
        return dependency;
    }
}

/// <summary>Decodes any format libsndfile reads (FLAC, Ogg Vorbis, Opus, MP3, AIFF, compressed WAV, …).</summary>
internal sealed unsafe class SndfileDecoder : IAudioDecoder
{
    private IntPtr _handle;
    private readonly bool _seekable;

    public SndfileDecoder(string path)
    {
        _handle = Sndfile.Open(path, out var info);
        if (info.Channels <= 0 || info.SampleRate <= 0)
        {
            Dispose();
            throw new AudioFormatException(path, $"libsndfile reports {info.Channels} channel(s) at {info.SampleRate} Hz.");
        }
        _seekable = info.Seekable != 0;
        MayHoldNonFinite = Sndfile.IsFloatSubtype(info.Format);
        Info = new AudioInfo(path, Sndfile.FormatName(info.Format), Sndfile.SubtypeName(info.Format), info.SampleRate, info.Channels, info.Frames);
    }

    public AudioInfo Info { get; }

    public bool MayHoldNonFinite { get; }

    public void Seek(long frame)
    {
        ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
        if (frame == 0 && !_seekable) return;
        if (Sndfile.SeekNative(_handle, frame, 0) < 0)
            throw new AudioFormatException(Info.Path, $"cannot seek to frame {frame}: {Sndfile.LastError(_handle)}");
    }

    public int Read(Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
        long frames = destination.Length / Info.ChannelCount;
        if (frames == 0) return 0;
        fixed (float* pointer = destination)
        {
            long got = Sndfile.ReadFrames(_handle, pointer, frames);
            if (got < 0) throw new AudioFormatException(Info.Path, $"decoding failed: {Sndfile.LastError(_handle)}");
            return (int)got;
        }
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        Sndfile.Close(_handle);
        _handle = IntPtr.Zero;
    }
}
