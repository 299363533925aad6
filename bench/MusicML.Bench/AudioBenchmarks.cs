using BenchmarkDotNet.Attributes;
using MusicML.Audio;

namespace MusicML.Bench;

/// <summary>
/// Decoding and resampling speed on one minute of audio. The target for 16-bit WAV decoding is at least 500× real
/// time, i.e. under 120 ms for the 60 s clips here.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class AudioBenchmarks
{
    private const int Seconds = 60;
    private string _mono22k = "";
    private string _stereo44k = "";
    private float[] _signal44k = [];
    private readonly float[] _block = new float[65536];

    [GlobalSetup]
    public void Setup()
    {
        var directory = Path.Combine(Path.GetTempPath(), "musicml-bench-audio");
        Directory.CreateDirectory(directory);
        _mono22k = Path.Combine(directory, "mono22050.wav");
        _stereo44k = Path.Combine(directory, "stereo44100.wav");
        var mono = Tone(22050);
        WavWriter.Write(_mono22k, new AudioBuffer(mono, 22050));
        _signal44k = Tone(44100);
        WavWriter.Write(_stereo44k, new AudioBuffer([_signal44k, _signal44k], 44100));
    }

    /// <summary>The 500× target: 60 s of 22050 Hz 16-bit mono WAV to float, native rate.</summary>
    [Benchmark(Baseline = true)]
    public AudioBuffer LoadWav16Mono22050() => AudioFile.Load(_mono22k, sampleRate: null);

    /// <summary>60 s of CD-format WAV (44.1 kHz stereo 16-bit) mixed to mono.</summary>
    [Benchmark]
    public AudioBuffer LoadWav16Stereo44100ToMono() => AudioFile.Load(_stereo44k, sampleRate: null);

    /// <summary>librosa.load's default path for a CD-format file: mono, resampled to 22050 Hz with soxr_hq.</summary>
    [Benchmark]
    public AudioBuffer LoadWav16Stereo44100To22050() => AudioFile.Load(_stereo44k);

    /// <summary>The same file through the block reader (64k-sample blocks, mono).</summary>
    [Benchmark]
    public long StreamWav16Stereo44100ToMono()
    {
        using var reader = new AudioStreamReader(_stereo44k);
        long frames = 0;
        int got;
        while ((got = reader.Read(_block)) > 0) frames += got;
        return frames;
    }

    /// <summary>The managed fallback resampler, 44.1 kHz → 22.05 kHz on 60 s mono.</summary>
    [Benchmark]
    public float[] ResampleManaged44100To22050() =>
        Resampler.Resample(_signal44k, 44100, 22050, engine: ResamplerEngine.Managed);

    /// <summary>libsoxr (soxr_hq), 44.1 kHz → 22.05 kHz on 60 s mono.</summary>
    [Benchmark]
    public float[] ResampleSoxr44100To22050() =>
        Resampler.Resample(_signal44k, 44100, 22050, engine: ResamplerEngine.Soxr);

    private static float[] Tone(int rate)
    {
        var x = new float[Seconds * rate];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / rate) + 0.2 * Math.Sin(2 * Math.PI * 3150 * i / rate));
        return x;
    }
}
