using MusicML.Core;

namespace MusicML.Mir.Key;

/// <summary>
/// A key profile: the expected weight of each of the 12 scale degrees (index 0 = tonic, 1 = minor second, …) in a
/// major and in a minor key. Key estimation correlates a piece's pitch-class distribution with all 24 rotations.
/// </summary>
public sealed class KeyProfile
{
    private readonly double[] _major, _minor;

    /// <summary>Creates a profile from 12 major and 12 minor degree weights (tonic first).</summary>
    /// <exception cref="MusicMLException">A vector does not have 12 finite values, or is constant.</exception>
    public KeyProfile(string name, IReadOnlyList<double> major, IReadOnlyList<double> minor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _major = Check(name, "major", major);
        _minor = Check(name, "minor", minor);
        Name = name;
    }

    /// <summary>Name used on the command line (e.g. <c>krumhansl</c>).</summary>
    public string Name { get; }

    /// <summary>Major-key weights, tonic first.</summary>
    public IReadOnlyList<double> Major => _major;

    /// <summary>Minor-key weights, tonic first.</summary>
    public IReadOnlyList<double> Minor => _minor;

    private static double[] Check(string name, string mode, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != 12) throw new MusicMLException($"Key profile '{name}' needs 12 {mode} weights; got {values.Count}.");
        var copy = values.ToArray();
        foreach (var v in copy)
            if (!double.IsFinite(v)) throw new MusicMLException($"Key profile '{name}' has a non-finite {mode} weight ({v}).");
        if (copy.Max() == copy.Min()) throw new MusicMLException($"Key profile '{name}' has constant {mode} weights, which cannot be correlated.");
        return copy;
    }
}

/// <summary>The key profiles MusicML ships. <see cref="Learned"/> is the default.</summary>
public static class KeyProfiles
{
    /// <summary>
    /// Krumhansl &amp; Kessler probe-tone ratings ("Tracing the dynamic changes in perceived tonal organization in a
    /// spatial representation of musical keys", Psychological Review 1982).
    /// </summary>
    public static KeyProfile KrumhanslKessler { get; } = new("krumhansl",
        [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
        [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]);

    /// <summary>
    /// Temperley's revision of the Krumhansl–Kessler profiles ("What's key for key? The Krumhansl–Schmuckler
    /// key-finding algorithm reconsidered", Music Perception 1999), which raises the leading tone and flattens the
    /// chromatic degrees.
    /// </summary>
    public static KeyProfile Temperley { get; } = new("temperley",
        [5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0],
        [5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0]);

    /// <summary>
    /// The EDMA profiles of Faraldo, Gómez, Jordà &amp; Herrera ("Key estimation in electronic dance music", ECIR 2016),
    /// derived from audio pitch-class profiles of electronic dance music, so they include the overtone energy an audio
    /// chroma really shows.
    /// </summary>
    public static KeyProfile Edma { get; } = new("edma",
        [1.0000, 0.2875, 0.5020, 0.4048, 0.6050, 0.5614, 0.3205, 0.7966, 0.3159, 0.4506, 0.4202, 0.3889],
        [1.0000, 0.3096, 0.4415, 0.5827, 0.3262, 0.4948, 0.2889, 0.7804, 0.4328, 0.2903, 0.5331, 0.3217]);

    /// <summary>
    /// A profile learned from audio we synthesise ourselves: <see cref="KeyProfileLearner.Learn"/> renders seeded
    /// diatonic chord progressions (functional Markov chain, harmonic-minor dominant in minor keys) in every key with
    /// additive harmonic tones, computes <see cref="Chroma.CqtChroma"/> on them (the chroma the estimator reads) and averages the tonic-aligned,
    /// normalised pitch-class distributions per mode. No evaluation clip is used, so the profile can be scored on
    /// them fairly. The values here are that learner's output (seed 2026, 48 progressions per mode); a unit test
    /// re-runs the learner and checks they agree.
    /// </summary>
    public static KeyProfile Learned { get; } = new("learned", LearnedValues.Major, LearnedValues.Minor);

    /// <summary>Every shipped profile, the default first.</summary>
    public static IReadOnlyList<KeyProfile> All { get; } = [Learned, KrumhanslKessler, Temperley, Edma];

    /// <summary>The profile called <paramref name="name"/> (case-insensitive; <c>kk</c> is accepted for krumhansl).</summary>
    /// <exception cref="MusicMLException">No profile has that name.</exception>
    public static KeyProfile ByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Equals("kk", StringComparison.OrdinalIgnoreCase)) return KrumhanslKessler;
        foreach (var profile in All)
            if (profile.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) return profile;
        throw new MusicMLException($"Unknown key profile '{name}'; expected one of {string.Join(", ", All.Select(p => p.Name))}.");
    }
}
