using System.Text.Json;
using MusicML.Evaluation.Annotations;
using MusicML.TestSupport;
using Xunit.Abstractions;

namespace MusicML.Evaluation.Tests;

/// <summary>
/// Every metric family against mir_eval's own regression fixtures (../shared/eval/mir_eval_fixtures, copied from
/// mir_eval at commit 1fed532): for each refNN/estNN pair, EVERY key of outputNN.json must agree within 1e-6
/// (melody within 1e-3, since mir_eval resamples the estimate there; we reproduce its interpolation and in practice
/// agree to ~1e-15). The fixture set is enumerated from disk, so a new fixture is tested without editing this file.
/// </summary>
public class MirEvalFixtureTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-6;
    private const double ResamplingTolerance = 1e-3;

    private static string Folder(string task) => SharedData.Path("eval", "mir_eval_fixtures", "data", task);

    /// <summary>The NN of every outputNN.json in a fixture folder.</summary>
    private static TheoryData<string> Fixtures(string task)
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder(task), "output*.json").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file)["output".Length..]);
        return data;
    }

    public static TheoryData<string> BeatFixtures => Fixtures("beat");
    public static TheoryData<string> OnsetFixtures => Fixtures("onset");
    public static TheoryData<string> TempoFixtures => Fixtures("tempo");
    public static TheoryData<string> KeyFixtures => Fixtures("key");
    public static TheoryData<string> ChordFixtures => Fixtures("chord");
    public static TheoryData<string> SegmentFixtures => Fixtures("segment");
    public static TheoryData<string> MelodyFixtures => Fixtures("melody");
    public static TheoryData<string> TranscriptionFixtures => Fixtures("transcription");
    public static TheoryData<string> MultipitchFixtures => Fixtures("multipitch");

    public static TheoryData<string> BadTempoFiles
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var file in Directory.EnumerateFiles(Folder("tempo"), "bad*.lab").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
            return data;
        }
    }

    [Fact]
    public void EveryFixtureFolderHasFixtures()
    {
        // A missing or renamed folder must fail loudly rather than make the theories below vacuous.
        foreach (var task in new[] { "beat", "onset", "tempo", "key", "chord", "segment", "melody", "transcription", "multipitch" })
            Assert.True(Fixtures(task).Count >= 4, $"{task}: expected at least 4 fixtures");
    }

    [Theory, MemberData(nameof(BeatFixtures))]
    public void Beat(string n)
    {
        var scores = BeatEvaluation.Evaluate(AnnotationFiles.ReadEvents(In("beat", $"ref{n}.txt")), AnnotationFiles.ReadEvents(In("beat", $"est{n}.txt")));
        AssertMatches("beat", n, scores, Tolerance);
    }

    [Theory, MemberData(nameof(OnsetFixtures))]
    public void Onset(string n)
    {
        var scores = OnsetEvaluation.Evaluate(AnnotationFiles.ReadEvents(In("onset", $"ref{n}.txt")), AnnotationFiles.ReadEvents(In("onset", $"est{n}.txt")));
        AssertMatches("onset", n, scores, Tolerance);
    }

    [Theory, MemberData(nameof(TempoFixtures))]
    public void Tempo(string n)
    {
        var scores = TempoEvaluation.Evaluate(AnnotationFiles.ReadTempo(In("tempo", $"ref{n}.lab")), AnnotationFiles.ReadTempo(In("tempo", $"est{n}.lab")));
        AssertMatches("tempo", n, scores, Tolerance);
    }

    [Theory, MemberData(nameof(BadTempoFiles))]
    public void InvalidTempoFilesRaiseNamingTheFile(string name)
    {
        // bad00: two rows; bad01: weight -3; bad02: a negative tempo. mir_eval raises ValueError on each.
        var path = In("tempo", name);
        var error = Assert.Throws<AnnotationException>(() => AnnotationFiles.ReadTempo(path));
        Assert.Contains(name, error.Message);
    }

    [Theory, MemberData(nameof(KeyFixtures))]
    public void Key(string n)
    {
        var scores = KeyEvaluation.Evaluate(AnnotationFiles.ReadKey(In("key", $"ref{n}.txt")), AnnotationFiles.ReadKey(In("key", $"est{n}.txt")));
        AssertMatches("key", n, scores, Tolerance);
    }

    [Theory, MemberData(nameof(ChordFixtures))]
    public void Chord(string n)
    {
        var scores = ChordEvaluation.Evaluate(AnnotationFiles.ReadLabeledIntervals(In("chord", $"ref{n}.lab")), AnnotationFiles.ReadLabeledIntervals(In("chord", $"est{n}.lab")));
        AssertMatches("chord", n, scores, Tolerance);
        // Every chord fixture's estimate spans a different time than its reference (est00 starts at 0.256 s and ends
        // at 160.283 s against 0–161.6452 s, ...): these are the accepted-with-adjustment cases, padded with N and
        // trimmed as mir_eval's adjust_intervals does, and the numbers above are mir_eval's for exactly that. The
        // adjustment is reported, not silent.
        Assert.Contains(scores.Warnings, w => w.Contains("adjust_intervals", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(SegmentFixtures))]
    public void Segment(string n)
    {
        var scores = SegmentEvaluation.Evaluate(AnnotationFiles.ReadLabeledIntervals(In("segment", $"ref{n}.lab")), AnnotationFiles.ReadLabeledIntervals(In("segment", $"est{n}.lab")));
        AssertMatches("segment", n, scores, Tolerance);
        // Every segment fixture is adjusted too: references that start after 0 s (ref00 at 0.383 s) are padded with
        // __T_MIN and estimates that end before or after the reference (est04 at 139.833 s against 123.498 s) are
        // padded with __T_MAX or trimmed, as mir_eval's segment.evaluate does before scoring; the warning says so.
        Assert.Contains(scores.Warnings, w => w.Contains("adjust_intervals", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(MelodyFixtures))]
    public void Melody(string n)
    {
        var reference = AnnotationFiles.ReadTimeSeries(In("melody", $"ref{n}.txt"));
        var estimated = AnnotationFiles.ReadTimeSeries(In("melody", $"est{n}.txt"));
        AssertMatches("melody", n, MelodyEvaluation.Evaluate(reference, estimated), ResamplingTolerance);

        // mir_eval's test also passes explicit voicing (est_f >= 0) and a unit reward; the output must not change.
        var voicing = estimated.Values.Select(f => f >= 0 ? 1.0 : 0.0).ToArray();
        var reward = reference.Values.Select(_ => 1.0).ToArray();
        AssertMatches("melody", n, MelodyEvaluation.Evaluate(reference, estimated, voicing, reward), ResamplingTolerance);
    }

    [Theory, MemberData(nameof(TranscriptionFixtures))]
    public void Transcription(string n)
    {
        // The average overlap ratio depends on which maximum matching is chosen, so this also checks that we find
        // the same matching as mir_eval's Hopcroft-Karp, not merely one of the same size.
        var scores = TranscriptionEvaluation.Evaluate(AnnotationFiles.ReadNotes(In("transcription", $"ref{n}.txt")), AnnotationFiles.ReadNotes(In("transcription", $"est{n}.txt")));
        AssertMatches("transcription", n, scores, Tolerance);
    }

    [Theory, MemberData(nameof(MultipitchFixtures))]
    public void Multipitch(string n)
    {
        // mir_eval resamples an estimate on other frame times to the reference's (nearest neighbour): 1e-3 allowed.
        var scores = MultipitchEvaluation.Evaluate(AnnotationFiles.ReadMultipitch(In("multipitch", $"ref{n}.txt")), AnnotationFiles.ReadMultipitch(In("multipitch", $"est{n}.txt")));
        AssertMatches("multipitch", n, scores, ResamplingTolerance);
    }

    public static TheoryData<string> HierarchyWindows
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var file in Directory.EnumerateFiles(Folder("hierarchy"), "output_w=*.json").Order(StringComparer.Ordinal))
                data.Add(Path.GetFileNameWithoutExtension(file)["output_w=".Length..]);
            return data;
        }
    }

    [Theory, MemberData(nameof(HierarchyWindows))]
    public void Hierarchy(string window)
    {
        // ref00/ref01 are the two levels of one hierarchy (est likewise); the T-measure window comes from the file name.
        var levels = (string side) => new[] { "00", "01" }.Select(k => AnnotationFiles.ReadLabeledIntervals(In("hierarchy", $"{side}{k}.lab"))).ToArray();
        var scores = HierarchyEvaluation.Evaluate(levels("ref"), levels("est"), window: double.Parse(window, System.Globalization.CultureInfo.InvariantCulture));
        AssertMatches("hierarchy", $"_w={window}", scores, Tolerance);
    }

    private static string In(string task, string file) => Path.Combine(Folder(task), file);

    private void AssertMatches(string task, string n, Scores scores, double tolerance)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(In(task, $"output{n}.json")));
        int compared = 0;
        double worst = 0;
        foreach (var property in json.RootElement.EnumerateObject())
        {
            double expected = property.Value.ValueKind switch
            {
                JsonValueKind.True => 1.0,
                JsonValueKind.False => 0.0,
                _ => property.Value.GetDouble(),
            };
            Assert.True(scores.TryGet(property.Name, out var actual), $"{task}/output{n}.json: no score named '{property.Name}'");
            Assert.True(Math.Abs(actual - expected) <= tolerance || (double.IsNaN(actual) && double.IsNaN(expected)),
                $"{task}/output{n}.json '{property.Name}': mir_eval {expected:R}, ours {actual:R}, |diff| {Math.Abs(actual - expected):E2}");
            if (!double.IsNaN(expected)) worst = Math.Max(worst, Math.Abs(actual - expected));
            compared++;
        }
        Assert.True(compared > 0, $"{task}/output{n}.json has no scores");
        log.WriteLine($"{task}/output{n}.json: {compared} keys, max |ours - mir_eval| = {worst:E2}");
    }
}
