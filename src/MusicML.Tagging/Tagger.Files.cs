using System.Collections.Concurrent;
using MusicML.Audio;
using MusicML.Core;
using MusicML.Torch;

namespace MusicML.Tagging;

/// <summary>The outcome of tagging one file of a catalogue with <see cref="Tagger.TagFiles"/>: its tags, or why it has none.</summary>
/// <param name="Path">The file, as the caller named it.</param>
/// <param name="Tags">The track's tags, or null when the file failed.</param>
/// <param name="Error">Why the file could not be tagged (unreadable, not audio, shorter than one chunk), or null; the
/// message starts with <paramref name="Path"/> and <see cref="MusicMLException.FilePath"/> holds it.</param>
public sealed record FileTags(string Path, TrackTags? Tags, MusicMLException? Error)
{
    /// <summary>True when the file was tagged (<see cref="Tags"/> is set).</summary>
    public bool Succeeded => Tags is not null;
}

/// <summary>The outcome of embedding one file with <see cref="Tagger.EmbedFiles"/>: its vector, or why it has none.</summary>
/// <param name="Path">The file, as the caller named it.</param>
/// <param name="Embedding">The track's L2-normalised embedding (<see cref="TaggerNetwork.EmbeddingSize"/> floats), or null when the file failed.</param>
/// <param name="Error">Why the file has no embedding, or null; the message starts with <paramref name="Path"/>.</param>
public sealed record FileEmbedding(string Path, float[]? Embedding, MusicMLException? Error)
{
    /// <summary>True when the file was embedded (<see cref="Embedding"/> is set).</summary>
    public bool Succeeded => Embedding is not null;
}

public sealed partial class Tagger
{
    /// <summary>
    /// Chunks per network pass that <see cref="TagFiles"/> uses unless told otherwise: <see cref="TagFile"/>'s 4. On a
    /// CPU larger batches were measured no faster but much bigger (<c>musicml tag</c>, 2 shared cores: mtat_fcn on two
    /// 30 s clips 5.3 / 7.3 / 6.3 s and peak memory 0.38 / 0.83 / 2.5 GB at 1 / 4 / 16 chunks per pass; mtat_musicnn
    /// on the eight reference clips 0.27 / 0.70 / 2.1 GB at 1 / 16 / 64). On a GPU pass more, e.g. <see cref="DefaultCudaBatchSize"/>.
    /// </summary>
    public const int DefaultFilesBatchSize = 4;

    /// <summary>A batch size for CUDA devices: two whole tracks of the published models (16 chunks each) per pass.</summary>
    public const int DefaultCudaBatchSize = 32;

    /// <summary>Tracks <see cref="TagFiles"/> decodes ahead of the network unless told otherwise.</summary>
    public const int DefaultReadAhead = 2;

    /// <summary>
    /// Tags many files with the model loaded once, running the chunks of consecutive tracks through the network
    /// together: a batch is filled with the next <paramref name="batchSize"/> chunks whatever track they come from, so
    /// short batches at track ends (and one network call per track) are avoided. Results stream out in input order,
    /// each as soon as its last chunk has run, and equal <see cref="TagFile"/>'s (only the batching differs, ~3e-7).
    /// </summary>
    /// <remarks>
    /// Memory stays bounded whatever the catalogue's size: a background task decodes at most
    /// <paramref name="readAhead"/> tracks ahead of the network (so decoding and resampling overlap the forward
    /// passes), each track is read block by block keeping only the samples its chunks cover (<see cref="TrackChunks"/>), dropped once they are copied into the batch, and only the probabilities
    /// of tracks with chunks still in the batch are held. <paramref name="paths"/> is enumerated on that background
    /// task. A file that cannot be tagged yields a <see cref="FileTags"/> with its <see cref="FileTags.Error"/>, in
    /// its place, and the others go on; anything else (the model failing) is thrown. Stopping the enumeration early
    /// stops the decoding.
    /// </remarks>
    /// <param name="paths">Audio files, in the order the results should come.</param>
    /// <param name="batchSize">Chunks per network pass (across track boundaries); smaller saves memory, larger feeds a GPU better.</param>
    /// <param name="readAhead">Tracks decoded ahead of the network; 0 decodes on the calling thread, when the batch needs the next track.</param>
    /// <exception cref="MusicMLException">batchSize is not positive, readAhead is negative, or the front end cannot be loaded.</exception>
    public IEnumerable<FileTags> TagFiles(IEnumerable<string> paths, int batchSize = DefaultFilesBatchSize, int readAhead = DefaultReadAhead)
    {
        CheckFileArguments(paths, batchSize, readAhead);
        return RunFiles(paths, batchSize, readAhead, Predict, Config.Tags.Count).Select(track => track.Error is not null
            ? new FileTags(track.Path, null, track.Error)
            : new FileTags(track.Path, new TrackTags(Config.Tags, track.Starts, track.Chunks, MeanOverChunks(track.Chunks, Config.Tags.Count)), null));
    }

