using MusicML.Dsp;

namespace MusicML.Cli.Reports;

/// <summary>A labelled time span of a report lane (a chord, a section).</summary>
/// <param name="Start">Start in seconds.</param>
/// <param name="End">End in seconds.</param>
/// <param name="Label">What the span is, e.g. <c>G:7</c>.</param>
internal readonly record struct ReportSpan(double Start, double End, string Label);

/// <summary>One headline figure of a report, e.g. ("Key", "A minor", "confidence 0.62").</summary>
/// <param name="Name">What it is.</param>
/// <param name="Value">The figure, formatted.</param>
/// <param name="Detail">A smaller qualifier under it; empty for none.</param>
internal readonly record struct ReportFact(string Name, string Value, string Detail = "");

/// <summary>
/// A log-frequency spectrogram to draw: <c>[bands, frames]</c> with band 0 the lowest, already compressed
/// (e.g. log10(1 + magnitude)), so the renderer only scales it to colours.
/// </summary>
/// <param name="Values">Band energies <c>[bands, frames]</c>.</param>
/// <param name="FrameRate">Frames per second (Hz).</param>
/// <param name="BandFrequencies">Centre frequency of every band in Hz, increasing (labels the frequency axis).</param>
internal sealed record ReportSpectrogram(FloatMatrix Values, double FrameRate, IReadOnlyList<double> BandFrequencies);

/// <summary>
/// Everything one HTML report page shows, independent of how it was computed: the spectrogram, event markers on the
/// same time axis, labelled lanes, and the headline figures.
/// </summary>
internal sealed record ReportPage
{
    /// <summary>Page heading, usually the file name.</summary>
    public required string Title { get; init; }

    /// <summary>Smaller line under the heading, usually the full path and audio format.</summary>
    public string Subtitle { get; init; } = "";

    /// <summary>Length of the audio in seconds: the time axis runs from 0 to here.</summary>
    public required double Duration { get; init; }

    /// <summary>Headline figures (key, tempo, meter, tuning …) in display order.</summary>
    public IReadOnlyList<ReportFact> Facts { get; init; } = [];

    /// <summary>The picture under the markers; null draws an empty panel.</summary>
    public ReportSpectrogram? Spectrogram { get; init; }

    /// <summary>Onset times in seconds.</summary>
    public IReadOnlyList<double> Onsets { get; init; } = [];

    /// <summary>Beat times in seconds.</summary>
    public IReadOnlyList<double> Beats { get; init; } = [];

    /// <summary>Downbeat times in seconds.</summary>
    public IReadOnlyList<double> Downbeats { get; init; } = [];

    /// <summary>Chord lane; empty hides the lane.</summary>
    public IReadOnlyList<ReportSpan> Chords { get; init; } = [];

    /// <summary>Structural segments lane; empty hides the lane.</summary>
    public IReadOnlyList<ReportSpan> Segments { get; init; } = [];
}

/// <summary>One row of a report index: the page it links and the headline figures shown beside it.</summary>
/// <param name="Href">Relative link to the file's page.</param>
/// <param name="Name">The analysed file as the user named it.</param>
/// <param name="Facts">Headline figures (key, tempo …).</param>
internal sealed record ReportIndexEntry(string Href, string Name, IReadOnlyList<ReportFact> Facts);
