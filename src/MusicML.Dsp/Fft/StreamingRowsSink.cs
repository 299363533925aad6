using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MusicML.Dsp;

/// <summary>
/// Writes full 16-frame batches of complex bins straight into the rows of a <c>[bins, columns]</c> complex64 matrix
/// with non-temporal stores of whole, aligned 64-byte lines. A batch's 16 values (128 bytes) start wherever the row
/// puts them, usually inside a line; the values that would leave a line half written wait in a per-row carry and
/// complete that line with the next batch. The line a chunk starts in, and its last partial line, are shared with
/// neighbouring data and are written with ordinary stores (<see cref="Begin"/>, <see cref="Finish"/>).
/// </summary>
internal unsafe struct StreamingRowsSink : IBatchBinSink
{
    private readonly float* _matrix;
    private readonly long _columns;
    private readonly long _start;
    private readonly float* _carry;
    private readonly int* _shifts;
    private long _batchOffset;
    private bool _first;

    /// <param name="matrix">The interleaved complex matrix.</param>
    /// <param name="columns">Frames per row.</param>
    /// <param name="start">First frame of this chunk.</param>
    /// <param name="carry">16 floats per row, 64-byte aligned, private to the chunk.</param>
    /// <param name="shifts">The table of <see cref="CreateShifts"/>: three 16-int permutations for each misalignment 0 … 7.</param>
    public StreamingRowsSink(float* matrix, int columns, int start, float* carry, int* shifts)
    {
        _matrix = matrix;
        _columns = columns;
        _start = start;
        _carry = carry;
        _shifts = shifts;
        _batchOffset = 0;
        _first = true;
    }

    /// <summary>Positions the sink at batch <paramref name="batch"/> (0, 1, 2 … in order) of the chunk.</summary>
    public void Begin(int batch)
    {
        _batchOffset = 16L * batch;
        _first = batch == 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put(int bin, Vector512<float> re, Vector512<float> im)
    {
        var (v0, v1) = ComplexColumnsSink.Interleave(re, im);
        long element = bin * _columns + _start;
        int misalignment = Misalignment(_matrix + 2 * element);
        float* destination = _matrix + 2 * (element + _batchOffset);
        float* carry = _carry + 16 * bin;
        if (misalignment == 0)
        {
            Avx512F.StoreAlignedNonTemporal(destination, v0);
            Avx512F.StoreAlignedNonTemporal(destination + 16, v1);
            return;
        }
        int shift = 2 * misalignment;                   // floats
        // Unaligned loads: a managed int[] is not 64-byte aligned, and a Vector512 dereference may assume it is.
        int* shifts = _shifts + 48 * misalignment;
        float* line = destination - shift;              // aligned
        if (_first)
        {
            // The line holds earlier data before us: write our part of it only.
            for (int i = 0; i < 16 - shift; i++) destination[i] = v0[i];
        }
        else
        {
            Avx512F.StoreAlignedNonTemporal(line, Avx512F.PermuteVar16x32x2(Vector512.Load(carry), Vector512.Load(shifts), v0));
        }
        Avx512F.StoreAlignedNonTemporal(line + 16, Avx512F.PermuteVar16x32x2(v0, Vector512.Load(shifts + 16), v1));
        Vector512.Store(Avx512F.PermuteVar16x32(v1, Vector512.Load(shifts + 32)), carry);
    }

    /// <summary>
    /// Writes every row's carried values (the start of the line after the last full batch) with ordinary stores;
    /// call once after the chunk's last full batch, <paramref name="batches"/> of them.
    /// </summary>
    public void Finish(int bins, int batches)
    {
        if (batches == 0) return;
        for (int bin = 0; bin < bins; bin++)
        {
            long element = bin * _columns + _start;
            int shift = 2 * Misalignment(_matrix + 2 * element);
            float* destination = _matrix + 2 * (element + 16L * batches) - shift;
            float* carry = _carry + 16 * bin;
            for (int i = 0; i < shift; i++) destination[i] = carry[i];
        }
    }

    /// <summary>Complex values (8 bytes each) between the 64-byte line boundary and <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Misalignment(float* address) => (int)(((nuint)address & 63) >> 3);

    /// <summary>
    /// For each misalignment m (complex values), with s = 2m floats: the first line is carry[0..s) then v0[0..16−s),
    /// the second v0[16−s..16) then v1[0..16−s), and the new carry v1[16−s..16).
    /// </summary>
    public static int[] CreateShifts()
    {
        var shifts = new int[8 * 48];
        for (int m = 0; m < 8; m++)
        {
            int s = 2 * m;
            for (int i = 0; i < 16; i++)
            {
                shifts[48 * m + i] = i < s ? i : 16 + i - s;
                shifts[48 * m + 16 + i] = i < s ? 16 - s + i : 16 + i - s;
                shifts[48 * m + 32 + i] = (16 - s + i) & 15;
            }
        }
        return shifts;
    }
}
