using System.CommandLine;
using System.Globalization;
using MusicML.Cli.Infrastructure;
using MusicML.Learning;
using MusicML.Mir.Analysis;
using MusicML.Tagging;
using MusicML.Torch;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml train classifier --algo knn|logreg|linear|ridge|tree|forest|gnb --manifest M.csv --label COLUMN
/// [--cv 5] [--grid name=v1,v2 ...] [--param name=value ...] [--no-standardize] --out MODEL.json</c>: trains one of
/// the classical learners on a table of precomputed feature columns (every column except the label and a
/// <c>path</c>/<c>file</c> column), prints its stratified k-fold accuracy and macro F1 (for every grid point when a grid
/// is given, then the best), refits the best on all rows and saves it as a readable JSON model. Features are
/// standardised inside each fold unless <c>--no-standardize</c>. With <c>--features F.csv</c> (the output of
/// <c>musicml features summary</c>, or any table with a <c>path</c> column) the features come from F.csv and only
/// the labels from the manifest, joined by file (<see cref="FeatureTable.WithLabelsFrom"/>), so a dataset's own
/// manifest with text columns (tags, keys) can be used as it is. A table whose columns are all summary features is
/// recorded in the model as <see cref="TrackSummarizer.FeatureSet"/>, which <c>musicml predict</c> requires.
/// <c>musicml train tagger --train TRAIN.csv --valid VALID.csv --arch fcn|musicnn|crnn|shortchunk [--epochs 20] [--batch-size 16]
/// [--lr 1e-3] [--weight-decay 1e-4] [--crop-seconds 3] [--device cpu|cuda] [--seed 0] [--out DIR] [--resume]
/// [--patience 5] [--tags a,b,c] [--augment] [--chunks 16]</c>: a thin wrapper over <see cref="TaggerTraining.Run"/>;
/// one progress line per epoch on stderr, the best model (<c>DIR/best.safetensors</c> + <c>best.json</c>, loadable by
/// <c>musicml tag --model</c>) and its score on stdout.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Builds the <c>train</c> command group.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("train", "Train models.");
        command.Subcommands.Add(CreateClassifier(context));
        command.Subcommands.Add(CreateTagger(context));
        command.Subcommands.Add(CreateBeats(context));
        return command;
    }

    /// <summary>
    /// <c>musicml train beats --corpus DIR... --out MODEL.safetensors [--epochs 30] [--batch-size 8] [--lr 2e-3]
    /// [--channels 32] [--dilations 1,2,4,...] [--augmented-copies 1] [--seed 2026] [--threads N]</c>: a thin wrapper over
    /// <see cref="Mir.Training.BeatNetworkTrainer"/>; one line per epoch on stderr, the best epoch's weights at MODEL.
    /// </summary>
    private static Command CreateBeats(CliContext context)
    {
        var corpus = new Option<string[]>("--corpus") { Description = "Corpus folders from 'musicml corpus synth --expressive' (manifest.csv, WAVs, .beats, .downbeats); repeat to combine.", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "Where to write the best network (safetensors).", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training clips.", DefaultValueFactory = _ => 30 };
        var batchSize = new Option<int>("--batch-size") { Description = "Crops per step.", DefaultValueFactory = _ => 8 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 2e-3 };
        var channels = new Option<int>("--channels") { Description = "Hidden channels of the network.", DefaultValueFactory = _ => 32 };
        var dilations = new Option<string>("--dilations") { Description = "Dilation of each residual block in frames, comma-separated (receptive field ±(1 + 2·sum) frames).", DefaultValueFactory = _ => "1,2,4,8,16,32,64" };
        var copies = new Option<int>("--augmented-copies") { Description = "Audio-augmented copies of each training clip besides the clean one.", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the split, weights, crops and augmentation.", DefaultValueFactory = _ => 2026UL };
        var threads = new Option<int>("--threads") { Description = "Threads for libtorch and the features (default: the number of CPU cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("beats", "Train the beat and downbeat network (a small TCN) on a rendered corpus; the best epoch by validation beat F-measure is kept.")
        {
            corpus, output, epochs, batchSize, lr, channels, dilations, copies, seed, threads,
        };
        command.SetAction(parse =>
        {
            var options = new Mir.Training.BeatTrainingOptions
            {
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batchSize), LearningRate = parse.GetValue(lr),
                Channels = parse.GetValue(channels), Dilations = ParseDilations(parse.GetValue(dilations)!), AugmentedCopies = parse.GetValue(copies), Seed = parse.GetValue(seed), Threads = parse.GetValue(threads),
            };
            string target = parse.GetValue(output)!;
            var directory = Path.GetDirectoryName(Path.GetFullPath(target));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            var trainer = new Mir.Training.BeatNetworkTrainer(options);
            void Log(string line) => context.Error.WriteLine(line);
            var history = trainer.Train(parse.GetValue(corpus)!, target, Log, epoch => Log(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch.Epoch}: loss {epoch.Loss:F4}, validation beat F {epoch.ValidBeatF:F3}, downbeat F {epoch.ValidDownbeatF:F3}, {epoch.Seconds:F0} s{(epoch.Best ? " (best)" : "")}")));
            var best = history.Where(e => e.Best).Last();
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target}: epoch {best.Epoch}, validation beat F {best.ValidBeatF:F3}, downbeat F {best.ValidDownbeatF:F3}"));
            return 0;
        });
        return command;
    }

    private static int[] ParseDilations(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1)
                throw new CliUsageException($"--dilations {text}: give positive whole numbers separated by commas, e.g. 1,2,4,8.");
        return values;
    }

    private static Command CreateTagger(CliContext context)
    {
        var train = new Option<string>("--train") { Description = "Training manifest: CSV with header path,tags (paths relative to the manifest, tags joined by ';').", Required = true };
        var valid = new Option<string>("--valid") { Description = "Validation manifest (same format); its macro ROC-AUC picks the best epoch and stops early.", Required = true };
        var arch = new Option<string>("--arch") { Description = $"Network: {TaggerArchitectureNames.Listed.Replace(" and ", " or ")}.", DefaultValueFactory = _ => "fcn" };
        arch.AcceptOnlyFromAmong([.. TaggerArchitectureNames.All]);
        var epochs = new Option<int>("--epochs") { Description = "Epochs in all (a resumed run continues up to this many).", DefaultValueFactory = _ => 20 };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per step (at least 2).", DefaultValueFactory = _ => 16 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 1e-3 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Adam L2 weight decay.", DefaultValueFactory = _ => 1e-4 };
        var crop = new Option<double>("--crop-seconds") { Description = "Random crop per example, and the trained model's input chunk, in seconds.", DefaultValueFactory = _ => 3.0 };
        var device = new Option<string>("--device") { Description = "Where to train: cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var seed = new Option<ulong>("--seed") { Description = "Seed of the weights, shuffles, crops, dropout and augmentation (same seed, same run on the CPU).", DefaultValueFactory = _ => 0UL };
        var output = new Option<string?>("--out") { Description = "Folder for the feature cache, checkpoint and best model (default tagger-ARCH)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from DIR/checkpoint.safetensors with the same settings." };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a better validation ROC-AUC (0: never).", DefaultValueFactory = _ => 5 };
        var tags = new Option<string?>("--tags") { Description = "The tag vocabulary in output order, comma-separated (default: the sorted union of the training tags)." };
        var augment = new Option<bool>("--augment") { Description = "Augment each crop on the raw audio (random time stretch, pitch shift, gain, EQ or band-pass, noise); the cache then holds clean audio." };
        var width = new Option<long?>("--width") { Description = "shortchunk only: base width c (channels c, c, 2c, 2c, 2c, 2c, 4c; the paper's 128 by default)." };
        var threads = new Option<int?>("--threads")
        {
            Description = "CPU threads libtorch spreads each step over (its intra-op threads). Default: every core (libtorch's own default here is 1); --resume needs the same count.",
        };
        var chunks = new Option<int>("--chunks") { Description = "Chunks averaged per track in validation and in the model's tagging protocol.", DefaultValueFactory = _ => 16 };
        var command = new Command("tagger", "Train an FCN, Musicnn, CRNN or short-chunk CNN tagger on tag manifests; writes DIR/best.safetensors + best.json for 'musicml tag --model'.")
        {
            train, valid, arch, epochs, batchSize, lr, weightDecay, crop, device, seed, output, resume, patience, tags, augment, chunks, width, threads,
        };
        command.SetAction(parse =>
        {
            var architecture = TaggerArchitectureNames.TryParse(parse.GetValue(arch)!)!.Value;
            var tagList = parse.GetValue(tags)?.Split(',', StringSplitOptions.TrimEntries);
            var options = new TrainingOptions
            {
                TrainManifest = parse.GetValue(train)!,
                ValidManifest = parse.GetValue(valid)!,
                OutputDirectory = parse.GetValue(output) ?? $"tagger-{parse.GetValue(arch)}",
                Architecture = architecture,
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(lr),
                WeightDecay = parse.GetValue(weightDecay),
                CropSeconds = parse.GetValue(crop),
                Device = parse.GetValue(device) == "cuda" ? Device.Cuda : Device.Cpu,
                Seed = parse.GetValue(seed),
                Resume = parse.GetValue(resume),
                Patience = parse.GetValue(patience),
                Tags = tagList,
                Augment = parse.GetValue(augment),
                ChunkCount = parse.GetValue(chunks),
                Width = parse.GetValue(width),
                Threads = TorchThreads.Resolve(parse.GetValue(threads)),
            };
            return RunTagger(context, options);
        });
        return command;
    }

    private static int RunTagger(CliContext context, TrainingOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (Core.MusicMLException e)
        {
            // Every Validate failure is about an option's value (or the file an option names): a usage error.
            throw new CliUsageException(e.Message);
        }
        var result = TaggerTraining.Run(options, context.Error);
        string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        var o = context.Output;
        o.WriteLine($"epochs: {result.Epochs.Count}{(result.StoppedEarly ? " (stopped early)" : "")}");
        o.WriteLine($"best: epoch {result.BestEpoch}, valid ROC-AUC {F(result.BestRocAuc)}, PR-AUC {F(result.Epochs.First(e => e.Epoch == result.BestEpoch).ValidPrAuc)}");
        o.WriteLine($"model: {result.BestModelPath} (config {TaggerConfig.PathBeside(result.BestModelPath)}, {result.Config.Tags.Count} tags)");
        o.WriteLine($"checkpoint: {result.CheckpointPath}");
        return 0;
    }

    private sealed record Settings(
        string Algorithm, string Manifest, string Label, int Folds, string[] Grid, string[] Parameters, bool Standardize, string Out,
        string? Features = null);

    private static Command CreateClassifier(CliContext context)
    {
        var algorithm = new Option<string>("--algo") { Description = "The learner: knn, logreg, linear, ridge, tree, forest or gnb.", Required = true };
        algorithm.AcceptOnlyFromAmong([.. ClassifierCatalog.Algorithms]);
        var manifest = new Option<string>("--manifest") { Description = "CSV with a header: feature columns, the label column, optionally a path/file column.", Required = true };
        var label = new Option<string>("--label") { Description = "The column holding each row's class label.", Required = true };
        var folds = new Option<int>("--cv") { Description = "Stratified folds for cross-validation (default 5, at least 2).", DefaultValueFactory = _ => 5 };
        var grid = new Option<string[]>("--grid") { Description = "Hyper-parameter values to search, as name=v1,v2,... (repeatable; scikit-learn's names, e.g. k, C, max_depth)." };
        var parameters = new Option<string[]>("--param") { Description = "A fixed hyper-parameter as name=value (repeatable)." };
        var noStandardize = new Option<bool>("--no-standardize") { Description = "Feed the raw features to the learner instead of standardising them (within each fold)." };
        var output = new Option<string>("--out") { Description = "Where to write the trained model (JSON).", Required = true };
        var features = new Option<string?>("--features")
        {
            HelpName = "F.csv",
            Description = "Take the features from F.csv (e.g. 'musicml features summary' output, keyed by its path column) and only the label from the manifest, matched by its path/file column.",
        };
        var command = new Command("classifier", "Cross-validate a classical classifier on precomputed features, print accuracy and macro F1, and save it trained on all rows.")
        {
            algorithm, manifest, label, folds, grid, parameters, noStandardize, output, features,
        };
        command.SetAction(parse => Classifier(context, new Settings(
            parse.GetValue(algorithm)!, parse.GetValue(manifest)!, parse.GetValue(label)!, parse.GetValue(folds),
            parse.GetValue(grid) ?? [], parse.GetValue(parameters) ?? [], !parse.GetValue(noStandardize), parse.GetValue(output)!,
            parse.GetValue(features))));
        return command;
    }

    private static int Classifier(CliContext context, Settings s)
    {
        if (s.Folds < 2) throw new CliUsageException($"--cv {s.Folds}: at least 2 folds are needed.");
        if (!File.Exists(s.Manifest)) throw new CliUsageException($"--manifest {s.Manifest}: no such file.");
        var fixedParameters = ExperimentCommand.ParseParameters(s.Parameters);
        var grid = ParseGrid(s.Grid);
        foreach (var name in grid.Keys)
            if (fixedParameters.ContainsKey(name)) throw new CliUsageException($"--grid {name}: also given as --param.");
        // Builds every grid point once up front, so a bad name or value fails before any training.
        foreach (var point in GridPoints(grid, fixedParameters)) ClassifierCatalog.Create(s.Algorithm, point, s.Standardize);

        if (s.Features is not null && !File.Exists(s.Features)) throw new CliUsageException($"--features {s.Features}: no such file.");
        var table = s.Features is null ? FeatureTable.ReadCsv(s.Manifest, s.Label)
            : FeatureTable.ReadCsv(s.Features).WithLabelsFrom(s.Manifest, s.Label, context.Warn);
        var (classes, names) = NamedClassifier.EncodeLabels(table.Labels!);
        if (names.Length < 2) throw new Core.MusicMLException($"{s.Manifest}: the label column '{s.Label}' holds only one class ({names[0]}).");
        var counts = names.Select((n, c) => (n, classes.Count(v => v == c))).ToArray();
        var o = context.Output;
        string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        string? featureSet = table.FeatureNames.All(n => SummaryNames.Contains(n)) ? TrackSummarizer.FeatureSet : null;
        o.WriteLine($"data: {(s.Features is null ? s.Manifest : $"{s.Features} labelled from {s.Manifest}")}: {table.Features.RowCount} rows, {table.FeatureNames.Count} features, label '{s.Label}' with {names.Length} classes ({string.Join(", ", counts.Select(p => $"{p.n} {p.Item2}"))})");
        if (featureSet is not null) o.WriteLine($"features: {featureSet}");
        o.WriteLine($"learner: {s.Algorithm}{(s.Standardize ? ", standardised features" : "")}");

        var folds = new StratifiedKFold(s.Folds);
        IClassifier Build(IReadOnlyDictionary<string, string> p) => (IClassifier)ClassifierCatalog.Create(s.Algorithm, p, s.Standardize);
        var search = ModelSelection.GridSearch(Build, grid.ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Value), table.Features, classes, folds, fixedParameters);
        if (grid.Count > 0)
            foreach (var candidate in search.Candidates)
                o.WriteLine($"grid {Describe(candidate.Parameters, grid.Keys)}: accuracy {F(candidate.Scores.MeanAccuracy)}, macro F1 {F(candidate.Scores.MeanMacroF1)}");
        var best = search.Best;
        if (grid.Count > 0) o.WriteLine($"best: {Describe(best.Parameters, grid.Keys)}");
        var spread = StandardDeviation(best.Scores.FoldAccuracy);
        o.WriteLine($"{s.Folds}-fold cross-validation: accuracy {F(best.Scores.MeanAccuracy)} (± {F(spread)} over folds), macro F1 {F(best.Scores.MeanMacroF1)}");

        var model = new NamedClassifier(ClassifierCatalog.Create(s.Algorithm, best.Parameters, s.Standardize));
        model.Fit(table);
        model.FeatureSet = featureSet;
        ModelFile.Save(model, s.Out);
        o.WriteLine($"model: {s.Out} (trained on all {table.Features.RowCount} rows)");
        return 0;
    }

    private static readonly HashSet<string> SummaryNames = new(TrackSummarizer.Names, StringComparer.Ordinal);

    private static Dictionary<string, string[]> ParseGrid(string[] entries)
    {
        var grid = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            int equals = entry.IndexOf('=', StringComparison.Ordinal);
            var values = equals > 0 ? entry[(equals + 1)..].Split(',', StringSplitOptions.TrimEntries) : [];
            if (equals <= 0 || values.Length == 0 || values.Any(v => v.Length == 0))
                throw new CliUsageException($"--grid {entry}: expected name=value1,value2,...");
            if (!grid.TryAdd(entry[..equals].Trim(), values)) throw new CliUsageException($"--grid {entry[..equals].Trim()}: given twice.");
        }
        return grid;
    }

    private static IEnumerable<Dictionary<string, string>> GridPoints(Dictionary<string, string[]> grid, Dictionary<string, string> fixedParameters)
    {
        IEnumerable<Dictionary<string, string>> points = [new(fixedParameters)];
        foreach (var (name, values) in grid)
        {
            var current = points.ToList();
            points = current.SelectMany(p => values.Select(v => new Dictionary<string, string>(p) { [name] = v }));
        }
        return points;
    }

    private static string Describe(IReadOnlyDictionary<string, string> parameters, IEnumerable<string> names) =>
        string.Join(" ", names.Order(StringComparer.Ordinal).Select(n => $"{n}={parameters[n]}"));

    private static double StandardDeviation(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
    }
}
