using System.Diagnostics;

namespace MusicML.Cli.Infrastructure;

/// <summary>
/// How far one long job on one file has got, as one self-overwriting stderr line ("analyze song.flac: 12m30s of
/// 2h00m audio, 10 %, ETA 3m05s") on a terminal, and nothing when stderr is piped or redirected. The per-item
/// counterpart of <see cref="ProgressReporter"/>, which counts files; the line is cleared when the job ends so the
/// file's own output starts clean.
/// </summary>
public sealed class ProgressLine : IDisposable, IProgress<double>
{
    private readonly TextWriter _writer;
    private readonly bool _enabled;
    private readonly string _label;
    private readonly double _totalSeconds;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawTicks = -1;
    private bool _drawn;

    /// <summary>Starts a progress line headed <paramref name="label"/> over <paramref name="totalSeconds"/> of audio (0 when unknown).</summary>
    public ProgressLine(CliContext context, string label, double totalSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(context);
        _writer = context.Error;
        _enabled = context.ProgressEnabled;
        _label = label;
        _totalSeconds = totalSeconds;
    }

    /// <summary>Reports that <paramref name="fraction"/> (0–1) of the audio is done; redraws at most ten times a second.</summary>
    public void Report(double fraction) => Report(fraction * _totalSeconds, _totalSeconds);

    /// <summary>Reports <paramref name="doneSeconds"/> of <paramref name="totalSeconds"/> of audio done.</summary>
    public void Report(double doneSeconds, double totalSeconds)
    {
        if (!_enabled) return;
        var now = _clock.ElapsedTicks;
        if (_lastDrawTicks >= 0 && now - _lastDrawTicks < Stopwatch.Frequency / 10) return;
        _lastDrawTicks = now;
        _writer.Write("\r" + Describe(doneSeconds, totalSeconds, _clock.Elapsed.TotalSeconds) + "\u001b[K");
        _drawn = true;
    }

    /// <summary>The status text, e.g. <c>features mel: 12m30s of 2h00m audio, 10 %, ETA 3m05s</c>.</summary>
    internal string Describe(double doneSeconds, double totalSeconds, double elapsedSeconds)
    {
        var text = $"{_label}: {Format(doneSeconds)}";
        if (totalSeconds > 0)
        {
            double fraction = Math.Clamp(doneSeconds / totalSeconds, 0, 1);
            text += $" of {Format(totalSeconds)} audio, {100 * fraction:F0} %";
            if (fraction > 0 && fraction < 1) text += $", ETA {Format(elapsedSeconds * (1 - fraction) / fraction)}";
        }
        else text += " of audio";
        return text;
    }

    /// <summary>Clears the line.</summary>
    public void Dispose()
    {
        if (_drawn) _writer.Write("\r\u001b[K");
    }

    private static string Format(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:D2}s" : $"{t.Seconds}s";
    }
}
