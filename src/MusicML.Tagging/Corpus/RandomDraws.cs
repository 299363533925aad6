namespace MusicML.Tagging.Corpus;

/// <summary>The few draws the corpus makes, all from one explicitly seeded <see cref="Random"/> so a clip is reproducible.</summary>
internal static class RandomDraws
{
    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public static double Uniform(this Random random, double low, double high) => low + (high - low) * random.NextDouble();

    public static double LogUniform(this Random random, double low, double high) => Math.Exp(random.Uniform(Math.Log(low), Math.Log(high)));

    public static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    /// <summary>A standard normal draw (Box–Muller), so humanisation is centred with rare larger deviations.</summary>
    public static double Gaussian(this Random random)
    {
        double u = 1.0 - random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }

    /// <summary>Index drawn with probability proportional to <paramref name="weights"/>.</summary>
    public static int Weighted(this Random random, IReadOnlyList<double> weights)
    {
        double total = weights.Sum(), r = random.NextDouble() * total;
        for (int i = 0; i < weights.Count; i++)
        {
            r -= weights[i];
            if (r < 0) return i;
        }
        return weights.Count - 1;
    }
}
