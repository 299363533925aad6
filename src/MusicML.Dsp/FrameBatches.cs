using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MusicML.Dsp;

/// <summary>
/// One thread's state for running a framed signal through <see cref="FrameBatchFft"/>: the frame pointers of the
/// current batch, scratch for frames that overlap the padding, and the transform's workspace, all allocated once.
/// </summary>
internal sealed unsafe class FrameBatches
{
    private readonly FrameReader _reader;
    private readonly float[] _window;
    private readonly FrameBatchFft _fft;
    private readonly AlignedBuffer _workspace;
    private readonly float[][] _edges;
    private readonly float[] _zeros;
    private readonly nint[] _frames = new nint[FrameBatchFft.Lanes];

    public FrameBatches(FrameReader reader, float[] window)
    {
        _reader = reader;
        _window = window;
        _fft = FrameBatchFft.Create(window.Length);
        _workspace = new AlignedBuffer(_fft.WorkspaceLength);
        _edges = new float[FrameBatchFft.Lanes][];
        for (int j = 0; j < _edges.Length; j++) _edges[j] = GC.AllocateArray<float>(window.Length, pinned: true);
        _zeros = GC.AllocateArray<float>(window.Length, pinned: true);
    }

    /// <summary>
    /// Whether the batched engine computes STFTs of length <paramref name="nFft"/> under <paramref name="options"/>:
    /// only when the caller left the engine to us (<see cref="FftBackend.Auto"/>) and the machine has AVX-512.
    /// An explicit <see cref="FftBackend.Fftw"/> or <see cref="FftBackend.Managed"/> keeps the per-frame engines.
    /// </summary>
    public static bool Use(int nFft, DspOptions options) =>
        options.Backend == FftBackend.Auto && !DisabledByEnvironment && FrameBatchFft.IsSupported(nFft);

    // MUSICML_DISABLE_NATIVE=fftw already forces the managed per-frame engine; "batchfft" does the same for this one,
    // so the per-frame paths can be exercised (and compared) on an AVX-512 machine.
    private static readonly bool DisabledByEnvironment = MusicML.Core.NativeDependency.IsDisabledByEnvironment("batchfft");

    /// <summary>Transforms frames first … first + count − 1 (count ≤ 16) and hands their bins to <paramref name="sink"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Forward<TSink>(int first, int count, ref TSink sink) where TSink : struct, IBatchBinSink
    {
        fixed (float* zeros = _zeros)
        {
            for (int j = 0; j < FrameBatchFft.Lanes; j++)
            {
                if (j >= count)
                {
                    _frames[j] = (nint)zeros;
                    continue;
                }
                var frame = _reader.Frame(first + j, _edges[j]);
                // Interior frames are slices of the caller's pinned signal, edge frames live in pinned scratch.
                _frames[j] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(frame));
            }
        }
        fixed (nint* frames = _frames)
        fixed (float* window = _window)
            _fft.Forward((float**)frames, window, _workspace.Pointer, ref sink);
    }
}
