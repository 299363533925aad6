namespace MusicML.Cli.Infrastructure;

/// <summary>Expands the INPUT arguments of a command: files as given, directories searched recursively.</summary>
public static class InputFiles
{
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
}
