using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusicML.Core;

namespace MusicML.Similarity;

/// <summary>
/// L2-normalised float32 track embeddings with their track ids and paths, all of one <see cref="EmbeddingSpace"/>,
/// in memory and in a documented binary file (<c>docs/similarity.md</c>):
/// <code>
/// "MMLEMB01"                      magic of a <see cref="ChecksummedFile"/>
/// header (UTF-8 JSON)             {"format":"musicml.embeddings/1","kind":…,"model":…,"model_sha256":…,"dimension":D,"count":N,"mean":[…],"scale":[…]}
/// N records                       int32 id bytes, id (UTF-8), int32 path bytes, path (UTF-8), D × float32
/// footer                          CRC-32 of everything before it, "MEND"
/// </code>
/// All integers and floats little-endian. A truncated file is refused for its missing end marker and a damaged one
/// for its CRC. Saving writes a temporary file and renames it (<see cref="AtomicFile"/>), so appending (load,
/// <see cref="Add"/>, save) never leaves a file that loads as valid but is incomplete.
/// </summary>
public sealed class EmbeddingStore
{
    /// <summary>The header's format id.</summary>
    public const string Format = "musicml.embeddings/1";

    private const string Magic = "MMLEMB01";
    private const int MaxStringBytes = 1 << 16;

    private readonly List<string> _ids = [];
    private readonly List<string> _paths = [];
    private readonly Dictionary<string, int> _rowOfPath = new(StringComparer.Ordinal);
    private float[] _vectors = [];

    /// <summary>An empty store for vectors of <paramref name="space"/>.</summary>
    /// <exception cref="MusicMLException">The space is invalid.</exception>
    public EmbeddingStore(EmbeddingSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        Space = space.Validated("embedding store");
    }

    /// <summary>What the vectors are.</summary>
    public EmbeddingSpace Space { get; }

    /// <summary>Floats per vector.</summary>
    public int Dimension => Space.Dimension;

    /// <summary>Number of tracks.</summary>
    public int Count => _ids.Count;

    /// <summary>Track ids in row order (by default the file name without its extension, e.g. <c>synth_012</c>).</summary>
    public IReadOnlyList<string> Ids => _ids;

    /// <summary>Track paths in row order, as they were given when the track was added.</summary>
    public IReadOnlyList<string> Paths => _paths;

    /// <summary>Row <paramref name="row"/>'s vector.</summary>
    public ReadOnlySpan<float> Vector(int row) => _vectors.AsSpan(checked(row * Dimension), Dimension);

    /// <summary>Every vector, row after row (<see cref="Count"/> × <see cref="Dimension"/>).</summary>
    public ReadOnlySpan<float> Vectors => _vectors.AsSpan(0, Count * Dimension);

    /// <summary>The row of the track added with exactly this path, or −1.</summary>
    public int RowOf(string path) => _rowOfPath.GetValueOrDefault(path, -1);

    /// <summary>The track id MusicML gives a file: its name without the extension.</summary>
    public static string TrackId(string path) => Path.GetFileNameWithoutExtension(path);

