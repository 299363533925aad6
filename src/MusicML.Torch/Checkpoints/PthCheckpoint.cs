using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using MusicML.Core;

namespace MusicML.Torch.Checkpoints;

/// <summary>One tensor read from a PyTorch checkpoint, without libtorch.</summary>
/// <param name="Name">Its <c>state_dict</c> key, e.g. <c>layer1.conv.weight</c>.</param>
/// <param name="DType">Element type as stored (no conversion).</param>
/// <param name="Shape">Sizes of the dimensions (empty for a 0-d scalar).</param>
/// <param name="Data">The elements, row-major (C-contiguous) and little-endian, whatever strides and byte order the file used.</param>
public sealed record CheckpointTensor(string Name, DType DType, long[] Shape, byte[] Data)
{
    /// <summary>The number of elements (1 for a 0-d scalar).</summary>
    public long NumElements => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Reads the <c>state_dict</c> of a PyTorch checkpoint (<c>torch.save(model.state_dict(), "model.pth")</c>) without
/// running any of its code. PyTorch ≥ 1.6 writes a zip archive: <c>FOLDER/data.pkl</c> is a pickle (protocol 2 by
/// default) of the object, in which every tensor is a call to <c>torch._utils._rebuild_tensor_v2</c> over a storage
/// named by a persistent id <c>('storage', torch.FloatStorage, key, location, numel)</c>, and
/// <c>FOLDER/data/KEY</c> holds that storage's raw elements (little-endian; <c>FOLDER/byteorder</c> says otherwise
/// when written on a big-endian machine). The folder name is whatever the file was first called. The pickle is read
/// by <see cref="RestrictedUnpickler"/>, which builds only dicts, lists, tuples, scalars and tensor references and
/// refuses any other global with its name in the error. The legacy format (torch.save before 1.6, or with
/// <c>_use_new_zipfile_serialization=False</c>) — five pickles in a row followed by the storages, each after its
/// 8-byte element count — is read the same way. TorchScript archives (<c>torch.jit.save</c>) hold code and are refused.
/// </summary>
public static class PthCheckpoint
{
    /// <summary>The value of the legacy format's first pickle (torch/serialization.py <c>MAGIC_NUMBER</c>).</summary>
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.AllowHexSpecifier);

    private const long LegacyProtocolVersion = 1001;

    /// <summary>Largest pickle read into memory: a state_dict's pickle is about 100 bytes per tensor.</summary>
    private const long MaxPickleBytes = 256L << 20;

    /// <summary>Where a checkpoint wraps its state_dict in a training dict, the keys that commonly hold it.</summary>
    private static readonly string[] StateDictKeys = ["state_dict", "model_state_dict", "model", "net"];

