using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MusicML.Cli.Reports;

/// <summary>
/// Renders a <see cref="ReportPage"/> as one self-contained HTML page: no network resources at all (the spectrogram is
/// a PNG in a <c>data:</c> URI, markers and lanes are inline SVG, the few lines of script are inline), so it opens
/// from disk, in a mail attachment or on an offline machine exactly the same. When its script has run the page sets
/// <c>data-report-status</c> on <c>body</c> to <c>ready</c>, which the headless-browser test looks for.
/// </summary>
internal static class HtmlReport
{
    private const int SvgWidth = 1320, PlotLeft = 64, PlotWidth = 1236;
    private const int OnsetLaneTop = 4, OnsetLaneHeight = 16;
    private const int SpectrogramTop = 24, SpectrogramHeight = 320;
    private const int AxisTop = SpectrogramTop + SpectrogramHeight, AxisHeight = 24;
    private const int LaneHeight = 30, LaneGap = 8;

    private static readonly double[] TimeSteps = [0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200];
    private static readonly double[] FrequencyTicks = [50, 100, 200, 500, 1000, 2000, 5000, 10000];

    /// <summary>The page as HTML text.</summary>
    public static string Render(ReportPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!(page.Duration > 0) || !double.IsFinite(page.Duration))
            throw new ArgumentException($"A report needs a positive, finite duration; got {page.Duration} s.");
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append("<title>").Append(Encode(page.Title)).Append(" — MusicML analysis</title>\n");
        html.Append("<style>\n").Append(Style).Append("</style>\n</head>\n");
        html.Append("<body data-report-status=\"pending\">\n<header>\n<h1>").Append(Encode(page.Title)).Append("</h1>\n");
        if (page.Subtitle.Length > 0) html.Append("<p class=\"subtitle\">").Append(Encode(page.Subtitle)).Append("</p>\n");
        html.Append("<div class=\"facts\">\n");
        foreach (var fact in page.Facts)
        {
            html.Append("<div class=\"fact\"><div class=\"name\">").Append(Encode(fact.Name)).Append("</div><div class=\"value\">")
                .Append(Encode(fact.Value)).Append("</div>");
            if (fact.Detail.Length > 0) html.Append("<div class=\"detail\">").Append(Encode(fact.Detail)).Append("</div>");
            html.Append("</div>\n");
        }
        html.Append("</div>\n</header>\n<main>\n");
        AppendLegend(html);
        AppendTimeline(html, page);
        html.Append("<p id=\"readout\" class=\"readout\">Move the pointer over the picture to read time and chord.</p>\n");
        html.Append("</main>\n<footer>Made by <code>musicml analyze</code>. Times in seconds from the start of the file.</footer>\n");
        AppendScript(html, page);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>An index page: one table row per analysed file, linking its page, with its headline figures.</summary>
    public static string RenderIndex(IReadOnlyList<ReportIndexEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var columns = entries.SelectMany(e => e.Facts.Select(f => f.Name)).Distinct().ToList();
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>MusicML analysis</title>\n<style>\n")
            .Append(Style)
            .Append("table { border-collapse: collapse; margin: 16px 24px; background: #fff; }\n")
            .Append("th, td { padding: 6px 12px; border-bottom: 1px solid #ddd; text-align: left; }\n")
            .Append("</style>\n</head>\n<body>\n<header><h1>MusicML analysis</h1><p class=\"subtitle\">")
            .Append(Invariant($"{entries.Count} file{(entries.Count == 1 ? "" : "s")}")).Append("</p></header>\n<table>\n<tr><th>file</th>");
        foreach (var c in columns) html.Append("<th>").Append(Encode(c)).Append("</th>");
        html.Append("</tr>\n");
        foreach (var entry in entries)
        {
            html.Append("<tr><td><a href=\"").Append(Encode(Uri.EscapeDataString(entry.Href))).Append("\">").Append(Encode(entry.Name)).Append("</a></td>");
            foreach (var c in columns)
                html.Append("<td>").Append(Encode(entry.Facts.FirstOrDefault(f => f.Name == c).Value ?? "")).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</table>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendLegend(StringBuilder html)
    {
        html.Append("<ul class=\"legend\">")
            .Append("<li><span class=\"swatch onset\"></span>onsets (ticks above the picture)</li>")
            .Append("<li><span class=\"swatch beat\"></span>beats</li>")
            .Append("<li><span class=\"swatch downbeat\"></span>downbeats (bar numbers above)</li>")
            .Append("</ul>\n");
    }

    private static void AppendTimeline(StringBuilder html, ReportPage page)
    {
        double duration = page.Duration;
        double X(double seconds) => PlotLeft + PlotWidth * Math.Clamp(seconds / duration, 0, 1);

        int lanes = (page.Chords.Count > 0 ? 1 : 0) + (page.Segments.Count > 0 ? 1 : 0);
        int height = AxisTop + AxisHeight + lanes * (LaneHeight + LaneGap) + 4;
        html.Append(Invariant($"<svg id=\"timeline\" viewBox=\"0 0 {SvgWidth} {height}\" width=\"{SvgWidth}\" role=\"img\" aria-label=\"spectrogram with onsets, beats, downbeats and chords\">\n"));
        html.Append(Invariant($"<rect x=\"{PlotLeft}\" y=\"{SpectrogramTop}\" width=\"{PlotWidth}\" height=\"{SpectrogramHeight}\" fill=\"#000004\"/>\n"));

        if (page.Spectrogram is { } spectrogram)
        {
            var (png, _, _) = SpectrogramPicture.Render(spectrogram);
            double spanSeconds = spectrogram.Values.Columns / spectrogram.FrameRate;
            double imageWidth = PlotWidth * Math.Min(spanSeconds, duration) / duration;
            html.Append(Invariant($"<image x=\"{PlotLeft}\" y=\"{SpectrogramTop}\" width=\"{imageWidth:F1}\" height=\"{SpectrogramHeight}\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,"))
                .Append(Convert.ToBase64String(png)).Append("\"/>\n");
            AppendFrequencyAxis(html, spectrogram);
        }

        html.Append(Invariant($"<text class=\"lane-name\" x=\"{PlotLeft - 6}\" y=\"{OnsetLaneTop + 12}\">onsets</text>\n"));
        AppendMarkers(html, page.Onsets, X, OnsetLaneTop, OnsetLaneTop + OnsetLaneHeight, "onset");
        AppendMarkers(html, page.Beats, X, SpectrogramTop, SpectrogramTop + SpectrogramHeight, "beat");
        AppendMarkers(html, page.Downbeats, X, SpectrogramTop, SpectrogramTop + SpectrogramHeight, "downbeat");
        AppendBarNumbers(html, page.Downbeats, X);
        AppendTimeAxis(html, duration, X);

        int laneTop = AxisTop + AxisHeight;
        if (page.Chords.Count > 0)
        {
            AppendLane(html, "chords", page.Chords, X, laneTop, ChordColour);
            laneTop += LaneHeight + LaneGap;
        }
        if (page.Segments.Count > 0) AppendLane(html, "sections", page.Segments, X, laneTop, SectionColour);
        html.Append("</svg>\n");
    }

    private static void AppendFrequencyAxis(StringBuilder html, ReportSpectrogram spectrogram)
    {
        var centres = spectrogram.BandFrequencies;
        int bands = spectrogram.Values.Rows;
        if (centres.Count != bands || bands < 2) return;
        foreach (var hz in FrequencyTicks)
        {
            if (hz < centres[0] || hz > centres[^1]) continue;
            double y = SpectrogramTop + SpectrogramHeight * (1 - SpectrogramPicture.AxisFraction(hz, centres));
            string label = hz >= 1000 ? Invariant($"{hz / 1000:0.#}k") : Invariant($"{hz:0}");
            html.Append(Invariant($"<line class=\"tick\" x1=\"{PlotLeft - 4}\" x2=\"{PlotLeft}\" y1=\"{y:F1}\" y2=\"{y:F1}\"/>"))
                .Append(Invariant($"<text class=\"freq\" x=\"{PlotLeft - 6}\" y=\"{y + 4:F1}\">{label}</text>\n"));
        }
        html.Append(Invariant($"<text class=\"axis-name\" transform=\"translate(14 {SpectrogramTop + SpectrogramHeight / 2}) rotate(-90)\">frequency (Hz)</text>\n"));
    }

    private static void AppendMarkers(StringBuilder html, IReadOnlyList<double> times, Func<double, double> x, double top, double bottom, string kind)
    {
        if (times.Count == 0) return;
        // One path per kind keeps the page small and fast to draw even with thousands of onsets.
        html.Append("<path class=\"").Append(kind).Append("\" d=\"");
        foreach (var t in times) html.Append(Invariant($"M{x(t):F1} {top}V{bottom}"));
        html.Append("\"/>\n");
    }

    private static void AppendBarNumbers(StringBuilder html, IReadOnlyList<double> downbeats, Func<double, double> x)
    {
        if (downbeats.Count == 0) return;
        double minGap = 18; // pixels between labels, so bar numbers on a long file do not overprint
        double last = double.NegativeInfinity;
        for (int i = 0; i < downbeats.Count; i++)
        {
            double px = x(downbeats[i]);
            if (px - last < minGap) continue;
            last = px;
            html.Append(Invariant($"<text class=\"bar\" x=\"{px + 2:F1}\" y=\"{SpectrogramTop + 12}\">{i + 1}</text>"));
        }
        html.Append('\n');
    }

    private static void AppendTimeAxis(StringBuilder html, double duration, Func<double, double> x)
    {
        double step = TimeSteps.FirstOrDefault(s => duration / s <= 16, TimeSteps[^1]);
        html.Append(Invariant($"<line class=\"axis\" x1=\"{PlotLeft}\" x2=\"{PlotLeft + PlotWidth}\" y1=\"{AxisTop}\" y2=\"{AxisTop}\"/>\n"));
        for (int i = 0; i * step <= duration + 1e-9; i++)
        {
            double t = i * step, px = x(t);
            string label = duration >= 120 ? Invariant($"{(int)t / 60}:{(int)t % 60:D2}") : Invariant($"{t:0.##} s");
            html.Append(Invariant($"<line class=\"tick\" x1=\"{px:F1}\" x2=\"{px:F1}\" y1=\"{AxisTop}\" y2=\"{AxisTop + 5}\"/>"))
                .Append(Invariant($"<text class=\"time\" x=\"{px:F1}\" y=\"{AxisTop + 18}\">{label}</text>\n"));
        }
    }

    private static void AppendLane(StringBuilder html, string name, IReadOnlyList<ReportSpan> spans, Func<double, double> x, int top, Func<string, string> colour)
    {
        html.Append(Invariant($"<text class=\"lane-name\" x=\"{PlotLeft - 6}\" y=\"{top + LaneHeight / 2 + 4}\">{name}</text>\n"));
        html.Append("<g class=\"lane\">\n");
        foreach (var span in spans)
        {
            double x0 = x(span.Start), x1 = x(span.End), w = Math.Max(0.5, x1 - x0);
            html.Append(Invariant($"<rect x=\"{x0:F1}\" y=\"{top}\" width=\"{w:F1}\" height=\"{LaneHeight}\" fill=\"{colour(span.Label)}\"><title>"))
                .Append(Encode(Invariant($"{span.Label}  {span.Start:F2}–{span.End:F2} s"))).Append("</title></rect>");
            // A label is written only where it fits (about 7 px per character at the lane's font size).
            if (w >= 7 * span.Label.Length + 6)
                html.Append(Invariant($"<text x=\"{x0 + w / 2:F1}\" y=\"{top + LaneHeight / 2 + 5}\">")).Append(Encode(span.Label)).Append("</text>");
            html.Append('\n');
        }
        html.Append("</g>\n");
    }

    /// <summary>Hue by chord root (a circle of twelve), darker for minor-family chords, grey for N and unknown roots.</summary>
    internal static string ChordColour(string label)
    {
        int root = ChordRoot(label);
        if (root < 0) return "#5a5a66";
        bool minor = label.Contains(":min", StringComparison.Ordinal) || label.Contains(":dim", StringComparison.Ordinal);
        return Invariant($"hsl({root * 30} 62% {(minor ? 34 : 46)}%)");
    }

    /// <summary>Pitch class of a Harte label's root (C = 0), or −1 for N, X or an unreadable root.</summary>
    internal static int ChordRoot(string label)
    {
        if (string.IsNullOrEmpty(label)) return -1;
        int pc = char.ToUpperInvariant(label[0]) switch
        {
            'C' => 0, 'D' => 2, 'E' => 4, 'F' => 5, 'G' => 7, 'A' => 9, 'B' => 11, _ => -1,
        };
        if (pc < 0 || (label.Length > 1 && label[0] == 'N')) return -1;
        for (int i = 1; i < label.Length && (label[i] == '#' || label[i] == 'b'); i++) pc += label[i] == '#' ? 1 : -1;
        return ((pc % 12) + 12) % 12;
    }

    private static string SectionColour(string label)
    {
        int hash = 0;
        foreach (var c in label) hash = (hash * 31 + c) & 0xFFFF;
        return Invariant($"hsl({hash * 47 % 360} 40% 40%)");
    }

    private static void AppendScript(StringBuilder html, ReportPage page)
    {
        // System.Text.Json escapes '<' and '&', so labels cannot close the script element.
        var chords = JsonSerializer.Serialize(page.Chords.Select(c => new object[] { Math.Round(c.Start, 3), Math.Round(c.End, 3), c.Label }));
        html.Append("<script>\n(function () {\n")
            .Append("  var chords = ").Append(chords).Append(";\n")
            .Append(Invariant($"  var duration = {page.Duration:R}, left = {PlotLeft}, width = {PlotWidth}, svgWidth = {SvgWidth};\n"))
            .Append("""
                      var svg = document.getElementById('timeline');
                      var readout = document.getElementById('readout');
                      svg.addEventListener('mousemove', function (event) {
                        var box = svg.getBoundingClientRect();
                        var x = (event.clientX - box.left) * svgWidth / box.width;
                        var t = (x - left) / width * duration;
                        if (t < 0 || t > duration) return;
                        var chord = '';
                        for (var i = 0; i < chords.length; i++) if (t >= chords[i][0] && t < chords[i][1]) chord = chords[i][2];
                        readout.textContent = 't = ' + t.toFixed(2) + ' s' + (chord ? '   chord ' + chord : '');
                      });
                      document.body.setAttribute('data-report-status', 'ready');
                    })();

                    """)
            .Append("</script>\n");
    }

    private const string Style = """
        body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; background: #f6f6f8; color: #1b1b22; }
        header { padding: 16px 24px 8px; background: #1b1b22; color: #f6f6f8; }
        h1 { margin: 0; font-size: 22px; }
        .subtitle { margin: 2px 0 10px; color: #b8b8c6; font-size: 13px; }
        .facts { display: flex; flex-wrap: wrap; gap: 10px; }
        .fact { background: #2b2b36; border-radius: 6px; padding: 6px 12px; min-width: 110px; }
        .fact .name { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: #b8b8c6; }
        .fact .value { font-size: 20px; font-weight: 600; }
        .fact .detail { font-size: 12px; color: #b8b8c6; }
        main { padding: 8px 24px; }
        svg { max-width: 100%; height: auto; display: block; background: #fff; border: 1px solid #ddd; border-radius: 4px; }
        svg text { font-size: 12px; fill: #1b1b22; }
        .lane-name, .freq { text-anchor: end; }
        .time, .lane text { text-anchor: middle; }
        .lane text { fill: #fff; font-weight: 600; pointer-events: none; }
        .axis-name { text-anchor: middle; fill: #666; }
        .axis, .tick { stroke: #888; stroke-width: 1; }
        .onset { stroke: #0a8fb8; stroke-width: 1.2; fill: none; }
        .beat { stroke: #ffffff; stroke-opacity: .55; stroke-width: 1; stroke-dasharray: 4 3; fill: none; }
        .downbeat { stroke: #ff5a36; stroke-opacity: .95; stroke-width: 2; fill: none; }
        .bar { fill: #ff8a6e; font-weight: 700; font-size: 11px; }
        .legend { list-style: none; padding: 0; margin: 6px 0; display: flex; gap: 18px; color: #444; }
        .swatch { display: inline-block; width: 18px; height: 4px; margin-right: 6px; vertical-align: middle; }
        .swatch.onset { background: #0a8fb8; } .swatch.beat { background: #9a9aa8; } .swatch.downbeat { background: #ff5a36; }
        .readout { font-family: ui-monospace, "DejaVu Sans Mono", monospace; color: #444; min-height: 1.4em; }
        footer { padding: 8px 24px 16px; color: #777; font-size: 12px; }

        """;

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
