using System.Globalization;
using System.Text.Json;
using MusicML.Similarity;
using MusicML.TestSupport;
using MusicML.Torch;
using static MusicML.Cli.Tests.CliRun;

namespace MusicML.Cli.Tests;

/// <summary>One tagger index of ../shared/eval/synth (bundled model), built once for the similarity command tests.</summary>
public sealed class SynthTaggerIndex : IDisposable
{
    public static bool Available => TorchRuntime.IsAvailable && SharedData.Has("eval", "synth", "manifest.csv");

    public string Folder { get; } = Directory.CreateTempSubdirectory("musicml-simcli-").FullName;

    public string Index => Path.Combine(Folder, "synth-index");

    public static string Manifest => SharedData.Path("eval", "synth", "manifest.csv");

    private readonly Lazy<(int Code, string Out, string Err)> _build;

    public SynthTaggerIndex() => _build = new(() => Run("index", "build", SharedData.Path("eval", "synth"), "--out", Index));

    public (int Code, string Out, string Err) Build => _build.Value;

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public sealed class SimilarityCommandTests(SynthTaggerIndex synth) : IClassFixture<SynthTaggerIndex>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-simcli-own-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static double Row(string table, string name) =>
        double.Parse(CliRun.Lines(table).Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>
    /// Issue 12 item 4: each synth clip queries the other 39; its 3 group mates are relevant. Target MAP ≥ 0.8 for the
    /// best embedding; the bundled tagger (augmented run of 2026-12-03) measured 0.983 (P@1 1.000, P@3 0.967).
    /// </summary>
    [SkippableFact]
    public void TaggerEmbeddingsFindTheSynthGroups()
    {
        Skip.IfNot(SynthTaggerIndex.Available, "libtorch or ../shared/eval/synth is not available");
        Assert.Equal(0, synth.Build.Code);
        var (code, output, error) = Run("eval", "similarity", "--index", synth.Index, "--manifest", SynthTaggerIndex.Manifest, "--label", "group");
        Assert.True(code == 0, error);
        Assert.Equal(40, Row(output, "queries"));
        Assert.True(Row(output, "MAP") >= 0.8, output);
        Assert.True(Row(output, "P@3") >= 0.8, output);
    }

    [SkippableFact]
    public void SimilarListsKTracksWithoutTheQueryBestFirst()
    {
        Skip.IfNot(SynthTaggerIndex.Available, "libtorch or ../shared/eval/synth is not available");
        Assert.Equal(0, synth.Build.Code);
        string query = SharedData.Path("eval", "synth", "synth_000.wav");
        var (code, output, error) = Run("similar", "--index", synth.Index, query, "-k", "5");
        Assert.True(code == 0, error);
        var lines = CliRun.Lines(output);
        Assert.Equal("# " + query, lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(5, rows.Length);
        Assert.Equal(["1", "2", "3", "4", "5"], rows.Select(r => r[0]));
        Assert.DoesNotContain(rows, r => r[1] == query);
        var scores = rows.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(scores.OrderDescending(), scores);

        // A file outside the index is embedded with the index's model; JSON carries the same fields.
        string outside = SharedData.RepoPath("audio-samples", "drums_bass_120bpm.wav");
        (code, output, error) = Run("similar", "--index", synth.Index, outside, "-k", "3", "--format", "json");
        Assert.True(code == 0, error);
        var results = JsonDocument.Parse(output).RootElement[0].GetProperty("results");
        Assert.Equal(3, results.GetArrayLength());
        Assert.StartsWith(SharedData.Path("eval", "synth"), results[0].GetProperty("track").GetString());
    }

    [SkippableFact]
    public void IndexAddAppendsNewFilesSkipsKnownOnesAndInfoDescribesIt()
    {
        Skip.IfNot(SynthTaggerIndex.Available, "libtorch or ../shared/eval/synth is not available");
        string index = Path.Combine(_folder, "small");
        string[] first = [SharedData.Path("eval", "synth", "synth_000.wav"), SharedData.Path("eval", "synth", "synth_004.wav")];
        Assert.Equal(0, Run(["index", "build", .. first, "--out", index]).Code);
        string extra = SharedData.RepoPath("audio-samples", "melody_G_major_100bpm.wav");
        var (code, _, error) = Run("index", "add", index, first[0], extra);
        Assert.True(code == 0, error);
        Assert.Contains("1 of 2 files are already in", error);
        var info = CliRun.Lines(Run("index", "info", index).Out).Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("3", info["tracks"]);
        Assert.Equal("hnsw", info["engine"]);
        Assert.Equal("tagger", info["embedding"]);
        Assert.Equal("musicml_synth", info["model"]);
        // The added file is now indexed: it is found by path and left out of its own results.
        var nearest = CliRun.Lines(Run("similar", "--index", index, extra, "-k", "1").Out);
        Assert.Equal(2, nearest.Length);
        Assert.NotEqual(extra, nearest[1].Split('\t')[1]);
    }

    /// <summary>Standardised summary features: measured MAP 0.851 on the synth groups (2026-12-03), below the tagger's.</summary>
    [SkippableFact]
    public void FeatureEmbeddingsIntoAStoreAndItsNpyExport()
    {
        Skip.IfNot(SharedData.Has("eval", "synth", "manifest.csv"), "../shared/eval/synth is not available");
        string store = Path.Combine(_folder, "features.mmemb"), npy = Path.Combine(_folder, "features.npy");
        var (code, _, error) = Run("embed", SharedData.Path("eval", "synth"), "--out", store, "--embedding", "features", "--jobs", "2", "--npy", npy);
        Assert.True(code == 0, error);
        var loaded = EmbeddingStore.Load(store);
        Assert.Equal(40, loaded.Count);
        Assert.Equal([40, loaded.Dimension], MusicML.Core.NpyFile.Read(npy).Shape);
        var (evalCode, output, evalError) = Run("eval", "similarity", "--index", store, "--manifest", SynthTaggerIndex.Manifest);
        Assert.True(evalCode == 0, evalError);
        Assert.True(Row(output, "MAP") >= 0.75, output);

        // Appending a tagger embedding to a features store is refused, and the store is left as it was.
        var before = File.ReadAllBytes(store);
        var refused = Run("embed", SharedData.RepoPath("audio-samples", "drums_bass_120bpm.wav"), "--out", store, "--embedding", "tagger");
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("holds features embeddings", refused.Err);
        Assert.Equal(before, File.ReadAllBytes(store));
    }

    /// <summary>
    /// Item 5: the map of the synth index as CSV, an offline HTML page that renders in headless Chromium and a PNG.
    /// With 10 clusters the k-means clusters should follow the 10 style groups (the embedding's MAP is 0.98):
    /// measured purity 0.975 on 2026-12-03 (t-SNE, seed 0); asserted ≥ 0.8.
    /// </summary>
    [SkippableFact]
    public void MapWritesCsvHtmlAndPngThatRenderInHeadlessChromium()
    {
        Skip.IfNot(SynthTaggerIndex.Available, "libtorch or ../shared/eval/synth is not available");
        Assert.Equal(0, synth.Build.Code);
        string folder = Path.Combine(_folder, "map");
        var (code, _, error) = Run("map", synth.Index, "--out", folder, "--clusters", "10", "--manifest", SynthTaggerIndex.Manifest, "--color-by", "group");
        Assert.True(code == 0, error);
        var rows = File.ReadAllLines(Path.Combine(folder, "map.csv"));
        Assert.Equal("id,path,x,y,cluster,group", rows[0]);
        var fields = rows.Skip(1).Select(MusicML.Core.CsvLine.Split).ToArray();
        Assert.Equal(40, fields.Length);
        Assert.All(fields, f => Assert.True(double.IsFinite(double.Parse(f[2], CultureInfo.InvariantCulture)) && double.IsFinite(double.Parse(f[3], CultureInfo.InvariantCulture))));
        // Purity: each cluster's most common group, summed over clusters, over all tracks.
        double purity = fields.GroupBy(f => f[4]).Sum(c => c.GroupBy(f => f[5]).Max(g => g.Count())) / 40.0;
        Assert.True(purity >= 0.8, $"cluster purity against the style groups {purity:F2}");

        string html = Path.Combine(folder, "map.html");
        Assert.DoesNotContain("http", File.ReadAllText(html).Replace("http://www.w3.org", ""));
        HeadlessChromium.AssertRendersCleanly(html);
        var png = PngTestReader.Read(File.ReadAllBytes(Path.Combine(folder, "map.png")));
        Assert.Equal(960, png.Width);
        Assert.Equal(640, png.Height);
    }

    /// <summary>
    /// Item 4, real recordings: the 15 s windows of ../shared/eval/real/similarity_segments.csv should find the other
    /// windows of their recording. Measured MAP 0.982 (P@1 1.000) with mtat_musicnn and 0.781 with the bundled
    /// synth-trained tagger (2026-12-03); asserted ≥ 0.8 for the published real-music model.
    /// </summary>
    [SkippableFact]
    public void SegmentEmbeddingsFindTheirRecording()
    {
        Skip.IfNot(TorchRuntime.IsAvailable && SharedData.Has("eval", "real", "similarity_segments.csv") && SharedData.Has("models", "mtat_musicnn.safetensors"),
            "libtorch, ../shared/eval/real or mtat_musicnn is not available");
        string segments = SharedData.Path("eval", "real", "similarity_segments.csv"), store = Path.Combine(_folder, "segments.mmemb");
        var (code, _, error) = Run("embed", "--segments", segments, "--out", store, "--model", SharedData.Path("models", "mtat_musicnn.safetensors"));
        Assert.True(code == 0, error);
        var loaded = EmbeddingStore.Load(store);
        Assert.Equal(15, loaded.Count);
        Assert.Equal("librosa_brahms_hungarian5@000", loaded.Ids[0]);
        Assert.EndsWith("librosa_brahms_hungarian5.wav@0-15", loaded.Paths[0]);
        (code, var output, error) = Run("eval", "similarity", "--index", store, "--manifest", segments, "--label", "group");
        Assert.True(code == 0, error);
        Assert.True(Row(output, "MAP") >= 0.8, output);
        Assert.Equal(2, Run("embed", "--segments", segments, SharedData.Path("eval", "real"), "--out", store).Code);
    }

    [Fact]
    public void BadIndexesAndManifestsGetOneClearError()
    {
        var (code, _, error) = Run("similar", "--index", Path.Combine(_folder, "none"), SharedData.RepoPath("audio-samples", "drums_bass_120bpm.wav"));
        Assert.NotEqual(0, code);
        Assert.Contains("index not found", error);
        Assert.Single(CliRun.Lines(error));

        string store = Path.Combine(_folder, "bad.mmemb");
        File.WriteAllBytes(store, [.. "MMLEMB01"u8, 1, 2, 3]);
        (code, _, error) = Run("eval", "similarity", "--index", store, "--manifest", store);
        Assert.NotEqual(0, code);
        Assert.Contains("truncated", error);
    }
}
