namespace MusicML.Cli.Reports;

/// <summary>
/// A perceptually ordered dark-to-light colour scale for spectrograms, interpolated between control points taken
/// from matplotlib's "magma" (van der Walt &amp; Smith, 2015): loudness reads as brightness even in greyscale print.
/// </summary>
internal static class Colormap
{
    private static readonly (double Position, byte R, byte G, byte B)[] Stops =
    [
        (0.00, 0, 0, 4), (0.13, 28, 16, 68), (0.25, 59, 15, 112), (0.38, 100, 26, 128), (0.50, 140, 41, 129),
        (0.63, 183, 55, 121), (0.75, 222, 73, 104), (0.88, 251, 136, 97), (1.00, 252, 253, 191),
    ];

    private static readonly byte[] Table = BuildTable();

    /// <summary>Writes the colour of <paramref name="value"/> (clamped to [0, 1]) as three bytes R, G, B.</summary>
    public static void Write(float value, Span<byte> rgb)
    {
        int index = float.IsNaN(value) ? 0 : (int)(Math.Clamp(value, 0f, 1f) * 255f + 0.5f);
        rgb[0] = Table[3 * index];
        rgb[1] = Table[3 * index + 1];
        rgb[2] = Table[3 * index + 2];
    }

    private static byte[] BuildTable()
    {
        var table = new byte[256 * 3];
        for (int i = 0; i < 256; i++)
        {
            double x = i / 255.0;
            int s = 1;
            while (s < Stops.Length - 1 && Stops[s].Position < x) s++;
            var (p0, r0, g0, b0) = Stops[s - 1];
            var (p1, r1, g1, b1) = Stops[s];
            double t = Math.Clamp((x - p0) / (p1 - p0), 0, 1);
            table[3 * i] = (byte)Math.Round(r0 + t * (r1 - r0));
            table[3 * i + 1] = (byte)Math.Round(g0 + t * (g1 - g0));
            table[3 * i + 2] = (byte)Math.Round(b0 + t * (b1 - b0));
        }
        return table;
    }
}
