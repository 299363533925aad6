using System.Globalization;

namespace MusicML.Evaluation;

/// <summary>Shared checks and the window matching used by onset, beat and segment-boundary scores.</summary>
internal static class EventValidation
{
    /// <summary>mir_eval's <c>MAX_TIME</c>: event times above this are assumed to be in the wrong unit.</summary>
    public const double MaxEventTime = 30000.0;

    /// <summary>mir_eval's <c>util.validate_events</c>: finite, at most 30000 s, non-decreasing.</summary>
    public static void ValidateEvents(ReadOnlySpan<double> events, string what)
    {
        for (int i = 0; i < events.Length; i++)
        {
            if (!double.IsFinite(events[i]))
                throw new AnnotationException($"{what} event {i} is {Format(events[i])}; times must be finite seconds.");
            if (events[i] > MaxEventTime)
                throw new AnnotationException($"{what} event at {Format(events[i])} s is above {MaxEventTime} s; are the times in seconds?");
            if (i > 0 && events[i] < events[i - 1])
                throw new AnnotationException($"{what} events must be in increasing order: {Format(events[i])} s follows {Format(events[i - 1])} s.");
        }
    }

    public static void ValidateFinite(double value, string name)
    {
        if (!double.IsFinite(value)) throw new AnnotationException($"{name} must be finite, got {Format(value)}.");
    }

    /// <summary>
    /// Size of a maximum one-to-one matching of sorted <paramref name="reference"/> and <paramref name="estimated"/>
    /// events where a pair may match when <c>est − window ≤ ref ≤ est + window</c> (mir_eval's <c>match_events</c>,
    /// which uses exactly these two comparisons). Both inputs must be sorted. On a line the hit graph is an interval
    /// graph, so the greedy sweep that always pairs the earliest feasible pair is maximum, like mir_eval's
    /// Hopcroft–Karp, in O(n + m) instead of O(E √V).
    /// </summary>
    public static int MatchCount(ReadOnlySpan<double> reference, ReadOnlySpan<double> estimated, double window)
    {
        int i = 0, j = 0, matched = 0;
        while (i < reference.Length && j < estimated.Length)
        {
            if (reference[i] < estimated[j] - window) i++;
            else if (reference[i] > estimated[j] + window) j++;
            else { matched++; i++; j++; }
        }
        return matched;
    }

    /// <summary>mir_eval's <c>util.f_measure</c>: 0 when both precision and recall are 0.</summary>
    public static double FMeasure(double precision, double recall, double beta = 1.0)
    {
        if (precision == 0 && recall == 0) return 0.0;
        return (1 + beta * beta) * precision * recall / (beta * beta * precision + recall);
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
