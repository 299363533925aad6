using System.Numerics.Tensors;

namespace MusicML.Similarity;

/// <summary>
/// Exact cosine search: every row is scored with a SIMD dot product (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>)
/// in blocks of <see cref="BlockRows"/> rows, blocks run on the thread pool, and each keeps its own top-k heap that
/// is merged at the end, so nothing is allocated per row. Ties are broken by the lower row, so results are
/// deterministic whatever the thread count. This is the reference the approximate engine is measured against.
/// </summary>
public sealed class ExactIndex : IVectorIndex
{
    /// <summary>Rows scored by one task: 8,192 × 128 floats is 4 MB, a few L2 caches' worth.</summary>
    public const int BlockRows = 8192;

    private float[] _vectors = [];

    /// <summary>An empty index of <paramref name="dimension"/>-dimensional vectors.</summary>
    /// <param name="dimension">Floats per vector.</param>
    /// <param name="maxThreads">Threads one search may use (−1: all cores).</param>
    public ExactIndex(int dimension, int maxThreads = -1)
    {
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "must be positive");
        (Dimension, MaxThreads) = (dimension, maxThreads);
    }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public int Count { get; private set; }

    /// <inheritdoc />
    public string Engine => "exact";

    /// <summary>Threads one search may use (−1: all cores).</summary>
    public int MaxThreads { get; }

    /// <inheritdoc />
    public void Add(ReadOnlySpan<float> vectors)
    {
        int rows = IndexChecks.Rows(vectors, Dimension);
        long needed = (long)(Count + rows) * Dimension;
        if (needed > Array.MaxLength) throw new InvalidOperationException($"an exact index holds at most {Array.MaxLength / Dimension} vectors of dimension {Dimension}");
        if (_vectors.Length < needed) Array.Resize(ref _vectors, (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _vectors.Length)));
        vectors.CopyTo(_vectors.AsSpan(Count * Dimension));
        Count += rows;
    }

    /// <inheritdoc />
    public Neighbor[] Search(ReadOnlySpan<float> query, int k)
    {
        IndexChecks.Query(query, Dimension, k);
        k = Math.Min(k, Count);
        if (k == 0) return [];
        int blocks = (Count + BlockRows - 1) / BlockRows;
        var q = query.ToArray();
        if (blocks == 1 || MaxThreads == 1)
        {
            var heap = new TopK(k);
            ScoreRows(q, 0, Count, heap);
            return heap.Sorted();
        }
        var merged = new TopK(k);
        var gate = new object();
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = MaxThreads }, () => new TopK(k),
            (block, _, heap) =>
            {
                int first = block * BlockRows;
                ScoreRows(q, first, Math.Min(Count, first + BlockRows), heap);
                return heap;
            },
            heap =>
            {
                lock (gate) merged.Merge(heap);
            });
        return merged.Sorted();
    }

    private void ScoreRows(float[] query, int first, int end, TopK heap)
    {
        var vectors = _vectors.AsSpan();
        for (int row = first; row < end; row++) heap.Offer(row, TensorPrimitives.Dot(query, vectors.Slice(row * Dimension, Dimension)));
    }

    /// <summary>Nothing native to release.</summary>
    public void Dispose()
    {
    }

    /// <summary>
    /// The k best (score, row) pairs seen so far, as a binary min-heap whose root is the worst kept pair; higher score
    /// wins, and at equal score the lower row.
    /// </summary>
    internal sealed class TopK(int k)
    {
        private readonly Neighbor[] _heap = new Neighbor[k];
        private int _count;

        private static bool Worse(Neighbor a, Neighbor b) => a.Score < b.Score || (a.Score == b.Score && a.Row > b.Row);

        public void Offer(int row, float score)
        {
            var candidate = new Neighbor(row, score);
            if (_count < _heap.Length)
            {
                int i = _count++;
                _heap[i] = candidate;
                while (i > 0)
                {
                    int parent = (i - 1) / 2;
                    if (!Worse(_heap[i], _heap[parent])) break;
                    (_heap[i], _heap[parent]) = (_heap[parent], _heap[i]);
                    i = parent;
                }
                return;
            }
            if (!Worse(_heap[0], candidate)) return;
            _heap[0] = candidate;
            int j = 0;
            while (true)
            {
                int left = 2 * j + 1, right = left + 1, worst = j;
                if (left < _count && Worse(_heap[left], _heap[worst])) worst = left;
                if (right < _count && Worse(_heap[right], _heap[worst])) worst = right;
                if (worst == j) break;
                (_heap[j], _heap[worst]) = (_heap[worst], _heap[j]);
                j = worst;
            }
        }

        public void Merge(TopK other)
        {
            for (int i = 0; i < other._count; i++) Offer(other._heap[i].Row, other._heap[i].Score);
        }

        public Neighbor[] Sorted()
        {
            var result = _heap.AsSpan(0, _count).ToArray();
            Array.Sort(result, (a, b) => Worse(a, b) ? 1 : Worse(b, a) ? -1 : 0);
            return result;
        }
    }
}
