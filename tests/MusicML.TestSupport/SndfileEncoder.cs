using System.Runtime.InteropServices;

namespace MusicML.TestSupport;

/// <summary>
/// Writes test signals through libsndfile's encoders (Debian's libsndfile 1.2 encodes FLAC, Vorbis, Opus and MP3), so
/// damaged-file tests can cut files long enough to hold several Ogg pages without committing megabytes of fixtures.
/// </summary>
public static unsafe partial class SndfileEncoder
{
    public const int Flac16 = 0x170002, OggVorbis = 0x200060, OggOpus = 0x200064, Mp3 = 0x230082;
    private const int ModeWrite = 0x20;

    [StructLayout(LayoutKind.Sequential)]
    private struct Info
    {
        public long Frames;
        public int SampleRate;
        public int Channels;
        public int Format;
        public int Sections;
        public int Seekable;
    }

    [LibraryImport("libsndfile.so.1", EntryPoint = "sf_open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr Open(string path, int mode, Info* info);

    [LibraryImport("libsndfile.so.1", EntryPoint = "sf_writef_float")]
    private static partial long WriteFrames(IntPtr file, float* frames, long count);

    [LibraryImport("libsndfile.so.1", EntryPoint = "sf_close")]
    private static partial int Close(IntPtr file);

    [LibraryImport("libsndfile.so.1", EntryPoint = "sf_strerror")]
    private static partial IntPtr Error(IntPtr file);

    /// <summary>Encodes <paramref name="seconds"/> of a 440 Hz (left) / 660 Hz (right) sine at half scale.</summary>
    public static void WriteTones(string path, int format, int sampleRate, int channels, double seconds)
    {
        int frames = (int)(seconds * sampleRate);
        var samples = new float[frames * channels];
        for (int n = 0; n < frames; n++)
            for (int c = 0; c < channels; c++)
                samples[n * channels + c] = 0.5f * MathF.Sin(2 * MathF.PI * (440 + 220 * c) * n / sampleRate);
        var info = new Info { SampleRate = sampleRate, Channels = channels, Format = format };
        var file = Open(path, ModeWrite, &info);
        if (file == IntPtr.Zero) throw new InvalidOperationException($"libsndfile cannot write {path}: {Marshal.PtrToStringUTF8(Error(IntPtr.Zero))}");
        try
        {
            fixed (float* pointer = samples)
                if (WriteFrames(file, pointer, frames) != frames) throw new InvalidOperationException($"libsndfile wrote short to {path}");
        }
        finally
        {
            Close(file);
        }
    }
}
