namespace MusicML.Evaluation;

/// <summary>
/// Key estimation score with mir_eval's <c>key.weighted_score</c> (the MIREX Audio Key Detection measure): same key 1,
/// estimate a perfect fifth above the reference in the same mode 0.5, relative major/minor 0.3, parallel major/minor
/// 0.2, anything else 0. Keys are written <c>tonic mode</c> (<c>C# minor</c>, <c>Eb major</c>; mode <c>major</c>,
/// <c>minor</c> or <c>other</c>; <c>X</c> for no key); tonic case is ignored and enharmonic spellings are equal.
/// </summary>
public static class KeyEvaluation
{
    private static readonly Dictionary<string, int> TonicToSemitone = new(StringComparer.OrdinalIgnoreCase)
    {
        ["c"] = 0, ["c#"] = 1, ["db"] = 1, ["d"] = 2, ["d#"] = 3, ["eb"] = 3, ["e"] = 4, ["f"] = 5, ["f#"] = 6,
        ["gb"] = 6, ["g"] = 7, ["g#"] = 8, ["ab"] = 8, ["a"] = 9, ["a#"] = 10, ["bb"] = 10, ["b"] = 11,
    };

    /// <summary>Raises an <see cref="AnnotationException"/> naming <paramref name="key"/> unless it is a valid key string.</summary>
    public static void Validate(string key) => Parse(key);

    /// <summary>The weighted score of <paramref name="estimated"/> against <paramref name="reference"/>, in {0, 0.2, 0.3, 0.5, 1}.</summary>
    public static double WeightedScore(string reference, string estimated)
    {
        var (refTonic, refMode) = Parse(reference);
        var (estTonic, estMode) = Parse(estimated);
        if (refTonic == estTonic && refMode == estMode) return 1.0;
        if (refTonic is not int r || estTonic is not int e) return 0.0;
        int interval = ((e - r) % 12 + 12) % 12;
        if (estMode == refMode && interval == 7) return 0.5;
        if (estMode != refMode && refMode == "major" && interval == 9) return 0.3;
        if (estMode != refMode && refMode == "minor" && interval == 3) return 0.3;
        if (estMode != refMode && r == e) return 0.2;
        return 0.0;
    }

    /// <summary>mir_eval's key scores: <c>weighted_score</c>.</summary>
    public static Scores Evaluate(string reference, string estimated)
    {
        var scores = new Scores();
        scores.Add("weighted_score", "Weighted Score", WeightedScore(reference, estimated));
        return scores;
    }

    private static (int? Tonic, string? Mode) Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 1 && parts[0].Equals("x", StringComparison.OrdinalIgnoreCase)) return (null, null);
        if (parts.Length != 2) throw new AnnotationException($"Key '{key}' is not of the form 'tonic mode' (e.g. 'C# minor') or 'X'.");
        if (parts[0].Equals("x", StringComparison.OrdinalIgnoreCase))
            throw new AnnotationException($"Key '{key}': 'X' (no key) has no mode.");
        if (!TonicToSemitone.TryGetValue(parts[0], out var tonic))
            throw new AnnotationException($"Key '{key}': tonic '{parts[0]}' is not one of C, C#, Db, ..., B.");
        if (parts[1] is not ("major" or "minor" or "other"))
            throw new AnnotationException($"Key '{key}': mode '{parts[1]}' must be 'major', 'minor' or 'other'.");
        return (tonic, parts[1]);
    }
}
