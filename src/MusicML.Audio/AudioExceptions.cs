using MusicML.Core;

namespace MusicML.Audio;

/// <summary>
/// A file could not be decoded: empty, truncated, not audio, an unsupported encoding or corrupt samples. The message
/// starts with the file's path, and <see cref="MusicMLException.FilePath"/> holds it.
/// </summary>
public class AudioFormatException : MusicMLException
{
    /// <summary>Creates the exception; <paramref name="reason"/> completes "<paramref name="path"/>: …".</summary>
    public AudioFormatException(string path, string reason) : base($"{path}: {reason}") => FilePath = path;

    /// <summary>Creates the exception wrapping the lower-level cause.</summary>
    public AudioFormatException(string path, string reason, Exception innerException)
        : base($"{path}: {reason}", innerException) => FilePath = path;

    /// <summary>The one error for a file that decodes to no samples at all (empty, or damaged before its first frame).</summary>
    public static AudioFormatException NoSamples(string path) => new(path, "decoded no audio samples.");
}

/// <summary>
/// An audio file that does not exist or cannot be opened (permissions, a directory given as a file);
/// <see cref="MusicMLException.FilePath"/> holds its path.
/// </summary>
public sealed class AudioFileNotFoundException : MusicMLException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public AudioFileNotFoundException(string path, string reason = "file not found.") : base($"{path}: {reason}") => FilePath = path;
}

/// <summary>
/// Thrown by the managed WAV parser for valid RIFF files it does not decode itself (compressed encodings, RF64), so
/// the caller can hand them to libsndfile.
/// </summary>
internal sealed class UnsupportedWavException(string path, string reason) : AudioFormatException(path, reason);
