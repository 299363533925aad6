using System.Numerics;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// A dense complex64 matrix shaped like librosa's STFT: <c>[bins, frames]</c>, row-major, stored as interleaved
/// float32 (real, imaginary) pairs. Element (r, c) has its real part at <c>2 * (r * Columns + c)</c>; the layout
/// equals numpy's complex64, so it reads and writes <c>.npy</c> without conversion.
/// </summary>
public sealed class ComplexMatrix
{
    /// <summary>Creates a zero-filled matrix of <paramref name="rows"/> × <paramref name="columns"/> complex values.</summary>
    /// <exception cref="MusicMLException">A dimension is negative.</exception>
    public ComplexMatrix(int rows, int columns)
    {
        if (rows < 0 || columns < 0)
            throw new MusicMLException($"Matrix dimensions must be non-negative; got {rows} × {columns}.");
        Rows = rows;
        Columns = columns;
        Data = new float[checked(2 * rows * columns)];
    }

    /// <summary>Wraps interleaved (re, im) <paramref name="data"/> (not copied) as a <paramref name="rows"/> × <paramref name="columns"/> matrix.</summary>
    /// <exception cref="MusicMLException">The data length does not equal 2 × rows × columns.</exception>
    public ComplexMatrix(int rows, int columns, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0 || columns < 0 || 2L * rows * columns != data.Length)
            throw new MusicMLException($"A {rows} × {columns} complex matrix needs {2L * rows * columns} floats; got {data.Length}.");
        Rows = rows;
        Columns = columns;
        Data = data;
    }

    /// <summary>Number of rows (frequency bins).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (frames).</summary>
    public int Columns { get; }

    /// <summary>Interleaved (real, imaginary) float32 pairs in row-major order.</summary>
    public float[] Data { get; }

    /// <summary>Element at (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public Complex this[int row, int column]
    {
        get
        {
            int i = Index(row, column);
            return new Complex(Data[i], Data[i + 1]);
        }
        set
        {
            int i = Index(row, column);
            Data[i] = (float)value.Real;
            Data[i + 1] = (float)value.Imaginary;
        }
    }

    /// <summary>One row as interleaved (re, im) pairs: <c>2 × Columns</c> floats.</summary>
    public Span<float> Row(int row)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"The matrix has {Rows} rows.");
        return Data.AsSpan(2 * row * Columns, 2 * Columns);
    }

    /// <summary>Element-wise modulus |z|, bit-identical to numpy's <c>np.abs(S)</c> on complex64 (see the remarks in the spectral feature docs).</summary>
    public FloatMatrix Magnitude()
    {
        var result = new FloatMatrix(Rows, Columns);
        MagnitudeInto(Data, result.Data);
        return result;
    }

    /// <summary>Element-wise squared modulus |z|² (librosa's <c>np.abs(S) ** 2</c>).</summary>
    public FloatMatrix Power()
    {
        var result = new FloatMatrix(Rows, Columns);
        PowerInto(Data, result.Data);
        return result;
    }

    /// <summary>Element-wise |z|^<paramref name="exponent"/>: 1 is <see cref="Magnitude"/>, 2 is <see cref="Power()"/>.</summary>
    /// <exception cref="MusicMLException"><paramref name="exponent"/> is not positive and finite.</exception>
    public FloatMatrix Power(double exponent)
    {
        if (!(exponent > 0) || double.IsInfinity(exponent))
            throw new MusicMLException($"The spectrogram exponent must be positive and finite; got {exponent}.");
        if (exponent == 2) return Power();
        if (exponent == 1) return Magnitude();
        var result = Magnitude();
        var d = result.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)Math.Pow(d[i], exponent);
        return result;
    }

    /// <summary>A deep copy.</summary>
    public ComplexMatrix Clone() => new(Rows, Columns, (float[])Data.Clone());

    /// <summary>The matrix as a complex64 <c>.npy</c> array of shape <c>[Rows, Columns]</c>.</summary>
    public NpyArray ToNpy() => NpyArray.FromComplex64Interleaved(Data, Rows, Columns);

    /// <summary>Reads a 2-D <c>.npy</c> array (complex or real) as a complex matrix.</summary>
    /// <exception cref="MusicMLException">The array is not 2-D.</exception>
    public static ComplexMatrix FromNpy(NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Shape.Count != 2)
            throw new MusicMLException($"Expected a 2-D array; got shape ({string.Join(", ", array.Shape)}).");
        return new ComplexMatrix(array.Shape[0], array.Shape[1], array.ToComplexInterleaved());
    }

    internal static void MagnitudeInto(ReadOnlySpan<float> interleaved, Span<float> destination)
    {
        FramePipeline.Modulus(interleaved, destination);
    }

    internal static void PowerInto(ReadOnlySpan<float> interleaved, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            float re = interleaved[2 * i], im = interleaved[2 * i + 1];
            destination[i] = re * re + im * im;
        }
    }

    private int Index(int row, int column)
    {
        if ((uint)row >= (uint)Rows || (uint)column >= (uint)Columns)
            throw new ArgumentOutOfRangeException(nameof(row), $"({row}, {column}) is outside the {Rows} × {Columns} matrix.");
        return 2 * (row * Columns + column);
    }
}
