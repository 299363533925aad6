using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using MusicML.Core;

namespace MusicML.Torch.Checkpoints;

/// <summary>A Python dict (or <c>collections.OrderedDict</c>) as the unpickler builds it: keys in insertion order.</summary>
internal sealed class PickleDict
{
    private readonly Dictionary<object, int> _index = [];
    private readonly List<KeyValuePair<object, object?>> _items = [];

    /// <summary>The entries in insertion order (a repeated key keeps its first position and its last value, as in Python).</summary>
    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    /// <summary>The state a <c>BUILD</c> opcode gave the dict (for a state_dict: its <c>_metadata</c> attribute), or null.</summary>
    public object? Attributes { get; set; }

    public void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out int at)) _items[at] = new(key, value);
        else
        {
            _index[key] = _items.Count;
            _items.Add(new(key, value));
        }
    }

    public bool TryGetValue(object key, out object? value)
    {
        if (_index.TryGetValue(key, out int at))
        {
            value = _items[at].Value;
            return true;
        }
        value = null;
        return false;
    }
}

/// <summary>A Python tuple (immutable, unlike a list, which the unpickler builds as <see cref="List{T}"/>).</summary>
internal sealed record PickleTuple(object?[] Items);

/// <summary>A storage type named by a checkpoint's persistent id, e.g. <c>torch.FloatStorage</c>: only a dtype, never called.</summary>
internal sealed record StorageType(string Name, DType DType);

/// <summary>A tensor storage a persistent id refers to: its key in the archive, dtype and length in elements.</summary>
internal sealed record StorageRef(string Key, DType DType, long Numel);

/// <summary>What <c>torch._utils._rebuild_tensor_v2</c> would build: a strided view of a storage (nothing is read yet).</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

