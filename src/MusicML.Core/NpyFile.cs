using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MusicML.Core;

/// <summary>
/// Reads and writes numpy's <c>.npy</c> format (versions 1.0–3.0), so arrays move between MusicML and Python
/// without conversion: <c>np.load</c> opens what <see cref="Write(string, NpyArray)"/> writes, and parity tests read
/// librosa's and PyTorch's outputs directly.
/// </summary>
public static partial class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads an array from a <c>.npy</c> file.</summary>
    /// <exception cref="MusicMLException">The file is missing, truncated or not a supported <c>.npy</c> array.</exception>
    public static NpyArray Read(string path)
    {
        if (!File.Exists(path)) throw new MusicMLException($"{path}: file not found.") { FilePath = path };
        using var stream = File.OpenRead(path);
        try
        {
            return Read(stream);
        }
        catch (MusicMLException e) when (e.FilePath is null)
        {
            throw new MusicMLException($"{path}: {e.Message}", e) { FilePath = path };
        }
    }

    /// <summary>Reads an array from a stream positioned at the start of <c>.npy</c> data.</summary>
    public static NpyArray Read(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, "the .npy preamble");
        if (!prefix[..6].SequenceEqual(Magic)) throw new MusicMLException("not a .npy file (bad magic bytes).");
        int major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            Span<byte> len = stackalloc byte[2];
            ReadExactly(stream, len, "the header length");
            headerLength = len[0] | (len[1] << 8);
        }
        else if (major is 2 or 3)
        {
            Span<byte> len = stackalloc byte[4];
            ReadExactly(stream, len, "the header length");
            headerLength = len[0] | (len[1] << 8) | (len[2] << 16) | (len[3] << 24);
        }
        else throw new MusicMLException($".npy format version {major} is not supported.");

        long available = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;
        if (headerLength < 0 || headerLength > available)
            throw new MusicMLException($"the header claims {(uint)headerLength} bytes but only {available} follow (truncated or not .npy).");
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, "the header");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        var descr = HeaderValue(DescrPattern(), header, "descr");
        var fortran = HeaderValue(FortranPattern(), header, "fortran_order") == "True";
        var shapeText = HeaderValue(ShapePattern(), header, "shape");
        var shape = ParseShape(shapeText);
        var (type, bigEndian) = ParseDescr(descr);

        // Checked against what the file holds before allocating: a damaged or hostile header may declare terabytes.
        int elementSize = NpyArray.ElementSize(type);
        long count = 1;
        foreach (var d in shape)
            if (d != 0 && count > Array.MaxLength / elementSize / d) { count = -1; break; }
            else count *= d;
        if (count < 0 || count * elementSize > Array.MaxLength)
            throw new MusicMLException($"the header declares shape ({shapeText.Trim()}) of {descr}, more than one array can hold ({Array.MaxLength} bytes).");
        if (count * elementSize > stream.Length - stream.Position && stream.CanSeek)
            throw new MusicMLException(
                $"the header declares shape ({shapeText.Trim()}) of {descr}: {count * elementSize} bytes, but only {stream.Length - stream.Position} follow (the file is truncated).");
        var data = new byte[count * elementSize];
        ReadExactly(stream, data, $"{count} elements of {descr} (the file is truncated)");
        if (bigEndian) NpyArray.SwapBytesInPlace(data, type);
        if (fortran && shape.Length > 1) data = FortranToC(data, shape, elementSize);
        return new NpyArray(type, shape, data);
    }

    /// <summary>
    /// Writes <paramref name="array"/> as a version 1.0 <c>.npy</c> file, replacing any existing file atomically
    /// (<see cref="AtomicFile"/>: a reader, a second writer or a crash never sees a half-written array).
    /// </summary>
    /// <exception cref="MusicMLException">The path is a directory or cannot be written; any previous file is unchanged.</exception>
    public static void Write(string path, NpyArray array)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(path)) Directory.CreateDirectory(directory);
        AtomicFile.Write(path, stream => Write(stream, array));
    }

    /// <summary>Writes <paramref name="array"/> in <c>.npy</c> format to a stream.</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        var shape = array.Shape.Count switch
        {
            0 => "()",
            1 => $"({array.Shape[0]},)",
            _ => "(" + string.Join(", ", array.Shape) + ")",
        };
        var dict = $"{{'descr': '{Descr(array.DataType)}', 'fortran_order': False, 'shape': {shape}, }}";
        // numpy aligns the data to 64 bytes; the header ends with a newline and is padded with spaces.
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        if (header.Length > ushort.MaxValue) throw new MusicMLException("array shape too long for a .npy 1.0 header.");
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        stream.WriteByte((byte)(header.Length & 0xFF));
        stream.WriteByte((byte)(header.Length >> 8));
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(array.RawBytes);
    }

    /// <summary>Writes float32 data with the given shape, e.g. a <c>[features, frames]</c> matrix.</summary>
    public static void WriteFloat32(string path, ReadOnlySpan<float> data, params int[] shape) =>
        Write(path, NpyArray.FromFloat32(data, shape));

    private static string Descr(NpyDataType type) => type switch
    {
        NpyDataType.Bool => "|b1",
        NpyDataType.UInt8 => "|u1",
        NpyDataType.Int8 => "|i1",
        NpyDataType.Int16 => "<i2",
        NpyDataType.Int32 => "<i4",
        NpyDataType.Int64 => "<i8",
        NpyDataType.Float16 => "<f2",
        NpyDataType.Float32 => "<f4",
        NpyDataType.Float64 => "<f8",
        NpyDataType.Complex64 => "<c8",
        NpyDataType.Complex128 => "<c16",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static (NpyDataType Type, bool BigEndian) ParseDescr(string descr)
    {
        if (descr.Length < 2) throw new MusicMLException($"unsupported dtype '{descr}'.");
        char order = descr[0];
        bool bigEndian = order == '>';
        var code = order is '<' or '>' or '|' or '=' ? descr[1..] : descr;
        NpyDataType type = code switch
        {
            "b1" => NpyDataType.Bool,
            "u1" => NpyDataType.UInt8,
            "i1" => NpyDataType.Int8,
            "i2" => NpyDataType.Int16,
            "i4" => NpyDataType.Int32,
            "i8" => NpyDataType.Int64,
            "f2" => NpyDataType.Float16,
            "f4" => NpyDataType.Float32,
            "f8" => NpyDataType.Float64,
            "c8" => NpyDataType.Complex64,
            "c16" => NpyDataType.Complex128,
            _ => throw new MusicMLException($"unsupported dtype '{descr}' (supported: bool, int8–64, uint8, float16/32/64, complex64/128)."),
        };
        return (type, bigEndian);
    }

    private static byte[] FortranToC(byte[] source, int[] shape, int elementSize)
    {
        int rank = shape.Length;
        var fortranStride = new long[rank];
        long stride = 1;
        for (int k = 0; k < rank; k++)
        {
            fortranStride[k] = stride;
            stride *= shape[k];
        }
        var result = new byte[source.Length];
        var index = new int[rank];
        long count = NpyArray.ElementCount(shape);
        long sourceOffset = 0;
        for (long c = 0; c < count; c++)
        {
            Buffer.BlockCopy(source, (int)(sourceOffset * elementSize), result, (int)(c * elementSize), elementSize);
            // Advance the C-order multi-index (last axis fastest) and keep the Fortran offset in step.
            for (int k = rank - 1; k >= 0; k--)
            {
                index[k]++;
                sourceOffset += fortranStride[k];
                if (index[k] < shape[k]) break;
                sourceOffset -= fortranStride[k] * shape[k];
                index[k] = 0;
            }
        }
        return result;
    }

    private static int[] ParseShape(string shapeText)
    {
        var parts = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i].TrimEnd('L'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long d) || d < 0 || d > int.MaxValue)
                throw new MusicMLException($"the header declares shape ({shapeText.Trim()}): dimension '{parts[i]}' is not a size from 0 to {int.MaxValue}.");
            else shape[i] = (int)d;
        return shape;
    }

    private static string HeaderValue(Regex pattern, string header, string key)
    {
        var m = pattern.Match(header);
        if (!m.Success) throw new MusicMLException($"the .npy header has no '{key}' entry: {header.Trim()}");
        return m.Groups[1].Value;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new MusicMLException($"unexpected end of file while reading {what}.");
        }
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