    /// <summary>
    /// Adds a track, or replaces the vector of the track already stored under the same <paramref name="path"/>
    /// (its row stays). The vector is stored L2-normalised.
    /// </summary>
    /// <returns>The track's row.</returns>
    /// <exception cref="MusicMLException">The vector has the wrong length, holds NaN/infinity or is all zero, or a string is too long.</exception>
    public int Add(string id, string path, ReadOnlySpan<float> vector)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(path);
        if (vector.Length != Dimension) throw new MusicMLException($"{path}: embedding has {vector.Length} values, the store holds {Dimension}");
        if (Encoding.UTF8.GetByteCount(id) > MaxStringBytes || Encoding.UTF8.GetByteCount(path) > MaxStringBytes)
            throw new MusicMLException($"{path}: track id or path longer than {MaxStringBytes} bytes");
        float scale = InverseNorm(vector, path);
        if (!_rowOfPath.TryGetValue(path, out int row))
        {
            row = Count;
            if (_vectors.Length < (row + 1) * Dimension) Array.Resize(ref _vectors, Math.Max(16 * Dimension, 2 * _vectors.Length));
            _ids.Add(id);
            _paths.Add(path);
            _rowOfPath[path] = row;
        }
        else _ids[row] = id;
        var target = _vectors.AsSpan(row * Dimension, Dimension);
        for (int i = 0; i < Dimension; i++) target[i] = vector[i] * scale;
        return row;
    }

    /// <summary>
    /// 1 / ‖<paramref name="vector"/>‖₂, refusing a vector that cannot be compared (NaN or infinity, or all zero);
    /// the message names the track's <paramref name="path"/>, or the query when it is null (built only on failure,
    /// as loading a store calls this for every row).
    /// </summary>
    /// <exception cref="MusicMLException">The vector holds a non-finite value or is all zero.</exception>
    internal static float InverseNorm(ReadOnlySpan<float> vector, string? path)
    {
        string What() => path is null ? "query embedding" : $"{path}: embedding";
        double norm = 0;
        foreach (var v in vector)
        {
            if (!float.IsFinite(v)) throw new MusicMLException($"{What()} holds NaN or infinite values");
            norm += (double)v * v;
        }
        if (norm == 0) throw new MusicMLException($"{What()} is all zero and has no direction to compare");
        return (float)(1 / Math.Sqrt(norm));
    }

    /// <summary>Writes the store to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <exception cref="MusicMLException">The file cannot be written.</exception>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ChecksummedFile.Write(path, Magic, HeaderJson(), body =>
        {
            for (int row = 0; row < Count; row++)
            {
                body.WriteString(_ids[row]);
                body.WriteString(_paths[row]);
                body.WriteFloats(Vector(row));
            }
        });
    }

    private string HeaderJson()
    {
        var header = new JsonObject
        {
            ["format"] = Format,
            ["kind"] = Space.Kind,
            ["model"] = Space.Model,
            ["model_sha256"] = Space.ModelSha256,
            ["dimension"] = Space.Dimension,
            ["count"] = Count,
            ["mean"] = new JsonArray([.. Space.Mean.Select(v => (JsonNode)v)]),
            ["scale"] = new JsonArray([.. Space.Scale.Select(v => (JsonNode)v)]),
        };
        return header.ToJsonString();
    }

    /// <summary>Reads a store written by <see cref="Save"/>.</summary>
    /// <exception cref="MusicMLException">The file is missing, not a store, truncated or damaged (the message names it and says which).</exception>
    public static EmbeddingStore Load(string path)
    {
        var (headerJson, body) = ChecksummedFile.Read(path, Magic, "embedding store");
        var (space, count) = ParseHeader(headerJson, path);
        var store = new EmbeddingStore(space);
        if (count < 0 || count > body.Remaining / (space.Dimension * sizeof(float) + 8)) throw body.Damaged($"it claims {count} records");
        store._vectors = new float[checked(count * space.Dimension)];
        var vector = new float[space.Dimension];
        for (int i = 0; i < count; i++)
        {
            string id = body.ReadString(), trackPath = body.ReadString();
            body.ReadFloats(vector);
            try
            {
                store.Add(id, trackPath, vector);
            }
            catch (MusicMLException e)
            {
                throw body.Damaged($"record {i}: {e.Message}");
            }
        }
        if (!body.AtEnd) throw body.Damaged($"bytes after its {count} records");
        if (store.Count != count) throw body.Damaged($"{count} records but only {store.Count} distinct paths");
        return store;
    }

    private static (EmbeddingSpace Space, int Count) ParseHeader(string json, string path)
    {
        try
        {
            var header = JsonNode.Parse(json)!.AsObject();
            string format = (string?)header["format"] ?? "";
            if (format != Format) throw new MusicMLException($"{path}: embedding store format '{format}' is not {Format}") { FilePath = path };
            var space = new EmbeddingSpace(
                (string?)header["kind"] ?? "", (string?)header["model"] ?? "", (string?)header["model_sha256"] ?? "",
                (int?)header["dimension"] ?? 0,
                header["mean"]?.AsArray().Select(v => (double)v!).ToArray() ?? [],
                header["scale"]?.AsArray().Select(v => (double)v!).ToArray() ?? []).Validated(path);
            return (space, (int?)header["count"] ?? -1);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new MusicMLException($"{path}: embedding store header is not valid: {e.Message}", e) { FilePath = path };
        }
    }

    /// <summary>Writes the vectors as a float32 <c>.npy</c> of shape (<see cref="Count"/>, <see cref="Dimension"/>), atomically; row i is <see cref="Ids"/>[i].</summary>
    public void ExportNpy(string path) => NpyFile.WriteFloat32(path, Vectors, Count, Dimension);
}
