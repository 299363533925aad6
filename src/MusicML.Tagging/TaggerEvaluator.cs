using MusicML.Core;
using MusicML.Evaluation;

namespace MusicML.Tagging;

/// <summary>Scores of one tag over a test set.</summary>
/// <param name="Tag">The tag.</param>
/// <param name="Positives">Tracks that have it.</param>
/// <param name="RocAuc">ROC-AUC, or NaN when every track or none has the tag.</param>
/// <param name="PrAuc">Average precision, or NaN when every track or none has the tag.</param>
public sealed record TagScore(string Tag, int Positives, double RocAuc, double PrAuc);

/// <summary>A model's tagging scores on a test manifest.</summary>
/// <param name="Tags">Per-tag scores in the model's output order.</param>
/// <param name="MacroRocAuc">Mean ROC-AUC over the tags with both positives and negatives.</param>
/// <param name="MacroPrAuc">Mean PR-AUC over the same tags.</param>
/// <param name="Relevant">The labels, [track][tag] in model order.</param>
/// <param name="Probabilities">Track-level probabilities (<see cref="Tagger.TagFiles"/>), [track][tag].</param>
/// <param name="Paths">The tracks, in manifest order.</param>
public sealed record TaggerScores(
    IReadOnlyList<TagScore> Tags, double MacroRocAuc, double MacroPrAuc, IReadOnlyList<bool[]> Relevant,
    IReadOnlyList<double[]> Probabilities, IReadOnlyList<string> Paths)
{
    /// <summary>The number of tags the macro means cover.</summary>
    public int ScoredTagCount => Tags.Count(t => !double.IsNaN(t.RocAuc));
}

/// <summary>
/// Scores a tagging model on a tag manifest: track-level probabilities by the model's chunk protocol
/// (<see cref="Tagger.TagFiles"/>), then per-tag and macro ROC-AUC / PR-AUC with <see cref="TaggingEvaluation"/>'s
/// scikit-learn definitions. Manifest tags the model does not know are ignored; a tag with only positives or only
/// negatives has no ROC-AUC (sklearn raises) and is reported as NaN and left out of the macro means.
/// </summary>
public static class TaggerEvaluator
{
    /// <summary>Tags every track of <paramref name="manifestPath"/> with <paramref name="tagger"/> and scores them.</summary>
    /// <param name="tagger">The model.</param>
    /// <param name="manifestPath">A <see cref="TagManifest"/> (header <c>path,tags</c>).</param>
    /// <param name="batchSize">Chunks per network pass.</param>
    /// <exception cref="MusicMLException">The manifest is malformed (<c>file:line</c>), a track cannot be tagged (named;
    /// skipping it would change the scores), or no tag has both positives and negatives.</exception>
    public static TaggerScores Evaluate(Tagger tagger, string manifestPath, int batchSize = Tagger.DefaultFilesBatchSize)
    {
        ArgumentNullException.ThrowIfNull(tagger);
        var entries = TagManifest.Read(manifestPath);
        var tags = tagger.Config.Tags;
        var index = tags.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
        var relevant = entries.Select(e =>
        {
            var row = new bool[tags.Count];
            foreach (var tag in e.Tags)
                if (index.TryGetValue(tag, out int i)) row[i] = true;
            return row;
        }).ToArray();
        var probabilities = new List<double[]>(entries.Count);
        foreach (var file in tagger.TagFiles(entries.Select(e => e.Path), batchSize))
        {
            if (file.Error is not null) throw file.Error;
            probabilities.Add(file.Tags!.Probabilities.Select(p => (double)p).ToArray());
        }
        return Score(tags, relevant, probabilities, entries.Select(e => e.Path).ToArray(), manifestPath);
    }

    /// <summary>Per-tag and macro scores of given probabilities (the part of <see cref="Evaluate"/> after tagging).</summary>
    /// <param name="tags">Tag names, in column order.</param>
    /// <param name="relevant">Labels, [track][tag].</param>
    /// <param name="probabilities">Scores, [track][tag].</param>
    /// <param name="paths">The tracks, for the result.</param>
    /// <param name="source">What to name in an error (the manifest).</param>
    /// <exception cref="MusicMLException">No tag has both positives and negatives.</exception>
    public static TaggerScores Score(IReadOnlyList<string> tags, IReadOnlyList<bool[]> relevant, IReadOnlyList<double[]> probabilities,
        IReadOnlyList<string> paths, string source)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentNullException.ThrowIfNull(probabilities);
        var scores = new TagScore[tags.Count];
        var column = new bool[relevant.Count];
        var values = new double[relevant.Count];
        for (int t = 0; t < tags.Count; t++)
        {
            for (int r = 0; r < relevant.Count; r++) (column[r], values[r]) = (relevant[r][t], probabilities[r][t]);
            int positives = column.Count(c => c);
            bool defined = positives > 0 && positives < column.Length;
            scores[t] = new TagScore(tags[t], positives,
                defined ? TaggingEvaluation.RocAuc(column, values) : double.NaN,
                defined ? TaggingEvaluation.AveragePrecision(column, values) : double.NaN);
        }
        var kept = scores.Where(s => !double.IsNaN(s.RocAuc)).ToArray();
        if (kept.Length == 0)
            throw new MusicMLException($"{source}: no tag of the model has both positive and negative tracks, so ROC-AUC is undefined") { FilePath = source };
        return new TaggerScores(scores, kept.Average(s => s.RocAuc), kept.Average(s => s.PrAuc), relevant, probabilities, paths);
    }
}
