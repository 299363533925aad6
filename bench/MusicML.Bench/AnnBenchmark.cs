using System.Diagnostics;
using MusicML.Similarity;

namespace MusicML.Bench;

/// <summary>
/// The nearest-neighbour table of bench/README.md (issue 12 item 2): on N random 128-d unit vectors (Gaussian
/// directions, seed 1) and Q independent random unit queries (seed 2), exact search latency at 10k / 100k / N on one
/// core and on all, then the HNSW build (time, memory, file size) and, for each search breadth ef, recall@10 against
/// exact search and p50 / p99 single-query latency on one core. Also the package's managed wrapper's build time on a
/// small set against this binding's, the measurement behind <see cref="HnswIndex"/>'s remarks.
/// </summary>
/// <remarks>
/// <c>MusicML.Bench ann [N=1000000] [M=16] [efConstruction=128] [ef list=64,128,256,512] [Q=1000]</c>. Random unit
/// vectors have no cluster structure, the hardest case for any graph index; real embeddings are easier.
/// </remarks>
internal static class AnnBenchmark
{
    private const int Dimension = 128, K = 10;

    public static void Run(string[] args)
    {
        int n = args.Length > 1 ? int.Parse(args[1]) : 1_000_000;
        int connectivity = args.Length > 2 ? int.Parse(args[2]) : HnswIndex.DefaultConnectivity;
        int expansionAdd = args.Length > 3 ? int.Parse(args[3]) : HnswIndex.DefaultExpansionAdd;
        int[] breadths = args.Length > 4 ? [.. args[4].Split(',').Select(int.Parse)] : [64, 128, 256, 512];
        int queryCount = args.Length > 5 ? int.Parse(args[5]) : 1000;
        Console.WriteLine($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, N {n}, d {Dimension}, M {connectivity}, efConstruction {expansionAdd}, {queryCount} queries");
        var data = RandomUnitVectors(n, 1);
        var queries = RandomUnitVectors(queryCount, 2);

        foreach (int size in new[] { 10_000, 100_000, n }.Where(s => s <= n).Distinct())
        {
            using var one = new ExactIndex(Dimension, maxThreads: 1);
            using var all = new ExactIndex(Dimension);
            one.Add(data.AsSpan(0, size * Dimension));
            all.Add(data.AsSpan(0, size * Dimension));
            int timed = Math.Min(queryCount, size >= 1_000_000 ? 100 : 300);
            var (p50one, p99one) = Latencies(q => one.Search(Query(queries, Math.Max(q, 0)), K), timed);
            var (p50all, p99all) = Latencies(q => all.Search(Query(queries, Math.Max(q, 0)), K), timed);
            Console.WriteLine($"exact {size,9:N0}: one core p50 {p50one:F2} ms p99 {p99one:F2} ms; {Environment.ProcessorCount} cores p50 {p50all:F2} ms p99 {p99all:F2} ms");
        }

        // Two query sets: independent random directions (no indexed point is near: the hardest case), and indexed
        // vectors plus Gaussian noise of 0.05 per component (cosine ≈ 0.87 to their source: "more like this").
        var nearQueries = RandomUnitVectors(queryCount, 3);
        var pick = new Random(4);
        for (int q = 0; q < queryCount; q++)
        {
            int source = pick.Next(n);
            for (int j = 0; j < Dimension; j++) nearQueries[q * Dimension + j] = data[(long)source * Dimension + j] + 0.05f * nearQueries[q * Dimension + j] * MathF.Sqrt(Dimension);
        }
        var querySets = new[] { ("random", queries), ("near", nearQueries) };
        var truth = querySets.ToDictionary(s => s.Item1, _ => new HashSet<int>[queryCount]);
        using (var exact = new ExactIndex(Dimension))
        {
            exact.Add(data);
            foreach (var (name, set) in querySets)
                for (int q = 0; q < queryCount; q++) truth[name][q] = [.. exact.Search(Query(set, q), K).Select(h => h.Row)];
        }

        long before = Process.GetCurrentProcess().WorkingSet64;
        var clock = Stopwatch.StartNew();
        using var hnsw = new HnswIndex(Dimension, connectivity, expansionAdd);
        hnsw.Add(data);
        double buildSeconds = clock.Elapsed.TotalSeconds;
        long rssGrowth = Process.GetCurrentProcess().WorkingSet64 - before;
        string file = Path.Combine(Path.GetTempPath(), $"musicml-ann-{Environment.ProcessId}.usearch");
        hnsw.Save(file);
        long fileBytes = new FileInfo(file).Length;
        clock.Restart();
        using (var loaded = HnswIndex.Load(file, Dimension, connectivity, expansionAdd)) _ = loaded.Count;
        double loadSeconds = clock.Elapsed.TotalSeconds;
        File.Delete(file);
        Console.WriteLine($"hnsw build {n:N0}: {buildSeconds:F1} s on {hnsw.AddThreads} threads ({n / buildSeconds:N0} vectors/s), native memory {hnsw.MemoryBytes / 1e6:F0} MB, RSS +{rssGrowth / 1e6:F0} MB, file {fileBytes / 1e6:F0} MB, load {loadSeconds:F2} s");
        foreach (var (name, set) in querySets)
            foreach (int ef in breadths)
            {
                hnsw.ExpansionSearch = ef;
                int found = 0;
                var (p50, p99) = Latencies(q =>
                {
                    var hits = hnsw.Search(Query(set, Math.Max(q, 0)), K);
                    if (q >= 0) found += hits.Count(h => truth[name][q].Contains(h.Row));
                }, queryCount);
                Console.WriteLine($"hnsw ef {ef,4}, {name} queries: recall@10 {found / (double)(K * queryCount):F3}, one core p50 {p50:F3} ms p99 {p99:F3} ms");
            }

        CompareWithPackageWrapper(Math.Min(n, 20_000), data);
    }

    /// <summary>Build time of the package's managed <c>USearchIndex</c> (one Add per vector) against <see cref="HnswIndex"/> on one thread.</summary>
    private static void CompareWithPackageWrapper(int count, float[] data)
    {
        var clock = Stopwatch.StartNew();
        using (var wrapper = new Cloud.Unum.USearch.USearchIndex(Cloud.Unum.USearch.MetricKind.Ip, Cloud.Unum.USearch.ScalarKind.Float32,
                   Dimension, HnswIndex.DefaultConnectivity, HnswIndex.DefaultExpansionAdd, HnswIndex.DefaultExpansionSearch))
            for (int i = 0; i < count; i++) wrapper.Add((ulong)i, data.AsSpan(i * Dimension, Dimension).ToArray());
        double wrapperSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        using (var ours = new HnswIndex(Dimension) { AddThreads = 1 }) ours.Add(data.AsSpan(0, count * Dimension));
        double oursSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"build {count:N0} on one thread: package USearchIndex {wrapperSeconds:F1} s, HnswIndex {oursSeconds:F1} s ({wrapperSeconds / oursSeconds:F1}×)");
    }

    private static ReadOnlySpan<float> Query(float[] queries, int q) => queries.AsSpan(q * Dimension, Dimension);

    /// <summary>Times <paramref name="search"/> for queries 0 … count − 1 after one untimed warm-up call with −1 (which callers must not score).</summary>
    private static (double P50, double P99) Latencies(Action<int> search, int count)
    {
        search(-1);
        var times = new double[count];
        for (int q = 0; q < count; q++)
        {
            long start = Stopwatch.GetTimestamp();
            search(q);
            times[q] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[count / 2], times[Math.Min(count - 1, (int)Math.Ceiling(count * 0.99) - 1)]);
    }

    private static float[] RandomUnitVectors(int count, int seed)
    {
        var random = new Random(seed);
        var data = new float[(long)count * Dimension];
        for (int i = 0; i < count; i++)
        {
            double norm = 0;
            for (int j = 0; j < Dimension; j++)
            {
                double g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                data[i * Dimension + j] = (float)g;
                norm += g * g;
            }
            float scale = (float)(1 / Math.Sqrt(norm));
            for (int j = 0; j < Dimension; j++) data[i * Dimension + j] *= scale;
        }
        return data;
    }
}
