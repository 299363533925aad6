using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;
using MusicML.Core;

namespace MusicML.Torch;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's name (PyTorch <c>state_dict</c> key).</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Sizes of the dimensions (empty for a 0-d scalar).</param>
/// <param name="Offset">Byte offset of the data from the start of the data section.</param>
/// <param name="Length">Byte length of the data.</param>
public sealed record SafeTensorsEntry(string Name, DType DType, long[] Shape, long Offset, long Length);

/// <summary>Tensors by name that are disposed together, e.g. weights loaded from a file.</summary>
public sealed class TensorDictionary : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;
    private readonly List<string> _order;

    internal TensorDictionary(List<string> order, Dictionary<string, Tensor> tensors) => (_order, _tensors) = (order, tensors);

    /// <summary>The tensor named <paramref name="key"/>.</summary>
    public Tensor this[string key] => _tensors.TryGetValue(key, out var t) ? t
        : throw new KeyNotFoundException($"no tensor named '{key}' (have: {string.Join(", ", _order)})");

    /// <summary>The names, in file order.</summary>
    public IEnumerable<string> Keys => _order;

    /// <summary>The tensors, in file order.</summary>
    public IEnumerable<Tensor> Values => _order.Select(k => _tensors[k]);

    /// <summary>How many tensors there are.</summary>
    public int Count => _order.Count;

    /// <summary>Whether a tensor of that name exists.</summary>
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value) =>
        _tensors.TryGetValue(key, out value);

    /// <summary>Enumerates in file order.</summary>
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
        _order.Select(k => new KeyValuePair<string, Tensor>(k, _tensors[k])).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Releases every tensor.</summary>
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
    }
}

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the raw little-endian data. With PyTorch <c>state_dict</c> names it
/// is how weights move between MusicML and PyTorch (<c>safetensors.torch.save_file(model.state_dict(), path)</c>).
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = SafeTensorsFile.MetadataKey;

    private static readonly (string Code, DType DType)[] Codes =
    [
        ("F32", DType.Float32), ("F16", DType.Float16), ("BF16", DType.BFloat16), ("F64", DType.Float64),
        ("I64", DType.Int64), ("I32", DType.Int32), ("I16", DType.Int16), ("I8", DType.Int8), ("U8", DType.UInt8),
        ("BOOL", DType.Bool),
    ];

    private static DType ParseDType(string code, string path, string name)
    {
        foreach (var (c, d) in Codes) if (c == code) return d;
        throw new MusicMLException($"{path}: tensor '{name}' has dtype '{code}', which MusicML does not support") { FilePath = path };
    }

    private static string DTypeCode(DType dtype)
    {
        foreach (var (c, d) in Codes) if (d == dtype) return c;
        throw new TorchException($"dtype {dtype} cannot be stored in safetensors");
    }

    /// <summary>Reads only the header: every tensor's name, dtype, shape and byte range, in file order, plus metadata.</summary>
    /// <exception cref="MusicMLException">The file is missing, truncated or not valid safetensors (the message names it).</exception>
    public static (IReadOnlyList<SafeTensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata) ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        var (entries, metadata, _) = ParseHeader(stream, path);
        return (entries, metadata);
    }

    /// <summary>Loads every tensor of the file onto <paramref name="device"/>; dispose the result (or load it into a module and then dispose it).</summary>
    /// <exception cref="MusicMLException">The file is missing, truncated or not valid safetensors (the message names it).</exception>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="device">Where the tensors go.</param>
    /// <param name="requireFinite">Refuse any float tensor holding NaN or ±∞, naming it (model weights never should;
    /// one NaN weight makes every output NaN).</param>
    public static unsafe TensorDictionary Load(string path, Device device = default, bool requireFinite = false)
    {
        long dataStart;
        List<SafeTensorsEntry> entries;
        long fileLength;
        using (var stream = OpenRead(path))
        {
            (entries, _, dataStart) = ParseHeader(stream, path);
            fileLength = stream.Length;
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var order = new List<string>(entries.Count);
        try
        {
            if (fileLength > dataStart)
            {
                using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
                using var view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
                byte* basePointer = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePointer);
                try
                {
                    foreach (var e in entries)
                    {
                        var bytes = new ReadOnlySpan<byte>(basePointer + view.PointerOffset + dataStart + e.Offset, checked((int)e.Length));
                        if (requireFinite) CheckFinite(bytes, e, path);
                        tensors[e.Name] = Tensor.FromBytes(bytes, e.DType, e.Shape, device).DetachFromDisposeScope();
                        order.Add(e.Name);
                    }
                }
                finally
                {
                    view.SafeMemoryMappedViewHandle.ReleasePointer();
                }
            }
            else
            {
                foreach (var e in entries)
                {
                    tensors[e.Name] = Tensor.FromBytes([], e.DType, e.Shape, device).DetachFromDisposeScope();
                    order.Add(e.Name);
                }
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new TensorDictionary(order, tensors);
    }

    private static void CheckFinite(ReadOnlySpan<byte> bytes, SafeTensorsEntry entry, string path)
    {
        long bad = -1;
        double value = 0;
        switch (entry.DType)
        {
            case DType.Float32:
                var floats = MemoryMarshal.Cast<byte, float>(bytes);
                bad = InputGuard.FirstNonFinite(floats);
                if (bad >= 0) value = floats[(int)bad];
                break;
            case DType.Float64:
                var doubles = MemoryMarshal.Cast<byte, double>(bytes);
                for (int i = 0; i < doubles.Length && bad < 0; i++) if (!double.IsFinite(doubles[i])) (bad, value) = (i, doubles[i]);
                break;
            case DType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (int i = 0; i < halves.Length && bad < 0; i++) if (!Half.IsFinite(halves[i])) (bad, value) = (i, (double)halves[i]);
                break;
            case DType.BFloat16:
                // bfloat16 is float32's upper half: exponent all ones means NaN or ±∞.
                var raw = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (int i = 0; i < raw.Length && bad < 0; i++)
                    if ((raw[i] & 0x7F80) == 0x7F80) (bad, value) = (i, BitConverter.Int32BitsToSingle(raw[i] << 16));
                break;
        }
        if (bad >= 0)
            throw new MusicMLException($"{path}: tensor '{entry.Name}' holds {value} at element {bad}; model weights must be finite") { FilePath = path };
    }

    /// <summary>
    /// Writes tensors (moved to the CPU, made contiguous) under their names, e.g. a module's <c>StateDict()</c>.
    /// Names must be unique; <paramref name="metadata"/> goes into the header's <c>__metadata__</c>.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var items = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in items)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey) throw new MusicMLException($"'{name}' is not a valid safetensors tensor name");
            if (!names.Add(name)) throw new MusicMLException($"tensor name '{name}' appears twice; safetensors names must be unique");
        }
        using var header = new MemoryStream();
        long offset = 0;
        var lengths = new long[items.Count];
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            for (int i = 0; i < items.Count; i++)
            {
                var (name, tensor) = items[i];
                var dtype = tensor.DType;
                lengths[i] = tensor.NumElements * dtype.ElementSize();
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypeCode(dtype));
                json.WriteStartArray("shape");
                foreach (var s in tensor.Shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + lengths[i]);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += lengths[i];
            }
            json.WriteEndObject();
        }
        // The reference implementation pads the header with spaces to a multiple of 8 so the data is aligned.
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        try
        {
            // Atomically (temporary file + rename): a model is never left half-saved for Load to choke on.
            using var atomic = AtomicFile.Create(path);
            var file = atomic.Stream;
            Span<byte> size = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)header.Length);
            file.Write(size);
            header.Position = 0;
            header.CopyTo(file);
            byte[] buffer = [];
            for (int i = 0; i < items.Count; i++)
            {
                if (buffer.Length < lengths[i]) buffer = new byte[lengths[i]];
                var span = buffer.AsSpan(0, checked((int)lengths[i]));
                items[i].Value.CopyToBytes(span, items[i].Value.DType);
                file.Write(span);
            }
            atomic.Commit();
        }
        catch (IOException e)
        {
            throw new MusicMLException($"{path}: cannot write safetensors file: {e.Message}; the previous file, if any, is unchanged.", e) { FilePath = path };
        }
        catch (UnauthorizedAccessException e)
        {
            throw new MusicMLException($"{path}: cannot write safetensors file: {e.Message}; the previous file, if any, is unchanged.", e) { FilePath = path };
        }
    }

    private static FileStream OpenRead(string path) => SafeTensorsFile.OpenRead(path);

    private static (List<SafeTensorsEntry>, Dictionary<string, string>, long DataStart) ParseHeader(FileStream stream, string path)
    {
        var (entries, metadata, dataStart) = SafeTensorsFile.ParseHeader(stream, path);
        return (entries.Select(e => new SafeTensorsEntry(e.Name, ParseDType(e.DType, path, e.Name), e.Shape, e.Offset, e.Length)).ToList(), metadata, dataStart);
    }
}
