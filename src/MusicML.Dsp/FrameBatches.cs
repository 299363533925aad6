using MusicML.Core;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MusicML.Dsp;

/// <summary>
/// One thread's state for running frames start … end − 1 of a framed signal through <see cref="FrameBatchFft"/>:
/// batch pointers, scratch for frames that overlap the padding, the transform's workspace, and, when the hop is a
/// multiple of 8, a hop-major copy of the next <see cref="StageFrames"/> frames' samples, all allocated once.
/// </summary>
/// <remarks>
/// Consecutive frames overlap (a 2048-sample frame every 512 samples reads each sample four times), so moving every
/// frame into lane order costs four transposes per sample. Cutting the signal into rows of one hop and transposing
/// those once instead (sample c of row r at column c, position r) makes sample i of frames f … f + 15 the contiguous
/// run at column i mod hop, positions f + i / hop … f + i / hop + 15: one load per sample and batch.
/// </remarks>
internal sealed unsafe class FrameBatches
{
    /// <summary>Frames staged hop-major at a time: 131 rows × 512 samples (268 KB) stay in L2.</summary>
    private const int StageFrames = 128;

    private readonly FrameReader _reader;
    private readonly float[] _window;
    private readonly FrameBatchFft _fft;
    private readonly AlignedBuffer _workspace;
    private readonly float[][] _edges;
    private readonly float[] _zeros;
    private readonly nint[] _frames = new nint[FrameBatchFft.Lanes];

    private readonly bool _hopMajor;
    private readonly int _hop, _end, _rowsPerFrame, _rowStride;
    private readonly FrameReader _rows;
    private readonly AlignedBuffer? _columns;
    private readonly int[] _sampleOffsets = [];
    private int _stageFirst, _stageCount;

    /// <summary>Prepares batches of frames up to <paramref name="end"/> (exclusive) of <paramref name="reader"/>, which frames every <paramref name="hop"/> samples.</summary>
    public FrameBatches(FrameReader reader, float[] window, int hop, int end)
    {
        _reader = reader;
        _window = window;
        _fft = FrameBatchFft.Create(window.Length);
        _workspace = new AlignedBuffer(_fft.WorkspaceLength);
        int n = window.Length;
        _zeros = GC.AllocateArray<float>(Math.Max(n, hop), pinned: true);
        _hop = hop;
        _end = end;
        _hopMajor = StagesHopMajor(n, hop);
        if (_hopMajor)
        {
            _rowsPerFrame = RowsPerFrame(n, hop);
            // Room for a partial last batch: its unused lanes read up to 15 positions past the staged rows.
            _rowStride = ((StageFrames + _rowsPerFrame - 1 + 15) & ~15) + FrameBatchFft.Lanes;
            _columns = new AlignedBuffer(hop * _rowStride);
            // Sample i of a frame is row i / hop, column i % hop of the stage.
            _sampleOffsets = GC.AllocateArray<int>(n, pinned: true);
            for (int i = 0; i < n; i++) _sampleOffsets[i] = i % hop * _rowStride + i / hop;
            _rows = reader.Rows();
            _edges = new float[16][];
            for (int j = 0; j < _edges.Length; j++) _edges[j] = GC.AllocateArray<float>(hop, pinned: true);
        }
        else
        {
            _edges = new float[FrameBatchFft.Lanes][];
            for (int j = 0; j < _edges.Length; j++) _edges[j] = GC.AllocateArray<float>(n, pinned: true);
        }
    }

    /// <summary>
    /// Whether frames of <paramref name="nFft"/> samples every <paramref name="hop"/> go through the hop-major stage
    /// (given the frame-batch engine, <see cref="StftEngine.Resolve"/>). The stage checks every sample it moves for NaN and ±∞, so callers need only check
    /// the samples no frame reaches (<see cref="FramePipeline.CheckedFrameCount"/>).
    /// </summary>
    public static bool StagesHopMajor(int nFft, int hop) => hop % 8 == 0 && hop <= nFft && Avx.IsSupported;

    /// <summary>Rows of one hop that a frame of <paramref name="nFft"/> samples spans.</summary>
    public static int RowsPerFrame(int nFft, int hop) => (nFft + hop - 1) / hop;

