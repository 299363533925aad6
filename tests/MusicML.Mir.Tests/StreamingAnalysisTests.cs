using MusicML.Audio;
using MusicML.Mir.Analysis;
using MusicML.Mir.Chords;
using MusicML.Mir.Onsets;
using MusicML.TestSupport;
using Xunit.Abstractions;

namespace MusicML.Mir.Tests;

/// <summary>
/// <see cref="Analyzer.Analyze(string)"/> streams files longer than one block. Cut into small blocks (5.1 s at
/// 22050 Hz, the smallest grid step) the analysis must give the whole-file results: the rhythm front end and the
/// tuning STFT are cut at frame-exact positions, so tempo, beats, downbeats, onsets and tuning are identical; the CQT
/// chroma's decimation filters start afresh in each block's 5 s context, so chords may differ only in a sliver of
/// time at a cut (≥ 99 % of the time labelled alike), and the key and the segment count are the same.
/// </summary>
public class StreamingAnalysisTests(ITestOutputHelper output)
{
    private static readonly string Temp = Directory.CreateTempSubdirectory("musicml-streaming-").FullName;

    /// <summary>Every audio-samples clip end to end (about 48 s of band, chords, drums and melody): many cuts, in music.</summary>
    private static readonly Lazy<string> Medley = new(() =>
    {
        var clips = Directory.GetFiles(SharedData.RepoPath("audio-samples"), "*.wav").Order().Select(p => AudioFile.Load(p).Channel(0).ToArray()).ToArray();
        var path = Path.Combine(Temp, "medley.wav");
        WavWriter.Write(path, new AudioBuffer([[.. clips.SelectMany(c => c)]], 22050), WavSampleFormat.Float32);
        return path;
    });

    public static TheoryData<string, bool> Inputs => new()
    {
        { "band_A_minor_100bpm.wav", true }, { "chords_C_major_150bpm.wav", true }, { "medley", true },
        { "band_A_minor_100bpm.wav", false }, { "medley", false },
    };

    /// <summary>
    /// Cut into 1 s blocks, every task equals the whole-file analysis, on the learned rhythm path (the beat network sees
    /// the block's context, which is widened to its receptive field) and on the DSP one.
    /// </summary>
    [Theory]
    [MemberData(nameof(Inputs))]
    public void BlockwiseEqualsWholeFile(string name, bool learned)
    {
        var path = name == "medley" ? Medley.Value : SharedData.RepoPath("audio-samples", name);
        var rhythm = learned ? new RhythmAnalyzer() : new RhythmAnalyzer { Network = null };
        Assert.Equal(learned, rhythm.Network is not null);
        var whole = new Analyzer { Rhythm = rhythm }.Analyze(path);
        var progress = new List<double>();
        var streamed = new Analyzer { Rhythm = rhythm, StreamingBlockSeconds = 1, Progress = new Collect(progress) }.Analyze(path);
        Assert.True(progress.Count >= 2, "a streamed analysis reports progress once per block");
        Assert.Equal(1.0, progress[^1], 6);

        Assert.Equal(whole.Duration, streamed.Duration, 9);
        Assert.Equal(whole.Tempo, streamed.Tempo);
        Assert.Equal(whole.Beats, streamed.Beats);
        Assert.Equal(whole.Downbeats, streamed.Downbeats);
        Assert.Equal(whole.BeatsPerBar, streamed.BeatsPerBar);
        Assert.Equal(whole.Onsets, streamed.Onsets);
        Assert.Equal(whole.TuningCents, streamed.TuningCents);
        Assert.Equal(whole.Key?.Label, streamed.Key?.Label);
        double agreement = Agreement(whole.Chords, streamed.Chords, whole.Duration);
        output.WriteLine($"{name}: {whole.Beats.Count} beats, key {whole.Key?.Label}, chords agree {agreement:P3}, segments {whole.Segments.Count}/{streamed.Segments.Count}");
        Assert.True(agreement >= 0.99, $"chords agree on {agreement:P2} of the time");
        Assert.Equal(whole.Segments.Count, streamed.Segments.Count);
    }

    /// <summary>
    /// `musicml onsets` runs through the streamed analysis: for every activation, with and without backtracking, the
    /// onsets of 1 s blocks equal OnsetDetector.Detect on the whole decoded medley (the rhythm front end is cut at
    /// frame-exact positions, and the backtracking energy travels with the features).
    /// </summary>
    [Theory]
    [InlineData(OnsetMethod.SuperFlux, false)]
    [InlineData(OnsetMethod.SuperFlux, true)]
    [InlineData(OnsetMethod.SpectralFlux, true)]
    [InlineData(OnsetMethod.ComplexDomain, false)]
    public void StreamedOnsetsEqualTheWholeFileDetector(OnsetMethod method, bool backtrack)
    {
        var y = AudioFile.Load(Medley.Value).Channel(0).ToArray();
        var whole = OnsetDetector.Detect(y, 22050, method, backtrack: backtrack);
        var streamed = new Analyzer
        {
            Tasks = AnalysisTasks.Onsets,
            Rhythm = new RhythmAnalyzer { ActivationMethod = method },
            OnsetBacktrack = backtrack,
            StreamingBlockSeconds = 1,
        }.Analyze(Medley.Value);
        Assert.True(whole.Length > 50, $"{whole.Length} onsets");
        Assert.Equal(whole, streamed.Onsets);
    }

    private static double Agreement(IReadOnlyList<ChordSegment> a, IReadOnlyList<ChordSegment> b, double duration)
    {
        double same = 0;
        foreach (var x in a)
            foreach (var y in b)
            {
                double overlap = Math.Min(x.End, y.End) - Math.Max(x.Start, y.Start);
                if (overlap > 0 && x.Label == y.Label) same += overlap;
            }
        return same / duration;
    }

    private sealed class Collect(List<double> values) : IProgress<double>
    {
        public void Report(double value) => values.Add(value);
    }
}
