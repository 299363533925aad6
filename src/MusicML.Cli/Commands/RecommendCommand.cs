using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Similarity;
using MusicML.Similarity.Recommendation;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml recommend --model MODEL (--user ID | --users all --out recs.tsv) [-k 10]</c>,
/// <c>musicml recommend train --interactions F.tsv [--method …] [--embeddings STORE] --out MODEL</c> and
/// <c>musicml recommend eval --interactions F.tsv [--cold-items FILE --embeddings STORE]</c>: thin wrappers over
/// <see cref="MusicML.Similarity.Recommendation"/>.
/// </summary>
internal static class RecommendCommand
{
    /// <summary>
    /// The method <c>recommend train</c> uses unless told otherwise: the best NDCG@10 of <c>recommend eval</c> on
    /// Last.fm 2k (docs/similarity.md).
    /// </summary>
    public const string DefaultMethod = "itemknn";

    private static readonly string[] Methods = ["popularity", "itemknn", "rp3beta", "als", "hybrid"];

    /// <summary>The ALS hyper-parameter options shared by <c>train</c> and <c>eval</c>.</summary>
    private sealed class AlsOptionSet
    {
        public readonly Option<int> Factors = new("--factors") { Description = "ALS latent dimensions (default 64).", DefaultValueFactory = _ => 64 };
        public readonly Option<int> Iterations = new("--iterations") { Description = "ALS sweeps (default 15).", DefaultValueFactory = _ => 15 };
        public readonly Option<double> Regularization = new("--regularization") { Description = "ALS L2 penalty λ (default 0.1).", DefaultValueFactory = _ => 0.1 };
        public readonly Option<double> Alpha = new("--alpha") { Description = "ALS confidence scale: c = 1 + alpha·log(1 + weight) (default 40).", DefaultValueFactory = _ => 40 };
        public readonly Option<int> Seed = new("--seed") { Description = "Seed of the initial factors and of the evaluation split (default 0).", DefaultValueFactory = _ => 0 };
        public readonly Option<int> Neighbours = new("--neighbours") { Description = $"item-kNN: most similar items kept per item (default {ItemKnnRecommender.DefaultNeighbours}).", DefaultValueFactory = _ => ItemKnnRecommender.DefaultNeighbours };

        public IEnumerable<Option> All => [Factors, Iterations, Regularization, Alpha, Seed, Neighbours];