    /// <summary>Transforms frames first … first + count − 1 (count ≤ 16, in increasing order across calls) and hands their bins to <paramref name="sink"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Forward<TSink>(int first, int count, ref TSink sink) where TSink : struct, IBatchBinSink
    {
        if (_hopMajor)
        {
            if (first < _stageFirst || first + count > _stageFirst + _stageCount) Stage(first, Math.Min(StageFrames, _end - first));
            fixed (float* window = _window)
            fixed (int* offsets = _sampleOffsets)
                _fft.ForwardHopMajor(_columns!.Pointer + (first - _stageFirst), offsets, window, _workspace.Pointer, ref sink);
            // The transform reads the stage and workspace through raw pointers only: keep their pinned buffers alive.
            GC.KeepAlive(this);
            return;
        }
        // _zeros is pinned, as are the edge buffers and the caller's signal that interior frames point into.
        float* zeros = (float*)Unsafe.AsPointer(ref _zeros[0]);
        for (int j = 0; j < FrameBatchFft.Lanes; j++)
        {
            if (j >= count)
            {
                _frames[j] = (nint)zeros;
                continue;
            }
            var frame = _reader.Frame(first + j, _edges[j]);
            _frames[j] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(frame));
        }
        fixed (nint* frames = _frames)
        fixed (float* window = _window)
            _fft.Forward((float**)frames, window, _workspace.Pointer, ref sink);
        GC.KeepAlive(this);
    }

    /// <summary>All bits set in the lanes of <paramref name="v"/> that are NaN, ±∞ or beyond ±<paramref name="limit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Invalid(Vector256<float> v, Vector256<float> limit) =>
        Avx.CompareNotLessThanOrEqual(Vector256.Abs(v), limit);

    /// <summary>Transposes the rows that frames first … first + count − 1 cover into the hop-major stage.</summary>
    private void Stage(int first, int count)
    {
        int rows = count + _rowsPerFrame - 1, hop = _hop, stride = _rowStride;
        float* columns = _columns!.Pointer;
        float* zeros = (float*)Unsafe.AsPointer(ref _zeros[0]);
        var row = stackalloc float*[16];
        // Every sample passes through here once, so the input check rides along: |x| ≤ MaxAbsSample as an unordered
        // "not less or equal" compare is true for NaN, ±∞ and huge values alike; the OR of all lanes stays 0 otherwise.
        var invalid = Vector256<float>.Zero;
        var limit = Vector256.Create(InputGuard.MaxAbsSample);
        // Sixteen rows at a time, so each column receives one whole 64-byte line (two 8 × 8 transposes) per pass.
        for (int r0 = 0; r0 < rows; r0 += 16)
        {
            for (int j = 0; j < 16; j++)
            {
                if (r0 + j >= rows)
                {
                    row[j] = zeros;
                    continue;
                }
                var samples = _rows.Frame(first + r0 + j, _edges[j]);
                row[j] = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(samples));
            }
            for (int c = 0; c < hop; c += 8)
                for (int half = 0; half < 16; half += 8)
                {
                    float** source = row + half;
                    var v0 = Avx.LoadVector256(source[0] + c); var v1 = Avx.LoadVector256(source[1] + c);
                    var v2 = Avx.LoadVector256(source[2] + c); var v3 = Avx.LoadVector256(source[3] + c);
                    var v4 = Avx.LoadVector256(source[4] + c); var v5 = Avx.LoadVector256(source[5] + c);
                    var v6 = Avx.LoadVector256(source[6] + c); var v7 = Avx.LoadVector256(source[7] + c);
                    invalid = Avx.Or(invalid, Avx.Or(Avx.Or(Avx.Or(Invalid(v0, limit), Invalid(v1, limit)), Avx.Or(Invalid(v2, limit), Invalid(v3, limit))),
                        Avx.Or(Avx.Or(Invalid(v4, limit), Invalid(v5, limit)), Avx.Or(Invalid(v6, limit), Invalid(v7, limit)))));
                    SimdTranspose.Transpose8x8(v0, v1, v2, v3, v4, v5, v6, v7, columns + (long)c * stride + r0 + half, stride);
                }
        }
        // The full scan names the first bad sample, as the up-front check would have.
        if (!Vector256.EqualsAll(invalid.AsInt32(), Vector256<int>.Zero)) InputGuard.Audio(_reader.Signal);
        _stageFirst = first;
        _stageCount = count;
    }
}
