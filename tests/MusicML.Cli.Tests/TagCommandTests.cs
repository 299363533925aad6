using System.Globalization;
using System.Text.Json;
using MusicML.Cli.Infrastructure;
using MusicML.Tagging;
using MusicML.TestSupport;
using MusicML.Torch;
using static MusicML.Cli.Tests.CliRun;

namespace MusicML.Cli.Tests;

/// <summary>
/// What every <c>musicml tag</c> test compares with: the library's own <see cref="Tagger.TagFile"/> of each sample,
/// computed once, on mtat_musicnn (3 s chunks: the cheapest published model) and three 12–15 s repository samples.
/// </summary>
public sealed class TagReference : IDisposable
{
    public const string ModelName = "mtat_musicnn";

    public static bool Available => TorchRuntime.IsAvailable && SharedData.Has("models", ModelName + ".safetensors");

    private readonly Lazy<(Tagger Tagger, TrackTags[] Tags)> _reference = new(() =>
    {
        var tagger = Tagger.Load(ModelPath);
        return (tagger, Files.Select(f => tagger.TagFile(f)).ToArray());
    });

    public static string ModelPath => SharedData.Path("models", ModelName + ".safetensors");

    public static readonly string[] Files =
    [
        SharedData.RepoPath("audio-samples", "drums_bass_120bpm.wav"),
        SharedData.RepoPath("audio-samples", "chords_C_major_150bpm.wav"),
        SharedData.RepoPath("audio-samples", "melody_G_major_100bpm.wav"),
    ];

    public IReadOnlyList<string> TagNames => _reference.Value.Tagger.Config.Tags;

    public TrackTags[] Expected => _reference.Value.Tags;

    public void Dispose()
    {
        if (_reference.IsValueCreated) _reference.Value.Tagger.Dispose();
    }
}

/// <summary>
/// <c>musicml tag</c> run in-process against a published model in ../shared/models: output formats, their agreement
/// with the library, input order across batch sizes, top-k and threshold, failures and option errors. The tests that
/// change <c>MUSICML_MODELS</c> are in this class only, which runs alone (<see cref="ModelsFolderCollection"/>): the
/// variable is process-wide, and every <c>musicml analyze</c> elsewhere reads the default tagger through it.
/// </summary>
[Collection(ModelsFolderCollection.Name)]
public sealed class TagCommandTests(TagReference reference) : IClassFixture<TagReference>, IDisposable
{
    private readonly string _scratch = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "musicml-cli-tag-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static void SkipWithoutModel() =>
        Skip.IfNot(TagReference.Available, $"libtorch or ../shared/models/{TagReference.ModelName}.safetensors is not available here");

    private static string[] TagArgs(params string[] options) => ["tag", .. TagReference.Files, "--model", TagReference.ModelPath, .. options];

    private static float Parse(string text) => float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Probabilities are printed with 6 decimals (rounding ≤ 5e-7), so 1e-5 is the library-agreement bound.</summary>
    private const double Tolerance = 1e-5;

    [SkippableFact]
    public void TsvIsTheLibrarysTopFivePerTrackInInputOrderForAnyBatchSize()
    {
        SkipWithoutModel();
        var (code, output, error) = Run(TagArgs("--batch-size", "3"));
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        var lines = output.Split('\n')[..^1];
        Assert.Equal(TagReference.Files.Length, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var fields = lines[i].Split('\t');
            Assert.Equal(TagReference.Files[i], fields[0]);
            var expected = reference.Expected[i].Top(5);
            Assert.Equal(expected.Count, fields.Length - 1);
            for (int k = 0; k < expected.Count; k++)
            {
                int colon = fields[k + 1].LastIndexOf(':');
                Assert.Equal(expected[k].Tag, fields[k + 1][..colon]);
                Assert.Equal(expected[k].Probability, Parse(fields[k + 1][(colon + 1)..]), Tolerance);
            }
        }
        // Batches of one chunk never mix tracks, and one libtorch thread (against every core by default) sums the
        // convolutions in another order; same paths in the same order, same tags, and probabilities equal up to that
        // noise (~3e-7, which can flip the 6th printed decimal, so they are compared as numbers).
        var (oneCode, oneOutput, _) = Run(TagArgs("--batch-size", "1", "--threads", "1"));
        Assert.Equal(0, oneCode);
        var oneLines = oneOutput.Split('\n')[..^1];
        Assert.Equal(lines.Length, oneLines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var (a, b) = (lines[i].Split('\t'), oneLines[i].Split('\t'));
            Assert.Equal(a[0], b[0]);
            Assert.Equal(a[1..].Select(f => f[..f.LastIndexOf(':')]), b[1..].Select(f => f[..f.LastIndexOf(':')]));
            for (int k = 1; k < a.Length; k++)
                Assert.Equal(Parse(a[k][(a[k].LastIndexOf(':') + 1)..]), Parse(b[k][(b[k].LastIndexOf(':') + 1)..]), Tolerance);
        }
    }

