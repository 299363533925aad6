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
    private AlignedBuffer _signal = null!, _window = null!, _workspace = null!, _frame = null!, _spectrum = null!, _power = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _signal = new AlignedBuffer(Length * FrameBatchFft.Lanes);
        for (int i = 0; i < _signal.Length; i++) _signal.Span[i] = (float)(random.NextDouble() * 2 - 1);
        _window = new AlignedBuffer(Length);
        Windows.GetPadded(WindowType.Hann, Length, Length).CopyTo(_window.Span);
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
            FramePipeline.ApplyWindow(_signal.Span.Slice(j * Length, Length), WindowArray, _frame.Pointer);
            _fftw!.Forward(_frame.Span, _spectrum.Span);
        }
    }

    private float[] WindowArray => _windowArray ??= _window.Span.ToArray();
    private float[]? _windowArray;

    [Benchmark]
    public void FrameBatch16()
    {
        if (_batch is null) return;
        var frames = stackalloc float*[FrameBatchFft.Lanes];
        for (int j = 0; j < FrameBatchFft.Lanes; j++) frames[j] = _signal.Pointer + j * Length;
        var sink = new PowerSink(_power.Pointer, FrameBatchFft.Lanes);
        _batch.Forward(frames, _window.Pointer, _workspace.Pointer, ref sink);
    }

    /// <summary>CPU microseconds per 2048-point frame for both engines, for quick checks without BenchmarkDotNet.</summary>
    public static void Report()
    {
        var b = new FftKernelBenchmarks();
        b.Setup();
        foreach (var (name, action) in new (string, Action)[] { ("FFTW per frame", b.PerFrameFftw16), ("frame batch", b.FrameBatch16) })
        {
            for (int i = 0; i < 2000; i++) action();
            double best = double.MaxValue;
            for (int round = 0; round < 5; round++)
            {
                var before = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                for (int i = 0; i < 5000; i++) action();
                var spent = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - before;
                best = Math.Min(best, spent.TotalMicroseconds / 5000 / FrameBatchFft.Lanes);
            }
            Console.WriteLine($"{name,-16} {best:F3} us per frame");
        }
    }
}
