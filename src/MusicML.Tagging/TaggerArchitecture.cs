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
}