    /// <summary>
    /// Embeds many files with the pipeline of <see cref="TagFiles"/> (same chunks, batching, read-ahead, bounded
    /// memory, input order, per-file errors): each track's vector is the mean of its chunks' penultimate-layer
    /// activations (<see cref="Embed"/>), scaled to unit L2 norm so that a dot product is the cosine similarity.
    /// A track whose mean activation is all zero (no direction to normalise) gets an error instead of a vector.
    /// </summary>
    /// <exception cref="MusicMLException">batchSize is not positive, readAhead is negative, or the front end cannot be loaded.</exception>
    public IEnumerable<FileEmbedding> EmbedFiles(IEnumerable<string> paths, int batchSize = DefaultFilesBatchSize, int readAhead = DefaultReadAhead)
    {
        CheckFileArguments(paths, batchSize, readAhead);
        int size = checked((int)Network.EmbeddingSize);
        return RunFiles(paths, batchSize, readAhead, Embed, size).Select(track =>
        {
            if (track.Error is not null) return new FileEmbedding(track.Path, null, track.Error);
            var mean = UnitMean(track.Chunks, size);
            return mean is null
                ? new FileEmbedding(track.Path, null, new MusicMLException($"{track.Path}: {ZeroEmbedding}") { FilePath = track.Path })
                : new FileEmbedding(track.Path, mean, null);
        });
    }

