using System.CommandLine;
using System.Globalization;
using MusicML.Audio;
using MusicML.Batch;
using MusicML.Cli.Infrastructure;
using MusicML.Cli.Reports;
using MusicML.Core;
using MusicML.Mir.Analysis;
using MusicML.Tagging;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml analyze INPUT... [--format json|csv] [--out FILE|DIR] [--report DIR] [--jobs N] [--tasks LIST] [--rhythm learned|dsp]</c>: the
/// main job. Each file is decoded once and run through <see cref="Analyzer"/> (onsets, tempo, beats, downbeats and
/// meter, tuning, key, chords, structural segments) and tagged by the bundled default tagger
/// (<see cref="BundledModels.DefaultTagger"/>, its <see cref="TopTagCount"/> most probable tags; <c>--no-tags</c> skips
/// it). Where the tagger cannot run (no libtorch, no model) one warning says why and the analysis goes on without tags.
/// <list type="bullet">
/// <item>JSON (default): one object per file. Without <c>--out</c>, or with <c>--out FILE</c>, a single analysed file
/// gives one object and several give an array of objects in input order. With <c>--out DIR</c> (an existing directory
/// or a path ending in <c>/</c>) each file writes <c>DIR/&lt;name&gt;.json</c> (the inputs' sub-folders kept).</item>
/// <item>CSV: a header and one row per file, to stdout, to <c>--out FILE</c>, or to <c>DIR/analysis.csv</c>.</item>
/// <item><c>--report DIR</c>: a self-contained HTML page per file, <c>DIR/&lt;name&gt;.html</c>, and <c>DIR/index.html</c>
/// linking them.</item>
/// </list>
/// Every file is analysed first, then all are tagged, then the outputs are written (so libtorch and an analysis never
/// share the process's memory; see <see cref="Run"/>). A file that fails gets one error line on stderr and is skipped;
/// the exit code is then 1. Per-file outputs keep the inputs' sub-folders (<see cref="InputFiles.OutputPath"/>), so equal file names in different folders never overwrite each other.
/// </summary>
internal static class AnalyzeCommand
{
    /// <summary>How many of the default tagger's most probable tags each result carries.</summary>
    public const int TopTagCount = 5;

