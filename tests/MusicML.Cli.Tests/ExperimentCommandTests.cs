using System.Globalization;
using System.Text.Json;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.TestSupport;
using static MusicML.Cli.Tests.CliRun;

namespace MusicML.Cli.Tests;

/// <summary>
/// <c>musicml experiment</c> end to end, in process, over a temporary dataset of synth clips copied from
/// ../shared/eval/synth (audio and annotations side by side, as the dataset itself is laid out; never committed).
/// </summary>
public sealed class ExperimentCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-experiment-").FullName;
    private readonly string _data;
    private readonly string _out;

    public ExperimentCommandTests()
    {
        _data = Path.Combine(_dir, "data");
        _out = Path.Combine(_dir, "out");
        Directory.CreateDirectory(Path.Combine(_data, "sub"));
        // Two clips, one in a sub-folder so the stem keeps its relative path; 4/4 and 3/4 keep the beat test honest.
        Copy("synth_000", _data, ".wav", ".beats", ".key", ".onsets");
        Copy("synth_001", Path.Combine(_data, "sub"), ".wav", ".beats", ".key", ".onsets");
        // Audio with no annotation: must be listed, not silently skipped.
        WavWriter.Write(Path.Combine(_data, "unannotated.wav"), new AudioBuffer(new float[22050], 22050));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Copy(string id, string destination, params string[] extensions)
    {
        foreach (var extension in extensions)
            File.Copy(SharedData.Path("eval", "synth", id + extension), Path.Combine(destination, id + extension));
    }


    private static double Number(string field) => double.Parse(field, CultureInfo.InvariantCulture);

    /// <summary>scores.csv as header + rows of cells.</summary>
    private string[][] ScoresCsv() => File.ReadAllLines(Path.Combine(_out, "scores.csv")).Select(l => l.Split(',')).ToArray();

    private JsonElement Summary() => JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "summary.json"))).RootElement;

    [Fact]
    public void Beats_experiment_writes_estimates_scores_and_summary()
    {
        var (code, output, error) = Run("experiment", "--task", "beats", "--data", _data, "--out", _out);
        Assert.Equal(0, code);

        // Each estimate is exactly what `musicml beats` prints for that file: same algorithm, same format.
        var estimate = File.ReadAllText(Path.Combine(_out, "estimates", "sub", "synth_001.beats"));
        // The barpointer algorithm is the DSP path, which `musicml beats --rhythm dsp` runs.
        Assert.Equal(Run("beats", Path.Combine(_data, "sub", "synth_001.wav"), "--rhythm", "dsp").Out, estimate);
        Assert.True(File.Exists(Path.Combine(_out, "estimates", "synth_000.beats")));

        // Columns named as mir_eval's beat metrics (musicml eval's writer), one row per clip, then the mean.
        var rows = ScoresCsv();
        Assert.Equal(["file", "f_measure", "cemgil", "cemgil_best_metric_level", "goto", "p_score", "cmlc", "cmlt", "amlc", "amlt", "information_gain"], rows[0]);
        Assert.Equal(["sub/synth_001", "synth_000", "mean"], rows.Skip(1).Select(r => r[0]));
        for (int c = 1; c < rows[0].Length; c++)
            Assert.Equal((Number(rows[1][c]) + Number(rows[2][c])) / 2, Number(rows[3][c]), 12);
        // The bar-pointer tracker puts every beat of these two clips within ±70 ms (measured F = 1.000 on both; the
        // mean over all 40 synth clips is 0.968); 0.95 leaves room for a one-beat slip, not for a wrong tempo.
        Assert.True(Number(rows[3][1]) >= 0.95, $"mean beat F {rows[3][1]}");
        // The per-file score is the one `musicml eval` gives the same reference/estimate pair.
        var eval = Run("eval", "--task", "beats", "--ref", Path.Combine(_data, "synth_000.beats"),
            "--est", Path.Combine(_out, "estimates", "synth_000.beats"), "--format", "csv").Out.Split('\n')[1].Split(',');
        Assert.Equal(eval, rows[2]);

        var summary = Summary();
        Assert.Equal("beats", summary.GetProperty("task").GetString());
        Assert.Equal("barpointer", summary.GetProperty("algorithm").GetString());
        Assert.Equal(40, summary.GetProperty("parameters").GetProperty("minBpm").GetDouble());
        Assert.Equal(Path.GetFullPath(_data), summary.GetProperty("dataset").GetString());
        Assert.Equal(2, summary.GetProperty("scored").GetInt32());
        Assert.Equal(Number(rows[3][7]), summary.GetProperty("mean").GetProperty("cmlt").GetDouble(), 12);
        Assert.Empty(summary.GetProperty("failures").EnumerateArray());
        Assert.Equal([Path.Combine(_data, "unannotated.wav")], summary.GetProperty("without_reference").EnumerateArray().Select(e => e.GetString()));
        Assert.True(DateTimeOffset.TryParse(summary.GetProperty("date").GetString(), CultureInfo.InvariantCulture, out _));

        // The table is printed, and the file without a reference is named on stderr.
        Assert.Contains("mean", output);
        Assert.Contains("2 file(s) scored.", output);
        Assert.Contains("unannotated.wav: no beats reference beside it", error);
    }

    [Fact]
    public void Key_experiment_with_a_named_algorithm_prints_the_summary_json()
    {
        // Two files on two workers: results land in the same rows and files as a sequential run.
        var (code, output, _) = Run("experiment", "--task", "key", "--algorithm", "krumhansl", "--data", _data, "--out", _out, "--format", "json", "--jobs", "2");
        Assert.Equal(0, code);
        Assert.Equal(Run("key", "--profile", "krumhansl", Path.Combine(_data, "synth_000.wav")).Out,
            File.ReadAllText(Path.Combine(_out, "estimates", "synth_000.key")));
        Assert.Equal(Run("key", "--profile", "krumhansl", Path.Combine(_data, "sub", "synth_001.wav")).Out,
            File.ReadAllText(Path.Combine(_out, "estimates", "sub", "synth_001.key")));

        // stdout is summary.json itself.
        var printed = JsonDocument.Parse(output).RootElement;
        Assert.Equal("krumhansl", printed.GetProperty("algorithm").GetString());
        Assert.Equal(2, printed.GetProperty("jobs").GetInt32());
        Assert.Equal(File.ReadAllText(Path.Combine(_out, "summary.json")).Trim(), output.Trim());

        var rows = ScoresCsv();
        Assert.Equal(["file", "weighted_score"], rows[0]);
        // MIREX weighted score per clip is one of 1, 0.5, 0.3, 0.2, 0; the mean row is their average.
        double[] perFile = [Number(rows[1][1]), Number(rows[2][1])];
        Assert.All(perFile, s => Assert.Contains(s, new[] { 1.0, 0.5, 0.3, 0.2, 0.0 }));
        Assert.Equal(perFile.Average(), Number(rows[3][1]), 12);
        Assert.Equal(perFile.Average(), printed.GetProperty("mean").GetProperty("weighted_score").GetDouble(), 12);
    }

    [Fact]
    public void Parameters_reach_the_algorithm_and_are_recorded()
    {
        // A peak-picking threshold far above any SuperFlux value leaves no onset at all, so every clip scores F = 0.
        var (code, _, _) = Run("experiment", "--task", "onsets", "--data", _data, "--out", _out, "--param", "threshold=1000", "--param", "backtrack=true");
        Assert.Equal(0, code);
        Assert.Equal("", File.ReadAllText(Path.Combine(_out, "estimates", "synth_000.onsets")));
        Assert.Equal("0", ScoresCsv()[^1][1]);
        var summary = Summary();
        Assert.Equal(1000, summary.GetProperty("parameters").GetProperty("threshold").GetDouble());
        Assert.True(summary.GetProperty("parameters").GetProperty("backtrack").GetBoolean());
        Assert.Equal(["backtrack", "threshold"], summary.GetProperty("parameters_given").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Melody_experiment_on_a_constructed_tone_with_results_inside_the_dataset()
    {
        // 3 s of a 220 Hz tone (3 partials) and its exact reference: 220 Hz on mir_eval's 10 ms grid.
        var tones = Path.Combine(_dir, "tones");
        Directory.CreateDirectory(tones);
        const int rate = 22050;
        var y = new float[3 * rate];
        for (int i = 0; i < y.Length; i++)
            for (int h = 1; h <= 3; h++) y[i] += (float)(0.3 / h * Math.Sin(2 * Math.PI * 220 * h * i / rate));
        WavWriter.Write(Path.Combine(tones, "a220.wav"), new AudioBuffer(y, rate));
        File.WriteAllLines(Path.Combine(tones, "a220.f0"),
            Enumerable.Range(0, 300).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i * 0.01:F2} 220.0")));
        var results = Path.Combine(tones, "results");

        foreach (var (algorithm, output) in new[] { ("pyin", results), ("pyin", results), ("yin", Path.Combine(tones, "results-yin")) })
        {
            var (code, _, error) = Run("experiment", "--task", "melody", "--algorithm", algorithm, "--data", tones, "--out", output, "--format", "csv");
            Assert.Equal(0, code);
            // Later runs must not take an earlier run's estimates/a220.f0 or scores.csv for references without audio.
            Assert.Equal("", error);
        }
        Assert.Equal(Run("pitch", Path.Combine(tones, "a220.wav")).Out, File.ReadAllText(Path.Combine(results, "estimates", "a220.f0")));
        var mean = JsonDocument.Parse(File.ReadAllText(Path.Combine(results, "summary.json"))).RootElement.GetProperty("mean");
        // pYIN finds 220 Hz in every frame but the first (centred on t = 0, half padding, unvoiced): measured raw pitch
        // accuracy 0.990 on the 300 reference frames.
        Assert.True(mean.GetProperty("raw_pitch_accuracy").GetDouble() >= 0.95, $"raw pitch accuracy {mean}");
    }

    [Theory]
    [InlineData("nFft=2048", "--param nFft: unknown parameter of algorithm 'barpointer'; valid: minBpm, maxBpm")]
    [InlineData("minBpm=fast", "--param minBpm=fast: expected a finite number")]
    [InlineData("minBpm=300", "minBpm (300) must be below maxBpm (250)")]
    [InlineData("minBpm", "--param minBpm: expected name=value")]
    public void A_bad_parameter_is_one_usage_error_before_any_file_is_run(string parameter, string expected)
    {
        var (code, output, error) = Run("experiment", "--task", "beats", "--data", _data, "--out", _out, "--param", parameter);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Equal("", output);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(Directory.Exists(_out));
    }

    [Theory]
    [InlineData("chords", "sharpness=-1", "--param sharpness=-1: Sharpness must be positive and finite; got -1.")]
    [InlineData("segments", "kernelSeconds=0.5", "--param kernelSeconds=0.5: KernelSeconds must be at least two blocks (1 s)")]
    public void Chord_and_segment_settings_are_checked_by_the_library_before_any_file_is_run(string task, string parameter, string expected)
    {
        // The algorithms call ChordOptions.Validate / SegmentationOptions.Validate while preparing, so a bad value is
        // the library's own message as one usage error, ahead of the dataset scan (this dataset has neither chord nor
        // segment references, which would otherwise be the error).
        var (code, output, error) = Run("experiment", "--task", task, "--data", _data, "--out", _out, "--param", parameter);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Equal("", output);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(Directory.Exists(_out));
    }

    [Fact]
    public void An_unknown_algorithm_lists_the_valid_ones()
    {
        var (code, _, error) = Run("experiment", "--task", "beats", "--algorithm", "madmom", "--data", _data, "--out", _out);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Contains("--algorithm madmom: unknown for task 'beats'; valid: barpointer, dp, learned.", error);
    }

    [Fact]
    public void Audio_that_fails_to_decode_is_listed_and_the_run_goes_on()
    {
        // A truncated WAV header with a reference beside it.
        File.WriteAllBytes(Path.Combine(_data, "broken.wav"), "RIFF\x10\0\0\0WAVE"u8.ToArray());
        File.Copy(Path.Combine(_data, "synth_000.key"), Path.Combine(_data, "broken.key"));
        var (code, output, error) = Run("experiment", "--task", "key", "--data", _data, "--out", _out);

        Assert.Equal(CommandLineApp.ExitFailure, code);
        Assert.Contains("broken.wav", error);
        Assert.Contains("2 file(s) scored, 1 failed.", output);
        Assert.Equal(["sub/synth_001", "synth_000", "mean"], ScoresCsv().Skip(1).Select(r => r[0]));
        var failure = Assert.Single(Summary().GetProperty("failures").EnumerateArray());
        Assert.Equal("broken", failure.GetProperty("file").GetString());
        Assert.Contains("broken.wav", failure.GetProperty("error").GetString());
        Assert.False(File.Exists(Path.Combine(_out, "estimates", "broken.key")));
    }

    [Fact]
    public void A_dataset_without_references_for_the_task_is_a_usage_error()
    {
        var (code, _, error) = Run("experiment", "--task", "tempo", "--data", _data, "--out", _out);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Contains("no audio file has a tempo reference beside it", error);
    }
}
