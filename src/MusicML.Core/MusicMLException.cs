namespace MusicML.Core;

/// <summary>
/// Base type of every error MusicML raises on purpose: bad input, a missing native library, a model that does not
/// fit its weights. Catching it separates "the user gave us something we cannot use" from programming errors.
/// </summary>
public class MusicMLException : Exception
{
    /// <summary>Creates the exception with a message that names the offending value or file.</summary>
    public MusicMLException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the lower-level cause.</summary>
    public MusicMLException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>
    /// The file the error is about (as the caller named it), or null when it concerns no file. Code that adds file
    /// context to an error checks this instead of parsing the message.
    /// </summary>
    public string? FilePath { get; init; }
}

/// <summary>A native engine (libsndfile, FFTW, libsoxr, libtorch) that an operation needs could not be loaded.</summary>
public sealed class NativeLibraryMissingException : MusicMLException
{
    /// <summary>Creates the exception for <paramref name="library"/>, telling the user which package provides it.</summary>
    public NativeLibraryMissingException(string library, string debianPackage, string purpose)
        : base($"{library} could not be loaded; it is needed for {purpose}. " +
               $"Install the Debian package '{debianPackage}' (apt-get install {debianPackage}) or run scripts/setup.sh.")
    {
        Library = library;
        DebianPackage = debianPackage;
    }

    /// <summary>The library's display name, e.g. <c>libsndfile</c>.</summary>
    public string Library { get; }

    /// <summary>The Debian package that installs it, e.g. <c>libsndfile1</c>.</summary>
    public string DebianPackage { get; }
}
