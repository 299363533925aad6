namespace MusicML.Tagging;

/// <summary>The auto-tagging network families MusicML can build and load (Won et al. 2020 re-implementations).</summary>
public enum TaggerArchitecture
{
    /// <summary>Fully convolutional network of five 3×3 conv blocks (Choi, Fazekas &amp; Sandler 2016).</summary>
    Fcn,

    /// <summary>Musically motivated front end of vertical and horizontal filters with a residual 1-D back end (Pons et al. 2018).</summary>
    Musicnn,

    /// <summary>Four conv blocks followed by a two-layer GRU (Choi, Fazekas, Sandler &amp; Cho 2017).</summary>
    Crnn,

    /// <summary>Seven 3×3 conv blocks with a global max over time on short chunks (Won, Ferraro, Bogdanov &amp; Serra 2020).</summary>
    ShortChunk,
}

/// <summary>
/// The lower-case names of <see cref="TaggerArchitecture"/> that configurations (<c>"arch"</c>) and the CLI
/// (<c>--arch</c>) use, in one place so that every reader accepts the same set.
/// </summary>
public static class TaggerArchitectureNames
{
    /// <summary>Every architecture's name, in enum order: fcn, musicnn, crnn, shortchunk.</summary>
    public static IReadOnlyList<string> All { get; } = Enum.GetValues<TaggerArchitecture>().Select(Name).ToArray();

    /// <summary>The configuration/CLI name of <paramref name="architecture"/>.</summary>
    public static string Name(TaggerArchitecture architecture) => architecture.ToString().ToLowerInvariant();

    /// <summary>The architecture called <paramref name="name"/> (any case), or null when there is none.</summary>
    public static TaggerArchitecture? TryParse(string name) =>
        Enum.GetValues<TaggerArchitecture>().Cast<TaggerArchitecture?>()
            .FirstOrDefault(a => string.Equals(Name(a!.Value), name, StringComparison.OrdinalIgnoreCase));

    /// <summary>"fcn, musicnn, crnn and shortchunk", for messages.</summary>
    public static string Listed => string.Join(", ", All.Take(All.Count - 1)) + " and " + All[^1];
}
