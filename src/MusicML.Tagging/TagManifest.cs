using MusicML.Core;

namespace MusicML.Tagging;

/// <summary>One track of a tag manifest: its audio file and its tags.</summary>
/// <param name="Path">The audio file, resolved against the manifest's folder.</param>
/// <param name="Tags">Its tags (possibly none), trimmed, without duplicates, in manifest order.</param>
/// <param name="Line">The manifest line it came from (1-based), for error messages.</param>
public sealed record TagManifestEntry(string Path, IReadOnlyList<string> Tags, int Line);

/// <summary>
/// A CSV list of tracks and their tags, the input of tagger training and evaluation: a header <c>path,tags</c>, then
/// one line per track with an audio path (relative paths are relative to the manifest's folder, so a data set can be
/// moved as a whole) and its tags joined by <c>;</c>. Blank lines are skipped; any other malformed line is an error
/// naming <c>file:line</c>, because silently dropping a track would change what is trained or scored.
/// </summary>
public static class TagManifest
{
    /// <summary>Reads and checks a manifest.</summary>
    /// <param name="path">The CSV file.</param>
    /// <exception cref="MusicMLException">The file is missing, the header is not <c>path,tags</c>, a line has another
    /// number of fields or an empty path, or lists no tracks; the message starts with <c>file:line</c>.</exception>
    public static IReadOnlyList<TagManifestEntry> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new MusicMLException($"{path}: manifest not found") { FilePath = path };
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
        var entries = new List<TagManifestEntry>();
        int lineNumber = 0;
        bool header = true;
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
                if (fields.Length != 2 || !fields[0].Trim().Equals("path", StringComparison.OrdinalIgnoreCase)
                    || !fields[1].Trim().Equals("tags", StringComparison.OrdinalIgnoreCase))
                    throw Error(path, lineNumber, $"expected the header 'path,tags', got '{line}'");
                header = false;
                continue;
            }
            if (fields.Length != 2) throw Error(path, lineNumber, $"expected 2 fields (path,tags), got {fields.Length}");
            var audio = fields[0].Trim();
            if (audio.Length == 0) throw Error(path, lineNumber, "the audio path is empty");
            var tags = fields[1].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Distinct(StringComparer.Ordinal).ToArray();
            entries.Add(new TagManifestEntry(System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, audio)), tags, lineNumber));
        }
        if (header) throw Error(path, Math.Max(lineNumber, 1), "the manifest is empty (expected the header 'path,tags')");
        if (entries.Count == 0) throw new MusicMLException($"{path}: the manifest lists no tracks") { FilePath = path };
        return entries;
    }

    /// <summary>The sorted (ordinal) union of the entries' tags: the default vocabulary of a trained model.</summary>
    public static string[] Vocabulary(IEnumerable<TagManifestEntry> entries) =>
        entries.SelectMany(e => e.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    private static MusicMLException Error(string path, int line, string message) =>
        new($"{path}:{line}: {message}") { FilePath = path };
}
