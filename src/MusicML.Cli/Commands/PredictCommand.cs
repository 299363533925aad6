using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Learning;
using MusicML.Mir.Analysis;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml predict --model MODEL.json INPUT... [--format tsv|csv|json] [--jobs N] [--out FILE]</c>: labels audio
/// files with a classifier saved by <c>musicml train classifier</c>, computing for each file the same summary features
/// it was trained on (<see cref="TrackSummarizer"/>). The model must record that feature set and version; one trained
/// on another table is refused before any audio is read. Output, in input order:
/// <list type="bullet">
/// <item>tsv (default): <c>PATH&lt;TAB&gt;LABEL</c> per track (tab, CR, LF and backslash in the path escaped as in <c>tag</c>).</item>
/// <item>csv: header <c>path,label</c> and, for learners with probabilities, <c>p_LABEL</c> per class (6 decimals).</item>
/// <item>json: an array of <c>{"path", "label", "probabilities": {LABEL: p}}</c>, one per line (no probabilities
/// object for learners without them).</item>
/// </list>
/// A file that fails gets one error line on stderr and is skipped; the exit code is then 1.
/// </summary>
internal static class PredictCommand
{
    private static readonly string[] Formats = ["tsv", "csv", "json"];

    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var inputs = InputFiles.CreateArgument();
        var model = new Option<string>("--model") { HelpName = "MODEL.json", Description = "A classifier saved by 'musicml train classifier' on summary features.", Required = true };
        var format = new Option<string>("--format") { Description = "tsv (PATH<TAB>LABEL), csv (path,label,p_LABEL...) or json (with probabilities where the learner has them).", DefaultValueFactory = _ => "tsv" };
        format.AcceptOnlyFromAmong(Formats);
        var jobs = WorkersOption.Create("Files summarised in parallel (default 1).");
        var output = new Option<string?>("--out") { HelpName = "FILE", Description = "Write to FILE (atomically) instead of standard output." };
        var command = new Command("predict", "Label audio files with a classifier from 'musicml train classifier', computing the summary features it was trained on.")
        {
            inputs, model, format, jobs, output,
        };
        command.SetAction(parse => Run(context, parse.GetValue(inputs) ?? [], parse.GetValue(model)!, parse.GetValue(format)!,
            parse.GetValue(jobs), parse.GetValue(output)));
        return command;
    }

    private static int Run(CliContext context, IReadOnlyList<string> inputs, string modelPath, string format, int jobs, string? outPath)
    {
        WorkersOption.Check(jobs);
        if (!File.Exists(modelPath)) throw new CliUsageException($"--model {modelPath}: no such file.");
        var classifier = LoadClassifier(modelPath);
        var files = InputFiles.ExpandAtLeastOne(inputs, context);
        if (outPath is not null) OutputPaths.CheckFile("--out", outPath, [.. files, modelPath]);
        var results = FeatureSummaryCommand.Summarize(context, files, jobs);
        var done = results.Where(r => r.Summary is not null).ToArray();
        string[] labels = [];
        Matrix<double>? probabilities = null;
        if (done.Length > 0)
        {
            var x = Matrix<double>.Build.Dense(done.Length, TrackSummarizer.Names.Count, (r, c) => done[r].Summary!.Values[c]);
            labels = classifier.Predict(TrackSummarizer.Names, x);
            if (classifier.HasProbabilities) probabilities = classifier.PredictProba(TrackSummarizer.Names, x);
        }

        void Write(TextWriter writer)
        {
            var classes = classifier.LabelNames;
            if (format == "csv")
                writer.Write(string.Join(',', new[] { "path", "label" }.Concat(probabilities is null ? [] : classes.Select(c => "p_" + c))
                    .Select(CsvLine.Quote)) + "\n");
            if (format == "json") writer.Write("[");
            for (int i = 0; i < done.Length; i++)
            {
                var path = done[i].Path;
                switch (format)
                {
                    case "tsv":
                        writer.Write(TagOutput.EscapeTsv(path) + "\t" + TagOutput.EscapeTsv(labels[i]) + "\n");
                        break;
                    case "csv":
                        var row = new[] { CsvLine.Quote(path), CsvLine.Quote(labels[i]) }.AsEnumerable();
                        if (probabilities is not null)
                            row = row.Concat(Enumerable.Range(0, classes.Count).Select(c => probabilities[i, c].ToString("F6", CultureInfo.InvariantCulture)));
                        writer.Write(string.Join(',', row) + "\n");
                        break;
                    default:
                        writer.Write((i == 0 ? "\n" : ",\n") + JsonRecord(path, labels[i], classes, probabilities, i));
                        break;
                }
            }
            if (format == "json") writer.Write(done.Length == 0 ? "]\n" : "\n]\n");
        }
        if (outPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            AtomicFile.WriteText(outPath, Write);
        }
        else Write(context.Output);
        return done.Length == results.Length ? 0 : CommandLineApp.ExitFailure;
    }

    /// <summary>The model, refused unless it is a fitted classifier trained on this build's summary features.</summary>
    /// <exception cref="MusicMLException">Not a classifier model, or trained on other features (the message names the file and both feature sets).</exception>
    internal static NamedClassifier LoadClassifier(string modelPath)
    {
        var model = ModelFile.Load(modelPath);
        if (model is not NamedClassifier classifier || !classifier.IsFitted)
            throw new MusicMLException($"{modelPath}: not a trained classifier from 'musicml train classifier' (it holds {(model is NamedClassifier ? "an unfitted " : "a ")}{model.ModelName}).") { FilePath = modelPath };
        if (classifier.FeatureSet != TrackSummarizer.FeatureSet)
            throw new MusicMLException(
                $"{modelPath}: the model was trained on {(classifier.FeatureSet is null ? "a feature table of unknown provenance" : $"feature set '{classifier.FeatureSet}'")}, " +
                $"but predict computes '{TrackSummarizer.FeatureSet}'; retrain it on 'musicml features summary' output.") { FilePath = modelPath };
        var unknown = classifier.FeatureNames.FirstOrDefault(n => !TrackSummarizer.Names.Contains(n));
        if (unknown is not null)
            throw new MusicMLException($"{modelPath}: the model needs feature '{unknown}', which {TrackSummarizer.FeatureSet} does not have.") { FilePath = modelPath };
        return classifier;
    }

    private static string JsonRecord(string path, string label, IReadOnlyList<string> classes, Matrix<double>? probabilities, int row)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps non-ASCII paths and labels readable; the output is a data file, never embedded in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("path", path);
            json.WriteString("label", label);
            if (probabilities is not null)
            {
                json.WriteStartObject("probabilities");
                for (int c = 0; c < classes.Count; c++) json.WriteNumber(classes[c], probabilities[row, c]);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
