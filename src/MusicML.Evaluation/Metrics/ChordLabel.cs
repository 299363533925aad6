using System.Text.RegularExpressions;

namespace MusicML.Evaluation;

/// <summary>
/// A chord label in Harte's syntax (Harte, Sandler, Abdallah &amp; Gómez, "Symbolic representation of musical chords:
/// a proposed syntax for text annotations", ISMIR 2005), split into its parts as mir_eval's <c>chord.split</c> does:
/// <c>G:maj(6)/5</c> has root <c>G</c>, quality <c>maj</c>, extensions {<c>6</c>} and bass <c>5</c>. <c>N</c> is no
/// chord, <c>X</c> a chord that cannot be annotated.
/// </summary>
/// <param name="Root">The root pitch class as written (<c>G</c>, <c>Bb</c>), or <c>N</c>/<c>X</c>.</param>
/// <param name="Quality">The lower-case quality shorthand (<c>maj</c>, <c>min7</c>, ...), empty for <c>C:(1,3)</c>-style labels.</param>
/// <param name="Extensions">Added (<c>9</c>, <c>b13</c>) and omitted (<c>*5</c>) scale degrees.</param>
/// <param name="Bass">The bass scale degree relative to the root (<c>1</c> when not inverted).</param>
public sealed record ChordLabel(string Root, string Quality, IReadOnlySet<string> Extensions, string Bass)
{
    /// <summary>The no-chord label.</summary>
    public const string NoChord = "N";

    /// <summary>The unknown-chord label (excluded from scoring).</summary>
    public const string UnknownChord = "X";

    private static readonly Regex Pattern = new(
        @"^((N|X)|(([A-G](b*|#*))((:(maj|min|dim|aug|1|5|sus2|sus4|maj6|min6|7|maj7|min7|dim7|hdim7|minmaj7|aug7|9|maj9|min9|11|maj11|min11|13|maj13|min13)(\((\*?((b*|#*)([1-9]|1[0-3]?))(,\*?((b*|#*)([1-9]|1[0-3]?)))*)\))?)|(:\((\*?((b*|#*)([1-9]|1[0-3]?))(,\*?((b*|#*)([1-9]|1[0-3]?)))*)\)))?((/((b*|#*)([1-9]|1[0-3]?)))?)?))$",
        RegexOptions.CultureInvariant);

    /// <summary>Whether <paramref name="label"/> is valid Harte syntax (mir_eval's <c>validate_chord_label</c>).</summary>
    public static bool IsValid(string label) => label is not null && Pattern.IsMatch(label);

    /// <summary>Parses <paramref name="label"/>; an invalid label raises an <see cref="AnnotationException"/> naming it.</summary>
    public static ChordLabel Parse(string label) => Parse(label, reduceExtendedChords: false);

