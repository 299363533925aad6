using System.CommandLine;
using MusicML.Core;

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
    /// <remarks>
    /// Directories are walked by identity (device and inode), not by path: a symbolic link back to an ancestor is not
    /// followed again and a file reachable through two links is listed once, so a link loop cannot hang or repeat a
    /// run. Named pipes, sockets and devices with an audio extension are skipped with a warning (opening a FIFO waits
    /// for a writer; a device never ends). One given directly is kept, and the decoder refuses it as that file's error.
    /// </remarks>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs, CliContext context, IReadOnlySet<string>? extensions = null)
    {
        extensions ??= AudioExtensions;
        var files = new List<string>();
        foreach (var input in inputs)
        {
            var node = FileNode.Of(input);
            if (node.Kind == FileNodeKind.Missing) throw new CliUsageException($"{input}: no such file or directory.");
            if (node.Kind == FileNodeKind.Directory) files.AddRange(Walk(input, node, extensions, context));
            else files.Add(input);
        }
        return files;
    }

    private static List<string> Walk(string root, FileNode rootNode, IReadOnlySet<string> extensions, CliContext context)
    {
        var seen = new HashSet<string> { Identity(root, rootNode) };
        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(root);
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0, RecurseSubdirectories = false };
        while (pending.TryPop(out var directory))
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", options))
            {
                var node = FileNode.Of(path);
                if (node.Kind == FileNodeKind.Directory)
                {
                    if (seen.Add(Identity(path, node))) pending.Push(path);
                    continue;
                }
                if (!extensions.Contains(Path.GetExtension(path))) continue;
                if (node.Kind == FileNodeKind.Regular)
                {
                    if (seen.Add(Identity(path, node))) found.Add(path);
                }
                else context.Warn($"{path}: skipped: {(node.Kind == FileNodeKind.Missing ? "a link to nothing" : node.Description)}, not an audio file.");
            }
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>Device and inode where the platform reports them; the fully resolved path elsewhere.</summary>
    private static string Identity(string path, FileNode node) =>
        node.Inode != 0 ? $"{node.Device}:{node.Inode}" : Path.GetFullPath(new FileInfo(path).ResolveLinkTarget(true)?.FullName ?? path);

    /// <summary>
    /// <see cref="Expand"/> for commands that need something to work on: the files named by <paramref name="inputs"/>,
    /// with a usage error when directories held no audio file.
    /// </summary>
    /// <exception cref="CliUsageException">A path does not exist, or no audio file was found.</exception>
    public static IReadOnlyList<string> ExpandAtLeastOne(IEnumerable<string> inputs, CliContext context)
    {
        var files = Expand(inputs, context);
        if (files.Count == 0) throw new CliUsageException("No audio files found in the given inputs.");
        return files;
    }
}
