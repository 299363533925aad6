namespace MusicML.Cli.Infrastructure;

/// <summary>
/// The checks every output path gets before a command does its work: an output file must not be an existing
/// directory, and must not be one of the command's inputs (compared as real paths, after symbolic links, so
/// <c>--out ./link-to-input.wav</c> is caught too). The writing itself goes through <see cref="MusicML.Core.AtomicFile"/>.
/// </summary>
internal static class OutputPaths
{
    /// <summary>The most symbolic links followed while resolving one path (Linux's own limit is 40).</summary>
    private const int MaxLinks = 40;

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// Refuses <paramref name="output"/> (given as <paramref name="option"/>) when it is an existing directory or the
    /// same file as any of <paramref name="inputs"/>.
    /// </summary>
    /// <exception cref="CliUsageException">The output is a directory or an input.</exception>
    public static void CheckFile(string option, string output, IEnumerable<string> inputs)
    {
        if (Directory.Exists(output))
            throw new CliUsageException($"{option} {output}: is an existing directory; give the name of a file to write (e.g. {Path.Combine(output, "NAME")}).");
        CheckNotInput(option, output, inputs);
    }

    /// <summary>Refuses an output directory (given as <paramref name="option"/>) that is an existing file.</summary>
    /// <exception cref="CliUsageException">The path is a file.</exception>
    public static void CheckDirectory(string option, string directory)
    {
        if (File.Exists(directory)) throw new CliUsageException($"{option} {directory}: is an existing file; give a directory.");
    }

    /// <summary>Refuses <paramref name="output"/> when it names the same file as any of <paramref name="inputs"/>.</summary>
    /// <exception cref="CliUsageException">The output would overwrite an input.</exception>
    public static void CheckNotInput(string option, string output, IEnumerable<string> inputs)
    {
        var target = RealPath(output);
        foreach (var input in inputs)
            if (string.Equals(target, RealPath(input), PathComparison))
                throw new CliUsageException($"{option} {output}: is the input file {input}; refusing to overwrite an input.");
    }

    /// <summary>
    /// The absolute path with every symbolic link along it resolved (like POSIX <c>realpath</c>), for paths that
    /// exist in part or not at all: the existing prefix is resolved, the rest appended as given. A link loop stops
    /// the resolution where it is found (the path is then compared as far as it resolved).
    /// </summary>
    internal static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "";
        var resolved = root;
        int links = 0;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(resolved, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is { } linkTarget && links++ < MaxLinks)
            {
                // Resolve the link text against the folder holding the link, then walk what it names from the root
                // again, since the target may itself pass through links.
                var target = Path.GetFullPath(Path.Combine(resolved, linkTarget));
                var rest = parts.Skip(i + 1);
                var targetRoot = Path.GetPathRoot(target) ?? "";
                parts = [.. target[targetRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries), .. rest];
                resolved = targetRoot;
                i = -1;
                continue;
            }
            resolved = next;
        }
        return resolved;
    }
}
