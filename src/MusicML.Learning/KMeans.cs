using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Random;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>Hyper-parameters of <see cref="KMeans"/> (scikit-learn's names and defaults).</summary>
public sealed record KMeansOptions
{
    /// <summary>Number of clusters (<c>n_clusters</c>).</summary>
    public int Clusters { get; init; } = 8;

    /// <summary>Given initial centres [clusters, features] (an array <c>init</c>); null seeds them with k-means++.</summary>
    public double[][]? InitialCentres { get; init; }

    /// <summary>k-means++ restarts, the lowest inertia kept (<c>n_init</c>); a given <see cref="InitialCentres"/> runs once.</summary>
    public int Restarts { get; init; } = 10;

    /// <summary>Lloyd iterations allowed per run (<c>max_iter</c>).</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>Convergence tolerance (<c>tol</c>), relative to the mean feature variance: a run stops when the summed
    /// squared centre shift falls to tol · mean(var(x)), or at once when no label changes.</summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Seed of the k-means++ draws (<c>random_state</c>).</summary>
    public int Seed { get; init; }

    internal void Validate() => new OptionErrors(nameof(KMeans))
        .Require(Clusters >= 1, nameof(Clusters), $"{Clusters} must be at least 1")
        .Require(Restarts >= 1, nameof(Restarts), $"{Restarts} must be at least 1")
        .Require(MaxIterations >= 1, nameof(MaxIterations), $"{MaxIterations} must be at least 1")
        .Require(Tolerance >= 0 && double.IsFinite(Tolerance), nameof(Tolerance), $"{Tolerance} must be a non-negative finite number")
        .Require(InitialCentres is null || InitialCentres.Length == Clusters, nameof(InitialCentres),
            $"{InitialCentres?.Length} rows given for {Clusters} clusters")
        .Require(InitialCentres is null || InitialCentres.All(r => r is not null && r.All(double.IsFinite)), nameof(InitialCentres),
            $"every centre must be a row of finite numbers")
        .ThrowIfAny();
}

/// <summary>
/// k-means clustering with Lloyd's algorithm, as <c>sklearn.cluster.KMeans(algorithm='lloyd')</c>: from given centres
/// or greedy k-means++ seeding (2 + ⌊ln k⌋ candidates per centre), assign each row to its nearest centre, move each
/// centre to its rows' mean (an emptied cluster takes the row farthest from its centre), stop on unchanged labels or
/// a centre shift within the tolerance, then assign once more so labels match the final centres.
/// </summary>
public sealed class KMeans : LearnedModel, ITransformer
{
    private double[][]? _centres;

    /// <summary>Creates the clusterer; invalid options throw a <see cref="MusicMLException"/> naming them.</summary>
    public KMeans(KMeansOptions? options = null)
    {
        Options = options ?? new();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public KMeansOptions Options { get; }

    /// <inheritdoc />
    public override string ModelName => nameof(KMeans);

    /// <inheritdoc />
    public override bool IsFitted => _centres is not null;

    /// <summary>The cluster centres [clusters, features] (<c>cluster_centers_</c>).</summary>
    public Matrix<double> Centres { get { RequireFitted(); return Matrix<double>.Build.DenseOfRowArrays(_centres!); } }

    /// <summary>Each training row's cluster (<c>labels_</c>).</summary>
    public IReadOnlyList<int> Labels { get; private set; } = [];

    /// <summary>Sum of squared distances of the training rows to their centres (<c>inertia_</c>).</summary>
    public double Inertia { get; private set; }

    /// <summary>Lloyd iterations of the kept run (<c>n_iter_</c>).</summary>
    public int Iterations { get; private set; }

    /// <inheritdoc />
    public void Fit(Matrix<double> x)
    {
        var rows = TrainingData.Rows(x, ModelName);
        int n = rows.Length, d = x.ColumnCount, k = Options.Clusters;
        if (k > n) throw new MusicMLException($"{ModelName}: Clusters = {k} exceeds the {n} rows.");
        if (Options.InitialCentres is { } given && given.Any(r => r.Length != d))
            throw new MusicMLException($"{ModelName}: InitialCentres rows must have the data's {d} features.");

        // scikit-learn centres the data first for more accurate distances; the centres are shifted back at the end.
        var mean = new double[d];
        foreach (var r in rows) for (int j = 0; j < d; j++) mean[j] += r[j] / n;
        var centred = rows.Select(r => r.Select((v, j) => v - mean[j]).ToArray()).ToArray();
        double meanVariance = 0;
        for (int j = 0; j < d; j++)
        {
            double s = 0;
            foreach (var r in centred) s += r[j] * r[j];
            meanVariance += s / n / d;
        }
        double tolerance = Options.Tolerance * meanVariance;

        var random = new MersenneTwister(Options.Seed);
        (double[][] Centres, int[] Labels, double Inertia, int Iterations)? best = null;
        int runs = Options.InitialCentres is null ? Options.Restarts : 1;
        for (int run = 0; run < runs; run++)
        {
            var init = Options.InitialCentres is { } c
                ? c.Select(r => r.Select((v, j) => v - mean[j]).ToArray()).ToArray()
                : PlusPlus(centred, k, random);
            var result = Lloyd(centred, init, tolerance);
            if (best is null || result.Inertia < best.Value.Inertia) best = result;
        }
        _centres = best!.Value.Centres.Select(r => r.Select((v, j) => v + mean[j]).ToArray()).ToArray();
        Labels = best.Value.Labels;
        Inertia = best.Value.Inertia;
        Iterations = best.Value.Iterations;
    }

    /// <summary>The nearest centre of every row of <paramref name="x"/>.</summary>
    public int[] Predict(Matrix<double> x)
    {
        RequireFitted();
        return [.. TrainingData.Rows(x, ModelName, _centres![0].Length).Select(r => Nearest(r, _centres).Index)];
    }

    /// <summary>Distances of every row to every centre [rows, clusters], as scikit-learn's <c>transform</c>.</summary>
    public Matrix<double> Transform(Matrix<double> x)
    {
        RequireFitted();
        var rows = TrainingData.Rows(x, ModelName, _centres![0].Length);
        return Matrix<double>.Build.Dense(rows.Length, _centres.Length, (i, c) => Math.Sqrt(TrainingData.SquaredDistance(rows[i], _centres[c])));
    }

    private (double[][] Centres, int[] Labels, double Inertia, int Iterations) Lloyd(double[][] x, double[][] centres, double tolerance)
    {
        int n = x.Length, d = x[0].Length, k = centres.Length;
        var labels = Enumerable.Repeat(-1, n).ToArray();
        var previous = (int[])labels.Clone();
        bool strict = false;
        int iteration = 0;
        for (; iteration < Options.MaxIterations; iteration++)
        {
            for (int i = 0; i < n; i++) labels[i] = Nearest(x[i], centres).Index;
            var updated = new double[k][];
            var members = new int[k];
            for (int c = 0; c < k; c++) updated[c] = new double[d];
            for (int i = 0; i < n; i++)
            {
                members[labels[i]]++;
                for (int j = 0; j < d; j++) updated[labels[i]][j] += x[i][j];
            }
            RelocateEmpty(x, centres, labels, updated, members);
            for (int c = 0; c < k; c++)
                for (int j = 0; j < d; j++) updated[c][j] /= members[c];
            double shift = 0;
            for (int c = 0; c < k; c++) shift += TrainingData.SquaredDistance(updated[c], centres[c]);
            centres = updated;
            if (labels.AsSpan().SequenceEqual(previous))
            {
                strict = true;
                break;
            }
            if (shift <= tolerance) break;
            Array.Copy(labels, previous, n);
        }
        if (!strict) for (int i = 0; i < n; i++) labels[i] = Nearest(x[i], centres).Index;
        double inertia = 0;
        for (int i = 0; i < n; i++) inertia += TrainingData.SquaredDistance(x[i], centres[labels[i]]);
        return (centres, labels, inertia, Math.Min(iteration + 1, Options.MaxIterations));
    }

    /// <summary>scikit-learn's empty-cluster rule: each empty cluster takes the row farthest from its current centre.</summary>
    private static void RelocateEmpty(double[][] x, double[][] centres, int[] labels, double[][] sums, int[] members)
    {
        var empty = Enumerable.Range(0, members.Length).Where(c => members[c] == 0).ToArray();
        if (empty.Length == 0) return;
        var far = Enumerable.Range(0, x.Length)
            .OrderByDescending(i => TrainingData.SquaredDistance(x[i], centres[labels[i]])).Take(empty.Length).ToArray();
        for (int e = 0; e < empty.Length && e < far.Length; e++)
        {
            int i = far[e], old = labels[i], target = empty[e];
            for (int j = 0; j < x[i].Length; j++)
            {
                sums[old][j] -= x[i][j];
                sums[target][j] = x[i][j];
            }
            members[old]--;
            members[target] = 1;
            labels[i] = target;
        }
    }

    /// <summary>Greedy k-means++ (scikit-learn's <c>_kmeans_plusplus</c>): each new centre is the best of 2 + ⌊ln k⌋
    /// candidates drawn with probability proportional to the squared distance to the centres so far.</summary>
    private static double[][] PlusPlus(double[][] x, int k, MersenneTwister random)
    {
        int n = x.Length, trials = 2 + (int)Math.Log(k);
        var centres = new double[k][];
        centres[0] = (double[])x[random.Next(0, n)].Clone();
        var closest = x.Select(r => TrainingData.SquaredDistance(r, centres[0])).ToArray();
        double potential = closest.Sum();
        for (int c = 1; c < k; c++)
        {
            var cumulative = new double[n];
            double running = 0;
            for (int i = 0; i < n; i++) cumulative[i] = running += closest[i];
            double bestPotential = double.PositiveInfinity;
            double[]? bestDistances = null;
            int bestCandidate = 0;
            for (int t = 0; t < trials; t++)
            {
                double target = random.NextDouble() * potential;
                int candidate = Array.BinarySearch(cumulative, target);
                candidate = candidate < 0 ? ~candidate : candidate;
                candidate = Math.Min(candidate, n - 1);
                var distances = new double[n];
                double sum = 0;
                for (int i = 0; i < n; i++) sum += distances[i] = Math.Min(closest[i], TrainingData.SquaredDistance(x[i], x[candidate]));
                if (sum < bestPotential)
                {
                    bestPotential = sum;
                    bestDistances = distances;
                    bestCandidate = candidate;
                }
            }
            centres[c] = (double[])x[bestCandidate].Clone();
            closest = bestDistances!;
            potential = bestPotential;
        }
        return centres;
    }

    private static (int Index, double Distance) Nearest(double[] row, double[][] centres)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int c = 0; c < centres.Length; c++)
        {
            var dist = TrainingData.SquaredDistance(row, centres[c]);
            if (dist < bestDistance)
            {
                bestDistance = dist;
                best = c;
            }
        }
        return (best, bestDistance);
    }

    private sealed record State(double[][] Centres, double Inertia, int Iterations);

    internal override JsonNode OptionsJson() => ModelFile.Node(Options);

    internal override JsonNode? StateJson() => IsFitted ? ModelFile.Node(new State(_centres!, Inertia, Iterations)) : null;

    internal static KMeans Restore(JsonNode? options, JsonNode? state)
    {
        var model = new KMeans(ModelFile.Options<KMeansOptions>(options));
        if (ModelFile.State<State>(state) is { } s)
        {
            int k = s.Centres?.Length ?? 0;
            model._centres = StateCheck.Matrix(s.Centres, k, k > 0 ? s.Centres![0]?.Length ?? 0 : 0, "centres");
            if (k < 1) throw new MusicMLException("state field \"centres\" is empty.");
            model.Inertia = s.Inertia;
            model.Iterations = s.Iterations;
        }
        return model;
    }
}
