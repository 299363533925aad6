using MusicML.Core;

namespace MusicML.Mir.Chords;

/// <summary>A chord quality: its Harte shorthand and its intervals in semitones above the root.</summary>
/// <param name="Shorthand">Harte shorthand, e.g. <c>maj</c>, <c>min7</c>, <c>hdim7</c>.</param>
/// <param name="Intervals">Semitones above the root of every chord tone, root (0) first.</param>
/// <param name="Prior">Relative prior weight of the quality (1 for triads); rarer qualities get less.</param>
public sealed record ChordQuality(string Shorthand, IReadOnlyList<int> Intervals, double Prior)
{
    /// <summary>Major triad.</summary>
    public static ChordQuality Major { get; } = new("maj", [0, 4, 7], 1.0);
    /// <summary>Minor triad.</summary>
    public static ChordQuality Minor { get; } = new("min", [0, 3, 7], 1.0);
    /// <summary>Dominant seventh.</summary>
    public static ChordQuality Dominant7 { get; } = new("7", [0, 4, 7, 10], 0.5);
    /// <summary>Major seventh.</summary>
    public static ChordQuality Major7 { get; } = new("maj7", [0, 4, 7, 11], 0.5);
    /// <summary>Minor seventh.</summary>
    public static ChordQuality Minor7 { get; } = new("min7", [0, 3, 7, 10], 0.5);
    /// <summary>Diminished triad.</summary>
    public static ChordQuality Diminished { get; } = new("dim", [0, 3, 6], 0.5);
    /// <summary>Augmented triad.</summary>
    public static ChordQuality Augmented { get; } = new("aug", [0, 4, 8], 0.25);
    /// <summary>Suspended second.</summary>
    public static ChordQuality Suspended2 { get; } = new("sus2", [0, 2, 7], 0.25);
    /// <summary>Suspended fourth.</summary>
    public static ChordQuality Suspended4 { get; } = new("sus4", [0, 5, 7], 0.25);
    /// <summary>Half-diminished seventh (minor seventh with a flat fifth).</summary>
    public static ChordQuality HalfDiminished7 { get; } = new("hdim7", [0, 3, 6, 10], 0.25);
    /// <summary>Diminished seventh.</summary>
    public static ChordQuality Diminished7 { get; } = new("dim7", [0, 3, 6, 9], 0.25);
}

/// <summary>The chord qualities a chord estimator chooses among (every root is tried with every quality, plus N).</summary>
public sealed class ChordVocabulary
{
    internal static readonly string[] RootNames = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];

    /// <summary>Creates a vocabulary of <paramref name="qualities"/> on all 12 roots plus the no-chord label N.</summary>
    /// <exception cref="MusicMLException">No quality is given, or two share a shorthand.</exception>
    public ChordVocabulary(IReadOnlyList<ChordQuality> qualities)
    {
        ArgumentNullException.ThrowIfNull(qualities);
        if (qualities.Count == 0) throw new MusicMLException("A chord vocabulary needs at least one quality.");
        var duplicate = qualities.GroupBy(q => q.Shorthand).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new MusicMLException($"The chord quality '{duplicate.Key}' appears twice in the vocabulary.");
        foreach (var q in qualities)
            if (!(q.Prior > 0) || q.Intervals.Count == 0 || q.Intervals.Any(i => i < 0 || i > 11))
                throw new MusicMLException($"Chord quality '{q.Shorthand}' needs a positive prior and intervals within 0–11.");
        Qualities = qualities.ToArray();
    }

    /// <summary>The qualities, in state order.</summary>
    public IReadOnlyList<ChordQuality> Qualities { get; }

    /// <summary>Number of chord states: 12 roots × qualities, plus one for N (the last state).</summary>
    public int StateCount => 12 * Qualities.Count + 1;

    /// <summary>Index of the N state.</summary>
    public int NoChordState => StateCount - 1;

    /// <summary>
    /// The full vocabulary: maj, min, 7, maj7, min7, dim, aug, sus2, sus4, hdim7, dim7 (and N).
    /// </summary>
    public static ChordVocabulary Full { get; } = new([
        ChordQuality.Major, ChordQuality.Minor, ChordQuality.Dominant7, ChordQuality.Major7, ChordQuality.Minor7,
        ChordQuality.Diminished, ChordQuality.Augmented, ChordQuality.Suspended2, ChordQuality.Suspended4,
        ChordQuality.HalfDiminished7, ChordQuality.Diminished7]);

    /// <summary>Major and minor triads only (and N), mir_eval's <c>majmin</c> vocabulary.</summary>
    public static ChordVocabulary MajorMinor { get; } = new([ChordQuality.Major, ChordQuality.Minor]);

    /// <summary>The vocabulary called <paramref name="name"/>: <c>full</c> or <c>majmin</c>.</summary>
    /// <exception cref="MusicMLException">Any other name.</exception>
    public static ChordVocabulary ByName(string name) => name?.ToLowerInvariant() switch
    {
        "full" => Full,
        "majmin" => MajorMinor,
        _ => throw new MusicMLException($"Unknown chord vocabulary '{name}'; expected full or majmin."),
    };

    /// <summary>Root pitch class (0 = C) of a chord state; −1 for N.</summary>
    public int RootOf(int state) => state == NoChordState ? -1 : state / Qualities.Count;

    /// <summary>Quality of a chord state; null for N.</summary>
    public ChordQuality? QualityOf(int state) => state == NoChordState ? null : Qualities[state % Qualities.Count];

    /// <summary>Harte label of a state, e.g. <c>C#:min7</c>, or <c>N</c>.</summary>
    public string Label(int state)
    {
        if ((uint)state >= (uint)StateCount) throw new MusicMLException($"Chord state {state} is outside 0–{StateCount - 1}.");
        if (state == NoChordState) return "N";
        return $"{RootNames[RootOf(state)]}:{QualityOf(state)!.Shorthand}";
    }
}
