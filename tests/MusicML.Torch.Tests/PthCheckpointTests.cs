using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using MusicML.Core;
using MusicML.Torch.Checkpoints;

namespace MusicML.Torch.Tests;

/// <summary>
/// The .pth reader on real torch.save output (Fixtures/pth, written by make_pth.py with Debian's python3-torch 1.13.1)
/// and on hand-built hostile pickles: values arrive exactly, and nothing a pickle asks for is ever run.
/// </summary>
public sealed class PthCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-pth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pth", name);

    /// <summary>make_pth.py's <c>values</c>: k/64 with k = (37 i + 11 seed) mod 257 − 128, row-major.</summary>
    private static float[] Values(int count, int seed) =>
        Enumerable.Range(0, count).Select(i => (float)(((37L * i + 11L * seed) % 257 - 128) / 64.0)).ToArray();

    private static float[] Floats(CheckpointTensor t) => t.DType switch
    {
        DType.Float32 => MemoryMarshal.Cast<byte, float>(t.Data).ToArray(),
        DType.Float64 => MemoryMarshal.Cast<byte, double>(t.Data).ToArray().Select(d => (float)d).ToArray(),
        DType.Float16 => MemoryMarshal.Cast<byte, Half>(t.Data).ToArray().Select(h => (float)h).ToArray(),
        DType.BFloat16 => MemoryMarshal.Cast<byte, ushort>(t.Data).ToArray().Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray(),
        _ => throw new ArgumentException(t.DType.ToString()),
    };

    [Fact]
    public void ReadsEveryDtypeViewAndScalarOfARealTorchSave()
    {
        var tensors = PthCheckpoint.ReadStateDict(Fixture("generic.pth")).ToDictionary(t => t.Name);
        Assert.Equal(["f32", "f16", "bf16", "f64", "i64", "i32", "u8", "flags", "scalar", "transposed", "sliced", "shared_whole", "shared_row", "empty"],
            PthCheckpoint.ReadStateDict(Fixture("generic.pth")).Select(t => t.Name));

        Assert.Equal(DType.Float32, tensors["f32"].DType);
        Assert.Equal([2L, 3], tensors["f32"].Shape);
        Assert.Equal(Values(6, 1), Floats(tensors["f32"]));
        Assert.Equal(DType.Float16, tensors["f16"].DType);
        Assert.Equal(Values(4, 2), Floats(tensors["f16"]));
        Assert.Equal(DType.BFloat16, tensors["bf16"].DType);
        Assert.Equal(Values(3, 3), Floats(tensors["bf16"]));
        Assert.Equal(DType.Float64, tensors["f64"].DType);
        Assert.Equal(Values(4, 4), Floats(tensors["f64"]));
        Assert.Equal([-2L, -1, 0, 1, 2], MemoryMarshal.Cast<byte, long>(tensors["i64"].Data).ToArray());
        Assert.Equal([7, -8, 9], MemoryMarshal.Cast<byte, int>(tensors["i32"].Data).ToArray());
        Assert.Equal([(byte)0, 200, 255], tensors["u8"].Data);
        Assert.Equal(DType.Bool, tensors["flags"].DType);
        Assert.Equal([(byte)1, 0, 1], tensors["flags"].Data);

        // A 0-d tensor (num_batches_tracked's kind): shape [], one element.
        Assert.Empty(tensors["scalar"].Shape);
        Assert.Equal(42L, BitConverter.ToInt64(tensors["scalar"].Data));

        // values((2, 3), 5).t() is saved as size (3, 2), stride (1, 3); it must arrive row-major.
        var source = Values(6, 5);
        Assert.Equal([3L, 2], tensors["transposed"].Shape);
        Assert.Equal(new[] { source[0], source[3], source[1], source[4], source[2], source[5] }, Floats(tensors["transposed"]));

        // values((10,), 6)[4:7]: storage offset 4.
        Assert.Equal(Values(10, 6)[4..7], Floats(tensors["sliced"]));

        // Two tensors over one storage: the whole (3, 2) and its row 1 (offset 2).
        var shared = Values(6, 9);
        Assert.Equal(shared, Floats(tensors["shared_whole"]));
        Assert.Equal(shared[2..4], Floats(tensors["shared_row"]));

        Assert.Equal([0L, 3], tensors["empty"].Shape);
        Assert.Empty(tensors["empty"].Data);
    }

    [Fact]
    public void ReadsTheStateDictInsideATrainingDictWithEveryScalarKind()
    {
        // checkpoint.pth wraps the state_dict beside int, 2**70, float, bool, None, str, bytes, list and tuple values.
        var tensors = PthCheckpoint.ReadStateDict(Fixture("checkpoint.pth"));
        var w = Assert.Single(tensors);
        Assert.Equal("w", w.Name);
        Assert.Equal(Values(2, 7), Floats(w));
    }

    [Fact]
    public void ReadsTheLegacyFormat()
    {
        var tensors = PthCheckpoint.ReadStateDict(Fixture("legacy.pth"));
        Assert.Equal(["w", "n"], tensors.Select(t => t.Name));
        Assert.Equal([2L, 3], tensors[0].Shape);
        Assert.Equal(Values(6, 8), Floats(tensors[0]));
        Assert.Empty(tensors[1].Shape);
        Assert.Equal(3L, BitConverter.ToInt64(tensors[1].Data));
    }

    [Fact]
    public void ReadsTheStateDictOfARealModelWithItsMetadata()
    {
        // An nn.Module's state_dict carries `_metadata` through BUILD; 16 + 5 modules' tensors plus the two front-end buffers.
        var tensors = PthCheckpoint.ReadStateDict(Fixture("tiny_musicnn.pth"));
        Assert.Equal("spec.spectrogram.window", tensors[0].Name);
        Assert.Contains(tensors, t => t.Name == "layers.4.conv.weight" && t.Shape.SequenceEqual([2L, 1, 33]));
        Assert.Contains(tensors, t => t.Name == "layer3.bn.num_batches_tracked" && t.DType == DType.Int64 && t.Shape.Length == 0);
    }

    [Theory]
    [InlineData("evil_os_system.pth", "os.system", "/tmp/musicml-pwned-os")]
    [InlineData("evil_eval.pth", "builtins.eval", "/tmp/musicml-pwned-eval")]
    [InlineData("evil_posix.pth", "posix.system", "/tmp/musicml-pwned-posix")]
    [InlineData("evil_legacy.pth", "os.system", "/tmp/musicml-pwned-legacy")]
    public void APickleThatCallsAnythingElseIsRefusedByNameAndNothingRuns(string file, string global, string sideEffect)
    {
        File.Delete(sideEffect);
        var path = Fixture(file);
        var e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith($"{path}: refused: the pickle calls {global}, which a state_dict never needs", e.Message);
        Assert.Contains("MusicML loads only tensors, dicts, lists, tuples and scalars", e.Message);
        Assert.False(File.Exists(sideEffect), $"{sideEffect} was created: the pickle ran");
    }

    [Fact]
    public void ATruncatedArchiveIsOneClearError()
    {
        var bytes = File.ReadAllBytes(Fixture("generic.pth"));
        var path = Path.Combine(_dir, "truncated.pth");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(path));
        Assert.StartsWith($"{path}: not a readable zip archive, so truncated or corrupt", e.Message);
    }

    [Fact]
    public void ACorruptStorageIsOneClearError()
    {
        // Flip a byte inside the stored data of f32 (values((2, 3), 1)): the zip entry's CRC no longer matches.
        var bytes = File.ReadAllBytes(Fixture("generic.pth"));
        int at = IndexOf(bytes, MemoryMarshal.AsBytes(Values(6, 1).AsSpan()).ToArray());
        bytes[at + 5] ^= 0xff;
        var path = Path.Combine(_dir, "corrupt.pth");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(path));
        Assert.StartsWith($"{path}: generic/data/0 cannot be read, so the archive is truncated or corrupt", e.Message);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("not found");
    }

    /// <summary>Rewrites a fixture's zip: entries renamed by <paramref name="rename"/> (null drops one), contents changed by <paramref name="edit"/>.</summary>
    private string Repack(string fixture, string name, Func<string, string?> rename, Func<string, byte[], byte[]>? edit = null)
    {
        var path = Path.Combine(_dir, name);
        using var source = ZipFile.OpenRead(Fixture(fixture));
        using var target = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            var newName = rename(entry.FullName);
            if (newName is null) continue;
            using var input = entry.Open();
            var content = new MemoryStream();
            input.CopyTo(content);
            var bytes = edit is null ? content.ToArray() : edit(entry.FullName, content.ToArray());
            using var output = target.CreateEntry(newName, CompressionLevel.NoCompression).Open();
            output.Write(bytes);
        }
        return path;
    }

    [Fact]
    public void TheFolderInsideTheArchiveMayHaveAnyName()
    {
        var path = Repack("generic.pth", "renamed.pth", n => "best_model_epoch_12" + n[n.IndexOf('/')..]);
        var tensors = PthCheckpoint.ReadStateDict(path);
        Assert.Equal(14, tensors.Count);
        Assert.Equal(Values(6, 1), Floats(tensors[0]));
    }

    [Fact]
    public void AnArchiveWithoutDataPklIsNotACheckpoint()
    {
        var path = Repack("generic.pth", "nopickle.pth", n => n.EndsWith("/data.pkl", StringComparison.Ordinal) ? null : n);
        var e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(path));
        Assert.Equal($"{path}: the zip archive has no FOLDER/data.pkl, so it is not a torch.save checkpoint", e.Message);
    }

    [Fact]
    public void AMissingOrShortStorageIsNamed()
    {
        var missing = Repack("generic.pth", "nostorage.pth", n => n == "generic/data/3" ? null : n);
        var e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(missing));
        Assert.Contains("the pickle refers to storage '3' but the archive has no generic/data/3", e.Message);

        var shortened = Repack("generic.pth", "short.pth", n => n, (n, b) => n == "generic/data/0" ? b[..^4] : b);
        e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(shortened));
        Assert.Contains("generic/data/0 holds 20 bytes but its 6 Float32 elements need 24", e.Message);
    }

    [Fact]
    public void ATorchScriptArchiveIsRefused()
    {
        var path = Repack("generic.pth", "scripted.pt", n => n, null);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            zip.CreateEntry("generic/constants.pkl");
        var e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(path));
        Assert.Contains("is a TorchScript archive (torch.jit.save)", e.Message);
    }

    [Fact]
    public void AFileThatIsNoCheckpointAndAMissingFileAreClearErrors()
    {
        var text = Path.Combine(_dir, "notes.pth");
        File.WriteAllText(text, "hello");
        var e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(text));
        Assert.StartsWith($"{text}: not a PyTorch checkpoint", e.Message);

        var missing = Path.Combine(_dir, "missing.pth");
        e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(missing));
        Assert.Equal($"{missing}: checkpoint not found", e.Message);
    }

    /// <summary>A zip checkpoint around a hand-written pickle.</summary>
    private string WithPickle(string name, byte[] pickle)
    {
        var path = Path.Combine(_dir, name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var s = zip.CreateEntry("archive/data.pkl").Open()) s.Write(pickle);
        using (var s = zip.CreateEntry("archive/version").Open()) s.Write("3\n"u8);
        return path;
    }

    [Fact]
    public void AStorageTypeMusicMLDoesNotReadIsRefusedByName()
    {
        // ('storage', torch.ComplexFloatStorage, '0', 'cpu', 1) as a persistent id.
        var pickle = Pickle(0x80, 2, '}', Str("w"), "ctorch._utils\n_rebuild_tensor_v2\n", '(', '(', Str("storage"),
            "ctorch\nComplexFloatStorage\n", Str("0"), Str("cpu"), 'K', 1, 't', 'Q', 'K', 0, 'K', 1, 0x85, 'K', 1, 0x85, 0x89, '}', 't', 'R', 's', '.');
        var path = WithPickle("complex.pth", pickle);
        var e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(path));
        Assert.Contains("refused: tensor storage type torch.ComplexFloatStorage is not one MusicML reads", e.Message);
    }

    [Fact]
    public void InstantiatingOrSettingStateOnAnythingButADictIsRefused()
    {
        var inst = WithPickle("inst.pth", Pickle("(ios\nsystem\n."));
        Assert.Contains("refused: the pickle calls os.system", Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(inst)).Message);

        // BUILD on a list would call list.__setstate__ / update its __dict__ in Python.
        var build = WithPickle("build.pth", Pickle(0x80, 2, ']', '}', 'b', '.'));
        Assert.Contains("refused: BUILD (setting the state of a list)", Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(build)).Message);

        // EXT1 would look a callable up in copyreg's extension registry.
        var ext = WithPickle("ext.pth", Pickle(0x80, 2, 0x82, 1, '.'));
        Assert.Contains("copyreg extension", Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(ext)).Message);
    }

    [Fact]
    public void ANonTensorStateDictNamesTheOffendingEntries()
    {
        // {'w': 1, 'x': 'text'}: a dict, but of scalars.
        var path = WithPickle("scalars.pth", Pickle(0x80, 2, '}', '(', Str("w"), 'K', 1, Str("x"), Str("text"), 'u', '.'));
        var e = Assert.Throws<MusicMLException>(() => PthCheckpoint.ReadStateDict(path));
        Assert.Equal($"{path}: not a state_dict: the dict holds entries that are not tensors by name: 'w' (int), 'x' (str)", e.Message);
    }

    [Fact]
    public void ProtocolZeroTextOpcodesParse()
    {
        // What Python 3 writes for {'key': 42, 'f': 1.5, 't': True, 'big': 123456789012345678901, 'u': 'été'} at protocol 0.
        var pickle = Pickle("(dp0\nVkey\np1\nI42\nsVf\np2\nF1.5\nsVt\np3\nI01\nsVbig\np4\nL123456789012345678901L\nsVu\np5\nV\\u00e9t\\u00e9\np6\ns.");
        var (value, end) = RestrictedUnpickler.Load("p0", pickle, 0, _ => throw new InvalidOperationException());
        Assert.Equal(pickle.Length, end);
        var dict = Assert.IsType<PickleDict>(value);
        Assert.Equal(["key", "f", "t", "big", "u"], dict.Items.Select(kv => (string)kv.Key));
        Assert.Equal(42L, dict.Items[0].Value);
        Assert.Equal(1.5, dict.Items[1].Value);
        Assert.Equal(true, dict.Items[2].Value);
        Assert.Equal(BigInteger.Parse("123456789012345678901"), dict.Items[3].Value);
        Assert.Equal("été", dict.Items[4].Value);
    }

    [Fact]
    public void ATruncatedPickleIsCorruptNotACrash()
    {
        byte[] pickle;
        using (var zip = ZipFile.OpenRead(Fixture("generic.pth")))
        using (var s = zip.GetEntry("generic/data.pkl")!.Open())
        {
            var buffer = new MemoryStream();
            s.CopyTo(buffer);
            pickle = buffer.ToArray();
        }
        for (int cut = 0; cut < pickle.Length; cut += 7)
        {
            var e = Assert.Throws<MusicMLException>(() => RestrictedUnpickler.Load("cut", pickle[..cut], 0, _ => new StorageRef("0", DType.Float32, 1)));
            Assert.StartsWith("cut: ", e.Message);
        }
    }

    /// <summary>A pickle from parts: a byte or char is one opcode byte, a string its ASCII bytes, a byte[] as is.</summary>
    private static byte[] Pickle(params object[] parts)
    {
        var result = new List<byte>();
        foreach (var part in parts)
            switch (part)
            {
                case byte b: result.Add(b); break;
                case int i: result.Add(checked((byte)i)); break;
                case char c: result.Add(checked((byte)c)); break;
                case string s: result.AddRange(Encoding.ASCII.GetBytes(s)); break;
                case byte[] bytes: result.AddRange(bytes); break;
                default: throw new ArgumentException(part.GetType().Name);
            }
        return [.. result];
    }

    /// <summary>BINUNICODE: 'X', a 4-byte little-endian length, UTF-8.</summary>
    private static byte[] Str(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        return [(byte)'X', .. BitConverter.GetBytes(utf8.Length), .. utf8];
    }

    [SkippableFact]
    public void LoadGivesLibtorchTensors()
    {
        Skip.IfNot(TorchRuntime.IsAvailable, "libtorch is not installed here (scripts/setup.sh installs libtorch-dev)");
        using var tensors = PthCheckpoint.Load(Fixture("generic.pth"));
        Assert.Equal(DType.Float16, tensors["f16"].DType);
        using var asFloat = tensors["f16"].To(DType.Float32);
        Assert.Equal(Values(4, 2), asFloat.ToArray<float>());
        using var transposed = tensors["transposed"].To(DType.Float32);
        Assert.Equal([3L, 2], transposed.Shape);
    }
}