    private static readonly Dictionary<string, AnalysisTasks> TaskNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["onsets"] = AnalysisTasks.Onsets, ["tempo"] = AnalysisTasks.Tempo, ["beats"] = AnalysisTasks.Beats,
        ["downbeats"] = AnalysisTasks.Downbeats, ["tuning"] = AnalysisTasks.Tuning, ["key"] = AnalysisTasks.Key,
        ["chords"] = AnalysisTasks.Chords, ["segments"] = AnalysisTasks.Segments, ["all"] = AnalysisTasks.All,
    };

    /// <summary>Builds the command; results go to <see cref="CliContext.Output"/> or files, failures to <see cref="CliContext.Error"/>.</summary>
    public static Command Create(CliContext context)
    {
        var inputs = InputFiles.CreateArgument();
        var format = new Option<string>("--format")
        {
            Description = "json: an object for one file, an array for several (with --out DIR one <name>.json each, sub-folders kept); csv: a header and one row per file.",
            DefaultValueFactory = _ => "json",
        };
        format.AcceptOnlyFromAmong("json", "csv");
        var output = new Option<string?>("--out") { HelpName = "FILE|DIR", Description = "Write to this FILE, or into this DIR (an existing directory or a path ending in '/'): JSON one <name>.json per file (the inputs' sub-folders kept), CSV analysis.csv." };
        var report = new Option<string?>("--report") { HelpName = "DIR", Description = "Write an HTML report per file (<name>.html, sub-folders kept) and an index.html into this directory." };
        var jobs = WorkersOption.Create("Files analysed in parallel.");
        var tasks = new Option<string>("--tasks")
        {
            HelpName = "LIST",
            Description = "Comma-separated tasks: onsets, tempo, beats, downbeats, tuning, key, chords, segments, or all. Prerequisites are added.",
            DefaultValueFactory = _ => "all",
        };
        var noTags = new Option<bool>("--no-tags") { Description = $"Skip the default tagger ({BundledModels.DefaultTagger}); without it each result carries its top {TopTagCount} tags." };
        var command = new Command("analyze", "Analyse audio files in one pass: onsets, tempo, beats, downbeats and meter, tuning, key, chords, sections and top tags.");
        command.Arguments.Add(inputs);
        command.Options.Add(format);
        command.Options.Add(output);
        command.Options.Add(report);
        command.Options.Add(jobs);
        command.Options.Add(tasks);
        command.Options.Add(noTags);
        var rhythm = RhythmCommands.RhythmOption();
        command.Options.Add(rhythm);
        command.SetAction(parse => Run(context, parse.GetValue(inputs) ?? [], parse.GetValue(format)!, parse.GetValue(output),
            parse.GetValue(report), parse.GetValue(jobs), ParseTasks(parse.GetValue(tasks)!), tags: !parse.GetValue(noTags), rhythm: parse.GetValue(rhythm)!));
        return command;
    }

    /// <summary>Parses <c>--tasks</c>, e.g. <c>beats,key</c>.</summary>
    /// <exception cref="CliUsageException">An unknown task name.</exception>
    public static AnalysisTasks ParseTasks(string list)
    {
        var tasks = AnalysisTasks.None;
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TaskNames.TryGetValue(name, out var task))
                throw new CliUsageException($"--tasks: unknown task '{name}'; choose from {string.Join(", ", TaskNames.Keys)}.");
            tasks |= task;
        }
        if (tasks == AnalysisTasks.None) throw new CliUsageException("--tasks: name at least one task.");
        return tasks;
    }

    /// <summary>Analyses every file and writes the outputs; returns 0, or <see cref="CommandLineApp.ExitFailure"/> when any file failed.</summary>
    public static int Run(CliContext context, IReadOnlyList<string> inputs, string format, string? output, string? reportDir, int jobs, AnalysisTasks tasks,
        bool tags = true, string rhythm = "learned")
    {
        var network = RhythmCommands.NetworkFor(rhythm);
        WorkersOption.Check(jobs);
        bool csv = format == "csv";
        var tracks = InputFiles.ExpandTracksAtLeastOne(inputs, context);
        var files = tracks.Select(t => t.Path).ToList();
        bool outputIsDir = output is not null && (Directory.Exists(output) || output.EndsWith('/') || output.EndsWith(Path.DirectorySeparatorChar));
        if (output is not null && !outputIsDir) OutputPaths.CheckFile("--out", output, files);
        if (reportDir is not null) OutputPaths.CheckDirectory("--report", reportDir);
        // Every file this run will write, checked before any analysis so that an input is never overwritten.
        for (int i = 0; i < files.Count; i++)
        {
            if (reportDir is not null) OutputPaths.CheckNotInput("--report", InputFiles.OutputPath(reportDir, tracks[i], ".html"), files);
            if (outputIsDir && !csv) OutputPaths.CheckNotInput("--out", InputFiles.OutputPath(output!, tracks[i], ".json"), files);
        }
        if (outputIsDir && csv) OutputPaths.CheckNotInput("--out", Path.Combine(output!, "analysis.csv"), files);
        if (reportDir is not null) OutputPaths.CheckNotInput("--report", Path.Combine(reportDir, "index.html"), files);
        if (output is not null)
            Directory.CreateDirectory(outputIsDir ? output : Path.GetDirectoryName(Path.GetFullPath(output))!);
        if (reportDir is not null) Directory.CreateDirectory(reportDir);

        var analyzer = new Analyzer { Tasks = tasks, KeepSpectrogram = reportDir is not null, Rhythm = new Mir.RhythmAnalyzer { Network = network } };
        var results = new AnalyzedFile?[files.Count];
        var gate = new object();
        // Three phases, so that libtorch (about 230 MB resident once loaded, whatever the model) and an analysis
        // (up to about 400 MB on a two-hour file) never share the process: every file is analysed first, then the
        // tagger is loaded and tags all of them in one stream (chunks of consecutive files share network passes),
        // then each file's outputs are written.
        using (var progress = new ProgressReporter(context, files.Count, tags ? "files analysed" : "files"))
        {
            Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = jobs }, i =>
            {
                var file = files[i];
                try
                {
                    AnalysisResult result;
                    // One long file shows how far its own analysis has got; a catalogue shows files done instead.
                    if (files.Count == 1)
                    {
                        using var line = new ProgressLine(context, $"analyze {Path.GetFileName(file)}", AudioFile.GetInfo(file).Duration);
                        result = (analyzer with { Progress = line }).Analyze(file);
                    }
                    else result = analyzer.Analyze(file);
                    if (result.NoEstimate is { } why) lock (gate) context.Warn($"{file}: no estimate: {why}.");
                    // The report's picture, pooled to its pixel columns now: the spectrogram itself (60 MB per
                    // ten minutes) is not held until the outputs are written.
                    var picture = result.Spectrogram is { } s ? SpectrogramPicture.PoolColumns(new ReportSpectrogram(s.Values, s.FrameRate, s.BandFrequencies)) : null;
                    results[i] = new AnalyzedFile(file, result with { Spectrogram = null }, null) { Picture = picture };
                    progress.Advance();
                }
                catch (Exception e) when (CliErrors.IsFileFailure(e))
                {
                    lock (gate) context.FileFailed(file, e);
                    progress.Advance(failed: true);
                }
            });
        }

        if (tags && results.Any(r => r is not null)) TagAnalysed(context, files, results);

        for (int i = 0; i < files.Count; i++)
        {
            if (results[i] is not { } analyzed) continue;
            if (reportDir is not null) WriteNested(InputFiles.OutputPath(reportDir, tracks[i], ".html"), HtmlReport.Render(ToReportPage(analyzed)));
            if (outputIsDir && !csv) WriteNested(InputFiles.OutputPath(output!, tracks[i], ".json"), ToJson([analyzed]));
        }

        var done = results.OfType<AnalyzedFile>().ToList();
        if (csv)
        {
            var text = ToCsv(done);
            if (output is null) context.Output.Write(text);
            else AtomicFile.WriteAllText(outputIsDir ? Path.Combine(output, "analysis.csv") : output, text);
        }
        else if (!outputIsDir)
        {
            var text = ToJson(done, asArray: files.Count > 1) + "\n";
            if (output is null) context.Output.Write(text);
            else AtomicFile.WriteAllText(output, text);
        }
        if (reportDir is not null)
            AtomicFile.WriteAllText(Path.Combine(reportDir, "index.html"),
                HtmlReport.RenderIndex(Enumerable.Range(0, files.Count).Where(i => results[i] is not null)
                    .Select(i => new ReportIndexEntry(Path.ChangeExtension(tracks[i].RelativePath, ".html"), files[i], Facts(results[i]!))).ToList()));
        return done.Count == files.Count ? 0 : CommandLineApp.ExitFailure;
    }

    /// <summary>The JSON text of one result (<paramref name="asArray"/> false and one item) or an array of them (<see cref="AnalysisRecords.ToJson"/>).</summary>
    internal static string ToJson(IReadOnlyList<AnalyzedFile> items, bool asArray = false) =>
        AnalysisRecords.ToJson([.. items.Select(i => (i.File, i.Result, i.Tags))], asArray);

    /// <summary>Header and one row per result (<see cref="AnalysisRecords.CsvFields"/>, written by <see cref="CsvTable"/>).</summary>
    internal static string ToCsv(IReadOnlyList<AnalyzedFile> items) =>
        CsvTable.ToText(AnalysisRecords.CsvColumns, items.Select(i => AnalysisRecords.CsvFields(i.File, i.Result, i.Tags)));

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically, creating its folder (an input's sub-folder under the output folder).</summary>
    private static void WriteNested(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, text);
    }

    /// <summary>The headline figures of a result, as the report shows them.</summary>
    internal static IReadOnlyList<ReportFact> Facts(AnalyzedFile item)
    {
        var r = item.Result;
        var facts = new List<ReportFact>();
        string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        if (r.Key is { } key) facts.Add(new("Key", key.Label, Inv($"confidence {key.Confidence:F2}")));
        else if (r.Tasks.HasFlag(AnalysisTasks.Key)) facts.Add(new("Key", "none", "no pitched content"));
        if (r.Tempo is { } tempo) facts.Add(new("Tempo", Inv($"{tempo.Tempo1:F1} BPM"), Inv($"T2 {tempo.Tempo2:F1} · S {tempo.Strength:F2}")));
        if (r.Tasks.HasFlag(AnalysisTasks.Downbeats)) facts.Add(new("Meter", r.Meter ?? "–", Inv($"{r.Beats.Count} beats, {r.Downbeats.Count} bars")));
        if (r.TuningCents is { } cents) facts.Add(new("Tuning", Inv($"{cents:+0.0;-0.0;0.0} cents"), Inv($"A4 = {440 * Math.Pow(2, cents / 1200):F1} Hz")));
        facts.Add(new("Duration", r.Duration >= 60 ? Inv($"{(int)(r.Duration / 60)}:{r.Duration % 60:00.0}") : Inv($"{r.Duration:F1} s"), Inv($"{r.SampleRate} Hz")));
        if (r.Tasks.HasFlag(AnalysisTasks.Onsets)) facts.Add(new("Onsets", Inv($"{r.Onsets.Count}"), Inv($"{r.Onsets.Count / r.Duration:F1} per second")));
        if (r.Tasks.HasFlag(AnalysisTasks.Chords)) facts.Add(new("Chords", string.Join(" ", AnalysisRecords.MainChords(r).Take(3)) is { Length: > 0 } main ? main : "N", "most heard"));
        if (r.Tasks.HasFlag(AnalysisTasks.Segments))
            facts.Add(new("Sections", r.Segments.Count <= 8 ? string.Join(" ", r.Segments.Select(x => x.Label)) : Inv($"{r.Segments.Count}"),
                r.Segments.Count <= 8 ? Inv($"{r.Segments.Count} segments") : "segments"));
        if (item.Tags is { Count: > 0 } tags)
            facts.Add(new("Tags", string.Join(" ", tags.Take(3).Select(t => t.Tag)),
                string.Join(" · ", tags.Take(3).Select(t => t.Probability.ToString("F2", CultureInfo.InvariantCulture))) + $" ({BundledModels.DefaultTagger})"));
        return facts;
    }

    /// <summary>The report page of one analysed file.</summary>
    internal static ReportPage ToReportPage(AnalyzedFile item) => new()
    {
        Title = Path.GetFileName(item.File),
        Subtitle = Path.GetFullPath(item.File),
        Duration = item.Result.Duration,
        Facts = Facts(item),
        Spectrogram = item.Picture,
        Onsets = item.Result.Onsets,
        Beats = item.Result.Beats,
        Downbeats = item.Result.Downbeats,
        Chords = item.Result.Chords.Select(c => new ReportSpan(c.Start, c.End, c.Label)).ToList(),
        Segments = item.Result.Segments.Select(x => new ReportSpan(x.Start, x.End, x.Label)).ToList(),
    };

    /// <summary>
    /// Gives every analysed file its top tags from the default tagger, loaded now that the analyses are done and their
    /// memory given back. Silence, audio without an estimate and recordings shorter than the tagger's input chunk (which
    /// the analysis still reads) get an empty list; a file that fails to tag fails as a whole, as its analysis would.
    /// Where the tagger cannot run at all, the results keep no tags (one warning says why).
    /// </summary>
    private static void TagAnalysed(CliContext context, IReadOnlyList<string> files, AnalyzedFile?[] results)
    {
        // Aggressive: the analyses' freed heap is returned to the system, not only made reusable by .NET.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var tagger = LoadDefaultTagger(context);
        if (tagger is null) return;
        var toTag = new List<int>();
        for (int i = 0; i < results.Length; i++)
        {
            if (results[i] is not { } analyzed) continue;
            if (analyzed.Result.NoEstimate is not null || analyzed.Result.Duration < tagger.MinimumSeconds) results[i] = analyzed with { Tags = [] };
            else toTag.Add(i);
        }
        using var progress = new ProgressReporter(context, toTag.Count, "files tagged");
        int next = 0;
        foreach (var fileTags in tagger.TagFiles(toTag.Select(i => files[i])))
        {
            int i = toTag[next++];
            if (fileTags.Error is { } error)
            {
                context.FileFailed(files[i], error);
                results[i] = null;
            }
            else results[i] = results[i]! with { Tags = fileTags.Tags!.Top(TopTagCount) };
            progress.Advance(failed: fileTags.Error is not null);
        }
    }

    /// <summary>
    /// The default tagger, or null with one warning when it cannot run here (no libtorch, no bundled model, a damaged
    /// model): the analysis is still worth having without tags.
    /// </summary>
    private static Tagger? LoadDefaultTagger(CliContext context)
    {
        try
        {
            var tagger = Tagger.Load(BundledModels.Resolve(null));
            TorchThreads.Use(null);
            return tagger;
        }
        catch (Exception e) when (e is CliUsageException or MusicMLException or DllNotFoundException or TypeInitializationException)
        {
            context.Warn($"analysing without tags: {(e is TypeInitializationException { InnerException: { } inner } ? inner.Message : e.Message)} (--no-tags skips the tagger)");
            return null;
        }
    }
}

/// <summary>One analysed file: the analysis and, unless tagging was skipped or could not run, the default tagger's top tags.</summary>
internal sealed record AnalyzedFile(string File, AnalysisResult Result, IReadOnlyList<(string Tag, float Probability)>? Tags)
{
    /// <summary>The report's spectrogram, pooled to the picture's columns (<see cref="SpectrogramPicture.PoolColumns"/>), when a report was asked for.</summary>
    public ReportSpectrogram? Picture { get; init; }
}
