using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;
using MusicML.Learning;
using MusicML.Mir.Analysis;
using MusicML.Tagging;
using MusicML.Torch;

namespace MusicML.Similarity;

/// <summary>One file's embedding, or why it has none (the message starts with the path).</summary>
/// <param name="Path">The file as the caller named it.</param>
/// <param name="Vector">L2-normalised embedding in the embedder's <see cref="ITrackEmbedder.Space"/>, or null.</param>
/// <param name="Error">Why the file failed, or null.</param>
/// <param name="Id">The track id to store it under; null means the file name without extension (<see cref="EmbeddingStore.TrackId"/>).</param>
public sealed record TrackEmbedding(string Path, float[]? Vector, MusicMLException? Error, string? Id = null);

/// <summary>A time window of a recording, embedded as a track of its own (e.g. the 15 s windows of <c>similarity_segments.csv</c>).</summary>
/// <param name="Id">Its id in the store.</param>
/// <param name="Path">The audio file.</param>
/// <param name="Start">Start in seconds.</param>
/// <param name="End">End in seconds (after <paramref name="Start"/>).</param>
public sealed record AudioSegment(string Id, string Path, double Start, double End)
{
    /// <summary>The path a segment is stored under: <c>FILE@START-END</c> (seconds), unique per window.</summary>
    public string StoredPath => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Path}@{Start:0.###}-{End:0.###}");

    /// <summary>
    /// Reads a segment list: CSV with a header holding <c>segment</c> (or <c>id</c>), <c>file</c> (relative to the
    /// list's folder), <c>start</c> and <c>end</c>; a malformed line is refused with file:line.
    /// </summary>
    /// <exception cref="MusicMLException">The file is missing, lacks a column, or a line is malformed.</exception>
    public static IReadOnlyList<AudioSegment> ReadList(string path)
    {
        if (!File.Exists(path)) throw new MusicMLException($"{path}: segment list not found") { FilePath = path };
        var lines = File.ReadAllLines(path);
        var header = lines.Length > 0 ? CsvLine.Split(lines[0]) : [];
        int Column(params string[] names) => names.Select(n => Array.IndexOf(header, n)).FirstOrDefault(i => i >= 0, -1) is var c && c >= 0
            ? c : throw new MusicMLException($"{path}: the segment list needs a '{names[0]}' column (columns: {string.Join(", ", header)})") { FilePath = path };
        int id = Column("segment", "id"), file = Column("file", "path"), start = Column("start"), end = Column("end");
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
        var segments = new List<AudioSegment>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var f = CsvLine.Split(lines[i]);
            if (f.Length != header.Length
                || !double.TryParse(f[start], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s)
                || !double.TryParse(f[end], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double e)
                || !(s >= 0) || !(e > s) || !double.IsFinite(e))
                throw new MusicMLException($"{path}:{i + 1}: expected {header.Length} fields with 0 ≤ start < end seconds") { FilePath = path };
            segments.Add(new AudioSegment(f[id], System.IO.Path.Combine(folder, f[file]), s, e));
        }
        if (segments.Count == 0) throw new MusicMLException($"{path}: no segments listed") { FilePath = path };
        return segments;
    }
}

/// <summary>Turns audio files into vectors of one <see cref="EmbeddingSpace"/>.</summary>
public interface ITrackEmbedder : IDisposable
{
    /// <summary>The space of the vectors; null for standardised features until <see cref="Embed"/> has fitted the statistics.</summary>
    EmbeddingSpace? Space { get; }

    /// <summary>
    /// Embeds the files, in input order; a file that fails yields its error and the others go on.
    /// <paramref name="onFile"/> is called once per file as it finishes (for progress), with whether it failed.
    /// </summary>
    IEnumerable<TrackEmbedding> Embed(IReadOnlyList<string> paths, Action<bool>? onFile = null);
}

/// <summary>
/// Tagger embeddings: the penultimate layer of an auto-tagging network averaged over the evaluation protocol's
/// chunks and L2-normalised (<see cref="Tagger.EmbedFiles"/>), for the bundled model or any published one.
/// </summary>
public sealed class TaggerEmbedder : ITrackEmbedder
{
    private readonly Tagger _tagger;
    private readonly int _batchSize;

