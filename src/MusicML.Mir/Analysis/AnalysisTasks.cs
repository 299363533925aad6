namespace MusicML.Mir.Analysis;

/// <summary>What an <see cref="Analyzer"/> computes. Tasks that need another task's result pull it in
/// (beats need the tempo, downbeats and the meter need beats), so any combination is valid.</summary>
[Flags]
public enum AnalysisTasks
{
    /// <summary>Nothing beyond duration and sample rate.</summary>
    None = 0,

    /// <summary>Onset times (SuperFlux activation and madmom-style peak picking).</summary>
    Onsets = 1 << 0,

    /// <summary>Tempo in MIREX form (T1, T2, relative strength).</summary>
    Tempo = 1 << 1,

    /// <summary>Beat times.</summary>
    Beats = 1 << 2,

    /// <summary>Downbeat times and the meter (beats per bar).</summary>
    Downbeats = 1 << 3,

    /// <summary>Tuning offset from A4 = 440 Hz, in cents.</summary>
    Tuning = 1 << 4,

    /// <summary>Key and its confidence.</summary>
    Key = 1 << 5,

    /// <summary>Chords as labelled time intervals (Harte labels).</summary>
    Chords = 1 << 6,

    /// <summary>Structural segments (sections with labels such as A, B, A).</summary>
    Segments = 1 << 7,

    /// <summary>Every task.</summary>
    All = Onsets | Tempo | Beats | Downbeats | Tuning | Key | Chords | Segments,
}
