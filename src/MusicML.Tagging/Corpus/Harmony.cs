namespace MusicML.Tagging.Corpus;

/// <summary>The chord qualities the corpus writes, with their Harte shorthands.</summary>
public enum ChordQuality
{
    /// <summary>Major triad, <c>maj</c>.</summary>
    Major,
    /// <summary>Minor triad, <c>min</c>.</summary>
    Minor,
    /// <summary>Diminished triad, <c>dim</c>.</summary>
    Diminished,
    /// <summary>Dominant seventh, <c>7</c>.</summary>
    Dominant7,
    /// <summary>Major seventh, <c>maj7</c>.</summary>
    Major7,
    /// <summary>Minor seventh, <c>min7</c>.</summary>
    Minor7,
    /// <summary>Half-diminished seventh, <c>hdim7</c>.</summary>
    HalfDiminished7,
    /// <summary>Diminished seventh, <c>dim7</c>.</summary>
    Diminished7,
}

/// <summary>A chord: its root (pitch class and spelled name) and quality, e.g. <c>C#:dim</c>.</summary>
/// <param name="Root">Root pitch class, 0 = C.</param>
/// <param name="RootName">The root as spelled in the key, e.g. <c>Db</c>.</param>
/// <param name="Quality">The chord quality.</param>
public readonly record struct ChordSymbol(int Root, string RootName, ChordQuality Quality)
{
    private static readonly string[] Shorthands = ["maj", "min", "dim", "7", "maj7", "min7", "hdim7", "dim7"];
    private static readonly int[][] Intervals =
        [[0, 4, 7], [0, 3, 7], [0, 3, 6], [0, 4, 7, 10], [0, 4, 7, 11], [0, 3, 7, 10], [0, 3, 6, 10], [0, 3, 6, 9]];

    /// <summary>The Harte label, e.g. <c>G:7</c>.</summary>
    public string Label => $"{RootName}:{Shorthands[(int)Quality]}";

    /// <summary>The chord's pitch classes from the root upwards (root position).</summary>
    public int[] PitchClasses
    {
        get
        {
            int root = Root;
            return Intervals[(int)Quality].Select(i => (root + i) % 12).ToArray();
        }
    }

    /// <summary>Whether the chord has a seventh.</summary>
    public bool IsSeventh => Intervals[(int)Quality].Length == 4;
}

/// <summary>
/// A major or minor key with the spelling rules of the evaluation set: roots follow the key signature with at most
/// one accidental (a double sharp, E#, B#, Cb or Fb is respelled enharmonically, e.g. <c>F</c> for E#), and minor keys
/// use the harmonic-minor V, V7 and vii°(7) with natural-minor III, VI and iv.
/// </summary>
public sealed record MusicalKey
{
    private static readonly string Letters = "CDEFGAB";
    private static readonly int[] NaturalPitch = [0, 2, 4, 5, 7, 9, 11];
    private static readonly int[] MajorScale = [0, 2, 4, 5, 7, 9, 11];
    private static readonly int[] MinorScale = [0, 2, 3, 5, 7, 8, 10];