    [SkippableFact]
    public void JsonIsAnArrayOfPathAndTagsWithTheLibrarysProbabilities()
    {
        SkipWithoutModel();
        var (code, output, error) = Run(TagArgs("--format", "json", "--top-k", "50"));
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var tracks = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(TagReference.Files.Length, tracks.Length);
        for (int i = 0; i < tracks.Length; i++)
        {
            Assert.Equal(TagReference.Files[i], tracks[i].GetProperty("path").GetString());
            var tags = tracks[i].GetProperty("tags").EnumerateArray()
                .Select(t => (Tag: t.GetProperty("tag").GetString()!, P: t.GetProperty("probability").GetSingle())).ToArray();
            Assert.Equal(50, tags.Length);
            Assert.Equal(tags.OrderByDescending(t => t.P).Select(t => t.Tag), tags.Select(t => t.Tag));
            var expected = reference.Expected[i];
            foreach (var (tag, p) in tags)
                Assert.Equal(expected.Probabilities[reference.TagNames.ToList().IndexOf(tag)], p, Tolerance);
        }
        // A threshold no tag reaches leaves every track with an empty list, still one record each.
        var (_, none, _) = Run("tag", TagReference.Files[2], TagReference.Files[0], "--model", TagReference.ModelPath, "--format", "json", "--threshold", "1");
        using var empty = JsonDocument.Parse(none);
        Assert.Equal([TagReference.Files[2], TagReference.Files[0]], empty.RootElement.EnumerateArray().Select(t => t.GetProperty("path").GetString()));
        Assert.All(empty.RootElement.EnumerateArray(), t => Assert.Empty(t.GetProperty("tags").EnumerateArray()));
    }

    [SkippableFact]
    public void CsvHasAColumnPerTagAndEveryProbabilityIgnoringTopKAndThreshold()
    {
        SkipWithoutModel();
        var (code, output, error) = Run(TagArgs("--format", "csv", "--top-k", "1", "--threshold", "0.9"));
        Assert.True(code == 0, error);
        var lines = output.Split('\n')[..^1];
        Assert.Equal("path," + string.Join(',', reference.TagNames), lines[0]);
        Assert.Equal(TagReference.Files.Length + 1, lines.Length);
        for (int i = 0; i < TagReference.Files.Length; i++)
        {
            var fields = lines[i + 1].Split(',');
            Assert.Equal(TagReference.Files[i], fields[0]);
            Assert.Equal(reference.TagNames.Count + 1, fields.Length);
            for (int t = 0; t < reference.TagNames.Count; t++)
                Assert.Equal(reference.Expected[i].Probabilities[t], Parse(fields[t + 1]), Tolerance);
        }
    }

    [SkippableFact]
    public void TopKAndThresholdChooseTheTsvTags()
    {
        SkipWithoutModel();
        var (code, output, error) = Run(TagArgs("--top-k", "2", "--threshold", "0.5"));
        Assert.True(code == 0, error);
        var lines = output.Split('\n')[..^1];
        Assert.Equal(TagReference.Files.Length, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var expected = reference.Expected[i].Top(2).Where(t => t.Probability >= 0.5).Select(t => t.Tag).ToArray();
            var actual = lines[i].Split('\t')[1..].Select(f => f[..f.LastIndexOf(':')]).ToArray();
            Assert.Equal(expected, actual);
        }
        // The samples cover every case: the top 2 both kept (drums: techno 0.91, electronic 0.66), the threshold
        // cutting the second (chords: piano 0.77, slow 0.49) and nothing kept, the path alone (melody: best 0.32).
        Assert.Equal([2, 1, 0], lines.Select(l => l.Split('\t').Length - 1));
    }