        public (AlsOptions Als, int Neighbours, int Seed) Read(ParseResult p) =>
            (new AlsOptions(p.GetValue(Factors), p.GetValue(Iterations), p.GetValue(Regularization), p.GetValue(Alpha), Seed: p.GetValue(Seed)), p.GetValue(Neighbours), p.GetValue(Seed));
    }

    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { HelpName = "MODEL", Description = "A model written by 'musicml recommend train'.", Required = true };
        var user = new Option<string?>("--user") { HelpName = "ID", Description = "The user to recommend for." };
        var users = new Option<string?>("--users") { Description = "'all': every user of the model, written to --out." };
        var k = new Option<int>("-k") { Description = "Items per user (default 10; up to the whole catalogue). Items the user already has are never listed.", DefaultValueFactory = _ => 10 };
        var output = new Option<string?>("--out") { HelpName = "recs.tsv", Description = "Write 'user<TAB>item<TAB>rank<TAB>score' lines (with a header) atomically to this file instead of standard output." };
        var command = new Command("recommend", "Recommend items from listening data: per user, the best items they have not played (popularity, item-kNN, implicit ALS or the audio hybrid).")
        {
            model, user, users, k, output,
        };
        command.SetAction(parse => Run(context, parse.GetValue(model)!, parse.GetValue(user), parse.GetValue(users), parse.GetValue(k), parse.GetValue(output)));
        command.Subcommands.Add(CreateTrain(context));
        command.Subcommands.Add(CreateEval(context));
        return command;
    }

    private static int Run(CliContext context, string modelPath, string? user, string? users, int k, string? output)
    {
        if (k < 1) throw new CliUsageException(FormattableString.Invariant($"-k must be at least 1, got {k}."));
        if ((user is null) == (users is null)) throw new CliUsageException("give either --user ID or --users all.");
        if (users is not null && users != "all") throw new CliUsageException($"--users accepts only 'all', got '{users}'.");
        var model = Recommender.Load(modelPath);
        var chosen = user is not null ? [user] : model.Data.Users;
        if (user is not null && model.Data.UserNumber(user) < 0)
            throw new MusicMLException($"user '{user}' is not in {modelPath} ({model.Data.Users.Count} users)");
        void Write(TextWriter writer)
        {
            writer.Write("user\titem\trank\tscore\n");
            using var progress = new ProgressReporter(context, chosen.Count, "users", show: output is not null);
            foreach (var id in chosen)
            {
                foreach (var r in model.Recommend(id, k))
                    writer.Write(string.Create(CultureInfo.InvariantCulture, $"{id}\t{r.Item}\t{r.Rank}\t{r.Score:R}\n"));
                progress.Advance();
            }
        }
        if (output is not null) AtomicFile.WriteText(output, Write);
        else Write(context.Output);
        return 0;
    }

    private static Command CreateTrain(CliContext context)
    {
        var interactions = new Option<string>("--interactions") { HelpName = "FILE.tsv", Description = "Listening data: 'user<TAB>item<TAB>weight' lines (a header line is allowed).", Required = true };
        var method = new Option<string>("--method") { Description = $"popularity, itemknn, rp3beta, als or hybrid (default {DefaultMethod}: the best of 'recommend eval' on Last.fm).", DefaultValueFactory = _ => DefaultMethod };
        method.AcceptOnlyFromAmong(Methods);
        var embeddings = new Option<string?>("--embeddings") { HelpName = "STORE", Description = "hybrid: an embedding store (musicml embed) whose track ids are item ids; its tracks without interactions join the catalogue." };
        var output = new Option<string>("--out") { HelpName = "MODEL", Description = "The model file to write (atomically).", Required = true };
        var als = new AlsOptionSet();
        var command = new Command("train", "Fit a recommender to listening data and write the model.") { interactions, method, embeddings, output };
        foreach (var option in als.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var (options, neighbours, _) = als.Read(parse);
            return Train(context, parse.GetValue(interactions)!, parse.GetValue(method)!, parse.GetValue(embeddings), parse.GetValue(output)!, options, neighbours);
        });
        return command;
    }

    private static EmbeddingStore? LoadEmbeddings(string method, string? path)
    {
        if (method == "hybrid" && path is null) throw new CliUsageException("--method hybrid needs --embeddings STORE (the items' audio embeddings).");
        if (method != "hybrid" && path is not null) throw new CliUsageException("--embeddings applies to --method hybrid only.");
        return path is null ? null : EmbeddingStore.Load(path);
    }

    private static Recommender NewModel(string method, EmbeddingStore? embeddings, AlsOptions options, int neighbours) => method switch
    {
        "popularity" => new PopularityRecommender(),
        "itemknn" => new ItemKnnRecommender(neighbours),
        "rp3beta" => new Rp3BetaRecommender(neighbours),
        "als" => new AlsRecommender(options),
        "hybrid" => new HybridRecommender(embeddings, options),
        _ => throw new CliUsageException($"unknown method '{method}'."),
    };

    private static int Train(CliContext context, string interactionsPath, string method, string? embeddingsPath, string output, AlsOptions options, int neighbours)
    {
        var embeddings = LoadEmbeddings(method, embeddingsPath);
        var model = NewModel(method, embeddings, options, neighbours);
        var data = Interactions.Read(interactionsPath, embeddings?.Ids);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        model.Fit(data);
        model.Save(output);
        string cold = model is HybridRecommender hybrid ? $", {hybrid.ColdItems} items placed by audio" : "";
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"musicml: recommend train: {method} on {data.Users.Count} users, {data.Items.Count} items, {data.Count} interactions in {clock.Elapsed.TotalSeconds:F2} s{cold}; model {output}"));
        return 0;
    }

    private static Command CreateEval(CliContext context)
    {
        var interactions = new Option<string>("--interactions") { HelpName = "FILE.tsv", Description = "Listening data (e.g. ../shared/eval/recsys/lastfm2k_user_artists.tsv).", Required = true };
        var methods = new Option<string?>("--methods") { Description = "Comma-separated methods to compare (default: all that apply; hybrid needs --embeddings)." };
        var cold = new Option<string?>("--cold-items") { HelpName = "FILE", Description = "Cold-start protocol: one item id per line, removed from training and ranked among themselves (recall@k, NDCG@k; default k 3)." };
        var embeddings = new Option<string?>("--embeddings") { HelpName = "STORE", Description = "Audio embeddings for the hybrid (track id = item id)." };
        var k = new Option<int?>("-k") { Description = "Cut-off (default 10; 3 with --cold-items)." };
        var format = new Option<string>("--format") { Description = "Output: an aligned table (default), CSV or JSON.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var als = new AlsOptionSet();
        var command = new Command("eval", "Compare recommenders with the protocols of ../shared/eval/recsys/README.md: per-user 80/20 split (precision, recall, MAP, NDCG at k, coverage), or cold start with --cold-items.")
        {
            interactions, methods, cold, embeddings, k, format,
        };
        foreach (var option in als.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var (options, neighbours, seed) = als.Read(parse);
            return Evaluate(context, parse.GetValue(interactions)!, parse.GetValue(methods), parse.GetValue(cold), parse.GetValue(embeddings),
                parse.GetValue(k), parse.GetValue(format)!, options, neighbours, seed);
        });
        return command;
    }

    private static int Evaluate(CliContext context, string interactionsPath, string? methodList, string? coldPath, string? embeddingsPath, int? kOption,
        string format, AlsOptions options, int neighbours, int seed)
    {
        var embeddings = embeddingsPath is null ? null : EmbeddingStore.Load(embeddingsPath);
        var methods = methodList is null
            ? Methods.Where(m => m != "hybrid" || embeddings is not null).ToArray()
            : methodList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var m in methods)
        {
            if (!Methods.Contains(m)) throw new CliUsageException($"--methods: unknown method '{m}' (expected {string.Join(", ", Methods)}).");
            if (m == "hybrid" && embeddings is null) throw new CliUsageException("--methods hybrid needs --embeddings STORE.");
        }
        int k = kOption ?? (coldPath is null ? 10 : 3);
        if (k < 1) throw new CliUsageException(FormattableString.Invariant($"-k must be at least 1, got {k}."));
        var records = Interactions.ReadRecords(interactionsPath);
        string[]? coldItems = null;
        if (coldPath is not null)
        {
            if (!File.Exists(coldPath)) throw new CliUsageException($"--cold-items {coldPath}: no such file.");
            coldItems = [.. File.ReadAllLines(coldPath).Select(l => l.Trim()).Where(l => l.Length > 0)];
            if (coldItems.Length == 0) throw new MusicMLException($"{coldPath}: no cold items listed") { FilePath = coldPath };
        }
        var results = new List<RecommenderScores>();
        using var progress = new ProgressReporter(context, methods.Length, "methods");
        foreach (var method in methods)
        {
            Recommender Fit(Interactions data) => NewModel(method, embeddings, options, neighbours).Fit(data);
            results.Add(coldItems is null
                ? RecommenderEvaluation.HeldOut(method, Fit, records, k, seed, method == "hybrid" ? embeddings!.Ids : null)
                : RecommenderEvaluation.ColdStart(method, Fit, records, coldItems, k, seed));
            progress.Advance();
        }
        Write(context.Output, results, format, coldItems is not null);
        return 0;
    }

    private static void Write(TextWriter o, List<RecommenderScores> results, string format, bool coldStart)
    {
        string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        string[] names = coldStart ? ["recall", "ndcg", "coverage"] : ["precision", "recall", "map", "ndcg", "coverage"];
        double[] Values(RecommenderScores s) => coldStart ? [s.Recall, s.Ndcg, s.Coverage] : [s.Precision, s.Recall, s.Map, s.Ndcg, s.Coverage];
        int k = results[0].K;
        string Column(string name) => name == "coverage" ? name : $"{name}_at_{k}";
        switch (format)
        {
            case "json":
                o.WriteLine(new JsonArray([.. results.Select(s =>
                {
                    var row = new JsonObject { ["method"] = s.Method, ["protocol"] = coldStart ? "cold-start" : "held-out", ["k"] = s.K, ["users"] = s.Users, ["fit_seconds"] = Math.Round(s.FitSeconds, 3) };
                    var values = Values(s);
                    for (int i = 0; i < names.Length; i++) row[Column(names[i])] = values[i];
                    return (JsonNode)row;
                })]).ToJsonString(new() { WriteIndented = true }));
                break;
            case "csv":
                o.WriteLine("method,users," + string.Join(',', names.Select(Column)) + ",fit_seconds");
                foreach (var s in results) o.WriteLine($"{s.Method},{s.Users},{string.Join(',', Values(s).Select(F))},{F(s.FitSeconds)}");
                break;
            default:
                o.WriteLine($"{"method",-11} {"users",6} " + string.Join(' ', names.Select(n => (n == "coverage" ? n : $"{n}@{k}").PadLeft(12))) + $" {"fit s",8}");
                foreach (var s in results)
                    o.WriteLine($"{s.Method,-11} {s.Users,6} " + string.Join(' ', Values(s).Select(v => F(v).PadLeft(12))) + $" {s.FitSeconds.ToString("0.00", CultureInfo.InvariantCulture),8}");
                break;
        }
    }
}
