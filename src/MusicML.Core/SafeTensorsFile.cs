using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace MusicML.Core;

/// <summary>One tensor's entry in a safetensors header, its element type as the format writes it.</summary>
/// <param name="Name">The tensor's name (PyTorch <c>state_dict</c> key).</param>
/// <param name="DType">The format's dtype code: <c>F32</c>, <c>F16</c>, <c>BF16</c>, <c>F64</c>, <c>I64</c>, <c>I32</c>, <c>I16</c>, <c>I8</c>, <c>U8</c> or <c>BOOL</c>.</param>
/// <param name="Shape">Sizes of the dimensions (empty for a 0-d scalar).</param>
/// <param name="Offset">Byte offset of the data from the start of the data section.</param>
/// <param name="Length">Byte length of the data.</param>
public sealed record SafeTensorsHeaderEntry(string Name, string DType, long[] Shape, long Offset, long Length);

/// <summary>A float32 array read from a safetensors file, with its shape.</summary>
/// <param name="Shape">Sizes of the dimensions.</param>
/// <param name="Data">The values, row-major.</param>
public sealed record Float32Tensor(long[] Shape, float[] Data);

/// <summary>
/// The safetensors format (Hugging Face) without libtorch: an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the raw little-endian data. The header parser is the one
/// MusicML.Torch loads models with; <see cref="ReadFloat32(string)"/> lets managed code (the MIR library's small networks) read
/// weights without a native engine.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>The header key of the free-form string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>Bytes per element of a dtype code, or 0 for a code MusicML does not read.</summary>
    public static int ElementSize(string code) => code switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0,
    };

    /// <summary>Opens <paramref name="path"/> for reading, with the format's own messages for a missing or unreadable file.</summary>
    /// <exception cref="MusicMLException">The file is missing or cannot be read.</exception>
    public static FileStream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (FileNotFoundException e)
        {
            throw new MusicMLException($"{path}: safetensors file not found", e) { FilePath = path };
        }
        catch (DirectoryNotFoundException e)
        {
            throw new MusicMLException($"{path}: safetensors file not found", e) { FilePath = path };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MusicMLException($"{path}: cannot read safetensors file: {e.Message}", e) { FilePath = path };
        }
    }

    /// <summary>
    /// Parses the header of an open safetensors file: every entry in file order (names unique, byte ranges inside the
    /// file and matching their shape and dtype), the metadata, and where the data section starts.
    /// </summary>
    /// <exception cref="MusicMLException">The file is truncated or not valid safetensors, or holds a dtype MusicML does not read (the message names it).</exception>
    public static (List<SafeTensorsHeaderEntry> Entries, Dictionary<string, string> Metadata, long DataStart) ParseHeader(Stream stream, string path)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> size = stackalloc byte[8];
        if (stream.Length < 8 || stream.ReadAtLeast(size, 8, throwOnEndOfStream: false) < 8)
            throw new MusicMLException($"{path}: not a safetensors file (shorter than its 8-byte header length)") { FilePath = path };
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(size);
        if (headerLength > (ulong)MaxHeaderBytes || (long)headerLength > stream.Length - 8)
            throw new MusicMLException($"{path}: safetensors header claims {headerLength} bytes but the file has {stream.Length - 8} after the length (truncated or not safetensors)") { FilePath = path };
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength;
        long dataLength = stream.Length - dataStart;
        var entries = new List<SafeTensorsHeaderEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(headerBytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new MusicMLException($"{path}: safetensors header is not a JSON object") { FilePath = path };
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    foreach (var m in property.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                var name = property.Name;
                // JSON allows a repeated key and a parser keeps one of them silently; a weights file must not.
                if (!seen.Add(name)) throw new MusicMLException($"{path}: tensor name '{name}' appears twice in the header") { FilePath = path };
                var dtype = property.Value.GetProperty("dtype").GetString() ?? "";
                int elementSize = ElementSize(dtype);
                if (elementSize == 0) throw new MusicMLException($"{path}: tensor '{name}' has dtype '{dtype}', which MusicML does not support") { FilePath = path };
                var shape = property.Value.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
                var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(v => v.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                    throw new MusicMLException($"{path}: tensor '{name}' has invalid data_offsets [{string.Join(", ", offsets)}]") { FilePath = path };
                if (offsets[1] > dataLength)
                    throw new MusicMLException($"{path}: tensor '{name}' ends at byte {offsets[1]} of the data but the file holds {dataLength} (truncated)") { FilePath = path };
                long count = 1;
                foreach (var s in shape)
                {
                    if (s < 0) throw new MusicMLException($"{path}: tensor '{name}' has a negative dimension") { FilePath = path };
                    count *= s;
                }
                if (count * elementSize != offsets[1] - offsets[0])
                    throw new MusicMLException($"{path}: tensor '{name}' of shape [{string.Join(", ", shape)}] {dtype} needs {count * elementSize} bytes but its data_offsets span {offsets[1] - offsets[0]}") { FilePath = path };
                entries.Add(new SafeTensorsHeaderEntry(name, dtype, shape, offsets[0], offsets[1] - offsets[0]));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new MusicMLException($"{path}: invalid safetensors header: {e.Message}", e) { FilePath = path };
        }
        return (entries, metadata, dataStart);
    }

    /// <summary>
    /// Reads every tensor of a file of float32 tensors into managed arrays (small models only: it reads the whole
    /// file), refusing any other dtype and any non-finite value, naming the tensor.
    /// </summary>
    /// <exception cref="MusicMLException">A missing, truncated or invalid file, a tensor that is not F32, or a NaN/∞ weight.</exception>
    public static (IReadOnlyDictionary<string, Float32Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) ReadFloat32(string path)
    {
        using var stream = OpenRead(path);
        return ReadFloat32(stream, path);
    }

    /// <summary>
    /// <see cref="ReadFloat32(string)"/> from a seekable stream (an embedded resource, say); <paramref name="name"/>
    /// names it in messages.
    /// </summary>
    public static (IReadOnlyDictionary<string, Float32Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) ReadFloat32(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian) throw new MusicMLException("safetensors data is little-endian; this machine is not.");
        string path = name;
        var (entries, metadata, dataStart) = ParseHeader(stream, path);
        var tensors = new Dictionary<string, Float32Tensor>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (e.DType != "F32") throw new MusicMLException($"{path}: tensor '{e.Name}' is {e.DType}; this model must hold F32 tensors") { FilePath = path };
            var bytes = new byte[e.Length];
            stream.Position = dataStart + e.Offset;
            stream.ReadExactly(bytes);
            var data = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            long bad = InputGuard.FirstNonFinite(data);
            if (bad >= 0) throw new MusicMLException($"{path}: tensor '{e.Name}' holds {data[bad]} at element {bad}; model weights must be finite") { FilePath = path };
            tensors[e.Name] = new Float32Tensor(e.Shape, data);
        }
        return (tensors, metadata);
    }
}
