using System.CommandLine;
using MusicML.Batch;

namespace MusicML.Cli.Infrastructure;

/// <summary>The INPUT argument of the commands that take audio files, and its expansion: files as given, directories searched recursively.</summary>
public static class InputFiles
{
    /// <summary>
    /// A new <c>INPUT...</c> argument (one or more audio files or directories), the one definition every command
    /// over audio files uses so that their help and arity agree. Each command needs its own instance.
    /// </summary>
    public static Argument<string[]> CreateArgument() => new("INPUT")
    {
        Description = "Audio files, or directories searched recursively for audio files.",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>
    /// The files named by <paramref name="inputs"/> (<see cref="CatalogueWalker.Walk"/>: each file as given, each
    /// directory's files recursively, sorted, whose extension is in <paramref name="extensions"/>; skipped entries
    /// warned about). A path that does not exist is a usage error.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs, CliContext context, IReadOnlySet<string>? extensions = null) =>
        [.. ExpandTracks(inputs, context, extensions).Select(t => t.Path)];

    /// <summary><see cref="Expand"/> with each file's path relative to the inputs' root, which names its outputs.</summary>
    /// <exception cref="CliUsageException">A path does not exist.</exception>
    public static IReadOnlyList<CatalogueTrack> ExpandTracks(IEnumerable<string> inputs, CliContext context, IReadOnlySet<string>? extensions = null)
    {
        try
        {
            return CatalogueWalker.Walk(inputs, context.Warn, extensions: extensions);
        }
        catch (BatchUsageException e)
        {
            throw new CliUsageException(e.Message);
        }
    }

    /// <summary>
    /// <see cref="Expand"/> for commands that need something to work on: the files named by <paramref name="inputs"/>,
    /// with a usage error when directories held no audio file.
    /// </summary>
    /// <exception cref="CliUsageException">A path does not exist, or no audio file was found.</exception>
    public static IReadOnlyList<string> ExpandAtLeastOne(IEnumerable<string> inputs, CliContext context) =>
        [.. ExpandTracksAtLeastOne(inputs, context).Select(t => t.Path)];

    /// <summary><see cref="ExpandTracks"/> with a usage error when directories held no audio file.</summary>
    /// <exception cref="CliUsageException">A path does not exist, or no audio file was found.</exception>
    public static IReadOnlyList<CatalogueTrack> ExpandTracksAtLeastOne(IEnumerable<string> inputs, CliContext context)
    {
        var tracks = ExpandTracks(inputs, context);
        if (tracks.Count == 0) throw new CliUsageException("No audio files found in the given inputs.");
        return tracks;
    }

    /// <summary>
    /// Where a per-file output of <paramref name="track"/> goes: <paramref name="folder"/> joined with the track's
    /// path relative to the inputs' root, its extension replaced by <paramref name="extension"/> (with the dot), so
    /// <c>a/x.wav</c> and <c>b/x.wav</c> write <c>a/x.key</c> and <c>b/x.key</c>, never one over the other.
    /// </summary>
    public static string OutputPath(string folder, CatalogueTrack track, string extension) =>
        Path.Combine(folder, Path.ChangeExtension(track.RelativePath, null).Replace('/', Path.DirectorySeparatorChar) + extension);
}
