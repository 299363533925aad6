using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.TestSupport;
using static MusicML.Cli.Tests.CliRun;

namespace MusicML.Cli.Tests;

public sealed class TonalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-tonal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);


    // C major then G major then C major, 1.5 s each: harmonic tones (5 partials) with the root an octave below.
    private string WriteCadence(string name, double detuneCents = 0)
    {
        const int rate = 22050;
        var audio = new float[rate * 9 / 2];
        int[][] chords = [[48, 60, 64, 67], [43, 59, 62, 67], [48, 60, 64, 67]];
        for (int c = 0; c < 3; c++)
            foreach (var note in chords[c])
            {
                double f = 440 * Math.Pow(2, (note - 69 + detuneCents / 100) / 12.0);
                for (int h = 1; h <= 5; h++)
                    for (int i = c * rate * 3 / 2; i < (c + 1) * rate * 3 / 2; i++)
                        audio[i] += (float)(0.05 / h * Math.Sin(2 * Math.PI * f * h * i / rate));
            }
        var path = Path.Combine(_dir, name);
        WavWriter.Write(path, new AudioBuffer(audio, rate));
        return path;
    }

    [Fact]
    public void Key_prints_the_key_of_one_file()
    {
        var (code, output, error) = Run("key", WriteCadence("cadence.wav"));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal("C major\n", output);
    }

    [Fact]
    public void Chords_write_a_lab_file_per_input_with_out_dir()
    {
        WriteCadence("a.wav");
        WriteCadence("b.wav");
        var outDir = Path.Combine(_dir, "out");
        var (code, _, error) = Run("chords", _dir, "--out-dir", outDir);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var lines = File.ReadAllLines(Path.Combine(outDir, "a.chords.lab"));
        // Three chords of 1.5 s: C, G, C, each boundary within 0.15 s of the truth.
        Assert.Equal(["C:maj", "G:maj", "C:maj"], lines.Select(l => l.Split(' ')[2]));
        Assert.Equal(1.5, double.Parse(lines[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture), 0.15);
        Assert.True(File.Exists(Path.Combine(outDir, "b.chords.lab")));
    }

    [Fact]
    public void Chords_change_only_on_given_beats()
    {
        // Beats every 0.75 s: the estimated boundaries must be exactly beat times (to the 46 ms frame grid).
        var audio = WriteCadence("beat.wav");
        var beats = Path.Combine(_dir, "beat.beats");
        File.WriteAllLines(beats, Enumerable.Range(0, 6).Select(i => (i * 0.75).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
        var (code, output, error) = Run("chords", audio, "--beats", beats);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(["C:maj", "G:maj", "C:maj"], lines.Select(l => l.Split(' ')[2]));
        Assert.Equal(1.5, double.Parse(lines[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture), 0.024);
        Assert.Equal(3.0, double.Parse(lines[2].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture), 0.024);

        var (missing, _, missingError) = Run("chords", audio, "--beats", Path.Combine(_dir, "none.beats"));
        Assert.Equal(CommandLineApp.ExitFailure, missing);
        Assert.Contains("none.beats", missingError);
    }

    [Fact]
    public void Chords_on_given_beats_stream_and_equal_the_whole_signal_estimate()
    {
        // chords --beats goes through the streamed analysis like plain chords; on the band sample and its annotated
        // beats the text must be the library's whole-signal ChordEstimator.Estimate with those boundaries, byte for byte.
        var audio = SharedData.RepoPath("audio-samples", "band_A_minor_100bpm.wav");
        var beats = SharedData.RepoPath("audio-samples", "band_A_minor_100bpm.beats");
        var (code, output, error) = Run("chords", audio, "--beats", beats);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var y = AudioFile.Load(audio).ToMono();
        var expected = MusicML.Mir.Chords.ChordEstimator.Estimate(y, 22050, Evaluation.Annotations.AnnotationFiles.ReadEvents(beats));
        Assert.Equal(EstimateText.Chords(expected), output);
        Assert.True(expected.Count > 3, $"only {expected.Count} segments: the comparison would say little");
    }

    [Fact]
    public void Key_of_a_percussion_clip_falls_back_to_the_profile()
    {
        // brid_0001_samba is mostly percussion: its chords carry no triad, so the chord fit has no evidence and the
        // default (combined) key must still answer from the profile instead of failing.
        var (code, output, error) = Run("key", SharedData.Path("eval", "real", "brid_0001_samba.wav"));
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Matches(@"^[A-G][#b]? (major|minor)\n$", output);
    }

    [Fact]
    public void Tuning_reports_cents()
    {
        // Tones 30 cents sharp: the estimate must be within 5 cents (the histogram resolution is 1 cent).
        var file = WriteCadence("sharp.wav", 30);
        var (code, output, _) = Run("tuning", file);
        Assert.Equal(0, code);
        double cents = double.Parse(output, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(30, cents, 5.0);
        // The figure is the reference key and chords were computed with: analyze reports the same tuning.
        var (analyzeCode, json, _) = Run("analyze", file, "--tasks", "tuning", "--format", "json");
        Assert.Equal(0, analyzeCode);
        using var parsed = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(cents, parsed.RootElement.GetProperty("tuning_cents").GetDouble(), 0.051);
    }

    [Fact]
    public void Pitch_writes_time_and_f0_per_frame()
    {
        // The cadence's top voice is not alone, so only the format and the frame grid are checked here; the pitch
        // accuracy itself is tested on single tones in MusicML.Mir.Tests.
        var outDir = Path.Combine(_dir, "f0");
        var (code, _, error) = Run("pitch", WriteCadence("p.wav"), "--algorithm", "yin", "--out-dir", outDir);
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var lines = File.ReadAllLines(Path.Combine(outDir, "p.f0"));
        Assert.Equal(1 + 4.5 * 22050 / 512, lines.Length, 1.0); // one frame per 512 samples, centred
        Assert.Equal("0.000000", lines[0].Split(' ')[0]);
        Assert.All(lines, l => Assert.Equal(2, l.Split(' ').Length));
    }

    [Fact]
    public void Segments_write_a_lab_file_covering_the_audio()
    {
        var (code, output, _) = Run("segments", WriteCadence("s.wav"));
        Assert.Equal(0, code);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal("0.000000", lines[0].Split(' ')[0]);
        Assert.Equal("4.500000", lines[^1].Split(' ')[1]);
    }

    [Fact]
    public void Bad_inputs_get_one_error_line_each()
    {
        var bad = Path.Combine(_dir, "broken.wav");
        File.WriteAllText(bad, "not audio");
        var (code, output, error) = Run("key", bad);
        Assert.Equal(CommandLineApp.ExitFailure, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("broken.wav", error);

        WriteCadence("x.wav");
        WriteCadence("y.wav");
        var (usage, _, usageError) = Run("key", _dir);
        Assert.Equal(CommandLineApp.ExitUsage, usage);
        Assert.Contains("--out DIR", usageError);

        Assert.Equal(CommandLineApp.ExitUsage, Run("key", Path.Combine(_dir, "x.wav"), "--profile", "nope").Code);
    }
}