    /// <summary>
    /// The eager checks of <see cref="TagFiles"/> and <see cref="EmbedFiles"/> (their work is lazy): the arguments,
    /// and the front end, loaded now so that a model without one fails once, before any file, not as every file's error.
    /// </summary>
    private void CheckFileArguments(IEnumerable<string> paths, int batchSize, int readAhead)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (batchSize <= 0) throw new MusicMLException($"batchSize must be positive, got {batchSize}");
        if (readAhead < 0) throw new MusicMLException($"readAhead must be zero or positive, got {readAhead}");
        _ = FrontEnd;
    }

    /// <summary>One file's per-chunk network outputs (or its error), as <see cref="RunFiles"/> yields them.</summary>
    private readonly record struct ChunkOutputs(string Path, long[] Starts, float[][] Chunks, MusicMLException? Error);

    /// <summary>
    /// The shared engine of <see cref="TagFiles"/> and <see cref="EmbedFiles"/>: decodes ahead, fills batches of
    /// chunks across track boundaries, runs <paramref name="pass"/> (waveforms → (batch, width)) on each, and yields
    /// each track's per-chunk rows in input order as soon as its last chunk has run.
    /// </summary>
    private IEnumerable<ChunkOutputs> RunFiles(IEnumerable<string> paths, int batchSize, int readAhead, Func<Tensor, Tensor> pass, int width)
    {
        int length = Config.InputLength;
        // Tracks waiting for chunk results (or failed), in input order: the head leaves as soon as it is complete.
        var pending = new Queue<PendingTrack>();
        var batch = new float[checked(batchSize * length)];
        var owners = new (PendingTrack Track, int Chunk)[batchSize];
        int filled = 0;

        void RunBatch()
        {
            using var waveforms = Tensor.From(new ReadOnlySpan<float>(batch, 0, filled * length), [filled, length], Device);
            using var probabilities = pass(waveforms);
            var values = probabilities.ToArray<float>();
            for (int i = 0; i < filled; i++)
            {
                var (track, chunk) = owners[i];
                track.Chunks[chunk] = values.AsSpan(i * width, width).ToArray();
                track.Remaining--;
                owners[i] = default;
            }
            filled = 0;
        }

        using var decoded = new DecodedTracks(paths, LoadTrack, readAhead);
        foreach (var (path, chunks, error) in decoded)
        {
            if (chunks is null)
            {
                pending.Enqueue(new PendingTrack(path, [], error));
            }
            else
            {
                var track = new PendingTrack(path, chunks.Starts, null);
                pending.Enqueue(track);
                for (int c = 0; c < chunks.Starts.Length; c++)
                {
                    chunks.Chunk(c).CopyTo(batch.AsSpan(filled * length, length));
                    owners[filled++] = (track, c);
                    if (filled == batchSize) RunBatch();
                }
            }
            while (pending.Count > 0 && pending.Peek().Remaining == 0) yield return pending.Dequeue().Result();
        }
        if (filled > 0) RunBatch();
        while (pending.Count > 0) yield return pending.Dequeue().Result();
    }

    /// <summary>
    /// Reads the chunks of one file for <see cref="TagFiles"/> (<see cref="TrackChunks"/>: streamed, long enough for
    /// one chunk, finite), or the error naming the file.
    /// </summary>
    private DecodedTrack LoadTrack(string path)
    {
        try
        {
            return new DecodedTrack(path, TrackChunks.Read(path, Config.SampleRate, Config.InputLength, ChunkStarts), null);
        }
        catch (MusicMLException e)
        {
            return new DecodedTrack(path, null, e.FilePath is null ? new MusicMLException($"{path}: {e.Message}", e) { FilePath = path } : e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DecodedTrack(path, null, new MusicMLException($"{path}: {e.Message}", e) { FilePath = path });
        }
    }

    private readonly record struct DecodedTrack(string Path, TrackChunks? Chunks, MusicMLException? Error);

    /// <summary>A track whose chunks are (partly) in flight: the per-chunk results arrive as batches run.</summary>
    private sealed class PendingTrack(string path, long[] starts, MusicMLException? error)
    {
        public readonly float[][] Chunks = new float[starts.Length][];
        public int Remaining = starts.Length;

        public ChunkOutputs Result() => new(path, starts, Chunks, error);
    }

    /// <summary>
    /// The decoded tracks in input order, produced by a background task at most <c>readAhead</c> tracks ahead of the
    /// consumer (or on the consumer's thread when it is 0). Disposing stops the task and waits for it, so no decoding
    /// outlives the enumeration; an exception from enumerating the paths themselves is rethrown to the consumer.
    /// </summary>
    private sealed class DecodedTracks : IEnumerable<DecodedTrack>, IDisposable
    {
        private readonly IEnumerable<string> _paths;
        private readonly Func<string, DecodedTrack> _load;
        private readonly BlockingCollection<DecodedTrack>? _queue;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task? _producer;
        private Exception? _producerFailure;

        public DecodedTracks(IEnumerable<string> paths, Func<string, DecodedTrack> load, int readAhead)
        {
            (_paths, _load) = (paths, load);
            if (readAhead == 0) return;
            _queue = new BlockingCollection<DecodedTrack>(readAhead);
            // Task.Run carries the execution context, so AudioWarnings listeners of the caller still hear decode warnings.
            _producer = Task.Run(Produce);
        }

        private void Produce()
        {
            try
            {
                foreach (var path in _paths)
                {
                    if (_stop.IsCancellationRequested) return;
                    _queue!.Add(_load(path), _stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _producerFailure = e;
            }
            finally
            {
                _queue!.CompleteAdding();
            }
        }

        public IEnumerator<DecodedTrack> GetEnumerator()
        {
            if (_queue is null)
            {
                foreach (var path in _paths) yield return _load(path);
                yield break;
            }
            foreach (var track in _queue.GetConsumingEnumerable()) yield return track;
            if (_producerFailure is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _producer?.Wait();
            }
            catch (AggregateException)
            {
                // Produce records its own failures; nothing else can surface here.
            }
            _queue?.Dispose();
            _stop.Dispose();
        }
    }
}
