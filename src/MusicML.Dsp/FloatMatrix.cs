using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// A dense float32 matrix in row-major order, shaped like librosa's feature arrays: <c>[features, frames]</c>
/// (e.g. <c>[nMels, frames]</c> for a mel spectrogram). One row holds one feature across time, so per-feature
/// operations work on contiguous spans.
/// </summary>
public sealed class FloatMatrix
{
    /// <summary>Creates a zero-filled matrix of <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    /// <exception cref="MusicMLException">A dimension is negative.</exception>
    public FloatMatrix(int rows, int columns)
    {
        if (rows < 0 || columns < 0)
            throw new MusicMLException($"Matrix dimensions must be non-negative; got {rows} × {columns}.");
        Rows = rows;
        Columns = columns;
        Data = new float[checked(rows * columns)];
    }

    /// <summary>Wraps <paramref name="data"/> (row-major, not copied) as a <paramref name="rows"/> × <paramref name="columns"/> matrix.</summary>
    /// <exception cref="MusicMLException">The data length does not equal rows × columns.</exception>
    public FloatMatrix(int rows, int columns, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0 || columns < 0 || (long)rows * columns != data.Length)
            throw new MusicMLException($"A {rows} × {columns} matrix needs {(long)rows * columns} values; got {data.Length}.");
        Rows = rows;
        Columns = columns;
        Data = data;
    }

    /// <summary>Number of rows (features, frequency bins).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (frames).</summary>
    public int Columns { get; }

    /// <summary>The values in row-major order; element (r, c) is at <c>r * Columns + c</c>.</summary>
    public float[] Data { get; }

    /// <summary>Element at row <paramref name="row"/>, column <paramref name="column"/>.</summary>
    public float this[int row, int column]
    {
        get => Data[Index(row, column)];
        set => Data[Index(row, column)] = value;
    }

    /// <summary>One row (one feature over all frames) as a writable span.</summary>
    public Span<float> Row(int row)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"The matrix has {Rows} rows.");
        return Data.AsSpan(row * Columns, Columns);
    }

    /// <summary>Copies one column (one frame across all features) into <paramref name="destination"/> (length ≥ <see cref="Rows"/>).</summary>
    public void CopyColumn(int column, Span<float> destination)
    {
        if ((uint)column >= (uint)Columns) throw new ArgumentOutOfRangeException(nameof(column), column, $"The matrix has {Columns} columns.");
        for (int r = 0; r < Rows; r++) destination[r] = Data[r * Columns + column];
    }

    /// <summary>A deep copy.</summary>
    public FloatMatrix Clone() => new(Rows, Columns, (float[])Data.Clone());

    /// <summary>The matrix as a float32 <c>.npy</c> array of shape <c>[Rows, Columns]</c>.</summary>
    public NpyArray ToNpy() => NpyArray.FromFloat32(Data, Rows, Columns);

    /// <summary>Reads a 2-D (or 1-D, as one row) numeric <c>.npy</c> array as a matrix.</summary>
    /// <exception cref="MusicMLException">The array has more than two dimensions.</exception>
    public static FloatMatrix FromNpy(NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.Shape.Count switch
        {
            1 => new FloatMatrix(1, array.Shape[0], array.ToFloat32()),
            2 => new FloatMatrix(array.Shape[0], array.Shape[1], array.ToFloat32()),
            _ => throw new MusicMLException($"Expected a 1-D or 2-D array; got shape ({string.Join(", ", array.Shape)})."),
        };
    }

    private int Index(int row, int column)
    {
        if ((uint)row >= (uint)Rows || (uint)column >= (uint)Columns)
            throw new ArgumentOutOfRangeException(nameof(row), $"({row}, {column}) is outside the {Rows} × {Columns} matrix.");
        return row * Columns + column;
    }
}
