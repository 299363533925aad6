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

    /// <summary>
    /// This table's rows labelled from another CSV, <paramref name="manifestPath"/>, that names each example in a
    /// <c>path</c> or <c>file</c> column and holds <paramref name="labelColumn"/> (its other columns, numeric or not,
    /// are ignored): what lets <c>musicml features summary</c> output train on a dataset's own manifest. A manifest
    /// row matches the feature row of the same file: its path taken relative to the manifest's folder and the table's
    /// paths relative to the working directory (as they were given when the features were computed) must name the
    /// same file, or, failing that, the file name must match exactly one feature row. Manifest rows without features
    /// (a file that failed, say) are left out and passed to <paramref name="skipped"/>; rows come out in manifest order.
    /// </summary>
    /// <exception cref="MusicMLException">The table has no path column, the manifest lacks the key or label column, a label is empty, or no row matches.</exception>
    public FeatureTable WithLabelsFrom(string manifestPath, string labelColumn, Action<string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(manifestPath);
        ArgumentNullException.ThrowIfNull(labelColumn);
        if (Ids is null)
            throw new MusicMLException($"{Source}: the feature table has no path or file column to join the manifest on.") { FilePath = Source };
        string[] lines;
        try
        {
            lines = File.ReadAllLines(manifestPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MusicMLException($"{manifestPath}: cannot read the manifest: {e.Message}", e) { FilePath = manifestPath };
        }
        MusicMLException Error(int line, string message) => new($"{manifestPath}:{line}: {message}") { FilePath = manifestPath };
        int headerLine = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (headerLine < 0) throw new MusicMLException($"{manifestPath}: the manifest is empty.") { FilePath = manifestPath };
        var header = CsvLine.Split(lines[headerLine]).Select(h => h.Trim()).ToArray();
        int labelIndex = Array.IndexOf(header, labelColumn);
        if (labelIndex < 0) throw Error(headerLine + 1, $"no column '{labelColumn}' (columns: {string.Join(", ", header)}).");
        int keyIndex = Array.FindIndex(header, h => IdentifierColumns.Contains(h, StringComparer.OrdinalIgnoreCase));
        if (keyIndex < 0 || keyIndex == labelIndex) throw Error(headerLine + 1, "no path or file column naming each example's audio.");

        var byPath = new Dictionary<string, int>(StringComparer.Ordinal);
        var byName = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int r = 0; r < Ids.Count; r++)
        {
            byPath.TryAdd(Path.GetFullPath(Ids[r]), r);
            var name = Path.GetFileName(Ids[r]);
            if (!byName.TryGetValue(name, out var rows)) byName[name] = rows = [];
            rows.Add(r);
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var matched = new List<int>();
        var labels = new List<string>();
        for (int l = headerLine + 1; l < lines.Length; l++)
        {
            if (lines[l].Trim().Length == 0) continue;
            var cells = CsvLine.Split(lines[l]);
            if (cells.Length != header.Length) throw Error(l + 1, $"{cells.Length} fields, but the header has {header.Length}.");
            var key = cells[keyIndex].Trim();
            var label = cells[labelIndex].Trim();
            if (label.Length == 0) throw Error(l + 1, $"the label column '{labelColumn}' is empty.");
            if (!byPath.TryGetValue(Path.GetFullPath(Path.Combine(folder, key)), out int row))
            {
                if (byName.TryGetValue(Path.GetFileName(key), out var candidates) && candidates.Count == 1) row = candidates[0];
                else
                {
                    skipped?.Invoke($"{manifestPath}:{l + 1}: {key} has no row in {Source}; left out.");
                    continue;
                }
            }
            matched.Add(row);
            labels.Add(label);
        }
        if (matched.Count == 0)
            throw new MusicMLException($"{manifestPath}: no manifest row names a file of the feature table {Source}.") { FilePath = manifestPath };
        var features = Matrix<double>.Build.Dense(matched.Count, Features.ColumnCount, (r, c) => Features[matched[r], c]);
        return new FeatureTable(Source, [.. FeatureNames], features, [.. labels], [.. matched.Select(r => Ids[r])]);
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
