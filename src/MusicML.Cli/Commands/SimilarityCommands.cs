using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Similarity;
using MusicML.Tagging;
using MusicML.Torch;

namespace MusicML.Cli.Commands;

/// <summary>
/// The similarity commands, thin wrappers over <see cref="MusicML.Similarity"/>:
/// <c>musicml embed INPUT... --out STORE [--embedding tagger|features] [--model M]</c> (write or append to an
/// embedding store), <c>musicml index build INPUT... --out INDEX [--engine hnsw|exact]</c>, <c>index add INDEX
/// INPUT...</c>, <c>index info INDEX</c>, <c>musicml similar --index INDEX QUERY... [-k 10] [--format tsv|json]</c>
/// and <c>musicml eval similarity --index INDEX --manifest M.csv --label COLUMN</c>.
/// </summary>
internal static class SimilarityCommands
{
    private static readonly string[] EmbeddingKinds = [EmbeddingSpace.TaggerKind, EmbeddingSpace.FeaturesKind];

    /// <summary>The options that choose how tracks become vectors, shared by <c>embed</c> and <c>index build</c>.</summary>
    private sealed class EmbeddingOptions
    {
        public readonly Option<string?> Kind = new("--embedding")
        {
            Description = "tagger: the penultimate layer of a tagging model, averaged over its chunks (default, or the existing store's); features: the standardised summary features (musicml features summary).",
        };

        public readonly Option<string?> Model = new("--model")
        {
            HelpName = "PATH|NAME",
            Description = $"The tagger for --embedding tagger: a .safetensors file or a bundled model's name (default '{BundledModels.DefaultTagger}').",
        };

        public readonly Option<string> Device = new("--device") { Description = "Where the tagger runs: cpu or cuda.", DefaultValueFactory = _ => "cpu" };

        public readonly Option<int> Jobs = WorkersOption.Create("Files summarised in parallel for --embedding features (default 1).");

        public readonly Option<string?> Segments = new("--segments")
        {
            HelpName = "S.csv",
            Description = "Embed time windows instead of whole files: CSV with segment (or id), file (relative to the CSV), start and end (seconds) columns, e.g. ../shared/eval/real/similarity_segments.csv. Tagger embeddings only; no INPUT then.",
        };

        public EmbeddingOptions()
        {
            Kind.AcceptOnlyFromAmong(EmbeddingKinds);
            Device.AcceptOnlyFromAmong("cpu", "cuda");
        }

        public IEnumerable<Option> All => [Kind, Model, Device, Jobs, Segments];

        public Choice Read(ParseResult parse) => new(parse.GetValue(Kind), parse.GetValue(Model), parse.GetValue(Device)!, parse.GetValue(Jobs), parse.GetValue(Segments));
    }

    /// <summary>--embedding (null: the store's, else tagger), --model (null: the store's, else the bundled tagger), --device, --jobs.</summary>
    private sealed record Choice(string? Kind, string? Model, string Device, int Jobs, string? Segments = null);