    /// <summary>Wraps a loaded tagger; <paramref name="modelName"/> is recorded in the space as the user named the model.</summary>
    /// <param name="tagger">The model; owned (disposed) by this embedder.</param>
    /// <param name="modelName">The bundled name or the path the model was given as.</param>
    /// <param name="weightsSha256">SHA-256 of its weights (lowercase hex): what identifies the space.</param>
    /// <param name="batchSize">Chunks per network pass.</param>
    public TaggerEmbedder(Tagger tagger, string modelName, string weightsSha256, int batchSize = Tagger.DefaultFilesBatchSize)
    {
        ArgumentNullException.ThrowIfNull(tagger);
        (_tagger, _batchSize) = (tagger, batchSize);
        Space = EmbeddingSpace.OfTagger(modelName, weightsSha256, checked((int)tagger.Network.EmbeddingSize));
    }

    /// <summary>Loads the model at <paramref name="weightsPath"/> (its configuration beside it) and hashes its weights.</summary>
    /// <exception cref="MusicMLException">The model cannot be loaded.</exception>
    public static TaggerEmbedder Load(string weightsPath, string modelName, Device device = default, int batchSize = Tagger.DefaultFilesBatchSize)
    {
        var tagger = Tagger.Load(weightsPath, device);
        try
        {
            return new TaggerEmbedder(tagger, modelName, tagger.WeightsSha256, batchSize);
        }
        catch
        {
            tagger.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public EmbeddingSpace Space { get; }

    EmbeddingSpace? ITrackEmbedder.Space => Space;

    /// <inheritdoc />
    public IEnumerable<TrackEmbedding> Embed(IReadOnlyList<string> paths, Action<bool>? onFile = null)
    {
        foreach (var result in _tagger.EmbedFiles(paths, _batchSize))
        {
            onFile?.Invoke(!result.Succeeded);
            yield return new TrackEmbedding(result.Path, result.Embedding, result.Error);
        }
    }

    /// <summary>
    /// Embeds time windows of recordings, each as a track of its own (id = the segment's, path =
    /// <see cref="AudioSegment.StoredPath"/>): the window is decoded at the model's rate and embedded with
    /// <see cref="Tagger.EmbedTrack"/>. A window shorter than one chunk, or one that cannot be read, yields its error.
    /// </summary>
    public IEnumerable<TrackEmbedding> EmbedSegments(IReadOnlyList<AudioSegment> segments, Action<bool>? onFile = null)
    {
        ArgumentNullException.ThrowIfNull(segments);
        foreach (var segment in segments)
        {
            TrackEmbedding result;
            try
            {
                var audio = MusicML.Audio.AudioFile.Load(segment.Path, _tagger.Config.SampleRate, mono: true, segment.Start, segment.End - segment.Start);
                result = new TrackEmbedding(segment.StoredPath, _tagger.EmbedTrack(audio.ToMono(), _batchSize), null, segment.Id);
            }
            catch (MusicMLException e)
            {
                result = new TrackEmbedding(segment.StoredPath, null, new MusicMLException($"{segment.StoredPath}: {e.Message}", e) { FilePath = segment.Path }, segment.Id);
            }
            onFile?.Invoke(result.Vector is null);
            yield return result;
        }
    }

    /// <summary>Releases the model.</summary>
    public void Dispose() => _tagger.Dispose();
}

/// <summary>
/// Summary-feature embeddings: the <see cref="TrackSummarizer"/> vector (<c>musicml.summary/1</c>) standardised per
/// dimension (scikit-learn's <c>StandardScaler</c>, <see cref="StandardScaler"/>) and L2-normalised, so the cosine
/// weighs every feature alike whatever its unit. The statistics are fitted on the files of the first
/// <see cref="Embed"/> when no space is given, then kept in the space (and the store), so later files and queries are
/// standardised exactly like the first ones.
/// </summary>
public sealed class SummaryEmbedder : ITrackEmbedder
{
    private readonly TrackSummarizer _summarizer = new();
    private readonly int _jobs;

    /// <summary>An embedder into <paramref name="space"/> (a store's), or one that fits its statistics on first use when it is null.</summary>
    /// <param name="space">An existing features space, or null.</param>
    /// <param name="jobs">Files summarised in parallel.</param>
    /// <exception cref="MusicMLException">The space is not a summary-features space of this feature set.</exception>
    public SummaryEmbedder(EmbeddingSpace? space = null, int jobs = 1)
    {
        if (jobs < 1) throw new MusicMLException($"jobs must be at least 1, got {jobs}");
        if (space is not null)
            new EmbeddingSpace(EmbeddingSpace.FeaturesKind, TrackSummarizer.FeatureSet, "", TrackSummarizer.Names.Count, space.Mean, space.Scale)
                .RequireCompatible(space, "this MusicML's summary features");
        (Space, _jobs) = (space, jobs);
    }

    /// <inheritdoc />
    public EmbeddingSpace? Space { get; private set; }

    /// <summary>
    /// The features space fitted on <paramref name="summaries"/> (at least two tracks, so a spread exists):
    /// per-dimension mean and population standard deviation (1 where a feature is constant).
    /// </summary>
    /// <exception cref="MusicMLException">Fewer than two summaries.</exception>
    public static EmbeddingSpace FitSpace(IReadOnlyList<IReadOnlyList<double>> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        if (summaries.Count < 2)
            throw new MusicMLException($"standardised summary features need at least 2 tracks to fit their statistics, got {summaries.Count}; embed more files at once, or use --embedding tagger");
        var scaler = new StandardScaler();
        scaler.Fit(Matrix<double>.Build.DenseOfRows(summaries.Select(s => s.ToArray())));
        return new EmbeddingSpace(EmbeddingSpace.FeaturesKind, TrackSummarizer.FeatureSet, "", TrackSummarizer.Names.Count,
            [.. scaler.Mean], [.. scaler.Scale]);
    }

    /// <summary>
    /// (x − mean) / scale per dimension, L2-normalised; a track equal to the mean (nothing to point at) gets null.
    /// </summary>
    public static float[]? Standardise(EmbeddingSpace space, IReadOnlyList<double> summary)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Count != space.Dimension) throw new MusicMLException($"summary has {summary.Count} values, the space holds {space.Dimension}");
        var vector = new double[space.Dimension];
        double norm = 0;
        for (int i = 0; i < vector.Length; i++)
        {
            vector[i] = (summary[i] - space.Mean[i]) / space.Scale[i];
            norm += vector[i] * vector[i];
        }
        if (!(norm > 0) || !double.IsFinite(norm)) return null;
        double scale = 1 / Math.Sqrt(norm);
        return [.. vector.Select(v => (float)(v * scale))];
    }

