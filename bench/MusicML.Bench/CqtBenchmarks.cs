using BenchmarkDotNet.Attributes;
using MusicML.Dsp;

namespace MusicML.Bench;

/// <summary>
/// Constant-Q family on 10 minutes of 22050 Hz audio with librosa's defaults. The target is ≤ 11 ms per
/// 60 s single-threaded for the CQT (librosa 0.10.1: 33 ms per 60 s), so divide the CQT figures by 10.
/// </summary>
[MemoryDiagnoser]
public class CqtBenchmarks
{
    private const int SampleRate = 22050;
    private float[] _signal = [];

    /// <summary>A deterministic mixture of harmonic tones, a glide and noise, so every octave has content.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _signal = new float[SampleRate * 600];
        var random = new Random(20261121);
        for (int i = 0; i < _signal.Length; i++)
        {
            double t = (double)i / SampleRate;
            double note = 110.0 * Math.Pow(2, (int)(t * 2) % 24 / 12.0);
            double tone = 0;
            for (int h = 1; h <= 6; h++) tone += Math.Sin(2 * Math.PI * note * h * t) / h;
            double glide = Math.Sin(2 * Math.PI * (40 + 30 * t % 2000) * t);
            _signal[i] = (float)(0.2 * tone + 0.1 * glide + 0.02 * (random.NextDouble() - 0.5));
        }
        // Build and cache the filter bases outside the measurement, as every call after the first finds them cached.
        Spectral.Cqt(_signal.AsSpan(0, SampleRate));
        Features.ChromaCqt(_signal.AsSpan(0, SampleRate), tuning: 0);
    }

    /// <summary>librosa.cqt(y, sr=22050): 84 bins, 12 per octave, one thread.</summary>
    [Benchmark(Baseline = true)]
    public ComplexMatrix CqtSingleThreaded() => Spectral.Cqt(_signal);

    /// <summary>The same on every core (octave frames split across threads).</summary>
    [Benchmark]
    public ComplexMatrix CqtMultiThreaded() => Spectral.Cqt(_signal, options: DspOptions.Parallel);

    /// <summary>librosa.feature.chroma_cqt with a given tuning: 252-bin CQT at 36 per octave, folded to 12 classes.</summary>
    [Benchmark]
    public FloatMatrix ChromaCqtSingleThreaded() => Features.ChromaCqt(_signal, tuning: 0);
}
