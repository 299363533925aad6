namespace MusicML.Dsp;

/// <summary>
/// A thread-safe least-recently-used cache of at most <see cref="Capacity"/> entries, for the plans and filterbanks
/// that are expensive to build and cheap to keep a few of. Keys that vary per file (a constant-Q plan's fMin shifted by
/// the estimated tuning, a chroma filterbank's tuning) would make an unbounded dictionary grow through a catalogue
/// run; here the least recently used entry is dropped once the cache is full. A factory may run twice for one key
/// when two threads miss at once; the first stored value wins, as ConcurrentDictionary.GetOrAdd behaves.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>(int capacity) where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _index = [];
    private readonly LinkedList<(TKey Key, TValue Value)> _recency = []; // most recently used first
    private readonly Lock _gate = new();

    /// <summary>Most entries kept.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Entries held now.</summary>
    public int Count
    {
        get { lock (_gate) return _index.Count; }
    }

    /// <summary>The value for <paramref name="key"/>, built by <paramref name="factory"/> (outside the lock) on a miss.</summary>
    public TValue GetOrAdd(TKey key, Func<TKey, TValue> factory)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                return node.Value.Value;
            }
        }
        var value = factory(key);
        lock (_gate)
        {
            if (_index.TryGetValue(key, out var raced)) return raced.Value.Value;
            _index[key] = _recency.AddFirst((key, value));
            while (_index.Count > Capacity)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _index.Remove(oldest.Value.Key);
            }
            return value;
        }
    }

    /// <summary>Whether <paramref name="key"/> is held (without touching its recency).</summary>
    public bool Contains(TKey key)
    {
        lock (_gate) return _index.ContainsKey(key);
    }
}
