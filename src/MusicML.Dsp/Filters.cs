using System.Numerics;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>How mel filters are scaled.</summary>
public enum MelNorm
{
    /// <summary>Unit peak triangles (librosa <c>norm=None</c>).</summary>
    None,
    /// <summary>Each triangle divided by its width in Hz / 2, giving roughly constant energy per channel (librosa <c>norm='slaney'</c>, the default).</summary>
    Slaney,
}

/// <summary>Filterbank matrices with librosa's definitions (librosa.filters), shaped <c>[filters, 1 + nFft/2]</c>.</summary>
public static partial class Filters
{
    /// <summary>
    /// Mel filterbank (librosa.filters.mel): <paramref name="nMels"/> triangular filters over the FFT bins with
    /// corners at consecutive points of a mel scale from <paramref name="fMin"/> to <paramref name="fMax"/>
    /// (Slaney, "Auditory Toolbox", Interval Research TR 1998-010; or HTK's scale with <paramref name="htk"/>).
    /// </summary>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="nFft">FFT length in samples.</param>
    /// <param name="nMels">Number of mel bands (default 128).</param>
    /// <param name="fMin">Lowest frequency in Hz (default 0).</param>
    /// <param name="fMax">Highest frequency in Hz; default sampleRate / 2.</param>
    /// <param name="htk">Use the HTK mel formula instead of Slaney's.</param>
    /// <param name="norm">Filter scaling (default Slaney area normalisation).</param>
    /// <exception cref="MusicMLException">A non-positive size or rate, or frequencies outside 0 ≤ fMin &lt; fMax.</exception>
    public static FloatMatrix Mel(int sampleRate, int nFft, int nMels = 128, double fMin = 0.0, double? fMax = null,
        bool htk = false, MelNorm norm = MelNorm.Slaney)
    {
        InputGuard.SampleRate(sampleRate);
        InputGuard.Positive(nFft, "nFft");
        InputGuard.Positive(nMels, "nMels");
        double top = fMax ?? sampleRate / 2.0;
        if (!(fMin >= 0) || !(top > fMin) || double.IsInfinity(top))
            throw new MusicMLException($"Mel filterbank needs 0 ≤ fMin < fMax; got fMin = {fMin} Hz, fMax = {top} Hz.");
        var fftFrequencies = Frequencies.Fft(sampleRate, nFft);
        var melPoints = Frequencies.Mel(nMels + 2, fMin, top, htk);
        int bins = fftFrequencies.Length;
        var weights = new FloatMatrix(nMels, bins);
        for (int m = 0; m < nMels; m++)
        {
            double lowerWidth = melPoints[m + 1] - melPoints[m];
            double upperWidth = melPoints[m + 2] - melPoints[m + 1];
            double scale = norm == MelNorm.Slaney ? 2.0 / (melPoints[m + 2] - melPoints[m]) : 1.0;
            var row = weights.Row(m);
            for (int k = 0; k < bins; k++)
            {
                double lower = -(melPoints[m] - fftFrequencies[k]) / lowerWidth;
                double upper = (melPoints[m + 2] - fftFrequencies[k]) / upperWidth;
                // librosa stores the triangle in float32 first and scales it afterwards.
                float triangle = (float)Math.Max(0, Math.Min(lower, upper));
                row[k] = (float)(triangle * scale);
            }
        }
        return weights;
    }

    /// <summary>
    /// Chroma filterbank (librosa.filters.chroma, after Ellis's chromagram_E): Gaussian bumps mapping each FFT bin to
    /// the <paramref name="nChroma"/> pitch classes, L2-normalised per bin and weighted by a Gaussian over octaves
    /// centred at <paramref name="ctrOct"/> with width <paramref name="octWidth"/>; rows start at C.
    /// </summary>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="nFft">FFT length in samples.</param>
    /// <param name="nChroma">Number of chroma bins (default 12).</param>
    /// <param name="tuning">Tuning deviation from A440 in fractions of a chroma bin.</param>
    /// <param name="ctrOct">Centre of the octave weighting, in octaves above C0 (default 5).</param>
    /// <param name="octWidth">Width of the octave weighting in octaves (default 2); null disables it.</param>
    /// <exception cref="MusicMLException">A non-positive size or rate, or a non-finite tuning.</exception>
    public static FloatMatrix Chroma(int sampleRate, int nFft, int nChroma = 12, double tuning = 0.0, double ctrOct = 5.0, double? octWidth = 2.0)
    {
        InputGuard.SampleRate(sampleRate);
        InputGuard.Positive(nFft, "nFft");
        InputGuard.Positive(nChroma, "nChroma");
        if (!double.IsFinite(tuning)) throw new MusicMLException($"tuning must be finite; got {tuning}.");
        // Bin positions over the full (two-sided) FFT, in chroma units; the 0 Hz bin is placed 1.5 octaves below bin 1.
        var frqBins = new double[nFft];
        for (int k = 1; k < nFft; k++)
        {
            double f = (double)sampleRate * k / nFft;
            frqBins[k] = nChroma * Frequencies.HzToOctaves(f, tuning, nChroma);
        }
        frqBins[0] = frqBins[1] - 1.5 * nChroma;
        var binWidth = new double[nFft];
        for (int k = 0; k < nFft - 1; k++) binWidth[k] = Math.Max(frqBins[k + 1] - frqBins[k], 1.0);
        binWidth[nFft - 1] = 1;

        int bins = nFft / 2 + 1;
        double half = Math.Round(nChroma / 2.0, MidpointRounding.ToEven);
        var wts = new double[nChroma, bins];
        for (int k = 0; k < bins; k++)
        {
            double norm2 = 0;
            for (int c = 0; c < nChroma; c++)
            {
                double d = frqBins[k] - c;
                d = PythonRemainder(d + half + 10 * nChroma, nChroma) - half;
                double w = Math.Exp(-0.5 * Math.Pow(2 * d / binWidth[k], 2));
                wts[c, k] = w;
                norm2 += w * w;
            }
            double length = Math.Sqrt(norm2);
            double octave = octWidth is double width ? Math.Exp(-0.5 * Math.Pow((frqBins[k] / nChroma - ctrOct) / width, 2)) : 1.0;
            for (int c = 0; c < nChroma; c++) wts[c, k] = (length > 0 ? wts[c, k] / length : wts[c, k]) * octave;
        }
        // Roll so that row 0 is C rather than A (librosa's base_c).
        int shift = 3 * (nChroma / 12);
        var result = new FloatMatrix(nChroma, bins);
        for (int c = 0; c < nChroma; c++)
        {
            int source = ((c + shift) % nChroma + nChroma) % nChroma;
            var row = result.Row(c);
            for (int k = 0; k < bins; k++) row[k] = (float)wts[source, k];
        }
        return result;
    }

