using System.Globalization;
using System.Text;
using MathNet.Numerics.LinearAlgebra;
using MusicML.Core;

namespace MusicML.Learning;

/// <summary>
/// A table of precomputed features read from CSV (a header row, one row per example): every column is a numeric
/// feature except the label column, when one is named, and an identifier column <c>path</c> or <c>file</c>, when present.
/// Values are invariant-culture numbers and must be finite; a bad cell is reported as <c>FILE:LINE</c> with the column.
/// </summary>
public sealed class FeatureTable
{
    private static readonly string[] IdentifierColumns = ["path", "file"];

    private FeatureTable(string source, string[] featureNames, Matrix<double> features, string[]? labels, string[]? ids)
    {
        Source = source;
        FeatureNames = featureNames;
        Features = features;
        Labels = labels;
        Ids = ids;
    }

    /// <summary>Where the table came from (the file path).</summary>
    public string Source { get; }

    /// <summary>The feature columns' names, in file order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The features [rows, feature columns].</summary>
    public Matrix<double> Features { get; }

    /// <summary>The label of each row, or null when no label column was asked for.</summary>
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>The identifier (<c>path</c> / <c>file</c> column) of each row, or null when there is none.</summary>
    public IReadOnlyList<string>? Ids { get; }

    /// <summary>Reads <paramref name="path"/>; <paramref name="labelColumn"/>, when given, must be one of its columns.</summary>
    /// <exception cref="MusicMLException">Missing file, no rows, a missing label column, a ragged or non-numeric row (FILE:LINE named).</exception>
    public static FeatureTable ReadCsv(string path, string? labelColumn = null)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MusicMLException($"{path}: cannot read the feature table: {e.Message}", e) { FilePath = path };
        }
        MusicMLException Error(int line, string message) => new($"{path}:{line}: {message}") { FilePath = path };
        int headerLine = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (headerLine < 0) throw new MusicMLException($"{path}: the feature table is empty.") { FilePath = path };
        var header = CsvLine.Split(lines[headerLine]).Select(h => h.Trim()).ToArray();
        var duplicate = header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw Error(headerLine + 1, $"column '{duplicate.Key}' appears twice in the header.");
        int labelIndex = -1;
        if (labelColumn is not null)
        {
            labelIndex = Array.IndexOf(header, labelColumn);
            if (labelIndex < 0) throw Error(headerLine + 1, $"no column '{labelColumn}' (columns: {string.Join(", ", header)}).");
        }
        int idIndex = Array.FindIndex(header, h => IdentifierColumns.Contains(h, StringComparer.OrdinalIgnoreCase));
        if (idIndex == labelIndex) idIndex = -1;
        var featureColumns = Enumerable.Range(0, header.Length).Where(c => c != labelIndex && c != idIndex).ToArray();
        if (featureColumns.Length == 0) throw Error(headerLine + 1, "there are no feature columns besides the label and identifier.");

        var rows = new List<double[]>();
        var labels = new List<string>();
        var ids = new List<string>();
        for (int l = headerLine + 1; l < lines.Length; l++)
        {
            if (lines[l].Trim().Length == 0) continue;
            var cells = CsvLine.Split(lines[l]);
            if (cells.Length != header.Length) throw Error(l + 1, $"{cells.Length} fields, but the header has {header.Length}.");
            var row = new double[featureColumns.Length];
            for (int f = 0; f < featureColumns.Length; f++)
            {
                var cell = cells[featureColumns[f]].Trim();
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out row[f]) || !double.IsFinite(row[f]))
                    throw Error(l + 1, $"column '{header[featureColumns[f]]}' holds '{cell}', not a finite number.");
            }
            if (labelIndex >= 0)
            {
                var label = cells[labelIndex].Trim();
                if (label.Length == 0) throw Error(l + 1, $"the label column '{labelColumn}' is empty.");
                labels.Add(label);
            }
            if (idIndex >= 0) ids.Add(cells[idIndex]);
            rows.Add(row);
        }
        if (rows.Count == 0) throw new MusicMLException($"{path}: the feature table has a header but no rows.") { FilePath = path };
        return new FeatureTable(path, [.. featureColumns.Select(c => header[c])], TrainingData.Matrix([.. rows], featureColumns.Length),
            labelIndex >= 0 ? [.. labels] : null, idIndex >= 0 ? [.. ids] : null);
    }

    /// <summary>The features in the column order <paramref name="names"/> (a model's), whatever order the file has.</summary>
    /// <exception cref="MusicMLException">A column the model needs is missing from the table.</exception>
    public Matrix<double> FeaturesFor(IReadOnlyList<string> names)
    {
        var index = FeatureNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        var columns = names.Select(n => index.TryGetValue(n, out var i) ? i
            : throw new MusicMLException($"{Source}: the model needs feature column '{n}', which the table lacks.") { FilePath = Source }).ToArray();
        return Matrix<double>.Build.Dense(Features.RowCount, columns.Length, (r, c) => Features[r, columns[c]]);
    }
}
