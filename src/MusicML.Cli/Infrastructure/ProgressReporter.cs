using System.Diagnostics;

namespace MusicML.Cli.Infrastructure;

/// <summary>
/// Shows files done, rate and ETA on one self-overwriting stderr line while a long job runs on a terminal. When
/// stderr is piped or redirected it stays silent, so logs and CSV output stay clean, unless the job asks for plain
/// periodic lines (<c>musicml batch</c>: a scheduler's log file then shows how far a run has got).
/// </summary>
public sealed class ProgressReporter : IDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _enabled;
    private readonly int _total;
    private readonly TimeSpan? _plainEvery;
    private TimeSpan _lastPlainLine;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private long _lastDrawTicks = -1;
    private int _done;
    private int _failed;

    /// <summary>Starts reporting progress over <paramref name="total"/> items (0 when unknown).</summary>
    /// <param name="context">Where the line is drawn (stderr, only when it is a terminal).</param>
    /// <param name="total">Items to do, or 0 when unknown.</param>
    /// <param name="unit">What is being counted, e.g. "files".</param>
    /// <param name="show">False keeps the line off even on a terminal, e.g. while results stream to the same terminal.</param>
    /// <param name="plainEvery">When stderr is not a terminal, write the status as a plain line this often (null: stay silent).</param>
    public ProgressReporter(CliContext context, int total, string unit = "files", bool show = true, TimeSpan? plainEvery = null)
    {
        _writer = context.Error;
        _enabled = show && context.ProgressEnabled;
        _plainEvery = !_enabled && Environment.GetEnvironmentVariable("MUSICML_NO_PROGRESS") != "1" ? plainEvery : null;
        _total = total;
        Unit = unit;
    }

    /// <summary>What is being counted, e.g. "files".</summary>
    public string Unit { get; }

    /// <summary>Items completed so far (successes and failures).</summary>
    public int Done => _done;

    /// <summary>Items that failed.</summary>
    public int Failed => _failed;

    /// <summary>Records one finished item and redraws at most ten times a second.</summary>
    public void Advance(bool failed = false)
    {
        lock (_gate)
        {
            _done++;
            if (failed) _failed++;
            if (_plainEvery is { } every && _clock.Elapsed - _lastPlainLine >= every)
            {
                _lastPlainLine = _clock.Elapsed;
                _writer.WriteLine("musicml: progress: " + Describe());
            }
            if (!_enabled) return;
            var now = _clock.ElapsedTicks;
            if (_lastDrawTicks >= 0 && now - _lastDrawTicks < Stopwatch.Frequency / 10 && _done != _total) return;
            _lastDrawTicks = now;
            _writer.Write("\r" + Describe() + "\u001b[K");
        }
    }

    /// <summary>The current status line, e.g. <c>120/1000 files, 3 failed, 14.2 files/s, ETA 1m02s</c>.</summary>
    public string Describe()
    {
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        var rate = _done / seconds;
        var text = _total > 0 ? $"{_done}/{_total} {Unit}" : $"{_done} {Unit}";
        if (_failed > 0) text += $", {_failed} failed";
        text += $", {rate:F1} {Unit}/s";
        if (_total > 0 && rate > 0 && _done < _total)
            text += $", ETA {FormatDuration(TimeSpan.FromSeconds((_total - _done) / rate))}";
        return text;
    }

    /// <summary>Ends the progress line so the next output starts on a fresh line.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_enabled && _done > 0) _writer.WriteLine("\r" + Describe() + "\u001b[K");
        }
    }

    private static string FormatDuration(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:D2}s" : $"{t.Seconds}s";
}
