using System.Diagnostics;

namespace MusicML.Cli.Tests;

/// <summary>
/// Runs Debian's <c>chromium</c> headless on a local page with networking, sync and updates off and a fresh profile,
/// so a test sees exactly what a person opening the file would, and nothing is fetched. Missing chromium fails the
/// test with the package to install: scripts/setup.sh installs it, so a silent skip would hide a broken setup.
/// </summary>
internal static class HeadlessChromium
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static string Executable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "chromium");
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Fail("chromium is not installed: the report render test needs Debian's 'chromium' package (scripts/setup.sh installs it: apt-get install chromium).");
        return "";
    }

    /// <summary>Loads <paramref name="htmlPath"/> with extra <paramref name="arguments"/> (e.g. --dump-dom) and collects both streams.</summary>
    public static Result Run(string htmlPath, params string[] arguments)
    {
        var profile = Directory.CreateTempSubdirectory("musicml-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         $"--user-data-dir={profile.FullName}", "--enable-logging=stderr", "--v=0", "--window-size=1400,900",
                     })
                start.ArgumentList.Add(a);
            foreach (var a in arguments) start.ArgumentList.Add(a);
            start.ArgumentList.Add(new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish rendering {htmlPath} within 120 s.");
            }
            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { /* a helper process may still hold a file; the temp dir is cleaned later */ }
        }
    }

    /// <summary>
    /// Renders the page twice (DOM dump, then screenshot) and asserts it loaded without script errors, ran its script
    /// to the end (the page marks <c>data-report-status="ready"</c>), and painted a picture that is not blank.
    /// Returns the screenshot.
    /// </summary>
    public static PngTestReader.Image AssertRendersCleanly(string htmlPath)
    {
        var dom = Run(htmlPath, "--dump-dom");
        Assert.True(dom.ExitCode == 0, $"chromium --dump-dom exited {dom.ExitCode}: {Tail(dom.StandardError)}");
        Assert.Contains("data-report-status=\"ready\"", dom.StandardOutput);
        Assert.DoesNotContain("Uncaught", dom.StandardError);

        var screenshot = Path.ChangeExtension(htmlPath, ".screenshot.png");
        File.Delete(screenshot);
        var shot = Run(htmlPath, $"--screenshot={screenshot}");
        Assert.True(shot.ExitCode == 0, $"chromium --screenshot exited {shot.ExitCode}: {Tail(shot.StandardError)}");
        Assert.DoesNotContain("Uncaught", shot.StandardError);
        Assert.True(File.Exists(screenshot), $"chromium wrote no screenshot at {screenshot}");
        var image = PngTestReader.Read(File.ReadAllBytes(screenshot));
        Assert.Equal((1400, 900), (image.Width, image.Height));
        var colours = new HashSet<int>();
        for (int y = 0; y < image.Height; y += 3)
            for (int x = 0; x < image.Width; x += 3)
            {
                var (r, g, b) = image.At(x, y);
                colours.Add(r << 16 | g << 8 | b);
            }
        // A blank or error page has a handful of colours; the spectrogram alone brings hundreds.
        Assert.True(colours.Count >= 200, $"the screenshot looks blank: only {colours.Count} distinct colours");
        return image;
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