    /// <summary>The tonic names used for the 12 major keys, by pitch class.</summary>
    public static IReadOnlyList<string> MajorTonics { get; } = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];

    /// <summary>The tonic names used for the 12 minor keys, by pitch class.</summary>
    public static IReadOnlyList<string> MinorTonics { get; } = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"];

    /// <summary>Creates the key on tonic pitch class <paramref name="tonic"/> (0 = C).</summary>
    public MusicalKey(int tonic, bool minor)
    {
        if (tonic is < 0 or > 11) throw new Core.MusicMLException($"A key's tonic pitch class must lie in 0..11; got {tonic}.");
        Tonic = tonic;
        IsMinor = minor;
        TonicName = (minor ? MinorTonics : MajorTonics)[tonic];
    }

    /// <summary>Tonic pitch class, 0 = C.</summary>
    public int Tonic { get; }

    /// <summary>Whether the key is minor.</summary>
    public bool IsMinor { get; }

    /// <summary>The tonic's name, e.g. <c>Eb</c>.</summary>
    public string TonicName { get; }

    /// <summary>The mir_eval key label, e.g. <c>Eb major</c>.</summary>
    public string Label => $"{TonicName} {(IsMinor ? "minor" : "major")}";

    /// <summary>The key signature as a count of sharps (positive) or flats (negative), as a MIDI key-signature event holds it.</summary>
    public int Fifths
    {
        get
        {
            // Letter fifths from C: F=-1, C=0, G=1 ... B=5; each sharp adds seven fifths. A minor key has the
            // signature of its relative major, three fifths flatter than a major key on the same name.
            int[] letterFifths = [0, 2, 4, -1, 1, 3, 5];
            int fifths = letterFifths[Letters.IndexOf(TonicName[0])] + 7 * Accidental(TonicName);
            return IsMinor ? fifths - 3 : fifths;
        }
    }

    /// <summary>The pitch classes of the scale (natural minor for minor keys), degree 1 first.</summary>
    public int[] Scale => (IsMinor ? MinorScale : MajorScale).Select(i => (Tonic + i) % 12).ToArray();

    /// <summary>
    /// The diatonic chord on scale degree <paramref name="degree"/> (0 = I), with or without a seventh. In minor,
    /// V and vii° take the raised leading tone (harmonic minor).
    /// </summary>
    public ChordSymbol Chord(int degree, bool seventh)
    {
        if (degree is < 0 or > 6) throw new Core.MusicMLException($"A scale degree must lie in 0..6; got {degree}.");
        ChordQuality[] triads = IsMinor
            ? [ChordQuality.Minor, ChordQuality.Diminished, ChordQuality.Major, ChordQuality.Minor, ChordQuality.Major, ChordQuality.Major, ChordQuality.Diminished]
            : [ChordQuality.Major, ChordQuality.Minor, ChordQuality.Minor, ChordQuality.Major, ChordQuality.Major, ChordQuality.Minor, ChordQuality.Diminished];
        ChordQuality[] sevenths = IsMinor
            ? [ChordQuality.Minor7, ChordQuality.HalfDiminished7, ChordQuality.Major7, ChordQuality.Minor7, ChordQuality.Dominant7, ChordQuality.Major7, ChordQuality.Diminished7]
            : [ChordQuality.Major7, ChordQuality.Minor7, ChordQuality.Minor7, ChordQuality.Major7, ChordQuality.Dominant7, ChordQuality.Minor7, ChordQuality.HalfDiminished7];
        int raise = IsMinor && degree == 6 ? 1 : 0;
        var (pc, name) = Spell(degree, raise);
        return new ChordSymbol(pc, name, (seventh ? sevenths : triads)[degree]);
    }

    /// <summary>Spells scale degree <paramref name="degree"/> (raised by <paramref name="raise"/> semitones) by letter, respelling what would need more than one accidental or E#/B#/Cb/Fb.</summary>
    private (int PitchClass, string Name) Spell(int degree, int raise)
    {
        int pc = (Scale[degree] + raise) % 12;
        int letter = (Letters.IndexOf(TonicName[0]) + degree) % 7;
        int accidental = ((pc - NaturalPitch[letter]) % 12 + 18) % 12 - 6;
        string name = Letters[letter] + (accidental > 0 ? new string('#', accidental) : new string('b', -accidental));
        if (Math.Abs(accidental) > 1 || name is "E#" or "B#" or "Cb" or "Fb")
        {
            int natural = Array.IndexOf(NaturalPitch, pc);
            name = natural >= 0 ? Letters[natural].ToString()
                : accidental > 0 ? Letters[Array.IndexOf(NaturalPitch, (pc + 11) % 12)] + "#"
                : Letters[Array.IndexOf(NaturalPitch, (pc + 1) % 12)] + "b";
        }
        return (pc, name);
    }

    private static int Accidental(string name) => name.Count(c => c == '#') - name.Count(c => c == 'b');
}
