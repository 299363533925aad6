using System.Runtime.InteropServices;
using System.Text;

namespace MusicML.Core;

/// <summary>
/// Streams a float32 <c>[rows, columns]</c> matrix (e.g. <c>[nMels, frames]</c>) into a <c>.npy</c> file one column
/// (frame) at a time, so a feature of a two-hour recording never has to be held whole. The data is written in
/// Fortran order (column-major: each frame's values contiguous), which numpy and <see cref="NpyFile.Read(string)"/>
/// both read as the same <c>[rows, columns]</c> array; the column count, unknown while streaming, is written into the
/// header by <see cref="Commit"/>, whose header space is reserved up front. The file is an <see cref="AtomicFile"/>:
/// nothing appears at the path until <see cref="Commit"/>, and disposing without it leaves the old file.
/// </summary>
public sealed class NpyColumnWriter : IDisposable
{
    // 128 bytes hold the dict with two 19-digit dimensions; numpy only asks the data start be 64-byte aligned.
    private const int HeaderBytes = 128;
    private readonly AtomicFile _file;
    private readonly bool _oneDimensional;
    private long _columns;
    private bool _committed;

    /// <summary>Starts writing <paramref name="path"/> with <paramref name="rows"/> values per column.</summary>
    /// <param name="path">The .npy file to write.</param>
    /// <param name="rows">Values per column (the first dimension).</param>
    /// <param name="oneDimensional">Write shape <c>(columns,)</c> instead of <c>(1, columns)</c>; needs <paramref name="rows"/> = 1.</param>
    /// <exception cref="MusicMLException">A non-positive row count, or the path cannot be written.</exception>
    public NpyColumnWriter(string path, int rows, bool oneDimensional = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (rows <= 0) throw new MusicMLException($"{path}: an .npy matrix needs at least one row; got {rows}.");
        if (oneDimensional && rows != 1) throw new MusicMLException($"{path}: a one-dimensional .npy has one row; got {rows}.");
        Rows = rows;
        _oneDimensional = oneDimensional;
        _file = AtomicFile.Create(path);
        _file.Stream.Write(HeaderFor(0));
    }

    /// <summary>Values per column.</summary>
    public int Rows { get; }

    /// <summary>Columns written so far.</summary>
    public long Columns => _columns;

    /// <summary>
    /// Appends columns <paramref name="first"/>..<paramref name="first"/>+<paramref name="count"/>−1 of a row-major
    /// <c>[Rows, columns]</c> matrix held in <paramref name="rowMajor"/> (e.g. a Dsp <c>FloatMatrix</c>'s data).
    /// </summary>
    /// <exception cref="MusicMLException">The data does not hold <see cref="Rows"/> × <paramref name="columns"/> values, or the range lies outside it.</exception>
    public void AppendColumns(ReadOnlySpan<float> rowMajor, int columns, int first, int count)
    {
        if (columns < 0 || rowMajor.Length != (long)Rows * columns)
            throw new MusicMLException($"{_file.Path}: {rowMajor.Length} values are not {Rows} rows of {columns} columns.");
        if (first < 0 || count < 0 || (long)first + count > columns)
            throw new MusicMLException($"{_file.Path}: columns {first}..{first + count - 1} lie outside a matrix of {columns}.");
        if (_committed) throw new InvalidOperationException("The .npy file is already committed.");
        var column = new float[Rows];
        for (int t = first; t < first + count; t++)
        {
            for (int r = 0; r < Rows; r++) column[r] = rowMajor[(int)((long)r * columns + t)];
            WriteLittleEndian(column);
        }
        _columns += count;
    }

    /// <summary>Writes the final shape into the header, flushes and renames the file into place.</summary>
    /// <exception cref="MusicMLException">The disk is full or the rename fails; the destination is then unchanged.</exception>
    public void Commit()
    {
        if (_committed) return;
        var stream = _file.Stream;
        try
        {
            stream.Position = 0;
            stream.Write(HeaderFor(_columns));
            stream.Seek(0, SeekOrigin.End);
        }
        catch (IOException e)
        {
            throw new MusicMLException($"{_file.Path}: could not be written ({e.Message}); the previous file, if any, is unchanged.", e)
            {
                FilePath = _file.Path,
            };
        }
        _file.Commit();
        _committed = true;
    }

    /// <summary>Abandons an uncommitted file (the destination is left as it was).</summary>
    public void Dispose() => _file.Dispose();

    private void WriteLittleEndian(float[] values)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("NpyColumnWriter writes little-endian float32 and needs a little-endian machine.");
        try
        {
            _file.Stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        catch (IOException e)
        {
            // A full disk surfaces here, mid-stream: name the file and promise what AtomicFile keeps.
            throw new MusicMLException($"{_file.Path}: could not be written ({e.Message}); the previous file, if any, is unchanged.", e)
            {
                FilePath = _file.Path,
            };
        }
    }

    private byte[] HeaderFor(long columns)
    {
        var shape = _oneDimensional ? $"({columns},)" : $"({Rows}, {columns})";
        var dict = $"{{'descr': '<f4', 'fortran_order': True, 'shape': {shape}, }}";
        int padding = HeaderBytes - 10 - dict.Length - 1;
        var header = new byte[HeaderBytes];
        // Magic, version 1.0, little-endian header length, then the dict padded with spaces and ended by a newline.
        header[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(header, 1);
        header[6] = 1;
        header[7] = 0;
        header[8] = (HeaderBytes - 10) & 0xFF;
        header[9] = (HeaderBytes - 10) >> 8;
        Encoding.ASCII.GetBytes(dict + new string(' ', padding) + "\n").CopyTo(header, 10);
        return header;
    }
}
