using System.Runtime.InteropServices;
using MusicML.Core;

namespace MusicML.Similarity;

/// <summary>
/// Approximate cosine search on a hierarchical navigable small-world graph (Malkov &amp; Yashunin 2018, "Efficient and
/// robust approximate nearest neighbor search using Hierarchical Navigable Small World graphs", IEEE TPAMI), built
/// by USearch (Cloud.Unum.USearch 2.26.6, Apache-2.0), whose native <c>libusearch_c</c> ships in that package. Keys
/// are row numbers. Inner-product metric on unit vectors, so the score is the cosine.
/// </summary>
/// <remarks>
/// MusicML calls USearch's C API directly instead of the package's managed <c>USearchIndex</c>: that wrapper cannot
/// add from several threads (concurrent <c>Add</c> calls fail with "Reserve capacity ahead of insertions!", as it
/// exposes no reserve) and cannot change the search breadth after construction; on one thread it also built 20,000
/// vectors 1.7× slower (bench/README.md). Every native error becomes a <see cref="MusicMLException"/> carrying USearch's
/// message; the native index has one owner and is freed by
/// <see cref="Dispose"/>.
/// </remarks>
public sealed class HnswIndex : IVectorIndex
{
    /// <summary>Graph degree M (neighbours per node on the upper layers; 2M on the bottom one).</summary>
    public const int DefaultConnectivity = 16;

    /// <summary>Candidate list length while inserting (efConstruction).</summary>
    public const int DefaultExpansionAdd = 128;

    /// <summary>Candidate list length while searching (ef); raised to k when k is larger.</summary>
    public const int DefaultExpansionSearch = 64;

    private nint _index;
    private long _capacity;

    private HnswIndex(nint index, int dimension, int connectivity, int expansionAdd, int expansionSearch)
    {
        (_index, Dimension, Connectivity, ExpansionAdd) = (index, dimension, connectivity, expansionAdd);
        ExpansionSearch = expansionSearch;
    }

    /// <summary>An empty graph.</summary>
    /// <exception cref="MusicMLException">A parameter is out of range, or USearch cannot be loaded or refuses the options.</exception>
    public HnswIndex(int dimension, int connectivity = DefaultConnectivity, int expansionAdd = DefaultExpansionAdd, int expansionSearch = DefaultExpansionSearch)
        : this(Create(dimension, connectivity, expansionAdd, expansionSearch), dimension, connectivity, expansionAdd, expansionSearch)
    {
    }

    private static nint Create(int dimension, int connectivity, int expansionAdd, int expansionSearch)
    {
        if (dimension <= 0) throw new MusicMLException($"dimension must be positive, got {dimension}");
        if (connectivity < 2) throw new MusicMLException($"connectivity must be at least 2, got {connectivity}");
        if (expansionAdd <= 0 || expansionSearch <= 0) throw new MusicMLException($"expansions must be positive, got {expansionAdd} and {expansionSearch}");
        var options = Options(dimension, connectivity, expansionAdd, expansionSearch);
        nint index, error;
        try
        {
            index = Native.usearch_init(ref options, out error);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new MusicMLException($"USearch's native library libusearch_c.so could not be loaded ({e.Message}); it ships in the Cloud.Unum.USearch package beside musicml.dll", e);
        }
        Native.Check(error);
        return index != 0 ? index : throw new MusicMLException("USearch: the index could not be created");
    }

    private static Native.InitOptions Options(int dimension, int connectivity, int expansionAdd, int expansionSearch) => new()
    {
        MetricKind = Native.MetricInnerProduct,
        Quantization = Native.ScalarFloat32,
        Dimensions = (nuint)dimension,
        Connectivity = (nuint)connectivity,
        ExpansionAdd = (nuint)expansionAdd,
        ExpansionSearch = (nuint)expansionSearch,
    };

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public int Count { get; private set; }

    /// <inheritdoc />
    public string Engine => "hnsw";

    /// <summary>Graph degree M.</summary>
    public int Connectivity { get; }

    /// <summary>Candidate list length while inserting.</summary>
    public int ExpansionAdd { get; }

    /// <summary>Candidate list length while searching; larger finds more of the true neighbours, more slowly.</summary>
    public int ExpansionSearch
    {
        get;
        set
        {
            if (value <= 0) throw new MusicMLException($"expansion must be positive, got {value}");
            if (_index != 0) {
                Native.usearch_change_expansion_search(Handle, (nuint)value, out var e);
                Native.Check(e);
            }
            field = value;
        }
    }

    /// <summary>Threads one <see cref="Add"/> call uses (default: every core).</summary>
    public int AddThreads { get; set; } = Environment.ProcessorCount;

    private nint Handle => _index != 0 ? _index : throw new ObjectDisposedException(nameof(HnswIndex));

    /// <summary>Bytes the native graph and vectors occupy.</summary>
    public long MemoryBytes => (long)Native.Value(Native.usearch_memory_usage(Handle, out var e), e);

