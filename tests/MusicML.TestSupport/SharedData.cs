namespace MusicML.TestSupport;

/// <summary>
/// Locates the repository and the evaluation data in <c>../shared</c> beside it (CI has it there too). Tests read
/// the data in place; nothing from it is copied into the repository.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);

    /// <summary>The repository root (the folder holding MusicML.sln).</summary>
    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>The shared data folder: <c>MUSICML_SHARED</c> if set, else <c>../shared</c> beside the repository.</summary>
    public static string Root
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable("MUSICML_SHARED");
            var root = !string.IsNullOrWhiteSpace(overridden)
                ? overridden
                : System.IO.Path.GetFullPath(System.IO.Path.Combine(RepoRoot, "..", "shared"));
            if (!Directory.Exists(root))
                throw new DirectoryNotFoundException(
                    $"Evaluation data not found at {root}: it must sit beside the repository as ../shared (or set MUSICML_SHARED).");
            return root;
        }
    }

    /// <summary>A path inside the shared folder, e.g. <c>Path("eval", "synth", "synth_000.wav")</c>; it must exist.</summary>
    public static string Path(params string[] parts)
    {
        var path = System.IO.Path.Combine([Root, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"Shared test data missing: {path}", path);
        return path;
    }

    /// <summary>
    /// True when the shared folder exists and holds every one of <paramref name="parts"/>' path, for tests that
    /// <c>Skip.IfNot</c> on a machine without ../shared instead of failing there.
    /// </summary>
    public static bool Has(params string[] parts)
    {
        var overridden = Environment.GetEnvironmentVariable("MUSICML_SHARED");
        var root = !string.IsNullOrWhiteSpace(overridden)
            ? overridden
            : System.IO.Path.GetFullPath(System.IO.Path.Combine(RepoRoot, "..", "shared"));
        var path = System.IO.Path.Combine([root, .. parts]);
        return File.Exists(path) || Directory.Exists(path);
    }

    /// <summary>A path inside the repository, e.g. <c>RepoPath("audio-samples")</c>.</summary>
    public static string RepoPath(params string[] parts) => System.IO.Path.Combine([RepoRoot, .. parts]);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MusicML.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"MusicML.sln not found above {AppContext.BaseDirectory}.");
    }
}
