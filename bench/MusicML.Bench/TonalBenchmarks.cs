using BenchmarkDotNet.Attributes;
using MusicML.Mir.Chords;
using MusicML.Mir.Chroma;
using MusicML.Mir.Key;
using MusicML.Mir.Pitch;
using MusicML.Mir.Segmentation;

namespace MusicML.Bench;

/// <summary>
/// The tonal processors on 30 s of a four-chord loop (22050 Hz). Key and chords both read the tuning-corrected
/// constant-Q chroma (<see cref="CqtChroma"/>: a 4096-point STFT for the tuning, then a 36-bin-per-octave CQT from E1
/// to C7 at hop 1024), so <see cref="Chroma"/> times that front end, <see cref="Tuning"/> its tuning step alone,
/// <see cref="Key"/> the whole key estimate (chroma, context-free chord decode, profile) and
/// <see cref="ChordsFromChroma"/> the chord decoder on a ready chroma. BassTrebleChroma's STFT chroma is now read only
/// by the segmenter, which <see cref="Segments"/> times. Real-time factor = 30 s / mean time; the issue asks for the
/// whole analysis at 50× real time on one core.
/// </summary>
[MemoryDiagnoser]
public class TonalBenchmarks
{
    private const int SampleRate = 22050;
    private float[] _audio = [];
    private ChromaFrames _chroma = null!;

    [GlobalSetup]
    public void Setup()
    {
        _audio = new float[30 * SampleRate];
        int[][] chords = [[48, 60, 64, 67], [45, 57, 60, 64], [41, 57, 60, 65], [43, 59, 62, 67]];
        for (int i = 0; i < _audio.Length; i++)
        {
            var chord = chords[i / SampleRate % 4];
            double sum = 0;
            foreach (var note in chord)
            {
                double f = 440 * Math.Pow(2, (note - 69) / 12.0);
                for (int h = 1; h <= 4; h++) sum += Math.Sin(2 * Math.PI * f * h * i / SampleRate) / h;
            }
            _audio[i] = (float)(0.05 * sum);
        }
        _chroma = CqtChroma.Compute(_audio, SampleRate);
    }

    [Benchmark]
    public ChromaFrames Chroma() => CqtChroma.Compute(_audio, SampleRate);

    [Benchmark]
    public double Tuning() => CqtChroma.EstimateTuning(_audio, SampleRate);

    [Benchmark]
    public KeyEstimate Key() => KeyEstimator.Estimate(_audio, SampleRate);

    [Benchmark]
    public IReadOnlyList<ChordSegment> ChordsFromChroma() => ChordEstimator.Estimate(_chroma, 30.0);

    [Benchmark]
    public PitchTrack Yin() => Mir.Pitch.Yin.Estimate(_audio, SampleRate);

    [Benchmark]
    public PitchTrack PYin() => Mir.Pitch.PYin.Estimate(_audio, SampleRate);

    [Benchmark]
    public IReadOnlyList<StructureSegment> Segments() => FooteSegmenter.Segment(_audio, SampleRate);
}
