namespace MusicML.Evaluation.Annotations;

/// <summary>A half-open time span [<see cref="Start"/>, <see cref="End"/>), in seconds.</summary>
/// <param name="Start">Start time in seconds.</param>
/// <param name="End">End time in seconds.</param>
public readonly record struct TimeInterval(double Start, double End)
{
    /// <summary>End − Start, in seconds.</summary>
    public double Duration => End - Start;
}

/// <summary>Time intervals with one label each (chords, segments): the <c>start end label</c> of a .lab file.</summary>
/// <param name="Intervals">The spans, in seconds, in file order.</param>
/// <param name="Labels">One label per interval.</param>
public sealed record LabeledIntervals(TimeInterval[] Intervals, string[] Labels)
{
    /// <summary>Number of intervals.</summary>
    public int Count => Intervals.Length;
}

/// <summary>A sampled series such as a melody contour: <c>time value</c> rows.</summary>
/// <param name="Times">Sample times in seconds.</param>
/// <param name="Values">One value per time (for melody: frequency in Hz, 0 or negative = unvoiced).</param>
public sealed record TimeSeries(double[] Times, double[] Values);

/// <summary>
/// A tempo annotation in MIREX's form: two tempi and the relative salience of the first, as mir_eval's tempo task
/// expects (<c>t1 t2 weight</c>). A file holding a single tempo <c>t</c> is read as <c>(t, t, 1.0)</c>.
/// </summary>
/// <param name="Tempo1">The first (usually slower) tempo, in BPM.</param>
/// <param name="Tempo2">The second (usually faster) tempo, in BPM.</param>
/// <param name="Weight">Relative strength of <paramref name="Tempo1"/> against <paramref name="Tempo2"/>, in [0, 1].</param>
public readonly record struct TempoAnnotation(double Tempo1, double Tempo2, double Weight)
{
    /// <summary>The more salient tempo (Tempo1 when Weight ≥ 0.5), in BPM: the single tempo Accuracy1/Accuracy2 compare.</summary>
    public double DominantTempo => Weight >= 0.5 ? Tempo1 : Tempo2;
}

/// <summary>Tags of one track, each with a score (1 for tags listed without one).</summary>
/// <param name="Tags">Tag names, in file order.</param>
/// <param name="Values">One score per tag (a probability, or 1 for a plain list).</param>
public sealed record TagAnnotation(string[] Tags, double[] Values);

/// <summary>Notes of a transcription: <c>onset offset pitch</c> rows (mir_eval's valued intervals).</summary>
/// <param name="Intervals">Onset and offset of each note, in seconds.</param>
/// <param name="Pitches">Pitch of each note in Hz.</param>
public sealed record NoteAnnotation(TimeInterval[] Intervals, double[] Pitches);

/// <summary>Several simultaneous pitches per frame (multi-f0): <c>time f1 f2 ...</c> rows, a frame with no pitch having only its time.</summary>
/// <param name="Times">Frame times in seconds.</param>
/// <param name="Frequencies">The active frequencies in Hz of each frame (possibly none).</param>
public sealed record MultipitchAnnotation(double[] Times, double[][] Frequencies);
