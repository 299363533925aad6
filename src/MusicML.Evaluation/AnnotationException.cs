using MusicML.Core;

namespace MusicML.Evaluation;

/// <summary>
/// An annotation that cannot be used: a malformed line (with its file and 1-based line number), or values that break
/// the task's rules (unsorted events, a negative tempo, an invalid chord label). The message names the file or value;
/// <see cref="MusicMLException.FilePath"/> holds the file (null when the values were passed in directly).
/// </summary>
public sealed class AnnotationException : MusicMLException
{
    /// <summary>Creates the exception for a problem found at <paramref name="file"/>:<paramref name="line"/> (line 0 = the file as a whole).</summary>
    public AnnotationException(string file, int line, string message)
        : base(line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}")
    {
        FilePath = file;
        Line = line;
    }

    /// <summary>Creates the exception for invalid values that did not come from a file.</summary>
    public AnnotationException(string message) : base(message) => Line = 0;

    /// <summary>The 1-based line number, or 0 when the problem concerns the file or the values as a whole.</summary>
    public int Line { get; }
}
