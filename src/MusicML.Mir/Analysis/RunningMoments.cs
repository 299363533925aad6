namespace MusicML.Mir.Analysis;

/// <summary>
/// Running mean and population variance of several series at once (one per feature row), updated one frame at a time
/// with Welford's algorithm (Welford, "Note on a method for calculating corrected sums of squares and products",
/// Technometrics 4(3), 1962), so a track's per-frame statistics need memory for the statistics only, whatever its
/// length. Values arrive in frame order; the same frames in the same order give the same bits however they were cut
/// into blocks.
/// </summary>
internal sealed class RunningMoments
{
    private readonly double[] _mean;
    private readonly double[] _m2;

    /// <summary>Statistics for <paramref name="series"/> series.</summary>
    public RunningMoments(int series)
    {
        _mean = new double[series];
        _m2 = new double[series];
    }

    /// <summary>Frames seen so far.</summary>
    public long Count { get; private set; }

    /// <summary>Number of series.</summary>
    public int Series => _mean.Length;

    /// <summary>
    /// Adds frames <paramref name="first"/> .. first + count − 1 of a row-major <c>[Series, columns]</c> block (a
    /// <c>FloatMatrix</c>'s layout).
    /// </summary>
    public void Add(ReadOnlySpan<float> rowMajor, int columns, int first, int count)
    {
        for (int t = first; t < first + count; t++)
        {
            Count++;
            for (int r = 0; r < _mean.Length; r++)
            {
                double x = rowMajor[r * columns + t];
                double delta = x - _mean[r];
                _mean[r] += delta / Count;
                _m2[r] += delta * (x - _mean[r]);
            }
        }
    }

    /// <summary>Mean of series <paramref name="r"/>; 0 before any frame.</summary>
    public double Mean(int r) => Count > 0 ? _mean[r] : 0;

    /// <summary>Population standard deviation (ddof = 0, numpy's default) of series <paramref name="r"/>; 0 before two frames.</summary>
    public double StandardDeviation(int r) => Count > 1 ? Math.Sqrt(Math.Max(_m2[r], 0) / Count) : 0;
}