    [SkippableFact]
    public void ABadFileIsOneErrorLineAndTheOthersAreStillTagged()
    {
        SkipWithoutModel();
        var bad = Path.Combine(_scratch, "broken.wav");
        File.WriteAllText(bad, "RIFF but not really a WAV file");
        var (code, output, error) = Run("tag", TagReference.Files[0], bad, TagReference.Files[1], "--model", TagReference.ModelPath);
        Assert.Equal(CommandLineApp.ExitFailure, code);
        var errors = Lines(error);
        Assert.Single(errors);
        Assert.StartsWith($"musicml: error: {bad}: ", errors[0]);
        var lines = Lines(output);
        Assert.Equal([TagReference.Files[0], TagReference.Files[1]], lines.Select(l => l.Split('\t')[0]));
    }

    [SkippableFact]
    public void OutWritesTheFileAndRefusesAnInput()
    {
        SkipWithoutModel();
        var outPath = Path.Combine(_scratch, "sub", "tags.json");
        string[] args = ["tag", TagReference.Files[0], "--model", TagReference.ModelPath, "--format", "json"];
        var (code, output, error) = Run([.. args, "--out", outPath]);
        Assert.True(code == 0, error);
        Assert.Equal("", output);
        var (_, printed, _) = Run(args);
        Assert.Equal(printed, File.ReadAllText(outPath));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(outPath)!, "*.tmp")); // the temporary file was renamed, not left

        var (refused, _, refusal) = Run(TagArgs("--out", TagReference.Files[1]));
        Assert.Equal(CommandLineApp.ExitUsage, refused);
        Assert.Contains("refusing to overwrite an input", refusal);
    }

    [Fact]
    public void MissingDefaultModelSaysSoAndAsksForModel()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_scratch, "no-models")).FullName;
        var (code, output, error) = WithModelsFolder(empty, () => Run("tag", TagReference.Files[0]));
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Equal("", output);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith($"musicml: error: the default model '{BundledModels.DefaultTagger}' is missing", line);
        Assert.Contains("pass --model", line);
    }

    [SkippableFact]
    public void ABareNameIsAModelInTheModelsFolder()
    {
        SkipWithoutModel();
        var folder = Path.GetDirectoryName(TagReference.ModelPath)!;
        var (code, output, error) = WithModelsFolder(folder, () => Run("tag", TagReference.Files[0], "--model", TagReference.ModelName));
        Assert.True(code == 0, error);
        var (_, byPath, _) = Run("tag", TagReference.Files[0], "--model", TagReference.ModelPath);
        Assert.Equal(byPath, output);

        var (unknown, _, message) = WithModelsFolder(folder, () => Run("tag", TagReference.Files[0], "--model", "no_such_model"));
        Assert.Equal(CommandLineApp.ExitUsage, unknown);
        Assert.Contains("--model no_such_model: no bundled model 'no_such_model'", message);
        Assert.Contains(TagReference.ModelName, message); // the choices are listed
    }

    [Theory]
    [InlineData("--top-k", "0", "--top-k must be at least 1, got 0")]
    [InlineData("--threshold", "1.5", "--threshold must be between 0 and 1, got 1.5")]
    [InlineData("--threshold", "-0.1", "--threshold must be between 0 and 1, got -0.1")]
    [InlineData("--threshold", "NaN", "--threshold must be between 0 and 1, got NaN")]
    [InlineData("--batch-size", "0", "--batch-size must be at least 1, got 0")]
    [InlineData("--threads", "0", "--threads must be between 1 and 1024, got 0")]
    [InlineData("--threads", "5000", "--threads must be between 1 and 1024, got 5000")]
    [InlineData("--device", "tpu", "--device must be cpu or cuda, got 'tpu'")]
    [InlineData("--format", "xml", "--format must be one of tsv, csv, json, got 'xml'")]
    public void BadOptionsAreUsageErrorsNamingTheOption(string option, string value, string message)
    {
        // Checked before the model or any file is touched, so neither libtorch nor ../shared is needed.
        var (code, output, error) = Run("tag", SharedData.RepoPath("audio-samples"), option, value);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Equal("", output);
        Assert.Equal($"musicml: error: {message}.", Assert.Single(Lines(error)));
    }

    [Fact]
    public void SeveralBadOptionsAreReportedTogether()
    {
        var (code, _, error) = Run("tag", SharedData.RepoPath("audio-samples"), "--top-k", "0", "--batch-size", "-2");
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Equal("musicml: error: --top-k must be at least 1, got 0; --batch-size must be at least 1, got -2.", Assert.Single(Lines(error)));
    }

    [SkippableFact]
    public void CudaWithoutAGpuIsAnErrorNamingTheOption()
    {
        SkipWithoutModel();
        Skip.If(TorchRuntime.IsCudaAvailable, "CUDA is available here, so --device cuda is not an error");
        var (code, output, error) = Run(TagArgs("--device", "cuda"));
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Equal("", output);
        Assert.StartsWith("musicml: error: --device cuda: CUDA is not available", Assert.Single(Lines(error)));
    }

    private static T WithModelsFolder<T>(string folder, Func<T> run)
    {
        var previous = Environment.GetEnvironmentVariable(BundledModels.FolderVariable);
        Environment.SetEnvironmentVariable(BundledModels.FolderVariable, folder);
        try
        {
            return run();
        }
        finally
        {
            Environment.SetEnvironmentVariable(BundledModels.FolderVariable, previous);
        }
    }
}