    internal static ChordLabel Parse(string label, bool reduceExtendedChords)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (!IsValid(label)) throw new AnnotationException($"Invalid chord label '{label}' (expected Harte syntax, e.g. 'A:min7/b3', 'N', 'X').");
        if (label == NoChord) return new ChordLabel(NoChord, "", new HashSet<string>(), "");
        string rest = label, bass = "1";
        if (rest.Contains('/'))
        {
            var parts = rest.Split('/');
            (rest, bass) = (parts[0], parts[1]);
        }
        var degrees = new HashSet<string>();
        bool omission = false;
        if (rest.Contains('('))
        {
            var parts = rest.Split('(');
            rest = parts[0];
            omission = parts[1].Contains('*');
            foreach (var d in parts[1].Trim(')').Split(',')) degrees.Add(d.Trim());
        }
        if (omission && !rest.Contains(':'))
            throw new AnnotationException($"Invalid chord label '{label}': omitted degrees need a quality.");
        string quality = degrees.Count > 0 ? "" : "maj";
        string root = rest;
        if (rest.Contains(':'))
        {
            var parts = rest.Split(':');
            root = parts[0];
            if (parts[1].Length > 0) quality = parts[1].ToLowerInvariant();
        }
        if (reduceExtendedChords && ExtendedQualityReduction.TryGetValue(quality, out var reduced))
        {
            quality = reduced.Quality;
            degrees.UnionWith(reduced.Degrees);
        }
        return new ChordLabel(root, quality, degrees, bass);
    }

    /// <summary>
    /// The chord as mir_eval's <c>chord.encode</c> sees it: root pitch class (C = 0; −1 for N and X), the 12 pitch
    /// classes relative to the root that sound, and the bass's pitch class relative to the root (−1 for N and X).
    /// Extensions above the octave (9, 11, 13) are ignored unless <paramref name="reduceExtendedChords"/> folds them in.
    /// </summary>
    public static EncodedChord Encode(string label, bool reduceExtendedChords = false)
    {
        if (label == NoChord) return new EncodedChord(-1, 0, -1, false);
        if (label == UnknownChord) return new EncodedChord(-1, 0, -1, true);
        var chord = Parse(label, reduceExtendedChords);
        int root = PitchClassToSemitone(chord.Root, label);
        int bass = PyMod(ScaleDegreeToSemitone(chord.Bass, label), 12);
        if (!Qualities.TryGetValue(chord.Quality, out var qualityMask))
            throw new AnnotationException($"Chord label '{label}': unsupported quality '{chord.Quality}'.");
        Span<int> counts = stackalloc int[12];
        for (int k = 0; k < 12; k++) counts[k] = (qualityMask >> k) & 1;
        counts[0] = 1;
        foreach (var degree in chord.Extensions)
        {
            int sign = 1;
            var d = degree;
            if (d.StartsWith('*')) { sign = -1; d = d.Trim('*'); }
            int semitone = ScaleDegreeToSemitone(d, label);
            if (semitone < 12 || reduceExtendedChords) counts[PyMod(semitone, 12)] += sign;
        }
        int mask = 0;
        for (int k = 0; k < 12; k++) if (counts[k] > 0) mask |= 1 << k;
        mask |= 1 << bass;
        return new EncodedChord(root, mask, bass, false);
    }

    /// <summary>Pitch-class bitmasks (bit k = k semitones above the root) of mir_eval's quality shorthands.</summary>
    internal static readonly Dictionary<string, int> Qualities = new()
    {
        ["maj"] = Mask(0, 4, 7), ["min"] = Mask(0, 3, 7), ["aug"] = Mask(0, 4, 8), ["dim"] = Mask(0, 3, 6),
        ["sus4"] = Mask(0, 5, 7), ["sus2"] = Mask(0, 2, 7), ["7"] = Mask(0, 4, 7, 10), ["maj7"] = Mask(0, 4, 7, 11),
        ["min7"] = Mask(0, 3, 7, 10), ["minmaj7"] = Mask(0, 3, 7, 11), ["maj6"] = Mask(0, 4, 7, 9), ["min6"] = Mask(0, 3, 7, 9),
        ["dim7"] = Mask(0, 3, 6, 9), ["hdim7"] = Mask(0, 3, 6, 10), ["maj9"] = Mask(0, 4, 7, 11), ["min9"] = Mask(0, 3, 7, 10),
        ["9"] = Mask(0, 4, 7, 10), ["b9"] = Mask(0, 4, 7, 10), ["#9"] = Mask(0, 4, 7, 10), ["min11"] = Mask(0, 3, 7, 10),
        ["11"] = Mask(0, 4, 7, 10), ["#11"] = Mask(0, 4, 7, 10), ["maj13"] = Mask(0, 4, 7, 11), ["min13"] = Mask(0, 3, 7, 10),
        ["13"] = Mask(0, 4, 7, 10), ["b13"] = Mask(0, 4, 7, 10), ["1"] = Mask(0), ["5"] = Mask(0, 7), [""] = 0,
    };

    private static readonly Dictionary<string, (string Quality, string[] Degrees)> ExtendedQualityReduction = new()
    {
        ["minmaj7"] = ("min", ["7"]), ["maj9"] = ("maj7", ["9"]), ["min9"] = ("min7", ["9"]), ["9"] = ("7", ["9"]),
        ["b9"] = ("7", ["b9"]), ["#9"] = ("7", ["#9"]), ["11"] = ("7", ["9", "11"]), ["#11"] = ("7", ["9", "#11"]),
        ["13"] = ("7", ["9", "11", "13"]), ["b13"] = ("7", ["9", "11", "b13"]), ["min11"] = ("min7", ["9", "11"]),
        ["maj13"] = ("maj7", ["9", "11", "13"]), ["min13"] = ("min7", ["9", "11", "13"]),
    };

    private static readonly int[] DegreeSemitones = [0, 2, 4, 5, 7, 9, 11, 12, 14, 16, 17, 19, 21];

    internal static int Mask(params int[] semitones)
    {
        int mask = 0;
        foreach (var s in semitones) mask |= 1 << s;
        return mask;
    }

    private static int PitchClassToSemitone(string pitchClass, string label)
    {
        int semitone = pitchClass[0] switch
        {
            'C' => 0, 'D' => 2, 'E' => 4, 'F' => 5, 'G' => 7, 'A' => 9, 'B' => 11,
            _ => throw new AnnotationException($"Chord label '{label}': root '{pitchClass}' is not a pitch class."),
        };
        for (int i = 1; i < pitchClass.Length; i++)
            semitone += pitchClass[i] == '#' ? 1 : pitchClass[i] == 'b' ? -1
                : throw new AnnotationException($"Chord label '{label}': root '{pitchClass}' is not a pitch class.");
        return PyMod(semitone, 12);
    }

    private static int ScaleDegreeToSemitone(string degree, string label)
    {
        int offset = 0;
        var d = degree;
        if (d.StartsWith('#')) { offset = d.Count(c => c == '#'); d = d.Trim('#'); }
        else if (d.StartsWith('b')) { offset = -d.Count(c => c == 'b'); d = d.Trim('b'); }
        if (!int.TryParse(d, out var number) || number < 1 || number > 13 || d != number.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new AnnotationException($"Chord label '{label}': scale degree '{degree}' is not one of 1..13 with optional b/#.");
        return DegreeSemitones[number - 1] + offset;
    }

    private static int PyMod(int a, int b) => ((a % b) + b) % b;
}

/// <summary>A chord reduced to what mir_eval compares (see <see cref="ChordLabel.Encode"/>).</summary>
/// <param name="Root">Root pitch class, C = 0 … B = 11; −1 for N and X.</param>
/// <param name="Semitones">Bit k set when the pitch class k semitones above the root sounds (bass included).</param>
/// <param name="Bass">Bass pitch class relative to the root; −1 for N and X.</param>
/// <param name="IsUnknown">True for X, which mir_eval encodes with all semitones −1 and leaves out of the scores.</param>
public readonly record struct EncodedChord(int Root, int Semitones, int Bass, bool IsUnknown)
{
    /// <summary>Whether the pitch class <paramref name="semitone"/> semitones above the root sounds.</summary>
    public bool Has(int semitone) => !IsUnknown && ((Semitones >> semitone) & 1) != 0;
}