/// <summary>
/// A pickle reader that executes nothing. Python's pickle format is a small stack machine (PEP 307 for protocol 2,
/// PEP 3154 for 4, PEP 574 for 5; the opcode list and their semantics are documented in CPython's
/// <c>Lib/pickletools.py</c>, which this reader follows). Its <c>GLOBAL</c>/<c>STACK_GLOBAL</c> opcodes import any
/// callable by name and <c>REDUCE</c> calls it, which is why <c>pickle.load</c> on an untrusted file runs arbitrary
/// code. Here the data opcodes build plain values (dict, list, tuple, str, bytes, int, float, bool, None) and a global
/// is resolved only against a fixed table of what a PyTorch <c>state_dict</c> needs: <c>collections.OrderedDict</c>,
/// <c>torch._utils._rebuild_tensor_v2</c> (and <c>_rebuild_parameter</c>, which only wraps a tensor),
/// <c>_codecs.encode</c> with latin-1 (how protocol 2 spells a <c>bytes</c> object) and the typed storage classes as
/// persistent-id tags. Any other name is refused when the opcode is read, before anything else happens, with the name
/// in the error; "calling" an allowed name only builds a record describing it. Nothing is imported, loaded or run.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private enum Callable
    {
        OrderedDict,
        RebuildTensorV2,
        RebuildParameter,
        CodecsEncode,
    }

    private sealed record AllowedGlobal(string Name, Callable Kind);

    /// <summary>The only callables a state_dict's pickle may name.</summary>
    private static readonly (string Module, string Name, Callable Kind)[] Callables =
    [
        ("collections", "OrderedDict", Callable.OrderedDict),
        ("torch._utils", "_rebuild_tensor_v2", Callable.RebuildTensorV2),
        ("torch._utils", "_rebuild_parameter", Callable.RebuildParameter),
        ("_codecs", "encode", Callable.CodecsEncode),
    ];

    /// <summary>The typed storages torch.save names in persistent ids, and the dtype of their elements.</summary>
    private static readonly (string Name, DType DType)[] Storages =
    [
        ("FloatStorage", DType.Float32), ("HalfStorage", DType.Float16), ("BFloat16Storage", DType.BFloat16),
        ("DoubleStorage", DType.Float64), ("LongStorage", DType.Int64), ("IntStorage", DType.Int32),
        ("ShortStorage", DType.Int16), ("CharStorage", DType.Int8), ("ByteStorage", DType.UInt8), ("BoolStorage", DType.Bool),
    ];

    /// <summary>The most nested MARKs accepted; torch.save of a state_dict needs about four.</summary>
    private const int MaxMarks = 10_000;

    private readonly string _source;
    private readonly Func<PickleTuple, StorageRef> _persistentLoad;
    private readonly byte[] _data;
    private int _pos;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];

    private RestrictedUnpickler(string source, byte[] data, int start, Func<PickleTuple, StorageRef> persistentLoad)
    {
        (_source, _data, _pos, _persistentLoad) = (source, data, start, persistentLoad);
    }

    /// <summary>
    /// Reads one pickle from <paramref name="data"/> starting at <paramref name="start"/> and returns the value with
    /// the position just after its STOP opcode.
    /// </summary>
    /// <param name="source">How errors name the input, e.g. <c>model.pth</c>.</param>
    /// <param name="data">The bytes holding the pickle.</param>
    /// <param name="start">Where the pickle begins.</param>
    /// <param name="persistentLoad">Turns a persistent id tuple (torch.save's <c>('storage', type, key, location, numel)</c>) into a storage reference; throws to refuse it.</param>
    /// <exception cref="MusicMLException">The pickle names a callable outside the allowed table, uses an opcode a
    /// state_dict never needs, or is truncated or malformed; the message names <paramref name="source"/>.</exception>
    public static (object? Value, int End) Load(string source, byte[] data, int start, Func<PickleTuple, StorageRef> persistentLoad)
    {
        var reader = new RestrictedUnpickler(source, data, start, persistentLoad);
        var value = reader.Run();
        return (value, reader._pos);
    }

    private MusicMLException Error(string message) => new($"{_source}: {message}") { FilePath = _source };

    private MusicMLException Corrupt(string message) => Error($"corrupt pickle at byte {_pos}: {message}");

    private MusicMLException Refused(string module, string name) =>
        Error($"refused: the pickle calls {module}.{name}, which a state_dict never needs; MusicML loads only tensors, dicts, lists, tuples and scalars");

    private object? Run()
    {
        while (true)
        {
            if (_pos >= _data.Length) throw Corrupt("the data ends before the pickle's STOP opcode (truncated)");
            byte op = _data[_pos++];
            switch (op)
            {
                case 0x80: // PROTO: protocol version, informational only.
                    if (ReadByte() > 5) throw Error($"pickle protocol {_data[_pos - 1]} is newer than 5, the newest Python writes");
                    break;
                case 0x95: // FRAME (protocol 4): a length prefix for buffering; the opcodes inside follow as usual.
                    ReadBytes(8);
                    break;
                case (byte)'.': // STOP
                    if (_stack.Count != 1 || _marks.Count != 0) throw Corrupt($"STOP with {_stack.Count} values on the stack");
                    return _stack[0];

                case (byte)'(': // MARK
                    if (_marks.Count >= MaxMarks) throw Corrupt("too deeply nested");
                    _marks.Add(_stack.Count);
                    break;
                case (byte)'0': // POP (pops a mark when the stack is at one, as CPython does)
                    if (_marks.Count > 0 && _marks[^1] == _stack.Count) PopMark();
                    else Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;

                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case (byte)'I': Push(ParseTextInt(ReadLine())); break; // INT
                case (byte)'L': Push(ParseTextLong(ReadLine())); break; // LONG
                case 0x8a: Push(Integer(ReadBytes(ReadByte()))); break; // LONG1
                case 0x8b: Push(Integer(ReadBytes(ReadLength(4)))); break; // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case (byte)'F': // FLOAT (text)
                    var text = ReadLine();
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double f)) throw Corrupt($"FLOAT '{text}' is not a number");
                    Push(f);
                    break;

                case (byte)'X': Push(Utf8(ReadBytes(ReadLength(4)))); break; // BINUNICODE
                case 0x8c: Push(Utf8(ReadBytes(ReadByte()))); break; // SHORT_BINUNICODE
                case 0x8d: Push(Utf8(ReadBytes(ReadLength(8)))); break; // BINUNICODE8
                case (byte)'V': Push(RawUnicodeEscape(ReadLine())); break; // UNICODE (protocol 0)
                // Python 2 str objects: bytes that torch.load decodes as text; latin-1 maps every byte to one character.
                case (byte)'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(4)))); break; // BINSTRING
                case (byte)'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'B': Push(ReadBytes(ReadLength(4)).ToArray()); break; // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadByte()).ToArray()); break; // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(ReadLength(8)).ToArray()); break; // BINBYTES8

                case (byte)')': Push(new PickleTuple([])); break; // EMPTY_TUPLE
                case 0x85: Push(new PickleTuple(PopN(1))); break; // TUPLE1
                case 0x86: Push(new PickleTuple(PopN(2))); break; // TUPLE2
                case 0x87: Push(new PickleTuple(PopN(3))); break; // TUPLE3
                case (byte)'t': Push(new PickleTuple(PopMark())); break; // TUPLE
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)'l': Push(new List<object?>(PopMark())); break; // LIST
                case (byte)'a': // APPEND
                {
                    var item = Pop();
                    AsList(Peek(), "APPEND").Add(item);
                    break;
                }
                case (byte)'e': // APPENDS
                {
                    var items = PopMark();
                    AsList(Peek(), "APPENDS").AddRange(items);
                    break;
                }
                case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                case (byte)'d': // DICT
                {
                    var dict = new PickleDict();
                    SetItems(dict, PopMark());
                    Push(dict);
                    break;
                }
                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    SetItems(AsDict(Peek(), "SETITEM"), [key, value]);
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    SetItems(AsDict(Peek(), "SETITEMS"), items);
                    break;
                }

                case (byte)'p': _memo[ParseMemoIndex(ReadLine())] = Peek(); break; // PUT
                case (byte)'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'g': Push(Memo(ParseMemoIndex(ReadLine()))); break; // GET
                case (byte)'h': Push(Memo(ReadByte())); break; // BINGET
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET

                case (byte)'c': // GLOBAL "module\nname\n"
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    Push(ResolveGlobal(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL (protocol 4): module and name are strings on the stack.
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n) throw Corrupt("STACK_GLOBAL needs two strings");
                    Push(ResolveGlobal(m, n));
                    break;
                }
                case (byte)'R': // REDUCE: callable(*args)
                {
                    var args = Pop();
                    var callable = Pop();
                    if (args is not PickleTuple tuple) throw Corrupt("REDUCE arguments are not a tuple");
                    Push(Call(callable, tuple.Items, "REDUCE"));
                    break;
                }
                case 0x81: // NEWOBJ: cls.__new__(cls, *args); only OrderedDict can get here.
                {
                    var args = Pop();
                    var cls = Pop();
                    if (args is not PickleTuple tuple) throw Corrupt("NEWOBJ arguments are not a tuple");
                    if (cls is not AllowedGlobal { Kind: Callable.OrderedDict }) throw Error($"refused: NEWOBJ on {Describe(cls)}, which a state_dict never needs");
                    Push(Call(cls, tuple.Items, "NEWOBJ"));
                    break;
                }
                case (byte)'b': // BUILD: obj.__setstate__(state) or obj.__dict__.update(state)
                {
                    var state = Pop();
                    // A state_dict carries its `_metadata` (per-module versions) this way; it is kept, never applied.
                    if (Peek() is PickleDict dict) dict.Attributes = state;
                    else throw Error($"refused: BUILD (setting the state of a {Describe(Peek())}), which a state_dict never needs");
                    break;
                }
                case (byte)'Q': // BINPERSID: persistent id from the stack.
                {
                    var pid = Pop();
                    if (pid is not PickleTuple tuple) throw Error($"refused: a persistent id that is a {Describe(pid)}, not torch.save's ('storage', …) tuple");
                    Push(_persistentLoad(tuple));
                    break;
                }
                case (byte)'P': // PERSID: a text persistent id, which torch.save never writes.
                    throw Error($"refused: text persistent id '{ReadLine()}'; torch.save writes ('storage', …) tuples");

                case (byte)'i': // INST "module\nname\n": instantiates a class.
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    ResolveGlobal(module, name); // refuses anything off the table, naming it
                    throw Error($"refused: the pickle instantiates {module}.{name} with INST, which torch.save never writes");
                }
                case (byte)'o': // OBJ
                    throw Error("refused: the OBJ opcode instantiates a class, which a state_dict never needs");
                case 0x92: // NEWOBJ_EX
                    throw Error("refused: the NEWOBJ_EX opcode instantiates a class, which a state_dict never needs");
                case 0x82 or 0x83 or 0x84: // EXT1/2/4: callables from the copyreg extension registry.
                    throw Error("refused: the pickle calls a copyreg extension (EXT opcode), which a state_dict never needs");
                case (byte)'S': // STRING: a Python 2 repr-quoted str.
                    throw Error("refused: protocol-0 STRING opcode (Python 2 text pickles); re-save the checkpoint with torch.save in Python 3");
                case 0x8f or 0x90 or 0x91: // EMPTY_SET, ADDITEMS, FROZENSET
                    throw Error("refused: the pickle holds a set, which a state_dict never has");
                case 0x96 or 0x97 or 0x98: // BYTEARRAY8, NEXT_BUFFER, READONLY_BUFFER (protocol 5 out-of-band buffers)
                    throw Error("refused: protocol-5 buffer opcodes, which torch.save never writes");
                default:
                    throw Corrupt($"unknown opcode 0x{op:x2}");
            }
        }
    }

    private object ResolveGlobal(string module, string name)
    {
        foreach (var (m, n, kind) in Callables)
            if (m == module && n == name) return new AllowedGlobal($"{m}.{n}", kind);
        if (module == "torch" && name.EndsWith("Storage", StringComparison.Ordinal))
        {
            foreach (var (n, dtype) in Storages)
                if (n == name) return new StorageType($"torch.{n}", dtype);
            throw Error($"refused: tensor storage type torch.{name} is not one MusicML reads (float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8 or bool)");
        }
        throw Refused(module, name);
    }

    private object? Call(object? callable, object?[] args, string opcode)
    {
        if (callable is not AllowedGlobal global)
            throw Error($"refused: {opcode} calls a {Describe(callable)}; only collections.OrderedDict and torch's tensor rebuilders may be called");
        switch (global.Kind)
        {
            case Callable.OrderedDict:
            {
                var dict = new PickleDict();
                if (args.Length == 1 && args[0] is List<object?> pairs)
                    foreach (var pair in pairs)
                    {
                        if (pair is not PickleTuple { Items.Length: 2 } kv) throw Corrupt("OrderedDict items are not (key, value) pairs");
                        SetItems(dict, kv.Items);
                    }
                else if (args.Length != 0) throw Corrupt($"OrderedDict called with {args.Length} arguments");
                return dict;
            }
            case Callable.RebuildTensorV2:
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.Length is < 6 or > 7 || args[0] is not StorageRef storage)
                    throw Corrupt($"{global.Name} called with {args.Length} arguments, expected (storage, offset, size, stride, requires_grad, hooks)");
                if (args[5] is PickleDict { Items.Count: > 0 })
                    throw Error($"refused: a tensor with backward hooks, which a state_dict never has");
                return new TensorRef(storage, AsLong(args[1], "storage offset"), LongTuple(args[2], "size"), LongTuple(args[3], "stride"));
            case Callable.RebuildParameter:
                // (data, requires_grad, backward_hooks): an nn.Parameter around a tensor; the tensor is what counts.
                if (args.Length != 3 || args[0] is not TensorRef tensor) throw Corrupt($"{global.Name} called without a tensor");
                return tensor;
            case Callable.CodecsEncode:
                // Protocol 2 writes bytes b as _codecs.encode(b.decode('latin1'), 'latin1').
                if (args.Length != 2 || args[0] is not string text || args[1] is not string encoding
                    || !(encoding is "latin1" or "latin-1" or "iso-8859-1"))
                    throw Error("refused: _codecs.encode other than the latin-1 form protocol 2 uses for bytes");
                return Encoding.Latin1.GetBytes(text);
            default:
                throw new InvalidOperationException(global.Kind.ToString());
        }
    }

    /// <summary>A short description of an unpickled value for error messages.</summary>
    internal static string Describe(object? value) => value switch
    {
        null => "None",
        AllowedGlobal g => g.Name,
        StorageType s => s.Name,
        StorageRef => "tensor storage",
        TensorRef => "tensor",
        PickleDict => "dict",
        PickleTuple => "tuple",
        List<object?> => "list",
        string => "str",
        byte[] => "bytes",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        _ => value.GetType().Name,
    };

    private void SetItems(PickleDict dict, IReadOnlyList<object?> items)
    {
        if (items.Count % 2 != 0) throw Corrupt("odd number of items for a dict");
        for (int i = 0; i < items.Count; i += 2)
        {
            // Only hashable scalars make sense as keys here; a list or dict key would be a TypeError in Python too.
            if (items[i] is not (string or long or bool or double or BigInteger or byte[] or PickleTuple))
                throw Corrupt($"dict key of type {Describe(items[i])}");
            dict.Set(items[i]!, items[i + 1]);
        }
    }

    private List<object?> AsList(object? value, string opcode) =>
        value as List<object?> ?? throw Corrupt($"{opcode} onto a {Describe(value)}, not a list");

    private PickleDict AsDict(object? value, string opcode) =>
        value as PickleDict ?? throw Corrupt($"{opcode} onto a {Describe(value)}, not a dict");

    private long AsLong(object? value, string what) =>
        value as long? ?? throw Corrupt($"tensor {what} is a {Describe(value)}, not an int");

    private long[] LongTuple(object? value, string what)
    {
        if (value is not PickleTuple tuple) throw Corrupt($"tensor {what} is a {Describe(value)}, not a tuple");
        var result = new long[tuple.Items.Length];
        for (int i = 0; i < result.Length; i++) result[i] = AsLong(tuple.Items[i], what);
        return result;
    }

    private void Push(object? value) => _stack.Add(value);

    private object? Peek()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks[^1] == _stack.Count)) throw Corrupt("stack underflow");
        return _stack[^1];
    }

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object?[] PopN(int count)
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count - floor < count) throw Corrupt("stack underflow");
        var items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private object?[] PopMark()
    {
        if (_marks.Count == 0) throw Corrupt("no MARK to pop to");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark, _stack.Count - mark).ToArray();
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private object? Memo(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Corrupt($"memo entry {index} was never stored");

    private byte ReadByte()
    {
        if (_pos >= _data.Length) throw Corrupt("truncated");
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> ReadBytes(long count)
    {
        if (count < 0 || count > _data.Length - _pos) throw Corrupt($"an opcode needs {count} bytes but {_data.Length - _pos} remain (truncated)");
        var span = _data.AsSpan(_pos, (int)count);
        _pos += (int)count;
        return span;
    }

    private long ReadLength(int bytes)
    {
        var span = ReadBytes(bytes);
        ulong length = bytes == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span);
        if (length > (ulong)(_data.Length - _pos)) throw Corrupt($"a value claims {length} bytes but {_data.Length - _pos} remain (truncated)");
        return (long)length;
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Corrupt("a text argument has no terminating newline (truncated)");
        var line = Encoding.Latin1.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return line;
    }

    private string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Corrupt("a string is not valid UTF-8");
        }
    }

    /// <summary>Python's raw-unicode-escape: latin-1 text in which only \uXXXX and \UXXXXXXXX are escapes.</summary>
    private string RawUnicodeEscape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is 'u' or 'U')
            {
                int digits = text[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + digits > text.Length || !int.TryParse(text.AsSpan(i + 2, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code)
                    || code is < 0 or > 0x10FFFF)
                    throw Corrupt("bad \\u escape in a UNICODE string");
                sb.Append(char.ConvertFromUtf32(code));
                i += 1 + digits;
            }
            else sb.Append(text[i]);
        }
        return sb.ToString();
    }

    private object ParseTextInt(string text)
    {
        // Protocol 0 spells True and False as I01 and I00.
        if (text == "01") return true;
        if (text == "00") return false;
        return ParseTextLong(text);
    }

    private object ParseTextLong(string text)
    {
        var digits = text.EndsWith('L') ? text[..^1] : text;
        if (!BigInteger.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) throw Corrupt($"'{text}' is not an integer");
        return Narrow(value);
    }

    private long ParseMemoIndex(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long index) ? index : throw Corrupt($"memo index '{text}' is not a number");

    private static object Integer(ReadOnlySpan<byte> littleEndianTwosComplement) =>
        Narrow(new BigInteger(littleEndianTwosComplement, isUnsigned: false, isBigEndian: false));

    private static object Narrow(BigInteger value) => value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
}
