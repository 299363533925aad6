using System.Numerics.Tensors;
using MusicML.Dsp;

namespace MusicML.Cli.Reports;

/// <summary>
/// Turns a <see cref="ReportSpectrogram"/> into a PNG at most <see cref="MaxWidth"/> x <see cref="MaxHeight"/> pixels:
/// frames and bands are max-pooled (a short loud event stays visible when many frames share a pixel column), scaled by
/// a high percentile rather than the maximum (one loud hit would otherwise darken everything), and coloured with
/// <see cref="Colormap"/>. Row 0 of the image is the highest band, as a spectrogram is read.
/// </summary>
internal static class SpectrogramPicture
{
    /// <summary>Most pixel columns: about one per screen pixel of the report's plot.</summary>
    public const int MaxWidth = 1600;

    /// <summary>Most pixel rows.</summary>
    public const int MaxHeight = 320;

    /// <summary>Level mapped to the brightest colour, as a quantile of the pooled values.</summary>
    private const double WhiteQuantile = 0.995;

    /// <summary>
    /// Height of <paramref name="hz"/> on the picture's frequency axis as a fraction from the bottom (0) to the top (1):
    /// the axis is logarithmic from the lowest to the highest band centre.
    /// </summary>
    public static double AxisFraction(double hz, IReadOnlyList<double> bandFrequencies) =>
        Math.Log(hz / bandFrequencies[0]) / Math.Log(bandFrequencies[^1] / bandFrequencies[0]);

    /// <summary>
    /// The bands [first, end) each image row pools (row 0 at the top). Rows are spaced evenly in log frequency, so the
    /// picture's axis is truly logarithmic even where a filterbank merges its lowest bands (one FFT bin covers several
    /// log bands there); a row that no band centre falls in repeats its nearest band.
    /// </summary>
    private static (int[] First, int[] End) RowBands(IReadOnlyList<double> centres, int bands, int height)
    {
        var first = new int[height];
        var end = new int[height];
        bool logAxis = centres.Count == bands && bands >= 2 && centres[0] > 0 && centres[^1] > centres[0];
        for (int y = 0; y < height; y++)
        {
            if (!logAxis)
            {
                first[y] = bands - (int)((long)(y + 1) * bands / height);
                end[y] = Math.Max(first[y] + 1, bands - (int)((long)y * bands / height));
                continue;
            }
            double ratio = centres[^1] / centres[0];
            double low = centres[0] * Math.Pow(ratio, (double)(height - y - 1) / height);
            double high = centres[0] * Math.Pow(ratio, (double)(height - y) / height);
            int b0 = LowerBound(centres, low), b1 = y == 0 ? bands : LowerBound(centres, high);
            if (b1 <= b0)
            {
                double middle = Math.Sqrt(low * high);
                int nearest = Math.Min(b0, bands - 1);
                if (nearest > 0 && middle / centres[nearest - 1] < centres[nearest] / middle) nearest--;
                (b0, b1) = (nearest, nearest + 1);
            }
            first[y] = b0;
            end[y] = b1;
        }
        return (first, end);
    }

    private static int LowerBound(IReadOnlyList<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// The spectrogram max-pooled over frames to the picture's columns (at most <see cref="MaxWidth"/>; the frame rate
    /// scaled so that it still spans the same seconds): what <see cref="Render"/> draws is the same from either, and
    /// the pooled one is small enough to hold per file until a report is written (about 0.6 MB instead of 60 MB per
    /// ten minutes). One at most <see cref="MaxWidth"/> frames wide is returned as it is.
    /// </summary>
    public static ReportSpectrogram PoolColumns(ReportSpectrogram spectrogram)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        var values = spectrogram.Values;
        int bands = values.Rows, frames = values.Columns;
        if (frames <= MaxWidth) return spectrogram;
        var pooled = new FloatMatrix(bands, MaxWidth);
        for (int b = 0; b < bands; b++)
        {
            var row = values.Row(b);
            var target = pooled.Row(b);
            for (int x = 0; x < MaxWidth; x++)
            {
                var (f0, f1) = ColumnFrames(x, MaxWidth, frames);
                target[x] = TensorPrimitives.Max(row[f0..f1]);
            }
        }
        return spectrogram with { Values = pooled, FrameRate = spectrogram.FrameRate * MaxWidth / frames };
    }

    /// <summary>The frames [first, end) that pixel column <paramref name="x"/> of <paramref name="width"/> pools.</summary>
    private static (int First, int End) ColumnFrames(int x, int width, int frames)
    {
        int f0 = (int)((long)x * frames / width);
        return (f0, Math.Max(f0 + 1, (int)((long)(x + 1) * frames / width)));
    }

    /// <summary>The PNG and its size in pixels.</summary>
    public static (byte[] Png, int Width, int Height) Render(ReportSpectrogram spectrogram)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        var values = spectrogram.Values;
        int bands = values.Rows, frames = values.Columns;
        if (bands == 0 || frames == 0) throw new ArgumentException("The spectrogram to draw is empty.");
        int width = Math.Min(frames, MaxWidth), height = Math.Min(bands, MaxHeight);

        var (rowFirst, rowEnd) = RowBands(spectrogram.BandFrequencies, bands, height);
        var pooled = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            int b0 = rowFirst[y], b1 = rowEnd[y];
            for (int x = 0; x < width; x++)
            {
                var (f0, f1) = ColumnFrames(x, width, frames);
                float max = 0;
                for (int b = b0; b < b1; b++)
                {
                    var row = values.Row(b)[f0..f1];
                    foreach (var v in row) if (v > max) max = v;
                }
                pooled[y * width + x] = max;
            }
        }

        var sorted = (float[])pooled.Clone();
        Array.Sort(sorted);
        float white = sorted[Math.Min(sorted.Length - 1, (int)(WhiteQuantile * sorted.Length))];
        if (!(white > 0)) white = sorted[^1] > 0 ? sorted[^1] : 1;

        var rgb = new byte[width * height * 3];
        for (int i = 0; i < pooled.Length; i++) Colormap.Write(pooled[i] / white, rgb.AsSpan(3 * i, 3));
        return (PngEncoder.Encode(rgb, width, height), width, height);
    }
}
