using System.Collections;

namespace MusicML.Evaluation;

/// <summary>One named metric value.</summary>
/// <param name="Name">The snake_case name of the mir_eval function or output it mirrors, e.g. <c>f_measure</c>, <c>cmlt</c>, <c>majmin</c>.</param>
/// <param name="MirEvalName">The key mir_eval's <c>evaluate</c> gives the same value, e.g. <c>F-measure</c>, <c>Correct Metric Level Total</c>.</param>
/// <param name="Value">The score (booleans such as tempo's <c>one_correct</c> are 0 or 1).</param>
public readonly record struct MetricScore(string Name, string MirEvalName, double Value);

/// <summary>
/// The ordered scores one evaluation produced, looked up by either name: what every family's <c>Evaluate</c> returns
/// and what the task registry and <c>musicml eval</c> tabulate.
/// </summary>
public sealed class Scores : IReadOnlyList<MetricScore>
{
    private readonly List<MetricScore> _items = [];
    private readonly List<string> _warnings = [];

    /// <summary>
    /// What the evaluation accepted but adjusted the way mir_eval does (intervals padded or trimmed to the reference's
    /// span, gaps and overlaps between intervals, empty annotations), one sentence each; empty when the input needed
    /// nothing. <c>musicml eval</c> prints them as warnings naming the file.
    /// </summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Records a warning (see <see cref="Warnings"/>); a repeated sentence is kept once.</summary>
    public void Warn(string warning)
    {
        if (!_warnings.Contains(warning)) _warnings.Add(warning);
    }

    /// <summary>Appends a score; names must be unique within one result.</summary>
    public void Add(string name, string mirEvalName, double value)
    {
        if (TryGet(name, out _)) throw new ArgumentException($"Score '{name}' added twice.", nameof(name));
        _items.Add(new MetricScore(name, mirEvalName, value));
    }

    /// <summary>The value of the score whose <see cref="MetricScore.Name"/> or <see cref="MetricScore.MirEvalName"/> is <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such score.</exception>
    public double this[string name] => TryGet(name, out var value) ? value
        : throw new KeyNotFoundException($"No score named '{name}' (have {string.Join(", ", _items.Select(s => s.Name))}).");

    /// <summary>Looks a score up by its snake_case or mir_eval name.</summary>
    public bool TryGet(string name, out double value)
    {
        foreach (var item in _items)
            if (item.Name == name || item.MirEvalName == name) { value = item.Value; return true; }
        value = double.NaN;
        return false;
    }

    /// <summary>The snake_case names, in order.</summary>
    public IReadOnlyList<string> Names => _items.Select(s => s.Name).ToArray();

    /// <inheritdoc />
    public MetricScore this[int index] => _items[index];

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public IEnumerator<MetricScore> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
