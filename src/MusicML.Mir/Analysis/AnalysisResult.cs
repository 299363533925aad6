using MusicML.Dsp;
using MusicML.Mir.Chords;
using MusicML.Mir.Key;
using MusicML.Mir.Segmentation;
using MusicML.Mir.Tempo;

namespace MusicML.Mir.Analysis;

/// <summary>
/// The log-frequency spectrogram the rhythm tasks observed, kept for pictures (see <see cref="Analyzer.KeepSpectrogram"/>):
/// log10(1 + magnitude) on logarithmic bands, <c>[bands, frames]</c>, band 0 the lowest.
/// </summary>
/// <param name="Values">Band energies <c>[bands, frames]</c>.</param>
/// <param name="FrameRate">Frames per second (Hz); frame t is centred at t / FrameRate seconds.</param>
/// <param name="BandFrequencies">Centre frequency of each band in Hz, increasing.</param>
public sealed record AnalysisSpectrogram(FloatMatrix Values, double FrameRate, IReadOnlyList<double> BandFrequencies);

/// <summary>
/// Everything <see cref="Analyzer"/> found in one signal. Results of tasks that were not run are null or empty;
/// times are in seconds from the first sample.
/// </summary>
public sealed record AnalysisResult
{
    /// <summary>
    /// Why the asked-for tempo, beats, downbeats, key, chords and segments were not estimated (the audio is too quiet
    /// or too short, see <see cref="EstimateGate"/>), or null when they were. Those results are then absent (chords:
    /// one "N" segment over the whole recording, as a no-chord annotation reads); a too-short recording still gets
    /// its onsets and tuning.
    /// </summary>
    public string? NoEstimate { get; init; }

    /// <summary>Length of the analysed audio in seconds.</summary>
    public required double Duration { get; init; }

    /// <summary>Sample rate the audio was analysed at, in Hz.</summary>
    public required int SampleRate { get; init; }

    /// <summary>The tasks that were run (after pulling in the ones they depend on).</summary>
    public required AnalysisTasks Tasks { get; init; }

    /// <summary>Tempo (T1, T2 in BPM and the strength S of T1); null when not computed.</summary>
    public TempoEstimate? Tempo { get; init; }

    /// <summary>Beats per bar of the meter (3 for 3/4, 4 for 4/4); null when downbeats were not computed or no beats were found.</summary>
    public int? BeatsPerBar { get; init; }

    /// <summary>The meter written as <c>3/4</c> or <c>4/4</c>; null when unknown.</summary>
    public string? Meter => BeatsPerBar is { } n ? $"{n}/4" : null;

    /// <summary>Onset times in seconds, increasing.</summary>
    public IReadOnlyList<double> Onsets { get; init; } = [];

    /// <summary>Beat times in seconds, increasing.</summary>
    public IReadOnlyList<double> Beats { get; init; } = [];

    /// <summary>Downbeat times in seconds (a subset of <see cref="Beats"/>).</summary>
    public IReadOnlyList<double> Downbeats { get; init; } = [];

    /// <summary>Tuning offset from A4 = 440 Hz in cents (−50 to +50); null when not computed.</summary>
    public double? TuningCents { get; init; }

    /// <summary>The key and its confidence; null when not computed or the audio has no pitched content.</summary>
    public KeyEstimate? Key { get; init; }

    /// <summary>Chords covering 0 to <see cref="Duration"/> as labelled intervals (Harte labels, <c>N</c> for no chord).</summary>
    public IReadOnlyList<ChordSegment> Chords { get; init; } = [];

    /// <summary>Structural segments covering 0 to <see cref="Duration"/>; repeated sections share a label.</summary>
    public IReadOnlyList<StructureSegment> Segments { get; init; } = [];

    /// <summary>The rhythm spectrogram, when <see cref="Analyzer.KeepSpectrogram"/> was set; otherwise null.</summary>
    public AnalysisSpectrogram? Spectrogram { get; init; }
}