    private static double PythonRemainder(double x, double m)
    {
        double r = x % m;
        return r < 0 ? r + m : r;
    }
}

/// <summary>
/// A filterbank stored as one contiguous run of non-zero weights per filter: mel triangles cover a few bins each,
/// so applying them this way costs about two multiply-adds per FFT bin instead of nMels per bin.
/// </summary>
internal sealed class SparseFilterbank
{
    private readonly int[] _start;
    private readonly int[] _length;
    private readonly int[] _offset;
    private readonly float[] _weights;

    public SparseFilterbank(FloatMatrix dense)
    {
        Filters = dense.Rows;
        Bins = dense.Columns;
        _start = new int[Filters];
        _length = new int[Filters];
        _offset = new int[Filters];
        var weights = new List<float>();
        for (int m = 0; m < Filters; m++)
        {
            var row = dense.Row(m);
            int first = row.IndexOfAnyExcept(0f);
            int last = row.LastIndexOfAnyExcept(0f);
            _offset[m] = weights.Count;
            if (first < 0) continue;
            _start[m] = first;
            _length[m] = last - first + 1;
            for (int k = first; k <= last; k++) weights.Add(row[k]);
        }
        _weights = weights.ToArray();
    }

    public int Filters { get; }

    public int Bins { get; }

    /// <summary>
    /// Applies every filter to a bin-major block of frames (value (k, j) at block[k · width + j]) and stores filter m
    /// for frames first .. first + count − 1 in row m of the row-major <paramref name="output"/> (<paramref name="columns"/> wide).
    /// </summary>
    public void ApplyBlock(ReadOnlySpan<float> block, int width, int first, int count, Span<float> output, int columns)
    {
        int vector = Vector<float>.Count;
        int lanes = width / vector;
        Span<float> sums = stackalloc float[width];
        var weights = _weights.AsSpan();
        for (int m = 0; m < Filters; m++)
        {
            var acc0 = Vector<float>.Zero;
            var acc1 = Vector<float>.Zero;
            var acc2 = Vector<float>.Zero;
            var acc3 = Vector<float>.Zero;
            int start = _start[m], length = _length[m], offset = _offset[m];
            for (int i = 0; i < length; i++)
            {
                var w = new Vector<float>(weights[offset + i]);
                var row = block.Slice((start + i) * width, width);
                acc0 += w * new Vector<float>(row);
                if (lanes > 1) acc1 += w * new Vector<float>(row[vector..]);
                if (lanes > 2) acc2 += w * new Vector<float>(row[(2 * vector)..]);
                if (lanes > 3) acc3 += w * new Vector<float>(row[(3 * vector)..]);
            }
            // A full block goes straight to the output row; only the last, partial block is staged.
            var target = count == width ? output.Slice(m * columns + first, width) : sums;
            acc0.CopyTo(target);
            if (lanes > 1) acc1.CopyTo(target[vector..]);
            if (lanes > 2) acc2.CopyTo(target[(2 * vector)..]);
            if (lanes > 3) acc3.CopyTo(target[(3 * vector)..]);
            if (count < width) sums[..count].CopyTo(output.Slice(m * columns + first, count));
        }
    }

    /// <summary>Applies every filter to one frame's spectrum, writing filter m's output to destination[m · stride].</summary>
    public void Apply(ReadOnlySpan<float> spectrum, Span<float> destination, int stride)
    {
        var weights = _weights.AsSpan();
        for (int m = 0; m < Filters; m++)
        {
            int length = _length[m];
            destination[m * stride] = length == 0 ? 0f :
                FramePipeline.Dot(weights.Slice(_offset[m], length), spectrum.Slice(_start[m], length));
        }
    }
}
