using System.Globalization;
using System.Net;
using System.Text;
using MusicML.Similarity;

namespace MusicML.Cli.Reports;

/// <summary>
/// A catalogue map as a self-contained HTML page (inline SVG scatter, a few lines of inline script, no network
/// resources) and as a PNG. Hovering a point shows its track; a menu colours the points by k-means cluster or by a
/// manifest column. When its script has run the page sets <c>data-report-status="ready"</c> on <c>body</c>, which the
/// headless-browser test looks for, like the analysis report's.
/// </summary>
internal static class MapPage
{
    private const int Width = 960, Height = 640, Margin = 24;

    /// <summary>A categorical palette (Tableau 10 and its lighter partners) for up to 20 classes; later classes reuse it.</summary>
    private static readonly string[] Palette =
    [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
        "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2", "#d7b5a6", "#79706e",
    ];

    /// <summary>Pixel positions of the points inside the plot area, the layout's aspect kept.</summary>
    private static (double X, double Y)[] Project(IReadOnlyList<MapPoint> points)
    {
        double minX = points.Min(p => p.X), maxX = points.Max(p => p.X), minY = points.Min(p => p.Y), maxY = points.Max(p => p.Y);
        double span = Math.Max(Math.Max(maxX - minX, maxY - minY), 1e-12);
        double scale = Math.Min(Width - 2 * Margin, Height - 2 * Margin) / span;
        double offsetX = (Width - (maxX - minX) * scale) / 2, offsetY = (Height - (maxY - minY) * scale) / 2;
        return [.. points.Select(p => (offsetX + (p.X - minX) * scale, Height - offsetY - (p.Y - minY) * scale))];
    }

    /// <summary>The page: <paramref name="labels"/> (track id → value of <paramref name="labelName"/>) adds a colouring.</summary>
    public static string Render(string title, IReadOnlyList<MapPoint> points, string method, string? labelName, IReadOnlyDictionary<string, string>? labels)
    {
        var xy = Project(points);
        string E(string s) => WebUtility.HtmlEncode(s);
        string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
        var html = new StringBuilder(16 * 1024 + 400 * points.Count);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append(" — MusicML map</title>\n");
        html.Append("<style>\nbody{font-family:system-ui,sans-serif;margin:24px;color:#222}svg{border:1px solid #ddd;background:#fff}" +
                    "circle{stroke:#fff;stroke-width:1}circle:hover{stroke:#000;stroke-width:2}#readout{min-height:1.4em;font-family:monospace}" +
                    ".legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:5px}\n</style>\n</head>\n");
        html.Append("<body data-report-status=\"pending\">\n<h1>").Append(E(title)).Append("</h1>\n<p>")
            .Append(points.Count).Append(" tracks, ").Append(method == "pca" ? "PCA (first two components)" : "t-SNE").Append(" of their embeddings; colour: ")
            .Append("<select id=\"colour\"><option value=\"cluster\">k-means cluster</option>");
        if (labelName is not null) html.Append("<option value=\"label\">").Append(E(labelName)).Append("</option>");
        html.Append("</select></p>\n<div class=\"legend\" id=\"legend\"></div>\n");
        html.Append($"<svg id=\"map\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"map of the tracks\">\n");
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            string label = labels?.GetValueOrDefault(p.Id) ?? "";
            html.Append($"<circle cx=\"{F(xy[i].X)}\" cy=\"{F(xy[i].Y)}\" r=\"6\" fill=\"{Palette[p.Cluster % Palette.Length]}\" data-cluster=\"{p.Cluster}\" data-label=\"{E(label)}\" data-track=\"{E(p.Path)}\">")
                .Append("<title>").Append(E(p.Id)).Append(" — cluster ").Append(p.Cluster);
            if (labelName is not null) html.Append(", ").Append(E(labelName)).Append(' ').Append(E(label));
            html.Append("</title></circle>\n");
        }
        html.Append("</svg>\n<p id=\"readout\">Move the pointer over a point to see its track.</p>\n");
        html.Append("<footer>Made by <code>musicml map</code>; coordinates and clusters are in map.csv beside this page.</footer>\n");
        html.Append("<script>\n(function(){\nvar palette=").Append(System.Text.Json.JsonSerializer.Serialize(Palette)).Append(";\n");
        html.Append("""
            var circles=Array.prototype.slice.call(document.querySelectorAll('#map circle'));
            var readout=document.getElementById('readout'), legend=document.getElementById('legend'), select=document.getElementById('colour');
            function colour(){
              var key=select.value, classes=[];
              circles.forEach(function(c){var v=key==='cluster'?c.getAttribute('data-cluster'):c.getAttribute('data-label'); if(classes.indexOf(v)<0) classes.push(v);});
              if(key==='cluster') classes.sort(function(a,b){return a-b;}); else classes.sort();
              circles.forEach(function(c){var v=key==='cluster'?c.getAttribute('data-cluster'):c.getAttribute('data-label'); c.setAttribute('fill',palette[classes.indexOf(v)%palette.length]);});
              legend.innerHTML='';
              classes.forEach(function(v,i){var s=document.createElement('span'),d=document.createElement('i'); d.style.background=palette[i%palette.length]; s.appendChild(d); s.appendChild(document.createTextNode((key==='cluster'?'cluster ':'')+(v===''?'(none)':v))); legend.appendChild(s);});
            }
            circles.forEach(function(c){c.addEventListener('mouseenter',function(){readout.textContent=c.getAttribute('data-track')+'  ('+c.textContent+')';});});
            select.addEventListener('change',colour);
            colour();
            document.body.setAttribute('data-report-status','ready');
            })();
            </script>
            </body>
            </html>

            """);
        return html.ToString();
    }

    /// <summary>The scatter as a PNG (white background, points coloured by cluster), for documents and the README.</summary>
    public static byte[] RenderPng(IReadOnlyList<MapPoint> points)
    {
        var xy = Project(points);
        var rgb = new byte[Width * Height * 3];
        Array.Fill(rgb, (byte)255);
        const int radius = 6;
        for (int i = 0; i < points.Count; i++)
        {
            var hex = Palette[points[i].Cluster % Palette.Length];
            byte r = Convert.ToByte(hex.Substring(1, 2), 16), g = Convert.ToByte(hex.Substring(3, 2), 16), b = Convert.ToByte(hex.Substring(5, 2), 16);
            int cx = (int)Math.Round(xy[i].X), cy = (int)Math.Round(xy[i].Y);
            for (int y = Math.Max(0, cy - radius - 1); y <= Math.Min(Height - 1, cy + radius + 1); y++)
                for (int x = Math.Max(0, cx - radius - 1); x <= Math.Min(Width - 1, cx + radius + 1); x++)
                {
                    double d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                    if (d > radius + 1) continue;
                    int o = (y * Width + x) * 3;
                    // A white rim one pixel wide, as in the SVG, so overlapping points stay apart.
                    (rgb[o], rgb[o + 1], rgb[o + 2]) = d > radius ? ((byte)255, (byte)255, (byte)255) : (r, g, b);
                }
        }
        return PngEncoder.Encode(rgb, Width, Height);
    }
}
