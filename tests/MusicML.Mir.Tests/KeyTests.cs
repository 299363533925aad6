using MusicML.Core;
using MusicML.Mir.Key;

namespace MusicML.Mir.Tests;

public class KeyTests
{
    private static readonly int[] Maj = [0, 4, 7], Min = [0, 3, 7], Dom7 = [0, 4, 7, 10], Dim = [0, 3, 6];

    // I–IV–V7–I–vi–ii–V7–I in the major key on tonic t.
    private static float[] MajorCadence(int t) => ToneSynth.Chords(
        [(t, Maj), ((t + 5) % 12, Maj), ((t + 7) % 12, Dom7), (t, Maj), ((t + 9) % 12, Min), ((t + 2) % 12, Min), ((t + 7) % 12, Dom7), (t, Maj)], 1.0);

    // i–iv–V7–i–VI–ii°–V–i in the harmonic minor key on tonic t (raised leading tone in V).
    private static float[] MinorCadence(int t) => ToneSynth.Chords(
        [(t, Min), ((t + 5) % 12, Min), ((t + 7) % 12, Dom7), (t, Min), ((t + 8) % 12, Maj), ((t + 2) % 12, Dim), ((t + 7) % 12, Maj), (t, Min)], 1.0);

    [Theory]
    [InlineData(0, "C major")]
    [InlineData(3, "Eb major")]
    [InlineData(6, "F# major")]
    public void Major_cadence_gives_its_key(int tonic, string expected)
    {
        // A cadence states its key unambiguously: every profile must name it exactly (weighted score 1).
        foreach (var profile in KeyProfiles.All)
            Assert.Equal(expected, KeyEstimator.Estimate(MajorCadence(tonic), ToneSynth.SampleRate, profile).Label);
    }

    [Theory]
    [InlineData(9, "A minor")]
    [InlineData(1, "C# minor")]
    public void Minor_cadence_gives_its_key(int tonic, string expected)
    {
        var estimate = KeyEstimator.Estimate(MinorCadence(tonic), ToneSynth.SampleRate);
        Assert.Equal(expected, estimate.Label);
        Assert.Equal(KeyMode.Minor, estimate.Mode);
        Assert.InRange(estimate.Confidence, 0.01, 1.0);
        Assert.Equal(24, estimate.Scores.Count);
    }

    [Fact]
    public void Each_method_alone_finds_the_key_of_a_cadence()
    {
        foreach (var method in new[] { KeyMethod.Profile, KeyMethod.Chords, KeyMethod.Combined })
            Assert.Equal("Eb major", KeyEstimator.Estimate(MajorCadence(3), ToneSynth.SampleRate, method: method).Label);
    }

    [Fact]
    public void Chord_fit_prefers_the_key_whose_diatonic_triads_sound()
    {
        // D, G, A7, Bm, Em, D: all diatonic to D major; G major lacks A major (it has A minor), so D major must win
        // with the full score 1, and G major must score lower.
        Chords.ChordSegment[] chords =
        [
            new(0, 2, "D:maj"), new(2, 4, "G:maj"), new(4, 6, "A:7"), new(6, 8, "B:min"), new(8, 10, "E:min"), new(10, 12, "D:maj"), new(12, 13, "N"),
        ];
        var estimate = KeyEstimator.EstimateFromChords(chords);
        Assert.Equal("D major", estimate.Label);
        Assert.Equal(1.0, estimate.Scores[2]);
        Assert.True(estimate.Scores[7] < 1.0);
        Assert.Contains("No chord", Assert.Throws<MusicMLException>(() => KeyEstimator.EstimateFromChords([new(0, 1, "N")])).Message);
    }

    [Fact]
    public void Learned_profile_is_what_the_learner_produces()
    {
        // The shipped values must be reproducible from the documented procedure (seed 2026, 48 progressions per mode);
        // they are stored rounded to 4 decimals, so any difference beyond 1e-4 means the learner or the chroma changed.
        var learned = KeyProfileLearner.Learn();
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(KeyProfiles.Learned.Major[i], learned.Major[i], 1e-4);
            Assert.Equal(KeyProfiles.Learned.Minor[i], learned.Minor[i], 1e-4);
        }
        // A learned tonal profile must rank tonic and fifth above the chromatic degrees in both modes.
        Assert.True(learned.Major[7] > learned.Major[1] && learned.Major[0] > learned.Major[6]);
        Assert.True(learned.Minor[3] > learned.Minor[4], "minor third above major third in the minor profile");
    }

    [Fact]
    public void Key_names_follow_mir_eval()
    {
        Assert.Equal("Bb major", KeyNames.Format(10, KeyMode.Major));
        Assert.Equal("G# minor", KeyNames.Format(8, KeyMode.Minor));
        Assert.Throws<MusicMLException>(() => KeyNames.Format(12, KeyMode.Major));
    }

    [Fact]
    public void Bad_input_names_the_problem()
    {
        Assert.Contains("empty", Assert.Throws<MusicMLException>(() => KeyEstimator.Estimate(Array.Empty<float>())).Message);
        var silence = new float[ToneSynth.SampleRate * 2];
        Assert.Contains("no pitched content", Assert.Throws<MusicMLException>(() => KeyEstimator.Estimate(silence)).Message);
        var nan = MajorCadence(0);
        nan[100] = float.NaN;
        Assert.Contains("not finite", Assert.Throws<MusicMLException>(() => KeyEstimator.Estimate(nan)).Message);
        Assert.Contains("'nope'", Assert.Throws<MusicMLException>(() => KeyProfiles.ByName("nope")).Message);
        Assert.Same(KeyProfiles.KrumhanslKessler, KeyProfiles.ByName("KK"));
    }
}
