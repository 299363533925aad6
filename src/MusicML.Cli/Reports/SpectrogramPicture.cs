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

    /// <summary>The PNG and its size in pixels.</summary>
    public static (byte[] Png, int Width, int Height) Render(ReportSpectrogram spectrogram)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        var values = spectrogram.Values;
        int bands = values.Rows, frames = values.Columns;
        if (bands == 0 || frames == 0) throw new ArgumentException("The spectrogram to draw is empty.");
        int width = Math.Min(frames, MaxWidth), height = Math.Min(bands, MaxHeight);

        var pooled = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            // Image row y (top = highest) pools the bands [b0, b1).
            int fromTop = y;
            int b1 = bands - (int)((long)fromTop * bands / height);
            int b0 = bands - (int)((long)(fromTop + 1) * bands / height);
            for (int x = 0; x < width; x++)
            {
                int f0 = (int)((long)x * frames / width), f1 = Math.Max(f0 + 1, (int)((long)(x + 1) * frames / width));
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