/// <summary>The three formats of <see cref="MusicML.Cli.Commands.TagOutput"/> on made-up tags: no model needed.</summary>
public sealed class TagOutputTests
{
    private static readonly string[] Names = ["rock", "jazz, smooth", "piano"];

    private static TrackTags Track(params float[] p) => new(Names, [0], [p], p);

    private static string Write(string format, int topK, double threshold, params (string Path, TrackTags Tags)[] tracks)
    {
        var text = new StringWriter();
        var output = new MusicML.Cli.Commands.TagOutput(text, format, Names, topK, threshold);
        foreach (var (path, tags) in tracks) output.Write(path, tags);
        output.Finish();
        return text.ToString();
    }

    [Fact]
    public void TsvEscapesThePathAndKeepsTopKAboveTheThreshold()
    {
        var text = Write("tsv", 2, 0.2, ("a\tb\\c.wav", Track(0.1f, 0.9f, 0.5f)), ("quiet.wav", Track(0.1f, 0.1f, 0.1f)));
        Assert.Equal("a\\tb\\\\c.wav\tjazz, smooth:0.900000\tpiano:0.500000\nquiet.wav\n", text);
    }

    [Fact]
    public void CsvQuotesFieldsAndHasEveryTag()
    {
        var text = Write("csv", 1, 0.99, ("x,y.wav", Track(0.25f, 0.5f, 0.125f)));
        Assert.Equal("path,rock,\"jazz, smooth\",piano\n\"x,y.wav\",0.250000,0.500000,0.125000\n", text);
    }

    [Fact]
    public void JsonIsAnArrayEvenForNoTracksOrOne()
    {
        Assert.Equal("[]\n", Write("json", 5, 0));
        using var json = JsonDocument.Parse(Write("json", 1, 0, ("é.wav", Track(0.25f, 0.5f, 0.125f))));
        var track = Assert.Single(json.RootElement.EnumerateArray().ToArray());
        Assert.Equal("é.wav", track.GetProperty("path").GetString());
        var tag = Assert.Single(track.GetProperty("tags").EnumerateArray().ToArray());
        Assert.Equal("jazz, smooth", tag.GetProperty("tag").GetString());
        Assert.Equal(0.5f, tag.GetProperty("probability").GetSingle());
    }
}

/// <summary>Tests that change the process-wide <c>MUSICML_MODELS</c>: run after the parallel ones, on their own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ModelsFolderCollection
{
    public const string Name = "MUSICML_MODELS changes";
}
