namespace MusicML.Mir.Key;

/// <summary>
/// Output of <see cref="KeyProfileLearner.Learn"/> with its defaults, kept so estimation does not re-learn. It depends
/// on the chroma the learner computes (<see cref="Chroma.CqtChroma"/>); after a change to that chroma, regenerate it by
/// printing <c>KeyProfileLearner.Learn()</c>'s Major and Minor (4 decimals) and pasting them here — the test
/// <c>Learned_profile_is_what_the_learner_produces</c> fails until they agree.
/// </summary>
internal static class LearnedValues
{
    public static readonly double[] Major = [1.0000, 0.3580, 0.7397, 0.3244, 0.7119, 0.5550, 0.4355, 1.0032, 0.3671, 0.5907, 0.2878, 0.7054];
    public static readonly double[] Minor = [1.0000, 0.3111, 0.7223, 0.7328, 0.3971, 0.5574, 0.4245, 1.0197, 0.5240, 0.4166, 0.4161, 0.5922];
}
