using System.CommandLine;

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

    /// <summary>File extensions (lower case, with the dot) treated as audio when a directory is searched.</summary>
    public static readonly IReadOnlySet<string> AudioExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".aifc", ".au", ".caf", ".w64",
    };

    /// <summary>
    /// Returns the files named by <paramref name="inputs"/>: each file as given, each directory's files (recursively,
    /// sorted by path) whose extension is in <paramref name="extensions"/>. A path that does not exist is a usage error.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs, IReadOnlySet<string>? extensions = null)
    {
        extensions ??= AudioExtensions;
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (File.Exists(input)) files.Add(input);
            else if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => extensions.Contains(Path.GetExtension(f)))
                    .Order(StringComparer.Ordinal));
            else throw new CliUsageException($"{input}: no such file or directory.");
        }
        return files;
    }

    /// <summary>
    /// <see cref="Expand"/> for commands that need something to work on: the files named by <paramref name="inputs"/>,
    /// with a usage error when directories held no audio file.
    /// </summary>
    /// <exception cref="CliUsageException">A path does not exist, or no audio file was found.</exception>
    public static IReadOnlyList<string> ExpandAtLeastOne(IEnumerable<string> inputs)
    {
        var files = Expand(inputs);
        if (files.Count == 0) throw new CliUsageException("No audio files found in the given inputs.");
        return files;
    }
}
