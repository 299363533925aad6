using BenchmarkDotNet.Attributes;
using MusicML.Evaluation;
using MusicML.Evaluation.Annotations;

namespace MusicML.Bench;

/// <summary>
/// mir_eval-exact scoring on one hour of annotation, where mir_eval's chord segmentation and beat code are quadratic
/// in places: 7200 beats at 120 BPM, 1800 two-second chords, 90 structural segments (36 000 frames at 0.1 s).
/// The estimates are jittered copies (fixed seed) so that every metric does real work.
/// </summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private const double Hour = 3600;
    private double[] _referenceBeats = [];
    private double[] _estimatedBeats = [];
    private LabeledIntervals _referenceChords = null!;
    private LabeledIntervals _estimatedChords = null!;
    private LabeledIntervals _referenceSegments = null!;
    private LabeledIntervals _estimatedSegments = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20261121);
        _referenceBeats = Enumerable.Range(0, 7200).Select(i => 0.5 * i + 0.25).ToArray();
        _estimatedBeats = _referenceBeats.Select(b => b + 0.03 * (random.NextDouble() - 0.5)).Where((_, i) => i % 50 != 7).ToArray();
        string[] roots = ["C", "D", "E", "F", "G", "A", "B", "Bb", "Eb"];
        string[] qualities = ["maj", "min", "7", "min7", "maj7", "dim", "sus4"];
        _referenceChords = Segments(1800, i => $"{roots[i * 7 % roots.Length]}:{qualities[i * 3 % qualities.Length]}", 0.0, random);
        _estimatedChords = Segments(1800, i => i % 5 == 0 ? "N" : $"{roots[i * 7 % roots.Length]}:{qualities[i * 5 % qualities.Length]}", 0.2, random);
        _referenceSegments = Segments(90, i => "ABCDEFG"[i % 7].ToString(), 0.0, random);
        _estimatedSegments = Segments(90, i => "abcde"[i * 3 % 5].ToString(), 1.0, random);
    }

    private static LabeledIntervals Segments(int count, Func<int, string> label, double jitter, Random random)
    {
        var bounds = Enumerable.Range(0, count + 1).Select(i => Hour * i / count).ToArray();
        for (int i = 1; i < count; i++) bounds[i] += jitter * (random.NextDouble() - 0.5);
        return new LabeledIntervals(
            Enumerable.Range(0, count).Select(i => new TimeInterval(bounds[i], bounds[i + 1])).ToArray(),
            Enumerable.Range(0, count).Select(label).ToArray());
    }

    /// <summary>All ten mir_eval beat scores on 7200 beats.</summary>
    [Benchmark]
    public Scores Beats() => BeatEvaluation.Evaluate(_referenceBeats, _estimatedBeats);

    /// <summary>The twelve chord vocabularies and the three segmentation scores on 1800 chords.</summary>
    [Benchmark]
    public Scores Chords() => ChordEvaluation.Evaluate(_referenceChords, _estimatedChords);

    /// <summary>All 22 mir_eval segment scores on one hour (36 000 frames).</summary>
    [Benchmark]
    public Scores Segments() => SegmentEvaluation.Evaluate(_referenceSegments, _estimatedSegments);
}
