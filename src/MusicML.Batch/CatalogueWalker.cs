using System.Globalization;
using CsvHelper;
using MusicML.Core;

namespace MusicML.Batch;

/// <summary>
/// One track of a catalogue: the path to read it from, and its path relative to the catalogue's root, which names its
/// outputs and its record (the track id) wherever the catalogue is mounted.
/// </summary>
/// <param name="Path">The file as the inputs name it (an input directory joined with what was found under it, or a manifest's folder joined with its entry).</param>
/// <param name="RelativePath">The path under the root, with <c>/</c> separators; unique within a catalogue.</param>
public sealed record CatalogueTrack(string Path, string RelativePath);

/// <summary>A mistake in what a catalogue run was asked to do, found before any track is read: a bad manifest, a clash, an unknown task, a bad shard.</summary>
public sealed class BatchUsageException(string message) : MusicMLException(message);

/// <summary>
/// The one input walker of every command over audio files: files as given, directories searched recursively, and
/// (for <c>musicml batch</c>) manifest CSVs. Every track gets a relative path that names its outputs and its record:
/// its path under the directory it was found in (or under its manifest's folder), or its file name when given
/// directly. When two tracks would share one (<c>a/x.wav b/x.wav</c>), all are named under the inputs' common folder
/// instead (<c>a/x.wav</c>, <c>b/x.wav</c>), so no output ever overwrites another's.
/// </summary>
public static class CatalogueWalker
{
    /// <summary>File extensions (lower case, with the dot) treated as audio when a directory is searched.</summary>
    public static readonly IReadOnlySet<string> AudioExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".aifc", ".au", ".caf", ".w64",
    };

    /// <summary>The column of a manifest CSV that holds each track's path (relative to the manifest's folder, or absolute).</summary>
    public const string ManifestPathColumn = "path";

    /// <summary>
    /// The tracks named by <paramref name="inputs"/>, in input order (a directory's files sorted by relative path).
    /// </summary>
    /// <param name="inputs">Files, directories and, when <paramref name="manifests"/> is set, <c>.csv</c> manifests.</param>
    /// <param name="warn">Told about skipped entries (a FIFO or device with an audio extension, a dangling link); may be null.</param>
    /// <param name="manifests">Whether a <c>.csv</c> input is a manifest with a <see cref="ManifestPathColumn"/> column (or <c>file</c>).</param>
    /// <param name="extensions">Audio extensions for directory searches; <see cref="AudioExtensions"/> by default.</param>
    /// <remarks>
    /// Directories are walked by identity (device and inode), not by path: a symbolic link back to an ancestor is not
    /// followed again and a file reachable through two links is listed once, so a link loop cannot hang or repeat a
    /// run. Named pipes, sockets and devices with an audio extension are skipped with a warning (opening a FIFO waits
    /// for a writer; a device never ends). One given directly is kept, and the decoder refuses it as that file's error.
    /// A file a manifest lists but that does not exist is kept too: it becomes that track's error, not the run's.
    /// </remarks>
    /// <exception cref="BatchUsageException">An input does not exist, or a manifest is malformed (file:line).</exception>
    public static IReadOnlyList<CatalogueTrack> Walk(IEnumerable<string> inputs, Action<string>? warn = null, bool manifests = false,
        IReadOnlySet<string>? extensions = null)
    {
        extensions ??= AudioExtensions;
        var bases = new List<string>();
        // Each file with its own relative path: under its directory, under its manifest's folder, or its name.
        var found = new List<(string Path, string Full, string Relative)>();
        void Add(string path, string baseFolder)
        {
            var full = Path.GetFullPath(path);
            found.Add((path, full, Path.GetRelativePath(baseFolder, full)));
        }
        foreach (var input in inputs)
        {
            var node = FileNode.Of(input);
            if (node.Kind == FileNodeKind.Missing) throw new BatchUsageException($"{input}: no such file or directory.");
            if (node.Kind == FileNodeKind.Directory)
            {
                var folder = Path.GetFullPath(input);
                bases.Add(folder);
                foreach (var path in WalkDirectory(input, node, extensions, warn)) Add(path, folder);
            }
            else if (manifests && string.Equals(Path.GetExtension(input), ".csv", StringComparison.OrdinalIgnoreCase))
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(input))!;
                bases.Add(folder);
                foreach (var entry in ReadManifest(input))
                {
                    var entryFolder = Path.GetDirectoryName(Path.GetFullPath(entry))!;
                    bases.Add(entryFolder);
                    // An entry outside the manifest's folder is known by its name, as a file given directly is.
                    Add(entry, IsInside(entryFolder, folder) ? folder : entryFolder);
                }
            }
            else
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(input))!;
                bases.Add(folder);
                Add(input, folder);
            }
        }
        // The same file named twice (overlapping inputs, "./a.wav" and "a.wav") is one track.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        found = [.. found.Where(f => seen.Add(f.Full))];
        // Equal relative paths from different inputs (a/x.wav and b/x.wav given as files, or two folders that both hold
        // x.wav): every track is then named under the inputs' common folder instead, which tells them apart.
        if (found.Select(f => f.Relative).Distinct(StringComparer.Ordinal).Count() < found.Count)
        {
            var root = CommonFolder(bases);
            found = [.. found.Select(f => (f.Path, f.Full, Path.GetRelativePath(root, f.Full)))];
        }
        return [.. found.Select(f => new CatalogueTrack(f.Path, f.Relative.Replace(Path.DirectorySeparatorChar, '/')))];
    }

    private static bool IsInside(string folder, string ancestor) =>
        folder == ancestor || folder.StartsWith(ancestor.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The deepest folder that holds every one of <paramref name="folders"/> (absolute paths).</summary>
    internal static string CommonFolder(IReadOnlyList<string> folders)
    {
        if (folders.Count == 0) return Path.GetFullPath(".");
        var common = folders[0].TrimEnd(Path.DirectorySeparatorChar).Split(Path.DirectorySeparatorChar);
        int length = common.Length;
        foreach (var folder in folders.Skip(1))
        {
            var parts = folder.TrimEnd(Path.DirectorySeparatorChar).Split(Path.DirectorySeparatorChar);
            int n = 0;
            while (n < length && n < parts.Length && parts[n] == common[n]) n++;
            length = n;
        }
        var joined = string.Join(Path.DirectorySeparatorChar, common.Take(length));
        return joined.Length == 0 ? Path.GetPathRoot(folders[0]) ?? "/" : joined;
    }

    /// <summary>
    /// The paths a manifest lists, joined to its folder: CSV (RFC 4180, read with CsvHelper) with a header holding
    /// <c>path</c> (or <c>file</c>); other columns are ignored. An empty path or a row with a different number of
    /// fields than the header is refused with file:line.
    /// </summary>
    /// <exception cref="BatchUsageException">The manifest has no path column, or a bad row.</exception>
    public static IReadOnlyList<string> ReadManifest(string manifest)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        var options = new CsvReaderOptions
        {
            Separator = ',', TrackLineNumbers = true, MalformedData = CsvMalformedDataHandling.Throw, FieldCountMismatch = CsvFieldCountHandling.Throw,
        };
        var paths = new List<string>();
        try
        {
            using var csv = CsvReader.Create(File.OpenRead(manifest), options, leaveOpen: false);
            csv.ReadHeader();
            var header = csv.Headers.ToArray();
            if (header.Length == 0) throw new BatchUsageException($"{manifest}: empty manifest; it needs a header with a '{ManifestPathColumn}' column.");
            int column = Array.FindIndex(header, h => h.Trim() is ManifestPathColumn or "file");
            if (column < 0)
                throw new BatchUsageException($"{manifest}:1: no '{ManifestPathColumn}' column (columns: {string.Join(", ", header)}).");
            while (csv.Read())
            {
                var value = csv.GetString(column).Trim();
                if (value.Length == 0) throw new BatchUsageException($"{manifest}:{csv.LineNumber}: empty '{header[column]}' field.");
                paths.Add(Path.IsPathRooted(value) ? value : Path.Combine(folder, value));
            }
        }
        catch (CsvFormatException e)
        {
            throw new BatchUsageException($"{manifest}:{e.LineNumber}: {FirstLine(e.Message)}");
        }
        return paths;

        static string FirstLine(string message) => message.Split('\n')[0].Trim();
    }

    private static List<string> WalkDirectory(string root, FileNode rootNode, IReadOnlySet<string> extensions, Action<string>? warn)
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
                else warn?.Invoke($"{path}: skipped: {(node.Kind == FileNodeKind.Missing ? "a link to nothing" : node.Description)}, not an audio file.");
            }
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>Device and inode where the platform reports them; the fully resolved path elsewhere.</summary>
    private static string Identity(string path, FileNode node) =>
        node.Inode != 0 ? $"{node.Device}:{node.Inode}" : Path.GetFullPath(new FileInfo(path).ResolveLinkTarget(true)?.FullName ?? path);
}
