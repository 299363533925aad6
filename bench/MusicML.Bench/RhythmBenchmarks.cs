using BenchmarkDotNet.Attributes;
using MusicML.Mir;
using MusicML.Mir.Beats;
using MusicML.Mir.Onsets;

namespace MusicML.Bench;

/// <summary>
/// The rhythm chain on 30 s of a synthetic drum-and-chords loop at 22050 Hz, step by step and whole, so each
/// step's share of the real-time budget (≥ 50× real time on one core for the full analysis) is visible.
/// </summary>
[MemoryDiagnoser]
public class RhythmBenchmarks
{
    private const int SampleRate = 22050;
    private float[] _audio = [];
    private RhythmSpectrogram _spectrogram = null!;
    private OnsetEnvelope _activation = null!;

    [GlobalSetup]
    public void Setup()
    {
        _audio = new float[30 * SampleRate];
        var random = new Random(3);
        for (double t = 0.5; t < 29.5; t += 0.5)
        {
            int start = (int)(t * SampleRate);
            for (int i = 0; i < 2000; i++) _audio[start + i] += (float)(0.3 * Math.Exp(-i / 200.0) * (2 * random.NextDouble() - 1));
            for (int i = 0; i < 8000; i++) _audio[start + i] += (float)(0.2 * Math.Exp(-i / 3000.0) * Math.Sin(2 * Math.PI * 220 * i / SampleRate));
        }
        _spectrogram = RhythmSpectrogram.Compute(_audio, SampleRate);
        _activation = OnsetActivation.Compute(_spectrogram);
    }

    /// <summary>STFT, magnitude and log-filtered spectrogram.</summary>
    [Benchmark]
    public RhythmSpectrogram Spectrogram() => RhythmSpectrogram.Compute(_audio, SampleRate);

    /// <summary>SuperFlux activation and peak picking on the precomputed spectrogram.</summary>
    [Benchmark]
    public double[] Onsets() => OnsetDetector.Detect(_spectrogram);

    /// <summary>Bar-pointer HMM over the full 55–215 BPM range (the widest state space).</summary>
    [Benchmark]
    public double[] BarPointerBeatsFullRange() => new BarPointerBeatTracker().Track(_activation);

    /// <summary>Tempo, beats, downbeats and meter on the precomputed spectrogram.</summary>
    [Benchmark]
    public RhythmAnalysis Rhythm() => new RhythmAnalyzer().Analyze(_spectrogram);

    /// <summary>Everything from samples: spectrogram, onsets and the rhythm analysis, as the CLI runs it.</summary>
    [Benchmark(Baseline = true)]
    public int FromAudio()
    {
        var spectrogram = RhythmSpectrogram.Compute(_audio, SampleRate);
        return OnsetDetector.Detect(spectrogram).Length + new RhythmAnalyzer().Analyze(spectrogram).Beats.Length;
    }
}