    /// <inheritdoc />
    public unsafe void Add(ReadOnlySpan<float> vectors)
    {
        int rows = IndexChecks.Rows(vectors, Dimension);
        if (rows == 0) return;
        int threads = Math.Max(1, AddThreads);
        long needed = Count + rows;
        if (needed > _capacity)
        {
            // Capacity and thread contexts are reserved once per call, geometrically, so a build is one reservation
            // and incremental adds stay amortised O(1) in reservations.
            long capacity = Math.Max(needed, _capacity + _capacity / 2);
            Native.usearch_change_threads_add(Handle, (nuint)threads, out var e1);
            Native.Check(e1);
            Native.usearch_reserve(Handle, (nuint)capacity, out var e2);
            Native.Check(e2);
            _capacity = capacity;
        }
        int first = Count, dimension = Dimension;
        nint index = Handle;
        fixed (float* data = vectors)
        {
            float* basePointer = data;
            string? failure = null;
            Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, (row, state) =>
            {
                Native.usearch_add(index, (ulong)(first + row), basePointer + (long)row * dimension, Native.ScalarFloat32, out var error);
                if (error != 0)
                {
                    failure ??= Marshal.PtrToStringUTF8(error);
                    state.Stop();
                }
            });
            if (failure is not null) throw new MusicMLException($"USearch: {failure}");
        }
        Count += rows;
    }

    /// <inheritdoc />
    public unsafe Neighbor[] Search(ReadOnlySpan<float> query, int k)
    {
        IndexChecks.Query(query, Dimension, k);
        k = Math.Min(k, Count);
        if (k == 0) return [];
        if (k > ExpansionSearch) ExpansionSearch = k;
        var keys = new ulong[k];
        var distances = new float[k];
        nuint found;
        fixed (float* q = query)
        fixed (ulong* keyPointer = keys)
        fixed (float* distancePointer = distances)
            found = Native.Value(Native.usearch_search(Handle, q, Native.ScalarFloat32, (nuint)k, keyPointer, distancePointer, out var e), e);
        var result = new Neighbor[(int)found];
        // USearch's inner-product "distance" is 1 − dot.
        for (int i = 0; i < result.Length; i++) result[i] = new Neighbor(checked((int)keys[i]), 1 - distances[i]);
        return result;
    }

    /// <summary>Writes the graph (USearch's own file format) atomically: temporary file, then rename.</summary>
    /// <exception cref="MusicMLException">USearch cannot write the file.</exception>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = AtomicFile.Create(path);
        // USearch writes by path: it fills the (still empty) temporary file by name, and Commit flushes and renames it.
        Native.usearch_save(Handle, file.TemporaryPath, out var e);
        Native.Check(e, path);
        file.Commit();
    }

    /// <summary>Loads a graph written by <see cref="Save"/> of <paramref name="dimension"/>-dimensional vectors.</summary>
    /// <exception cref="MusicMLException">The file is missing, not a USearch index, damaged, or of another dimension.</exception>
    public static HnswIndex Load(string path, int dimension, int connectivity = DefaultConnectivity, int expansionAdd = DefaultExpansionAdd,
        int expansionSearch = DefaultExpansionSearch)
    {
        if (!File.Exists(path)) throw new MusicMLException($"{path}: HNSW graph not found") { FilePath = path };
        var index = new HnswIndex(dimension, connectivity, expansionAdd, expansionSearch);
        try
        {
            Native.usearch_load(index.Handle, path, out var e);
            Native.Check(e, path);
            long dims = (long)Native.Value(Native.usearch_dimensions(index.Handle, out var e2), e2);
            if (dims != dimension) throw new MusicMLException($"{path}: HNSW graph holds {dims}-dimensional vectors, expected {dimension}") { FilePath = path };
            index.Count = checked((int)Native.Value(Native.usearch_size(index.Handle, out var e3), e3));
            index._capacity = (long)Native.Value(Native.usearch_capacity(index.Handle, out var e4), e4);
            index.ExpansionSearch = expansionSearch;
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>Frees the native graph.</summary>
    public void Dispose()
    {
        if (_index == 0) return;
        Native.usearch_free(_index, out _);
        _index = 0;
    }

    /// <summary>The USearch C API (usearch.h) as exported by the package's <c>libusearch_c</c>.</summary>
    private static unsafe class Native
    {
        private const string Library = "libusearch_c";
        public const int MetricInnerProduct = 2; // usearch_metric_ip_k
        public const int ScalarFloat32 = 1; // usearch_scalar_f32_k

        [StructLayout(LayoutKind.Sequential)]
        public struct InitOptions
        {
            public int MetricKind;
            public nint Metric;
            public int Quantization;
            public nuint Dimensions, Connectivity, ExpansionAdd, ExpansionSearch;
            [MarshalAs(UnmanagedType.U1)] public bool Multi;
        }

        [DllImport(Library)] public static extern nint usearch_init(ref InitOptions options, out nint error);
        [DllImport(Library)] public static extern void usearch_free(nint index, out nint error);
        [DllImport(Library)] public static extern void usearch_reserve(nint index, nuint capacity, out nint error);
        [DllImport(Library)] public static extern void usearch_change_threads_add(nint index, nuint threads, out nint error);
        [DllImport(Library)] public static extern void usearch_change_expansion_search(nint index, nuint expansion, out nint error);
        [DllImport(Library)] public static extern void usearch_add(nint index, ulong key, float* vector, int kind, out nint error);
        [DllImport(Library)] public static extern nuint usearch_search(nint index, float* query, int kind, nuint count, ulong* keys, float* distances, out nint error);
        [DllImport(Library)] public static extern nuint usearch_size(nint index, out nint error);
        [DllImport(Library)] public static extern nuint usearch_capacity(nint index, out nint error);
        [DllImport(Library)] public static extern nuint usearch_dimensions(nint index, out nint error);
        [DllImport(Library)] public static extern nuint usearch_memory_usage(nint index, out nint error);
        [DllImport(Library, CharSet = CharSet.Ansi)] public static extern void usearch_save(nint index, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out nint error);
        [DllImport(Library, CharSet = CharSet.Ansi)] public static extern void usearch_load(nint index, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, out nint error);

        public static void Check(nint error, string? path = null)
        {
            if (error == 0) return;
            string message = Marshal.PtrToStringUTF8(error) ?? "unknown error";
            throw path is null ? new MusicMLException($"USearch: {message}") : new MusicMLException($"{path}: USearch: {message}") { FilePath = path };
        }

        public static nuint Value(nuint value, nint error)
        {
            Check(error);
            return value;
        }
    }
}