    /// <inheritdoc />
    public IEnumerable<TrackEmbedding> Embed(IReadOnlyList<string> paths, Action<bool>? onFile = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var summaries = new TrackSummary?[paths.Count];
        var errors = new MusicMLException?[paths.Count];
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = _jobs }, i =>
        {
            try
            {
                summaries[i] = _summarizer.Summarize(paths[i]);
            }
            catch (MusicMLException e)
            {
                errors[i] = e.FilePath is null ? new MusicMLException($"{paths[i]}: {e.Message}", e) { FilePath = paths[i] } : e;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors[i] = new MusicMLException($"{paths[i]}: {e.Message}", e) { FilePath = paths[i] };
            }
            onFile?.Invoke(errors[i] is not null);
        });
        Space ??= FitSpace([.. summaries.Where(s => s is not null).Select(s => s!.Values)]);
        var results = new TrackEmbedding[paths.Count];
        for (int i = 0; i < paths.Count; i++)
        {
            if (errors[i] is { } error)
            {
                results[i] = new TrackEmbedding(paths[i], null, error);
                continue;
            }
            var vector = Standardise(Space, summaries[i]!.Values);
            results[i] = vector is null
                ? new TrackEmbedding(paths[i], null, new MusicMLException($"{paths[i]}: its summary features equal the catalogue mean, so it has no direction to compare") { FilePath = paths[i] })
                : new TrackEmbedding(paths[i], vector, null);
        }
        return results;
    }

    /// <summary>Nothing to release.</summary>
    public void Dispose()
    {
    }
}
