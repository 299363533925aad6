using MusicML.Evaluation.Annotations;
using MusicML.TestSupport;

namespace MusicML.Evaluation.Tests;

public sealed class AnnotationIoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-annotations-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string Write(string name, string text)
    {
        File.WriteAllText(PathOf(name), text);
        return PathOf(name);
    }

    [Fact]
    public void TextFormatsRoundTripBitExactly()
    {
        double[] events = [0.1, 1.0 / 3.0, 2.5];
        AnnotationFiles.WriteEvents(PathOf("e.txt"), events);
        Assert.Equal(events, AnnotationFiles.ReadEvents(PathOf("e.txt")));

        var chords = new LabeledIntervals([new(0, 1.5), new(1.5, 2.25)], ["N", "C:maj(2,4)/3"]);
        foreach (var name in new[] { "c.lab", "c.csv" })
        {
            AnnotationFiles.WriteLabeledIntervals(PathOf(name), chords);
            var back = AnnotationFiles.ReadLabeledIntervals(PathOf(name));
            Assert.Equal(chords.Intervals, back.Intervals);
            Assert.Equal(chords.Labels, back.Labels);
        }

        var melody = new TimeSeries([0, 0.01, 0.02], [0, 220.5, -110]);
        AnnotationFiles.WriteTimeSeries(PathOf("m.csv"), melody);
        var melodyBack = AnnotationFiles.ReadTimeSeries(PathOf("m.csv"));
        Assert.Equal(melody.Times, melodyBack.Times);
        Assert.Equal(melody.Values, melodyBack.Values);

        AnnotationFiles.WriteTempo(PathOf("t.tempo"), new TempoAnnotation(60, 120, 0.25));
        Assert.Equal(new TempoAnnotation(60, 120, 0.25), AnnotationFiles.ReadTempo(PathOf("t.tempo")));

        AnnotationFiles.WriteKey(PathOf("k.key"), "Eb minor");
        Assert.Equal("Eb minor", AnnotationFiles.ReadKey(PathOf("k.key")));

        AnnotationFiles.WriteTags(PathOf("g.csv"), new TagAnnotation(["rock, loud", "guitar"], [0.9, 0.25]));
        var tags = AnnotationFiles.ReadTags(PathOf("g.csv"));
        Assert.Equal(["rock, loud", "guitar"], tags.Tags);
        Assert.Equal([0.9, 0.25], tags.Values);
    }

    [Fact]
    public void SingleTempoAndJamsStyleKeyAreAccepted()
    {
        // The synth ground truth writes one tempo per file and keys as "F minor"; JAMS writes "F:minor".
        Assert.Equal(new TempoAnnotation(144.2929, 144.2929, 1.0), AnnotationFiles.ReadTempo(SharedData.Path("eval", "synth", "synth_000.tempo")));
        Assert.Equal("F minor", AnnotationFiles.ReadKey(SharedData.Path("eval", "synth", "synth_000.key")));
        Assert.Equal("F# minor", AnnotationFiles.ReadKey(Write("k.txt", "F#:minor\n")));
    }

    [Fact]
    public void DownbeatsComeFromBeatPositions()
    {
        var path = Write("b.beats", "0.5 1\n1.0 2\n1.5 3\n2.0 4\n2.5 1\n");
        Assert.Equal([0.5, 2.5], AnnotationFiles.ReadDownbeats(path));
        Assert.Equal([0.5, 2.5], AnnotationFiles.ReadDownbeats(Write("d.downbeats", "0.5\n2.5\n")));
    }

    [Theory]
    [InlineData("1.0\n2.0\nabc\n", 3, "'abc'")]
    [InlineData("1.0\n\n# comment\n2.0 x y\n3..0\n", 5, "'3..0'")]
    [InlineData("1.0\nNaN\n", 2, "finite")]
    public void MalformedEventLinesNameFileAndLine(string text, int line, string detail)
    {
        var path = Write("bad.txt", text);
        var error = Assert.Throws<AnnotationException>(() => AnnotationFiles.ReadEvents(path));
        Assert.Equal(line, error.Line);
        Assert.StartsWith($"{path}:{line}:", error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public void MalformedIntervalsAndMissingFilesAreReported()
    {
        var path = Write("bad.lab", "0 1 N\n2 1 C\n");
        Assert.Contains($"{path}:2:", Assert.Throws<AnnotationException>(() => AnnotationFiles.ReadLabeledIntervals(path)).Message);
        var shortRow = Write("short.lab", "0 1\n");
        Assert.Contains($"{shortRow}:1:", Assert.Throws<AnnotationException>(() => AnnotationFiles.ReadLabeledIntervals(shortRow)).Message);
        var missing = PathOf("missing.txt");
        Assert.Contains(missing, Assert.Throws<AnnotationException>(() => AnnotationFiles.ReadEvents(missing)).Message);
        var key = Write("bad.key", "H major\n");
        Assert.Contains($"{key}:1:", Assert.Throws<AnnotationException>(() => AnnotationFiles.ReadKey(key)).Message);
    }

    [Fact]
    public void JamsRoundTripsEveryNamespaceWeUse()
    {
        var document = new JamsDocument { Duration = 10 };
        document.Annotations.Add(JamsAnnotation.FromEvents("onset", [0.25, 1.5]));
        document.Annotations.Add(JamsAnnotation.FromLabeledIntervals("chord", new LabeledIntervals([new(0, 2), new(2, 10)], ["N", "A:min7"])));
        document.Annotations.Add(JamsAnnotation.FromTimeSeries(new TimeSeries([0, 0.01], [220, -110])));
        document.Annotations.Add(JamsAnnotation.FromKey("C# minor", 10));
        document.Annotations.Add(JamsAnnotation.FromTempo(new TempoAnnotation(60, 120, 0.7), 10));
        document.Annotations.Add(JamsAnnotation.FromTags(new TagAnnotation(["rock"], [0.8]), 10));
        var path = PathOf("all.jams");
        document.Write(path);

        var back = JamsDocument.Read(path);
        Assert.Equal(10, back.Duration);
        Assert.Equal([0.25, 1.5], back.Find(path, "onset").ToEvents());
        var chords = back.Find(path, "chord").ToLabeledIntervals();
        Assert.Equal(["N", "A:min7"], chords.Labels);
        Assert.Equal(new TimeInterval(2, 10), chords.Intervals[1]);
        var melody = back.Find(path, "pitch_contour").ToTimeSeries();
        Assert.Equal([220.0, -110.0], melody.Values);
        Assert.Equal("C# minor", back.Find(path, "key_mode").ToKey());
        Assert.Equal(new TempoAnnotation(60, 120, 0.7), back.Find(path, "tempo").ToTempo());
        Assert.Equal(["rock"], back.Find(path, "tag_*").ToTags().Tags);
        Assert.Contains("segment", Assert.Throws<AnnotationException>(() => back.Find(path, "segment_*")).Message);
    }

    [Fact]
    public void JamsColumnLayoutAndBeatPositionsAreRead()
    {
        // JAMS 0.2 stored observations column-wise; beat values are positions in the bar.
        var path = Write("old.jams", """
            {"file_metadata": {"duration": 4.0},
             "annotations": [{"namespace": "beat",
               "data": {"time": [0.5, 1.0, 1.5, 2.0, 2.5], "duration": [0, 0, 0, 0, 0], "value": [1, 2, 3, 4, 1], "confidence": [null, null, null, null, null]}}]}
            """);
        var beats = JamsDocument.Read(path).Find(path, "beat");
        Assert.Equal([0.5, 1.0, 1.5, 2.0, 2.5], beats.ToEvents());
        Assert.Equal([0.5, 2.5], beats.ToDownbeats());
        var broken = Write("broken.jams", "{\"annotations\": [");
        Assert.Contains(broken, Assert.Throws<AnnotationException>(() => JamsDocument.Read(broken)).Message);
    }

    [Fact]
    public void TaskRegistryScoresJamsAgainstText()
    {
        // The same beats as JAMS (reference) and as text (estimate) must score perfectly.
        double[] beats = [5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0];
        var jams = new JamsDocument();
        jams.Annotations.Add(JamsAnnotation.FromEvents("beat", beats));
        jams.Write(PathOf("x.jams"));
        AnnotationFiles.WriteEvents(PathOf("x.beats"), beats);
        var task = EvaluationTask.Get("beats");
        var scores = task.Evaluate(PathOf("x.jams"), PathOf("x.beats"));
        Assert.Equal(task.MetricNames, scores.Names);
        Assert.Equal(1.0, scores["f_measure"]);
        Assert.Equal(1.0, scores["amlt"]);
    }

    [Fact]
    public void MetricNamesOfEveryTaskMatchWhatItReturns()
    {
        // The CSV header comes from MetricNames, so it must list exactly what Evaluate produces, in order.
        var synth = SharedData.Path("eval", "synth");
        foreach (var (task, file) in new[] { ("onsets", "synth_000.onsets"), ("beats", "synth_000.beats"), ("downbeats", "synth_000.downbeats"),
                     ("tempo", "synth_000.tempo"), ("key", "synth_000.key"), ("chords", "synth_000.chords.lab"), ("segments", "synth_000.chords.lab"),
                     ("tags", "synth_000.tags") })
        {
            var path = Path.Combine(synth, file);
            Assert.Equal(EvaluationTask.Get(task).MetricNames, EvaluationTask.Get(task).Evaluate(path, path).Names);
        }
        foreach (var (task, folder) in new[] { ("melody", "melody"), ("notes", "transcription") })
        {
            var path = Path.Combine(SharedData.Path("eval", "mir_eval_fixtures", "data", folder), "ref00.txt");
            Assert.Equal(EvaluationTask.Get(task).MetricNames, EvaluationTask.Get(task).Evaluate(path, path).Names);
        }
    }
}
