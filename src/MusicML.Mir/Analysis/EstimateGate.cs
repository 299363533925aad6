using System.Globalization;
using MusicML.Core;
using MusicML.Mir.Chords;

namespace MusicML.Mir.Analysis;

/// <summary>
/// Decides whether a recording holds enough to estimate a tempo, beats, a key or chords from. Every estimator returns
/// its most likely answer for whatever it is given, so on dithered silence or half a second of audio it would report a
/// confident "F major, 158 BPM" drawn from noise; this gate answers "no estimate" instead, with the reason.
/// </summary>
/// <remarks>
/// Two rules, both in units a user can check: the recording must last at least <see cref="MinimumSeconds"/> (a tempo
/// needs a few beats, a key a few chords; onsets and tuning are not gated by length), and its loudest
/// <see cref="FrameLength"/>-sample frame must reach <see cref="MinimumLevelDb"/> dBFS RMS (full-scale square wave =
/// 0 dBFS; 16-bit dither is about −101 dBFS, a quiet acoustic passage −40). The level uses the loudest frame, not
/// the mean, so a long silent intro does not hide a piece. Frames are consecutive and non-overlapping, so the
/// decision is the same whether the audio arrives whole or in blocks (<see cref="Add"/>).
/// </remarks>
public sealed class EstimateGate
{
    /// <summary>Shortest recording estimated from, in seconds.</summary>
    public const double MinimumSeconds = 1.0;

    /// <summary>Level the loudest frame must reach, in dBFS RMS.</summary>
    public const double MinimumLevelDb = -60.0;

    /// <summary>Samples per level frame (93 ms at 22 050 Hz).</summary>
    public const int FrameLength = 2048;

    private readonly int _sampleRate;
    private double _frameSum;
    private int _frameFill;
    private double _loudestMeanSquare;

    /// <summary>A gate for audio at <paramref name="sampleRate"/> Hz, fed with <see cref="Add"/>.</summary>
    public EstimateGate(int sampleRate)
    {
        InputGuard.SampleRate(sampleRate);
        _sampleRate = sampleRate;
    }

    /// <summary>Samples seen so far.</summary>
    public long SampleCount { get; private set; }

    /// <summary>RMS level of the loudest frame so far in dBFS (−∞ for digital silence).</summary>
    public double LoudestFrameDb => 10 * Math.Log10(Math.Max(LoudestMeanSquare, 0));

    private double LoudestMeanSquare => _frameFill > 0 && SampleCount < FrameLength
        ? _frameSum / _frameFill // a recording shorter than one frame is that one partial frame
        : _loudestMeanSquare;

    /// <summary>Feeds the next consecutive samples.</summary>
    public void Add(ReadOnlySpan<float> samples)
    {
        SampleCount += samples.Length;
        while (!samples.IsEmpty)
        {
            int take = Math.Min(FrameLength - _frameFill, samples.Length);
            var part = samples[..take];
            _frameSum += VectorMath.Dot(part, part);
            _frameFill += take;
            samples = samples[take..];
            if (_frameFill == FrameLength)
            {
                _loudestMeanSquare = Math.Max(_loudestMeanSquare, _frameSum / FrameLength);
                _frameSum = 0;
                _frameFill = 0;
            }
        }
    }

    /// <summary>Why the audio is too short to estimate from, or null when it is long enough.</summary>
    public string? TooShort()
    {
        double seconds = (double)SampleCount / _sampleRate;
        return seconds < MinimumSeconds
            ? string.Create(CultureInfo.InvariantCulture, $"too short to estimate from ({seconds:F3} s; at least {MinimumSeconds:0.#} s is needed)")
            : null;
    }

    /// <summary>Why the audio is too quiet to estimate from, or null when its loudest frame is loud enough.</summary>
    public string? TooQuiet()
    {
        double level = LoudestFrameDb;
        if (level >= MinimumLevelDb) return null;
        string shown = double.IsNegativeInfinity(level) ? "digital silence" : string.Create(CultureInfo.InvariantCulture, $"loudest frame {level:F1} dBFS");
        return string.Create(CultureInfo.InvariantCulture, $"too quiet to estimate from ({shown}; at least {MinimumLevelDb:0} dBFS is needed)");
    }

    /// <summary>The first reason not to estimate (too quiet, then too short), or null when both rules pass.</summary>
    public string? Refusal() => TooQuiet() ?? TooShort();

    /// <summary>
    /// The chords of audio given no estimate: one no-chord (<c>N</c>) segment over its <paramref name="duration"/>
    /// seconds, which reads and scores as a valid annotation where an empty one would not.
    /// </summary>
    public static IReadOnlyList<ChordSegment> NoChords(double duration) => [new ChordSegment(0, duration, "N")];

    /// <summary>The gate's verdict on a whole signal: the reason not to estimate, or null.</summary>
    public static string? Check(ReadOnlySpan<float> y, int sampleRate)
    {
        var gate = new EstimateGate(sampleRate);
        gate.Add(y);
        return gate.Refusal();
    }
}
