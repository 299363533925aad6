using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using MusicML.Core;

namespace MusicML.Tagging.Corpus;

/// <summary>
/// Renders a MIDI file to a WAV with the <c>fluidsynth</c> command-line program (Debian package <c>fluidsynth</c>) and
/// a General MIDI soundfont (Debian package <c>fluid-soundfont-gm</c>: <c>FluidR3_GM.sf2</c>), in fast-render mode:
/// <c>fluidsynth -ni -q -F OUT.wav -O float -r 44100 -g GAIN SF2 IN.mid</c>. A child process keeps FluidSynth's C
/// library out of this process and needs no binding; float output means a loud mix is never clipped before MusicML
/// normalises it.
/// </summary>
public sealed record FluidSynthRenderer
{
    /// <summary>Where Debian's <c>fluid-soundfont-gm</c> installs FluidR3_GM.</summary>
    public const string DefaultSoundFont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";

    /// <summary>
    /// How long after its MIDI time FluidSynth 2.3.1 makes a note audible, in seconds, added to every annotation.
    /// The evaluation set's documented 2.4 ms (events dispatched per 64-sample block, plus a fixed delay of about
    /// 1.5 ms), so both sets are labelled alike. Measured here (first sample above −45 dBFS minus the note-on, isolated
    /// piano notes, FluidSynth 2.3.1): 2.2–4.4 ms, mean 3.4 ms, the piano's own attack included; the test
    /// <c>FluidSynthLatencyIsTheOneTheLabelsAssume</c> keeps 2.4 ms inside the measured range.
    /// </summary>
    public const double LatencySeconds = 0.0024;

    /// <summary>The program to run: a name looked up on PATH, or a path.</summary>
    public string Executable { get; init; } = "fluidsynth";

    /// <summary>The soundfont to render with.</summary>
    public string SoundFont { get; init; } = DefaultSoundFont;

    /// <summary>Render rate in Hz.</summary>
    public int SampleRate { get; init; } = 44100;

    /// <summary>Longest a single render may take before it is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Why this renderer cannot run here (naming the Debian package to install), or null when the program and the
    /// soundfont are both present.
    /// </summary>
    public string? WhyUnavailable()
    {
        if (!File.Exists(SoundFont))
            return $"the soundfont {SoundFont} is missing; install the Debian package fluid-soundfont-gm (apt-get install fluid-soundfont-gm)";
        if (FindExecutable() is null)
            return $"the '{Executable}' program was not found; install the Debian package fluidsynth (apt-get install fluidsynth)";
        return null;
    }

    /// <summary>Renders <paramref name="midiPath"/> to <paramref name="wavPath"/> (32-bit float, stereo, <see cref="SampleRate"/>).</summary>
    /// <exception cref="MusicMLException">FluidSynth or the soundfont is missing (the message names the package), it failed, timed out or wrote nothing.</exception>
    public void Render(string midiPath, string wavPath, RenderSpec settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (WhyUnavailable() is { } why) throw new MusicMLException($"Cannot render {midiPath}: {why}.") { FilePath = midiPath };
        var start = new ProcessStartInfo(FindExecutable()!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string I(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        foreach (var a in new[]
                 {
                     "-ni", "-q", "-F", wavPath, "-T", "wav", "-O", "float", "-r", SampleRate.ToString(CultureInfo.InvariantCulture),
                     "-g", I(settings.Gain), "-R", settings.Reverb ? "1" : "0", "-C", settings.Chorus ? "1" : "0", SoundFont, midiPath,
                 })
            start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new MusicMLException($"Cannot render {midiPath}: {Executable} did not start.");
        }
        catch (Win32Exception e)
        {
            throw new MusicMLException($"Cannot render {midiPath}: {Executable} could not be run ({e.Message}); install the Debian package fluidsynth.", e) { FilePath = midiPath };
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new MusicMLException($"{midiPath}: fluidsynth did not finish within {Timeout.TotalSeconds:0} s.") { FilePath = midiPath };
            }
            string errors = (stderr.Result + stdout.Result).Trim();
            if (process.ExitCode != 0)
                throw new MusicMLException($"{midiPath}: fluidsynth exited with code {process.ExitCode}: {Tail(errors)}") { FilePath = midiPath };
            // FluidSynth exits 0 even when it could not load the soundfont or the MIDI file; it says so on stderr.
            if (errors.Contains("error", StringComparison.OrdinalIgnoreCase) || !File.Exists(wavPath) || new FileInfo(wavPath).Length <= 44)
                throw new MusicMLException($"{midiPath}: fluidsynth rendered nothing usable: {Tail(errors.Length > 0 ? errors : "no output file")}") { FilePath = midiPath };
        }
    }

    private static string Tail(string text) => text.Length <= 400 ? text : "…" + text[^400..];

    private string? FindExecutable()
    {
        if (Executable.Contains('/')) return File.Exists(Executable) ? Executable : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, Executable);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
