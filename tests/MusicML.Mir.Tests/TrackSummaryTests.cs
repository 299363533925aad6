using MusicML.Audio;
using MusicML.Core;
using MusicML.Dsp;
using MusicML.Mir.Analysis;
using MusicML.TestSupport;

namespace MusicML.Mir.Tests;

/// <summary>
/// <see cref="TrackSummarizer"/>: the vector's names and order are fixed (a model records them), its frame statistics
/// are those of direct Dsp calls on the whole clip, streaming in blocks of any size gives the whole-file values, and
/// hostile signals (silence, 5 ms, DC) give finite values with the gate's <c>has_estimate</c> = 0.
/// </summary>
public sealed class TrackSummaryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-summary-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Sample(string name) => SharedData.RepoPath("audio-samples", name);

    /// <summary>The first <paramref name="seconds"/> of a sample clip as a float WAV (exact samples), and those samples.</summary>
    private (string Path, float[] Samples) Clip(string name, double seconds)
    {
        var y = AudioFile.Load(Sample(name), TrackSummarizer.SampleRate).ToMono();
        var cut = y[..Math.Min(y.Length, (int)(seconds * TrackSummarizer.SampleRate))];
        var path = Path.Combine(_folder, Path.GetFileNameWithoutExtension(name) + ".cut.wav");
        WavWriter.Write(path, new AudioBuffer(cut, TrackSummarizer.SampleRate), WavSampleFormat.Float32);
        return (path, cut);
    }

    [Fact]
    public void TheVectorHasItsDocumentedNamesInAFixedOrder()
    {
        var names = TrackSummarizer.Names;
        Assert.Equal(98, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal("mfcc_mean_0", names[0]);
        Assert.Equal("mfcc_mean_19", names[19]);
        Assert.Equal("mfcc_std_0", names[20]);
        Assert.Equal("chroma_mean_0", names[40]);
        Assert.Equal("chroma_std_11", names[63]);
        Assert.Equal("contrast_mean_0", names[64]);
        Assert.Equal("contrast_std_6", names[77]);
        Assert.Equal(["spectral_centroid_mean", "spectral_centroid_std", "spectral_bandwidth_mean", "spectral_bandwidth_std",
            "spectral_rolloff_mean", "spectral_rolloff_std", "spectral_flatness_mean", "spectral_flatness_std",
            "zcr_mean", "zcr_std", "rms_mean", "rms_std",
            "onset_rate", "tempo", "tempo_strength", "key_strength", "major_minor", "key_confidence", "tuning_cents", "has_estimate"], names.Skip(78));
        Assert.All(TrackSummarizer.Entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Unit), e.Name));
        Assert.Equal("musicml.summary/1", TrackSummarizer.FeatureSet);
    }

    [Fact]
    public void FrameStatisticsAreThoseOfDirectDspCallsOnTheWholeClip()
    {
        var (path, y) = Clip("band_A_minor_100bpm.wav", 6);
        var summary = new TrackSummarizer().Summarize(path);
        const int sr = TrackSummarizer.SampleRate;
        var magnitude = Spectral.Spectrogram(y, 2048, 512);
        var power = Spectral.Spectrogram(y, 2048, 512, power: 2.0);
        var mel = Features.MelSpectrogram(power, sr);
        var logMel = Spectral.PowerToDb(mel, 1.0, topDb: null);
        double tuning = summary["tuning_cents"] / 100;
        var expected = new (string Prefix, FloatMatrix Values)[]
        {
            ("mfcc", Features.Mfcc(logMel, 20)),
            ("chroma", Features.ChromaStft(power, sr, tuning)),
            ("contrast", Features.SpectralContrast(magnitude, sr, topDb: null)),
            ("spectral_centroid", Features.SpectralCentroid(magnitude, sr)),
            ("spectral_bandwidth", Features.SpectralBandwidth(magnitude, sr)),
            ("spectral_rolloff", Features.SpectralRolloff(magnitude, sr)),
            ("spectral_flatness", Features.SpectralFlatness(magnitude)),
            ("zcr", Features.ZeroCrossingRate(y)),
            ("rms", Features.Rms(y)),
        };
        foreach (var (prefix, values) in expected)
            for (int r = 0; r < values.Rows; r++)
            {
                var row = values.Row(r).ToArray().Select(v => (double)v).ToArray();
                double mean = row.Average();
                double std = Math.Sqrt(row.Sum(v => (v - mean) * (v - mean)) / row.Length);
                string suffix = values.Rows == 1 ? "" : $"_{r}";
                Close(mean, summary[$"{prefix}_mean{suffix}"], $"{prefix}_mean{suffix}");
                Close(std, summary[$"{prefix}_std{suffix}"], $"{prefix}_std{suffix}");
            }

        // The track-level entries are the Analyzer's own results.
        var analysis = new Analyzer
        {
            Tasks = AnalysisTasks.Onsets | AnalysisTasks.Tempo | AnalysisTasks.Key | AnalysisTasks.Tuning,
            KeyMethod = Key.KeyMethod.Profile,
        }.Analyze(y, sr);
        Assert.Equal(analysis.Tempo!.Value.Tempo1, summary["tempo"]);
        Assert.Equal(analysis.Onsets.Count / analysis.Duration, summary["onset_rate"], 12);
        Assert.Equal(analysis.Key!.Scores.Max(), summary["key_strength"], 12);
        Assert.True(summary["major_minor"] < 0, "A minor clip should correlate better with a minor profile");
        Assert.Equal(1.0, summary["has_estimate"]);
        Assert.Null(summary.NoEstimate);
    }

    private static void Close(double expected, double actual, string name) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Max(1e-3, Math.Abs(expected)),
            $"{name}: expected {expected}, got {actual}");

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(333)]
    public void StreamingInBlocksGivesTheWholeFileValues(int blockFrames)
    {
        var (path, y) = Clip("chords_C_major_150bpm.wav", 5);
        var whole = new TrackSummarizer().Summarize(y, TrackSummarizer.SampleRate);
        var streamed = new TrackSummarizer { BlockFrames = blockFrames }.Summarize(path);
        for (int i = 0; i < whole.Values.Count; i++)
            Assert.True(Math.Abs(whole.Values[i] - streamed.Values[i]) <= 1e-9 * Math.Max(1, Math.Abs(whole.Values[i])),
                $"{TrackSummarizer.Names[i]}: whole {whole.Values[i]}, blocks of {blockFrames} frames {streamed.Values[i]}");
    }

    public static TheoryData<string> HostileSignals => ["silence", "5 ms", "DC", "full-scale square", "one sample"];

    [Theory]
    [MemberData(nameof(HostileSignals))]
    public void HostileSignalsGiveFiniteValuesAndNoEstimate(string signal)
    {
        const int sr = TrackSummarizer.SampleRate;
        float[] y = signal switch
        {
            "silence" => new float[3 * sr],
            "5 ms" => [.. Enumerable.Range(0, sr / 200).Select(i => (float)Math.Sin(i * 0.3))],
            "DC" => [.. Enumerable.Repeat(0.5f, 2 * sr)],
            "full-scale square" => [.. Enumerable.Range(0, sr / 2).Select(i => i / 50 % 2 == 0 ? 1f : -1f)],
            _ => [0.25f],
        };
        var path = Path.Combine(_folder, "hostile.wav");
        WavWriter.Write(path, new AudioBuffer(y, sr), WavSampleFormat.Float32);
        foreach (var summary in new[] { new TrackSummarizer().Summarize(y, sr), new TrackSummarizer { BlockFrames = 3 }.Summarize(path) })
        {
            Assert.Equal(TrackSummarizer.Names.Count, summary.Values.Count);
            Assert.All(summary.Values, v => Assert.True(double.IsFinite(v)));
            if (signal != "DC")
            {
                Assert.Equal(0.0, summary["has_estimate"]);
                Assert.Equal(0.0, summary["tempo"]);
                Assert.Equal(0.0, summary["key_strength"]);
                Assert.NotNull(summary.NoEstimate);
            }
        }
    }

    [Fact]
    public void AudioAtAnotherRateOrEmptyIsRefusedNamingTheProblem()
    {
        var e = Assert.Throws<MusicMLException>(() => new TrackSummarizer().Summarize(new float[44100], 44100));
        Assert.Contains("22050 Hz", e.Message);
        var path = Path.Combine(_folder, "empty.wav");
        WavWriter.Write(path, new AudioBuffer(Array.Empty<float>(), 22050));
        var empty = Assert.ThrowsAny<MusicMLException>(() => new TrackSummarizer().Summarize(path));
        Assert.Contains(path, empty.Message);
        Assert.Throws<MusicMLException>(() => new TrackSummarizer { BlockFrames = 0 }.Summarize(path));
    }
}
