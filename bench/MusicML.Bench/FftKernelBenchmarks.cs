using BenchmarkDotNet.Attributes;
using MusicML.Dsp;

namespace MusicML.Bench;

/// <summary>
/// The 2048-point real transform at the heart of every default STFT: 16 windowed frames through the AVX-512
/// frame-batch engine (one frame per lane) against the same 16 frames one at a time through FFTW's r2c plan.
/// Per-frame cost = mean / 16.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public unsafe class FftKernelBenchmarks
{
    private const int Length = 2048;
    private FrameBatchFft? _batch;
    private RealFft? _fftw;
    private float[] _window = [];
    private AlignedBuffer _signal = null!, _workspace = null!, _frame = null!, _spectrum = null!, _power = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _signal = new AlignedBuffer(Length * FrameBatchFft.Lanes);
        for (int i = 0; i < _signal.Length; i++) _signal.Span[i] = (float)(random.NextDouble() * 2 - 1);
        _window = Windows.GetPadded(WindowType.Hann, Length, Length);
        if (FrameBatchFft.IsSupported(Length))
        {
            _batch = FrameBatchFft.Create(Length);
            _workspace = new AlignedBuffer(_batch.WorkspaceLength);
        }
        _fftw = RealFft.Create(Length);
        _frame = new AlignedBuffer(Length);
        _spectrum = new AlignedBuffer(Length + 16);
        _power = new AlignedBuffer((Length / 2 + 1) * FrameBatchFft.Lanes);
    }

    [Benchmark(Baseline = true)]
    public void PerFrameFftw16()
    {
        for (int j = 0; j < FrameBatchFft.Lanes; j++)
        {
            FramePipeline.ApplyWindow(_signal.Span.Slice(j * Length, Length), _window, _frame.Pointer);
            _fftw!.Forward(_frame.Span, _spectrum.Span);
        }
    }

    [Benchmark]
    public void FrameBatch16()
    {
        if (_batch is null) return;
        var frames = stackalloc float*[FrameBatchFft.Lanes];
        for (int j = 0; j < FrameBatchFft.Lanes; j++) frames[j] = _signal.Pointer + j * Length;
        var sink = new PowerSink(_power.Pointer, FrameBatchFft.Lanes);
        fixed (float* window = _window)
            _batch.Forward(frames, window, _workspace.Pointer, ref sink);
    }
}
