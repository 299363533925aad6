using System.IO.Compression;
using System.Text;
using MusicML.Cli.Reports;
using MusicML.Dsp;

namespace MusicML.Cli.Tests;

/// <summary>The report's PNG encoder and HTML page, checked byte by byte and in a real (headless) browser.</summary>
public class HtmlReportTests
{
    [Fact]
    public void Crc32MatchesTheStandardCheckValues()
    {
        // 0xCBF43926 is the published check value of CRC-32 over "123456789"; 0xAE426082 ends every PNG's IEND chunk.
        Assert.Equal(0xCBF43926u, PngEncoder.Crc32(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xAE426082u, PngEncoder.Crc32(Encoding.ASCII.GetBytes("IEND")));
    }

    [Fact]
    public void PngRoundTripsEveryPixel()
    {
        int width = 7, height = 5;
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 37 % 251);
        var png = PngEncoder.Encode(rgb, width, height);
        var image = PngTestReader.Read(png);
        Assert.Equal((width, height, 3), (image.Width, image.Height, image.Channels));
        Assert.Equal(rgb, image.Pixels);
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(rgb, width + 1, height));
    }

    [Fact]
    public void SpectrogramPictureHasHighBandsOnTopAndIsPooledToItsLimits()
    {
        // 2000 frames x 400 bands, loud only in the top 10 % of bands: after pooling to 1600 x 320 the top rows are
        // bright and the bottom rows are the colour scale's darkest entry.
        var values = new FloatMatrix(400, 2000);
        for (int b = 360; b < 400; b++) values.Row(b).Fill(1f);
        var (png, width, height) = SpectrogramPicture.Render(new ReportSpectrogram(values, 100, Enumerable.Range(0, 400).Select(i => 30.0 * Math.Pow(2, i / 48.0)).ToArray()));
        Assert.Equal((SpectrogramPicture.MaxWidth, SpectrogramPicture.MaxHeight), (width, height));
        var image = PngTestReader.Read(png);
        Assert.Equal((252, 253, 191), image.At(10, 0));
        Assert.Equal((0, 0, 4), image.At(10, height - 1));
    }

    [Fact]
    public void ColumnPooledSpectrogramDrawsTheSamePicture()
    {
        // analyze holds each file's spectrogram pooled to the picture's 1600 columns until its report is written; the
        // PNG drawn from it must be byte-identical to the one drawn from the full 5,003 frames (an uneven ratio, so
        // columns pool 3 or 4 frames), and it must still span the same 50.03 s.
        var random = new Random(7);
        var values = new FloatMatrix(300, 5003);
        for (int b = 0; b < values.Rows; b++)
            for (int f = 0; f < values.Columns; f++) values[b, f] = (float)(random.NextDouble() * random.NextDouble());
        var full = new ReportSpectrogram(values, 100, Enumerable.Range(0, 300).Select(i => 30.0 * Math.Pow(2, i / 36.0)).ToArray());
        var pooled = SpectrogramPicture.PoolColumns(full);
        Assert.Equal((300, SpectrogramPicture.MaxWidth), (pooled.Values.Rows, pooled.Values.Columns));
        Assert.Equal(50.03, pooled.Values.Columns / pooled.FrameRate, 9);
        Assert.Equal(SpectrogramPicture.Render(full).Png, SpectrogramPicture.Render(pooled).Png);
        var narrow = new ReportSpectrogram(new FloatMatrix(10, SpectrogramPicture.MaxWidth), 100, full.BandFrequencies.Take(10).ToArray());
        Assert.Same(narrow, SpectrogramPicture.PoolColumns(narrow));
    }

    [Theory]
    [InlineData("C:maj", 0)]
    [InlineData("C#:min7", 1)]
    [InlineData("Db:maj", 1)]
    [InlineData("Bb:7", 10)]
    [InlineData("Cb:maj", 11)]
    [InlineData("N", -1)]
    [InlineData("X", -1)]
    public void ChordRootsAreReadFromHarteLabels(string label, int root) => Assert.Equal(root, HtmlReport.ChordRoot(label));

    [Fact]
    public void PageIsSelfContainedAndEscapesText()
    {
        var html = HtmlReport.Render(SamplePage("<b>&odd name</b>.wav"));
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase); // no CDN, font or image fetched from anywhere
        Assert.DoesNotContain("<b>&odd", html);
        Assert.Contains("&lt;b&gt;&amp;odd name&lt;/b&gt;.wav", html);
        Assert.Contains("data:image/png;base64,", html);
        Assert.Contains("A minor", html);
        Assert.Contains(">A:min</text>", html); // a chord span wide enough for its label shows it
    }

    [Fact]
    public void ReportRendersInHeadlessChromium()
    {
        var dir = Directory.CreateTempSubdirectory("musicml-report-");
        var path = Path.Combine(dir.FullName, "page.html");
        File.WriteAllText(path, HtmlReport.Render(SamplePage("synthetic.wav")));
        HeadlessChromium.AssertRendersCleanly(path);
    }

    internal static ReportPage SamplePage(string title)
    {
        // 10 s at 100 frames/s, 288 log bands from 30 Hz (48 per octave): a harmonic stack that rises each bar.
        int frames = 1000, bands = 288;
        var values = new FloatMatrix(bands, frames);
        for (int t = 0; t < frames; t++)
            for (int h = 1; h <= 6; h++)
            {
                int band = (int)(48 * Math.Log2(110.0 * h * (1 + t / 250) / 30.0));
                if (band < bands) values[band, t] = 1f / h * (1 - (t % 50) / 100f);
            }
        var beats = Enumerable.Range(0, 20).Select(i => 0.25 + 0.5 * i).ToArray();
        return new ReportPage
        {
            Title = title,
            Subtitle = "/tmp/" + title + " · 22050 Hz",
            Duration = 10.0,
            Facts = [new("Key", "A minor", "confidence 0.62"), new("Tempo", "120.0 BPM", "T2 60.0 · S 0.71"), new("Meter", "4/4"), new("Tuning", "+3 cents")],
            Spectrogram = new ReportSpectrogram(values, 100, Enumerable.Range(0, bands).Select(i => 30.0 * Math.Pow(2, i / 48.0)).ToArray()),
            Onsets = beats.Concat(beats.Select(b => b + 0.25)).Order().ToArray(),
            Beats = beats,
            Downbeats = beats.Where((_, i) => i % 4 == 0).ToArray(),
            Chords = [new(0, 0.25, "N"), new(0.25, 2.25, "A:min"), new(2.25, 4.25, "D:min"), new(4.25, 6.25, "E:7"), new(6.25, 10, "A:min")],
        };
    }
}