    /// <summary>Builds <c>embed</c>, <c>index</c> and <c>similar</c>.</summary>
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return CreateEmbed(context);
        yield return CreateIndex(context);
        yield return CreateSimilar(context);
        yield return CreateMap(context);
    }

    private static Command CreateMap(CliContext context)
    {
        var source = new Argument<string>("INDEX") { Description = "An index folder or an embedding store file." };
        var output = new Option<string>("--out") { HelpName = "DIR", Description = "Folder for map.csv, map.html (interactive, offline) and map.png.", Required = true };
        var method = new Option<string>("--method") { Description = "Layout: tsne (default; up to 5,000 tracks) or pca.", DefaultValueFactory = _ => "tsne" };
        method.AcceptOnlyFromAmong([.. CatalogueMap.Methods]);
        var clusters = new Option<int>("--clusters") { Description = "k-means clusters of the full embeddings (default 8, at most the track count).", DefaultValueFactory = _ => 8 };
        var manifest = new Option<string?>("--manifest") { HelpName = "M.csv", Description = "A manifest whose --color-by column colours the points (matched by track id)." };
        var colorBy = new Option<string?>("--color-by") { HelpName = "COLUMN", Description = "The manifest column to colour by (besides the clusters)." };
        var seed = new Option<int>("--seed") { Description = "Seed of k-means and t-SNE (default 0).", DefaultValueFactory = _ => 0 };
        var command = new Command("map", "Draw a catalogue map: k-means clusters and a PCA or t-SNE layout of the embeddings, as CSV, an offline HTML scatter (hover shows the track) and a PNG.")
        {
            source, output, method, clusters, manifest, colorBy, seed,
        };
        command.SetAction(parse => RunMap(context, parse.GetValue(source)!, parse.GetValue(output)!, parse.GetValue(method)!, parse.GetValue(clusters),
            parse.GetValue(manifest), parse.GetValue(colorBy), parse.GetValue(seed)));
        return command;
    }

    private static int RunMap(CliContext context, string source, string folder, string method, int clusters, string? manifest, string? colorBy, int seed)
    {
        if ((manifest is null) != (colorBy is null)) throw new CliUsageException("--manifest and --color-by go together.");
        var store = File.Exists(source) ? EmbeddingStore.Load(source) : SimilarityIndex.LoadStore(source);
        var labels = manifest is null ? null : ReadLabels(manifest, colorBy!);
        var points = CatalogueMap.Compute(store, method, Math.Min(clusters, store.Count), seed);
        Directory.CreateDirectory(folder);
        AtomicFile.WriteText(Path.Combine(folder, "map.csv"), writer =>
        {
            writer.Write("id,path,x,y,cluster" + (colorBy is null ? "" : "," + CsvLine.Quote(colorBy)) + "\n");
            foreach (var p in points)
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{CsvLine.Quote(p.Id)},{CsvLine.Quote(p.Path)},{p.X:R},{p.Y:R},{p.Cluster}{(labels is null ? "" : "," + CsvLine.Quote(labels.GetValueOrDefault(p.Id) ?? ""))}\n"));
        });
        AtomicFile.WriteAllText(Path.Combine(folder, "map.html"), Reports.MapPage.Render(Path.GetFileName(Path.TrimEndingDirectorySeparator(source)), points, method, colorBy, labels));
        AtomicFile.WriteAllBytes(Path.Combine(folder, "map.png"), Reports.MapPage.RenderPng(points));
        context.Error.WriteLine($"musicml: map: {points.Length} tracks, {method}, {points.Max(p => p.Cluster) + 1} clusters in {folder} (map.csv, map.html, map.png)");
        return 0;
    }

    private static Command CreateEmbed(CliContext context)
    {
        var inputs = InputFiles.CreateArgument();
        inputs.Arity = ArgumentArity.ZeroOrMore;
        var output = new Option<string>("--out") { HelpName = "STORE", Description = "The embedding store to write, or to append to when it exists (same embedding and model required).", Required = true };
        var npy = new Option<string?>("--npy") { HelpName = "FILE.npy", Description = "Also export the store's vectors as a float32 (tracks × dimension) .npy." };
        var embedding = new EmbeddingOptions();
        var command = new Command("embed", "Compute L2-normalised track embeddings (tagger penultimate layer or standardised summary features) into an embedding store; an existing store is appended to.")
        {
            inputs, output, npy,
        };
        foreach (var option in embedding.All) command.Options.Add(option);
        command.SetAction(parse => RunEmbed(context, parse.GetValue(inputs) ?? [], parse.GetValue(output)!, parse.GetValue(npy), embedding.Read(parse)));
        return command;
    }

    private static int RunEmbed(CliContext context, IReadOnlyList<string> inputs, string storePath, string? npy, Choice choice)
    {
        WorkersOption.Check(choice.Jobs);
        var (files, segments) = Sources(context, inputs, choice);
        OutputPaths.CheckFile("--out", storePath, files);
        var store = File.Exists(storePath) ? EmbeddingStore.Load(storePath) : null;
        using var embedder = OpenEmbedder(choice, store?.Space);
        int failed = AddAll(context, embedder, files, segments, (id, path, vector) =>
        {
            store ??= new EmbeddingStore(embedder.Space!);
            store.Add(id, path, vector);
        });
        if (store is null) throw new MusicMLException($"{storePath}: no file could be embedded, so no store was written");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(storePath))!);
        store.Save(storePath);
        if (npy is not null) store.ExportNpy(npy);
        context.Error.WriteLine($"musicml: embed: {store.Count} tracks ({store.Space.Kind}, {store.Dimension} dimensions) in {storePath}");
        return failed == 0 ? 0 : CommandLineApp.ExitFailure;
    }

    /// <summary>
    /// Embeds <paramref name="files"/> and hands each vector to <paramref name="add"/> in input order; failures are
    /// reported (one line each) and counted. Progress is drawn on a terminal.
    /// </summary>
    private static int AddAll(CliContext context, ITrackEmbedder embedder, IReadOnlyList<string> files, IReadOnlyList<AudioSegment>? segments,
        Action<string, string, float[]> add)
    {
        int failed = 0;
        using var progress = new ProgressReporter(context, segments?.Count ?? files.Count, segments is null ? "files" : "segments");
        void Advance(bool failedFile) => progress.Advance(failedFile);
        var results = segments is null ? embedder.Embed(files, Advance) : ((TaggerEmbedder)embedder).EmbedSegments(segments, Advance);
        foreach (var result in results)
        {
            if (result.Vector is null)
            {
                context.FileFailed(result.Path, result.Error!);
                failed++;
                continue;
            }
            add(result.Id ?? EmbeddingStore.TrackId(result.Path), result.Path, result.Vector);
        }
        return failed;
    }

    /// <summary>The audio files of INPUT, or the segments of --segments (one of the two, not both).</summary>
    private static (IReadOnlyList<string> Files, IReadOnlyList<AudioSegment>? Segments) Sources(CliContext context, IReadOnlyList<string> inputs, Choice choice)
    {
        if (choice.Segments is null) return (InputFiles.ExpandAtLeastOne(inputs, context), null);
        if (inputs.Count > 0) throw new CliUsageException("give either INPUT files or --segments, not both.");
        if (choice.Kind == EmbeddingSpace.FeaturesKind) throw new CliUsageException("--segments works with --embedding tagger only.");
        var segments = AudioSegment.ReadList(choice.Segments);
        return ([.. segments.Select(s => s.Path).Distinct()], segments);
    }

    /// <summary>
    /// The embedder for the user's choice, or for <paramref name="space"/> when adding to (or querying) an existing
    /// store or index: its kind and model win, and a different <c>--embedding</c>/<c>--model</c> given explicitly is refused.
    /// </summary>
    private static ITrackEmbedder OpenEmbedder(Choice choice, EmbeddingSpace? space)
    {
        if (space is not null && choice.Kind is not null && choice.Kind != space.Kind)
            throw new CliUsageException($"--embedding {choice.Kind}: the existing store holds {space.Kind} embeddings ({space.Model}).");
        string kind = space?.Kind ?? choice.Kind ?? EmbeddingSpace.TaggerKind;
        if (kind == EmbeddingSpace.FeaturesKind && choice.Model is not null)
            throw new CliUsageException("--model applies to --embedding tagger only.");
        if (kind == EmbeddingSpace.FeaturesKind) return new SummaryEmbedder(space, choice.Jobs);
        string model = choice.Model ?? space?.Model ?? BundledModels.DefaultTagger;
        var device = choice.Device == "cuda" ? Device.Cuda : Device.Cpu;
        if (device.IsCuda && !TorchRuntime.IsCudaAvailable)
            throw new CliUsageException("--device cuda: CUDA is not available here (no NVIDIA GPU/driver, or the libtorch the shim was built against is CPU-only; docs/cuda.md); use --device cpu.");
        var embedder = TaggerEmbedder.Load(BundledModels.Resolve(model), model, device,
            device.IsCuda ? Tagger.DefaultCudaBatchSize : Tagger.DefaultFilesBatchSize);
        try
        {
            space?.RequireCompatible(embedder.Space, "the existing store");
            return embedder;
        }
        catch
        {
            embedder.Dispose();
            throw;
        }
    }

    private static Command CreateIndex(CliContext context)
    {
        var index = new Command("index", "Build, extend and describe nearest-neighbour indexes of track embeddings (a folder: store, graph, index.json).");

        var inputs = InputFiles.CreateArgument();
        inputs.Arity = ArgumentArity.ZeroOrMore;
        var output = new Option<string>("--out") { HelpName = "INDEX", Description = "The index folder to create (an existing index there is replaced).", Required = true };
        var engine = new Option<string>("--engine")
        {
            Description = "hnsw: approximate graph search (USearch), sub-linear in the catalogue size (default); exact: every track scored.",
            DefaultValueFactory = _ => "hnsw",
        };
        engine.AcceptOnlyFromAmong([.. SimilarityIndex.Engines]);
        var embedding = new EmbeddingOptions();
        var build = new Command("build", "Embed audio files and index them.") { inputs, output, engine };
        foreach (var option in embedding.All) build.Options.Add(option);
        build.SetAction(parse => RunBuild(context, parse.GetValue(inputs) ?? [], parse.GetValue(output)!, parse.GetValue(engine)!, embedding.Read(parse)));
        index.Subcommands.Add(build);

        var target = new Argument<string>("INDEX") { Description = "The index folder." };
        var more = InputFiles.CreateArgument();
        var addEmbedding = new EmbeddingOptions();
        var add = new Command("add", "Embed more audio files (with the index's embedding and model) and add them; files already indexed are skipped.") { target, more };
        foreach (var option in addEmbedding.All.Where(o => o != addEmbedding.Kind && o != addEmbedding.Model && o != addEmbedding.Segments)) add.Options.Add(option);
        add.SetAction(parse => RunAdd(context, parse.GetValue(target)!, parse.GetValue(more) ?? [], addEmbedding.Read(parse)));
        index.Subcommands.Add(add);

        var described = new Argument<string>("INDEX") { Description = "The index folder." };
        var info = new Command("info", "Describe an index: engine, tracks, dimension, embedding and model.") { described };
        info.SetAction(parse => RunInfo(context, parse.GetValue(described)!));
        index.Subcommands.Add(info);
        return index;
    }

    private static int RunBuild(CliContext context, IReadOnlyList<string> inputs, string folder, string engine, Choice choice)
    {
        WorkersOption.Check(choice.Jobs);
        var (files, segments) = Sources(context, inputs, choice);
        OutputPaths.CheckNotInput("--out", folder, files);
        using var embedder = OpenEmbedder(choice, null);
        SimilarityIndex? index = null;
        try
        {
            int failed = AddAll(context, embedder, files, segments, (id, path, vector) =>
            {
                index ??= SimilarityIndex.Create(embedder.Space!, engine);
                index.Add(id, path, vector, out _);
            });
            if (index is null) throw new MusicMLException($"{folder}: no file could be embedded, so no index was written");
            index.Save(folder);
            context.Error.WriteLine($"musicml: index build: {index.Count} tracks ({index.Store.Space.Kind}, {index.Store.Dimension} dimensions, {engine}) in {folder}");
            return failed == 0 ? 0 : CommandLineApp.ExitFailure;
        }
        finally
        {
            index?.Dispose();
        }
    }

    private static int RunAdd(CliContext context, string folder, IReadOnlyList<string> inputs, Choice choice)
    {
        WorkersOption.Check(choice.Jobs);
        var files = InputFiles.ExpandAtLeastOne(inputs, context);
        using var index = SimilarityIndex.Load(folder);
        var fresh = files.Where(f => index.Store.RowOf(f) < 0).ToArray();
        if (fresh.Length < files.Count) context.Warn($"{files.Count - fresh.Length} of {files.Count} files are already in {folder} and were skipped");
        using var embedder = OpenEmbedder(choice with { Model = null, Kind = null }, index.Store.Space);
        int before = index.Count;
        int failed = fresh.Length == 0 ? 0 : AddAll(context, embedder, fresh, null, (id, path, vector) => index.Add(id, path, vector, out _));
        index.Save(folder);
        context.Error.WriteLine($"musicml: index add: {index.Count - before} tracks added, {index.Count} in {folder}");
        return failed == 0 ? 0 : CommandLineApp.ExitFailure;
    }

    private static int RunInfo(CliContext context, string folder)
    {
        using var index = SimilarityIndex.Load(folder);
        var space = index.Store.Space;
        var o = context.Output;
        o.WriteLine($"index\t{folder}");
        o.WriteLine($"engine\t{index.Engine.Engine}");
        o.WriteLine(FormattableString.Invariant($"tracks\t{index.Count}"));
        o.WriteLine(FormattableString.Invariant($"dimension\t{space.Dimension}"));
        o.WriteLine($"embedding\t{space.Kind}");
        o.WriteLine($"model\t{space.Model}");
        if (space.ModelSha256.Length > 0) o.WriteLine($"model_sha256\t{space.ModelSha256}");
        if (index.Engine is HnswIndex hnsw)
        {
            o.WriteLine(FormattableString.Invariant($"connectivity\t{hnsw.Connectivity}"));
            o.WriteLine(FormattableString.Invariant($"expansion_add\t{hnsw.ExpansionAdd}"));
            o.WriteLine(FormattableString.Invariant($"expansion_search\t{hnsw.ExpansionSearch}"));
            o.WriteLine(FormattableString.Invariant($"memory_bytes\t{hnsw.MemoryBytes}"));
        }
        return 0;
    }

    private static Command CreateSimilar(CliContext context)
    {
        var queries = new Argument<string[]>("QUERY") { Description = "Audio files to find similar tracks for (indexed or not).", Arity = ArgumentArity.OneOrMore };
        var indexOption = new Option<string>("--index") { HelpName = "INDEX", Description = "The index folder (musicml index build).", Required = true };
        var k = new Option<int>("-k") { Description = "Similar tracks per query (default 10); the query itself is never listed.", DefaultValueFactory = _ => 10 };
        var format = new Option<string>("--format") { Description = "tsv: 'rank<TAB>track<TAB>score' lines, a '# QUERY' line before each query's (default); json: one array of {query, results}.", DefaultValueFactory = _ => "tsv" };
        format.AcceptOnlyFromAmong("tsv", "json");
        var device = new Option<string>("--device") { Description = "Where the tagger runs for queries that are not indexed: cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var command = new Command("similar", "Find the indexed tracks most similar to each query (cosine similarity of their embeddings).")
        {
            queries, indexOption, k, format, device,
        };
        command.SetAction(parse => RunSimilar(context, parse.GetValue(queries) ?? [], parse.GetValue(indexOption)!, parse.GetValue(k), parse.GetValue(format)!, parse.GetValue(device)!));
        return command;
    }

    private static int RunSimilar(CliContext context, IReadOnlyList<string> queries, string folder, int k, string format, string device)
    {
        if (k < 1) throw new CliUsageException(FormattableString.Invariant($"-k must be at least 1, got {k}."));
        var files = InputFiles.ExpandAtLeastOne(queries, context);
        using var index = SimilarityIndex.Load(folder);
        // Queries already in the index use their stored vector (and are left out of their own results); the others
        // are embedded with the index's embedding and model.
        var rows = RowsOf(index.Store, files);
        var missing = files.Where((_, i) => rows[i] < 0).ToArray();
        var computed = new Dictionary<string, TrackEmbedding>(StringComparer.Ordinal);
        if (missing.Length > 0)
        {
            using var embedder = OpenEmbedder(new Choice(null, null, device, 1), index.Store.Space);
            foreach (var result in embedder.Embed(missing)) computed[result.Path] = result;
        }
        int failed = 0;
        var json = new JsonArray();
        for (int q = 0; q < files.Count; q++)
        {
            ReadOnlySpan<float> vector;
            if (rows[q] >= 0) vector = index.Store.Vector(rows[q]);
            else if (computed[files[q]] is { Vector: { } v }) vector = v;
            else
            {
                context.FileFailed(files[q], computed[files[q]].Error!);
                failed++;
                continue;
            }
            var hits = index.Search(vector, k, rows[q]);
            if (format == "json")
            {
                json.Add(new JsonObject
                {
                    ["query"] = files[q],
                    ["results"] = new JsonArray([.. hits.Select(h => (JsonNode)new JsonObject { ["rank"] = h.Rank, ["track"] = h.Path, ["id"] = h.Id, ["score"] = Math.Round(h.Score, 6) })]),
                });
                continue;
            }
            context.Output.WriteLine($"# {files[q]}");
            foreach (var hit in hits)
                context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{hit.Rank}\t{hit.Path}\t{hit.Score:0.000000}"));
        }
        if (format == "json") context.Output.WriteLine(json.ToJsonString(new() { WriteIndented = true }));
        return failed == 0 ? 0 : CommandLineApp.ExitFailure;
    }

    /// <summary>
    /// The store row of each query path (−1 when not indexed): the same string, or else the same file by full path,
    /// whose table is built once, and only when some query is not found as given.
    /// </summary>
    private static int[] RowsOf(EmbeddingStore store, IReadOnlyList<string> queries)
    {
        Dictionary<string, int>? byFullPath = null;
        var rows = new int[queries.Count];
        for (int q = 0; q < queries.Count; q++)
        {
            rows[q] = store.RowOf(queries[q]);
            if (rows[q] >= 0) continue;
            if (byFullPath is null)
            {
                byFullPath = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int i = 0; i < store.Count; i++) byFullPath.TryAdd(Path.GetFullPath(store.Paths[i]), i);
            }
            rows[q] = byFullPath.GetValueOrDefault(Path.GetFullPath(queries[q]), -1);
        }
        return rows;
    }

    /// <summary>Builds <c>eval similarity</c>.</summary>
    public static Command CreateEval(CliContext context)
    {
        var indexOption = new Option<string>("--index") { HelpName = "INDEX", Description = "The index (or an embedding store file) to evaluate.", Required = true };
        var manifest = new Option<string>("--manifest") { HelpName = "M.csv", Description = "CSV with a header; tracks are matched to the index by id (the 'id' column, else the file name without extension of the 'file' or 'path' column).", Required = true };
        var label = new Option<string>("--label") { Description = "The manifest column whose equal values mark similar tracks (default 'group').", DefaultValueFactory = _ => "group" };
        var format = new Option<string>("--format") { Description = "Output: an aligned table (default), CSV or JSON.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var command = new Command("similarity", "Query-by-example retrieval: every labelled indexed track against the others; MAP, precision@1 and precision@3 (same label = relevant).")
        {
            indexOption, manifest, label, format,
        };
        command.SetAction(parse => RunEval(context, parse.GetValue(indexOption)!, parse.GetValue(manifest)!, parse.GetValue(label)!, parse.GetValue(format)!));
        return command;
    }

    private static int RunEval(CliContext context, string indexPath, string manifestPath, string label, string format)
    {
        var store = File.Exists(indexPath) ? EmbeddingStore.Load(indexPath) : SimilarityIndex.LoadStore(indexPath);
        var labels = ReadLabels(manifestPath, label);
        var scores = SimilarityEvaluation.Evaluate(store, labels);
        if (scores.Unmatched.Count > 0)
            context.Warn($"{scores.Unmatched.Count} tracks are in only one of the index and the manifest and were left out: {string.Join(", ", scores.Unmatched.Take(5))}{(scores.Unmatched.Count > 5 ? ", …" : "")}");
        var o = context.Output;
        string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        switch (format)
        {
            case "json":
                o.WriteLine(new JsonObject
                {
                    ["embedding"] = store.Space.Kind, ["model"] = store.Space.Model, ["queries"] = scores.Queries,
                    ["map"] = scores.MeanAveragePrecision, ["precision_at_1"] = scores.PrecisionAt1, ["precision_at_3"] = scores.PrecisionAt3,
                }.ToJsonString(new() { WriteIndented = true }));
                break;
            case "csv":
                o.WriteLine("embedding,model,queries,map,precision_at_1,precision_at_3");
                o.WriteLine($"{store.Space.Kind},{CsvLine.Quote(store.Space.Model)},{scores.Queries},{F(scores.MeanAveragePrecision)},{F(scores.PrecisionAt1)},{F(scores.PrecisionAt3)}");
                break;
            default:
                o.WriteLine($"embedding   {store.Space.Kind} ({store.Space.Model}, {store.Dimension} dimensions)");
                o.WriteLine($"queries     {scores.Queries} (label '{label}')");
                o.WriteLine($"MAP         {F(scores.MeanAveragePrecision)}");
                o.WriteLine($"P@1         {F(scores.PrecisionAt1)}");
                o.WriteLine($"P@3         {F(scores.PrecisionAt3)}");
                break;
        }
        return 0;
    }

    /// <summary>Track id → label from a manifest CSV (quoted fields allowed); a malformed line is refused with file:line.</summary>
    private static Dictionary<string, string> ReadLabels(string path, string label)
    {
        if (!File.Exists(path)) throw new CliUsageException($"--manifest {path}: no such file.");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) throw new MusicMLException($"{path}: empty manifest") { FilePath = path };
        var header = CsvLine.Split(lines[0]);
        int labelColumn = Array.IndexOf(header, label);
        if (labelColumn < 0) throw new CliUsageException($"--label {label}: {path} has no such column (columns: {string.Join(", ", header)}).");
        int idColumn = Array.IndexOf(header, "id") is >= 0 and var i0 ? i0 : Array.IndexOf(header, "segment"), fileColumn = Array.IndexOf(header, "file"), pathColumn = Array.IndexOf(header, "path");
        if (idColumn < 0 && fileColumn < 0 && pathColumn < 0) throw new MusicMLException($"{path}: the manifest needs an 'id', 'file' or 'path' column") { FilePath = path };
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var fields = CsvLine.Split(lines[i]);
            if (fields.Length != header.Length)
                throw new MusicMLException($"{path}:{i + 1}: {fields.Length} fields, the header has {header.Length}") { FilePath = path };
            string id = idColumn >= 0 ? fields[idColumn] : EmbeddingStore.TrackId(fields[fileColumn >= 0 ? fileColumn : pathColumn]);
            if (!labels.TryAdd(id, fields[labelColumn])) throw new MusicMLException($"{path}:{i + 1}: track '{id}' is listed twice") { FilePath = path };
        }
        return labels;
    }
}