    /// <summary>
    /// Reads every tensor of the checkpoint's state_dict, in the file's order. A checkpoint that wraps the state_dict
    /// in a training dict (<c>{"state_dict": …, "epoch": …}</c>) is read from its <c>state_dict</c> (or
    /// <c>model_state_dict</c>, <c>model</c>, <c>net</c>) entry. Needs no libtorch.
    /// </summary>
    /// <param name="path">The <c>.pth</c>/<c>.pt</c> file.</param>
    /// <exception cref="MusicMLException">The file is missing, not a PyTorch checkpoint, truncated or corrupt, holds
    /// something other than tensors by name, or its pickle names a callable a state_dict never needs (the message
    /// names the file and the callable).</exception>
    public static IReadOnlyList<CheckpointTensor> ReadStateDict(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MusicMLException($"{path}: checkpoint not found", e) { FilePath = path };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MusicMLException($"{path}: cannot read checkpoint: {e.Message}", e) { FilePath = path };
        }
        using (stream)
        {
            Span<byte> head = stackalloc byte[2];
            int read = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            stream.Position = 0;
            if (read == 2 && head[0] == (byte)'P' && head[1] == (byte)'K') return ReadZip(stream, path);
            if (read == 2 && head[0] == 0x80) return ReadLegacy(stream, path);
            throw Error(path, "not a PyTorch checkpoint (neither the zip archive torch.save writes since 1.6 nor its older pickle format)");
        }
    }

    /// <summary>
    /// Loads the checkpoint's state_dict as tensors on <paramref name="device"/> (dtypes as stored); dispose the result.
    /// </summary>
    /// <exception cref="MusicMLException">As for <see cref="ReadStateDict"/>, or libtorch is missing.</exception>
    public static TensorDictionary Load(string path, Device device = default)
    {
        var entries = ReadStateDict(path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var order = new List<string>(entries.Count);
        try
        {
            foreach (var e in entries)
            {
                tensors[e.Name] = Tensor.FromBytes(e.Data, e.DType, e.Shape, device).DetachFromDisposeScope();
                order.Add(e.Name);
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new TensorDictionary(order, tensors);
    }

    private static MusicMLException Error(string path, string message, Exception? inner = null) =>
        inner is null ? new($"{path}: {message}") { FilePath = path } : new($"{path}: {message}", inner) { FilePath = path };

    private static List<CheckpointTensor> ReadZip(FileStream stream, string path)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw Error(path, $"not a readable zip archive, so truncated or corrupt ({e.Message})", e);
        }
        using (archive)
        {
            const string pickleName = "/data.pkl";
            var pickles = archive.Entries
                .Where(e => e.FullName.EndsWith(pickleName, StringComparison.Ordinal) && e.FullName.IndexOf('/') == e.FullName.Length - pickleName.Length)
                .ToList();
            string Folder(ZipArchiveEntry e) => e.FullName[..^pickleName.Length];
            if (pickles.Count == 0)
                throw Error(path, "the zip archive has no FOLDER/data.pkl, so it is not a torch.save checkpoint");
            if (pickles.Count > 1)
                throw Error(path, $"the zip archive holds several checkpoints ({string.Join(", ", pickles.Select(e => e.FullName))}); expected one FOLDER/data.pkl");
            string folder = Folder(pickles[0]);
            if (archive.GetEntry(folder + "/constants.pkl") is not null || archive.Entries.Any(e => e.FullName.StartsWith(folder + "/code/", StringComparison.Ordinal)))
                throw Error(path, "is a TorchScript archive (torch.jit.save), which holds code; save the weights with torch.save(model.state_dict(), path) instead");

            bool bigEndian = false;
            if (archive.GetEntry(folder + "/byteorder") is { } order)
            {
                var text = Encoding.ASCII.GetString(ReadEntry(order, path, 16)).Trim();
                bigEndian = text switch
                {
                    "little" => false,
                    "big" => true,
                    _ => throw Error(path, $"{order.FullName} says '{text}', expected 'little' or 'big'"),
                };
            }

            var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
            var pickle = ReadEntry(pickles[0], path, MaxPickleBytes);
            var (root, _) = RestrictedUnpickler.Load(path, pickle, 0, pid => StorageFromId(pid, storages, path, legacy: false));
            var refs = SelectStateDict(root, path);

            var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var storage in refs.Select(r => r.Tensor.Storage).Distinct())
            {
                var name = $"{folder}/data/{storage.Key}";
                var entry = archive.GetEntry(name) ?? throw Error(path, $"the pickle refers to storage '{storage.Key}' but the archive has no {name} (truncated or corrupt)");
                long expected = checked(storage.Numel * storage.DType.ElementSize());
                if (entry.Length != expected)
                    throw Error(path, $"{name} holds {entry.Length} bytes but its {storage.Numel} {storage.DType} elements need {expected} (truncated or corrupt)");
                data[storage.Key] = ReadEntry(entry, path, expected);
            }
            return Materialize(refs, data, bigEndian, path);
        }
    }

    /// <summary>Reads a whole zip entry, refusing sizes over <paramref name="limit"/> and turning damage into one error.</summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, string path, long limit)
    {
        if (entry.Length > limit || entry.Length > Array.MaxLength)
            throw Error(path, $"{entry.FullName} is {entry.Length} bytes, more than MusicML reads ({Math.Min(limit, Array.MaxLength)})");
        var bytes = new byte[entry.Length];
        try
        {
            using var s = entry.Open();
            s.ReadExactly(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw Error(path, $"{entry.FullName} cannot be read, so the archive is truncated or corrupt ({e.Message})", e);
        }
        // ZipArchive does not check stored entries against their CRC, and torch stores its data uncompressed, so a
        // flipped bit would otherwise become a silently wrong weight.
        uint crc = Crc32.Compute(bytes);
        if (crc != entry.Crc32)
            throw Error(path, $"{entry.FullName} cannot be read, so the archive is truncated or corrupt (CRC-32 {crc:x8}, the archive records {entry.Crc32:x8})");
        return bytes;
    }

    /// <summary>
    /// Checks a persistent id: <c>('storage', torch.XStorage, key, location, numel)</c>, with a sixth item (a view
    /// description, None for whole storages) in the legacy format.
    /// </summary>
    private static StorageRef StorageFromId(PickleTuple pid, Dictionary<string, StorageRef> storages, string path, bool legacy)
    {
        var items = pid.Items;
        if (items.Length != (legacy ? 6 : 5) || items[0] is not "storage")
            throw Error(path, $"refused: persistent id of {items.Length} items ({string.Join(", ", items.Select(RestrictedUnpickler.Describe))}), not torch.save's ('storage', type, key, location, numel)");
        if (items[1] is not StorageType type)
            throw Error(path, $"refused: persistent id names a {RestrictedUnpickler.Describe(items[1])} as its storage type, not a torch storage class");
        if (items[2] is not string key || items[3] is not string || items[4] is not long numel || numel < 0)
            throw Error(path, "corrupt persistent id: expected a storage key, a location and an element count");
        if (legacy && items[5] is not null)
            throw Error(path, "the legacy checkpoint stores a tensor as a view of part of a storage (written by torch before 1.0), which MusicML does not read; re-save it with a current torch.save");
        if (storages.TryGetValue(key, out var known))
        {
            if (known.DType != type.DType || known.Numel != numel)
                throw Error(path, $"storage '{key}' is named as both {known.Numel} {known.DType} and {numel} {type.DType} elements");
            return known;
        }
        return storages[key] = new StorageRef(key, type.DType, numel);
    }

    /// <summary>The (name, tensor) pairs of the state_dict inside whatever the pickle held.</summary>
    private static List<(string Name, TensorRef Tensor)> SelectStateDict(object? root, string path)
    {
        if (root is not PickleDict dict)
            throw Error(path, $"holds a {RestrictedUnpickler.Describe(root)}, not a state_dict (a dict of tensors by name)");
        if (!IsTensorDict(dict))
            foreach (var key in StateDictKeys)
                if (dict.TryGetValue(key, out var inner) && inner is PickleDict innerDict && IsTensorDict(innerDict) && innerDict.Items.Count > 0)
                {
                    dict = innerDict;
                    break;
                }
        if (!IsTensorDict(dict))
        {
            var others = dict.Items.Where(kv => kv.Key is not string || kv.Value is not TensorRef)
                .Select(kv => $"{(kv.Key is string s ? $"'{s}'" : RestrictedUnpickler.Describe(kv.Key))} ({RestrictedUnpickler.Describe(kv.Value)})")
                .ToList();
            throw Error(path, $"not a state_dict: the dict holds entries that are not tensors by name: {string.Join(", ", others.Take(8))}{(others.Count > 8 ? $" and {others.Count - 8} more" : "")}");
        }
        if (dict.Items.Count == 0) throw Error(path, "the state_dict holds no tensors");
        return dict.Items.Select(kv => ((string)kv.Key, (TensorRef)kv.Value!)).ToList();
    }

    private static bool IsTensorDict(PickleDict dict) => dict.Items.All(kv => kv.Key is string && kv.Value is TensorRef);

    private static List<CheckpointTensor> Materialize(List<(string Name, TensorRef Tensor)> refs, Dictionary<string, byte[]> data, bool bigEndian, string path)
    {
        var result = new List<CheckpointTensor>(refs.Count);
        foreach (var (name, tensor) in refs)
        {
            var bytes = Contiguous(tensor, data[tensor.Storage.Key], name, path);
            if (bigEndian) SwapBytes(bytes, tensor.Storage.DType.ElementSize());
            result.Add(new CheckpointTensor(name, tensor.Storage.DType, tensor.Size, bytes));
        }
        return result;
    }

    /// <summary>
    /// The tensor's elements in row-major order: a slice of the storage when the strides are the contiguous ones (the
    /// usual case), otherwise gathered element by element (a transposed or sliced view saved as such).
    /// </summary>
    private static byte[] Contiguous(TensorRef t, byte[] storage, string name, string path)
    {
        int es = t.Storage.DType.ElementSize();
        var (size, stride) = (t.Size, t.Stride);
        string Shape() => $"size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}], offset {t.Offset}";
        if (size.Length != stride.Length) throw Error(path, $"tensor '{name}' has {Shape()}: sizes and strides differ in number (corrupt)");
        long total = 1, last = t.Offset;
        try
        {
            for (int i = 0; i < size.Length; i++)
            {
                if (size[i] < 0 || stride[i] < 0) throw Error(path, $"tensor '{name}' has {Shape()}: negative sizes or strides (corrupt)");
                total = checked(total * size[i]);
                if (size[i] > 0) last = checked(last + (size[i] - 1) * stride[i]);
            }
        }
        catch (OverflowException e)
        {
            throw Error(path, $"tensor '{name}' has {Shape()}, which overflows (corrupt)", e);
        }
        if (total == 0) return [];
        if (t.Offset < 0 || last >= t.Storage.Numel)
            throw Error(path, $"tensor '{name}' ({Shape()}) reaches element {last} of a storage of {t.Storage.Numel} (corrupt)");
        if (total * es > Array.MaxLength) throw Error(path, $"tensor '{name}' is larger than MusicML reads (2 GiB)");

        bool contiguous = true;
        long expected = 1;
        for (int i = size.Length - 1; i >= 0; i--)
        {
            if (size[i] != 1 && stride[i] != expected) contiguous = false;
            expected *= size[i];
        }
        if (contiguous) return storage.AsSpan((int)(t.Offset * es), (int)(total * es)).ToArray();

        var result = new byte[total * es];
        var index = new long[size.Length];
        long source = t.Offset;
        for (long n = 0; n < total; n++)
        {
            storage.AsSpan((int)(source * es), es).CopyTo(result.AsSpan((int)(n * es), es));
            // Odometer over the dimensions, last fastest, keeping the storage position in step.
            for (int d = size.Length - 1; d >= 0; d--)
            {
                index[d]++;
                source += stride[d];
                if (index[d] < size[d]) break;
                source -= stride[d] * size[d];
                index[d] = 0;
            }
        }
        return result;
    }

    private static void SwapBytes(byte[] bytes, int elementSize)
    {
        if (elementSize == 1) return;
        for (int i = 0; i + elementSize <= bytes.Length; i += elementSize) bytes.AsSpan(i, elementSize).Reverse();
    }

    /// <summary>
    /// The legacy format (torch/serialization.py <c>_legacy_save</c>): pickles of the magic number, the protocol
    /// version 1001, a sys_info dict (byte order, type sizes), the object, and the sorted list of storage keys; then
    /// each storage in that order as an int64 element count and its raw elements in the writer's byte order.
    /// </summary>
    private static List<CheckpointTensor> ReadLegacy(FileStream stream, string path)
    {
        if (stream.Length > Array.MaxLength)
            throw Error(path, "legacy-format checkpoints over 2 GiB are not read; re-save it with a current torch.save (zip format)");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        MusicMLException NotStorage(string what) => Error(path, $"legacy checkpoint: {what}");
        Func<PickleTuple, StorageRef> noStorage = _ => throw NotStorage("a persistent id outside the object pickle");

        var (magic, pos) = RestrictedUnpickler.Load(path, bytes, 0, noStorage);
        if (!(magic is BigInteger m && m == LegacyMagic))
            throw Error(path, "starts with a pickle but not torch.save's magic number, so it is not a PyTorch checkpoint");
        var (version, pos2) = RestrictedUnpickler.Load(path, bytes, pos, noStorage);
        if (version is not LegacyProtocolVersion)
            throw NotStorage($"protocol version {RestrictedUnpickler.Describe(version)} {version}, expected {LegacyProtocolVersion}");
        var (sysInfo, pos3) = RestrictedUnpickler.Load(path, bytes, pos2, noStorage);
        bool bigEndian = sysInfo is PickleDict info && info.TryGetValue("little_endian", out var little) && little is false;

        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        var (root, pos4) = RestrictedUnpickler.Load(path, bytes, pos3, pid => StorageFromId(pid, storages, path, legacy: true));
        var (keys, pos5) = RestrictedUnpickler.Load(path, bytes, pos4, noStorage);
        if (keys is not List<object?> keyList || keyList.Any(k => k is not string))
            throw NotStorage("the storage key list is not a list of strings");

        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        long at = pos5;
        foreach (string key in keyList.Cast<string>())
        {
            if (!storages.TryGetValue(key, out var storage)) throw NotStorage($"storage '{key}' is listed but no tensor uses it");
            if (bytes.Length - at < 8) throw NotStorage($"the file ends before storage '{key}' (truncated)");
            long count = bigEndian ? BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan((int)at, 8)) : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)at, 8));
            at += 8;
            if (count != storage.Numel) throw NotStorage($"storage '{key}' records {count} elements, the pickle says {storage.Numel} (corrupt)");
            long length = count * storage.DType.ElementSize();
            if (bytes.Length - at < length) throw NotStorage($"storage '{key}' needs {length} bytes but {bytes.Length - at} remain (truncated)");
            data[key] = bytes.AsSpan((int)at, (int)length).ToArray();
            at += length;
        }
        var refs = SelectStateDict(root, path);
        foreach (var (_, tensor) in refs)
            if (!data.ContainsKey(tensor.Storage.Key)) throw NotStorage($"storage '{tensor.Storage.Key}' is not in the file's storage list (corrupt)");
        return Materialize(refs, data, bigEndian, path);
    }
}
