namespace MusicML.Mir.Key;

/// <summary>Output of <see cref="KeyProfileLearner.Learn"/> with its defaults, kept so estimation does not re-learn.</summary>
internal static class LearnedValues
{
    public static readonly double[] Major = [1.0000, 0.5691, 0.7614, 0.5081, 0.7921, 0.6219, 0.6182, 0.9841, 0.5789, 0.6097, 0.4163, 0.8768];
    public static readonly double[] Minor = [1.0000, 0.5127, 0.7966, 0.8190, 0.5111, 0.5515, 0.6284, 1.0478, 0.6632, 0.4776, 0.5106, 0.7670];
}
