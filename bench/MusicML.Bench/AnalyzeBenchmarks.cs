using BenchmarkDotNet.Attributes;
using MusicML.Audio;
using MusicML.Mir.Analysis;

namespace MusicML.Bench;

/// <summary>
/// The main job's speed: <see cref="Analyzer"/> with every task on 10 minutes of music, single-threaded (the DSP
/// default). The target is at least 50× real time on one core, i.e. under 12 s for the 600 s here; madmom
/// needs about 1× real time for onsets, beats, tempo, key and chords on this machine class. The audio is the first
/// four clips of ../shared/eval/synth (drums, bass, pads, leads) tiled to 600 s, so every task has real work.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class AnalyzeBenchmarks
{
    private const int SampleRate = 22050;
    private const int Seconds = 600;
    private float[] _audio = [];
    private string _wav = "";

    [GlobalSetup]
    public void Setup()
    {
        var synth = Path.Combine(SharedRoot(), "eval", "synth");
        var clips = Enumerable.Range(0, 4).Select(i => AudioFile.Load(Path.Combine(synth, $"synth_{i:D3}.wav"), SampleRate).Channel(0)).ToArray();
        _audio = new float[Seconds * SampleRate];
        for (int filled = 0, c = 0; filled < _audio.Length; c = (c + 1) % clips.Length)
        {
            int n = Math.Min(clips[c].Length, _audio.Length - filled);
            clips[c].AsSpan(0, n).CopyTo(_audio.AsSpan(filled));
            filled += n;
        }
        _wav = Path.Combine(Path.GetTempPath(), "musicml-bench-analyze-600s.wav");
        WavWriter.Write(_wav, new AudioBuffer(_audio, SampleRate));
    }

    /// <summary>Every task on decoded audio: 600 s of input, so real-time factor = 600 s / the mean.</summary>
    [Benchmark(Baseline = true)]
    public AnalysisResult AllTasks() => new Analyzer().Analyze(_audio, SampleRate);

    /// <summary>What <c>musicml analyze</c> does per file: decode the 16-bit WAV, then every task.</summary>
    [Benchmark]
    public AnalysisResult AllTasksFromFile() => new Analyzer().Analyze(_wav);

    /// <summary>The rhythm half: onsets, tempo, beats, downbeats and meter on one rhythm spectrogram.</summary>
    /// <summary>Every task on the DSP rhythm path (no beat network): what the learned activation costs on top.</summary>
    [Benchmark]
    public AnalysisResult AllTasksDspRhythm() => new Analyzer { Rhythm = new Mir.RhythmAnalyzer { Network = null } }.Analyze(_audio, SampleRate);

    [Benchmark]
    public AnalysisResult RhythmTasks() => new Analyzer { Tasks = AnalysisTasks.Onsets | AnalysisTasks.Downbeats }.Analyze(_audio, SampleRate);

    /// <summary>The tonal half: tuning, key and chords.</summary>
    [Benchmark]
    public AnalysisResult TonalTasks() => new Analyzer { Tasks = AnalysisTasks.Tuning | AnalysisTasks.Key | AnalysisTasks.Chords }.Analyze(_audio, SampleRate);

    private static string SharedRoot()
    {
        var overridden = Environment.GetEnvironmentVariable("MUSICML_SHARED");
        if (!string.IsNullOrWhiteSpace(overridden)) return overridden;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MusicML.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
        throw new DirectoryNotFoundException("The repository (MusicML.sln) was not found above the benchmark; set MUSICML_SHARED to the evaluation data.");
    }
}
