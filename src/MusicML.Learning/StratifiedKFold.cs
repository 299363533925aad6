using MathNet.Numerics.Random;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>
/// Stratified k-fold splits, as <c>sklearn.model_selection.StratifiedKFold</c>: classes are numbered in order of first
/// appearance, each fold's share of every class is dealt round-robin over the sorted labels, and each class's rows
/// take their fold numbers in blocks, in data order (shuffled within the class when <see cref="Shuffle"/> is on, with
/// this library's seeded generator, so shuffled folds are reproducible but not numpy's).
/// </summary>
public sealed class StratifiedKFold
{
    /// <summary>Creates the splitter; invalid settings throw a <see cref="MusicMLException"/> naming them.</summary>
    public StratifiedKFold(int splits = 5, bool shuffle = false, int seed = 0)
    {
        new OptionErrors(nameof(StratifiedKFold)).Require(splits >= 2, nameof(splits), $"{splits} must be at least 2").ThrowIfAny();
        Splits = splits;
        Shuffle = shuffle;
        Seed = seed;
    }

    /// <summary>Number of folds (<c>n_splits</c>).</summary>
    public int Splits { get; }

    /// <summary>Shuffle each class's rows before dealing them to folds (<c>shuffle</c>).</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the shuffle (<c>random_state</c>).</summary>
    public int Seed { get; }

    /// <summary>The test fold (0 … splits − 1) of every row.</summary>
    /// <exception cref="MusicMLException">Every class has fewer rows than there are folds.</exception>
    public int[] TestFolds(IReadOnlyList<int> y)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (y.Count == 0) throw new MusicMLException($"{nameof(StratifiedKFold)}: there are no labels to split.");
        // Classes by first appearance, as sklearn's y_encoded.
        var firstSeen = new Dictionary<int, int>();
        var encoded = new int[y.Count];
        for (int i = 0; i < y.Count; i++)
        {
            if (!firstSeen.TryGetValue(y[i], out var code)) firstSeen[y[i]] = code = firstSeen.Count;
            encoded[i] = code;
        }
        int classes = firstSeen.Count;
        var counts = new int[classes];
        foreach (var c in encoded) counts[c]++;
        if (counts.All(c => c < Splits))
            throw new MusicMLException($"{nameof(StratifiedKFold)}: splits = {Splits} exceeds the row count of every class (largest {counts.Max()}).");

        // allocation[f, c] = how many of sorted(y_encoded)[f::splits] are class c.
        var sorted = encoded.Order().ToArray();
        var allocation = new int[Splits, classes];
        for (int f = 0; f < Splits; f++)
            for (int t = f; t < sorted.Length; t += Splits) allocation[f, sorted[t]]++;

        var folds = new int[y.Count];
        var random = Shuffle ? new MersenneTwister(Seed) : null;
        for (int c = 0; c < classes; c++)
        {
            var blocks = new List<int>();
            for (int f = 0; f < Splits; f++) blocks.AddRange(Enumerable.Repeat(f, allocation[f, c]));
            if (random is not null)
                for (int t = blocks.Count - 1; t > 0; t--)
                {
                    int s = random.Next(0, t + 1);
                    (blocks[t], blocks[s]) = (blocks[s], blocks[t]);
                }
            int next = 0;
            for (int i = 0; i < encoded.Length; i++)
                if (encoded[i] == c) folds[i] = blocks[next++];
        }
        return folds;
    }

    /// <summary>The (train, test) row indices of each fold, both increasing.</summary>
    public IReadOnlyList<(int[] Train, int[] Test)> Split(IReadOnlyList<int> y)
    {
        var folds = TestFolds(y);
        return [.. Enumerable.Range(0, Splits).Select(f => (
            Enumerable.Range(0, folds.Length).Where(i => folds[i] != f).ToArray(),
            Enumerable.Range(0, folds.Length).Where(i => folds[i] == f).ToArray()))];
    }
}
