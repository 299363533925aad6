using MusicML.Core;

namespace MusicML.Tagging;

/// <summary>One track of a tag manifest: its audio file and its tags.</summary>
/// <param name="Path">The audio file, resolved against the manifest's folder.</param>
/// <param name="Tags">Its tags (possibly none), trimmed, without duplicates, in manifest order.</param>
/// <param name="Line">The manifest line it came from (1-based), for error messages.</param>
public sealed record TagManifestEntry(string Path, IReadOnlyList<string> Tags, int Line);

/// <summary>
/// A CSV list of tracks and their tags, the input of tagger training and evaluation: a header naming a <c>path</c> (or
/// <c>file</c>) column and a <c>tags</c> column, then one line per track with an audio path (relative paths are
/// relative to the manifest's folder, so a data set can be moved as a whole) and its tags joined by <c>;</c>. Other
/// columns are ignored, so the <c>manifest.csv</c> of <c>../shared/eval/synth</c> and of <c>musicml corpus synth</c>
/// (<c>id,file,duration,tempo,key,meter,tags,seed</c>) are manifests as they are. Blank lines are skipped; any other
/// malformed line is an error naming <c>file:line</c>, because silently dropping a track would change what is
/// trained or scored.
/// </summary>
public static class TagManifest
{
    /// <summary>Reads and checks a manifest.</summary>
    /// <param name="path">The CSV file.</param>
    /// <exception cref="MusicMLException">The file is missing, the header has no path/file or no tags column, a line
    /// has another number of fields than the header or an empty path, or it lists no tracks; the message starts with
    /// <c>file:line</c>.</exception>
    public static IReadOnlyList<TagManifestEntry> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new MusicMLException($"{path}: manifest not found") { FilePath = path };
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
        var entries = new List<TagManifestEntry>();
        int lineNumber = 0;
        bool header = true;
        int pathColumn = -1, tagsColumn = -1, columns = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = lineNumber == 1 ? raw.TrimStart('\uFEFF') : raw;
            if (line.Trim().Length == 0) continue;
            string[] fields;
            try
            {
                fields = CsvLine.Split(line);
            }
            catch (MusicMLException e)
            {
                throw Error(path, lineNumber, e.Message);
            }
            if (header)
            {
                var names = fields.Select(f => f.Trim().ToLowerInvariant()).ToArray();
                pathColumn = Array.IndexOf(names, "path");
                if (pathColumn < 0) pathColumn = Array.IndexOf(names, "file");
                tagsColumn = Array.IndexOf(names, "tags");
                if (pathColumn < 0 || tagsColumn < 0)
                    throw Error(path, lineNumber, $"expected a header with a path (or file) column and a tags column, such as 'path,tags'; got '{line}'");
                (columns, header) = (fields.Length, false);
                continue;
            }
            if (fields.Length != columns) throw Error(path, lineNumber, $"expected {columns} fields as in the header, got {fields.Length}");
            var audio = fields[pathColumn].Trim();
            if (audio.Length == 0) throw Error(path, lineNumber, "the audio path is empty");
            var tags = fields[tagsColumn].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Distinct(StringComparer.Ordinal).ToArray();
            entries.Add(new TagManifestEntry(System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, audio)), tags, lineNumber));
        }
        if (header) throw Error(path, Math.Max(lineNumber, 1), "the manifest is empty (expected a header such as 'path,tags')");
        if (entries.Count == 0) throw new MusicMLException($"{path}: the manifest lists no tracks") { FilePath = path };
        return entries;
    }

    /// <summary>The sorted (ordinal) union of the entries' tags: the default vocabulary of a trained model.</summary>
    public static string[] Vocabulary(IEnumerable<TagManifestEntry> entries) =>
        entries.SelectMany(e => e.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    private static MusicMLException Error(string path, int line, string message) =>
        new($"{path}:{line}: {message}") { FilePath = path };
}
