using MusicML.Core;

namespace MusicML.Audio;

/// <summary>
/// Resamples one channel block by block, so a long stream is converted in bounded memory. Feed blocks with
/// <see cref="Process"/>, then call <see cref="Flush"/> until it returns 0; the output is the same as one call to
/// <see cref="Resampler.Resample"/> on the whole signal, before that method trims it to ⌈n · target / original⌉.
/// The CQT's halving chain streams its octaves through it block by block instead of holding each whole.
/// </summary>
public abstract class StreamingResampler : IDisposable
{
    // Only this assembly's engines derive from it.
    private protected StreamingResampler() { }

    /// <summary>Creates the resampler for <paramref name="engine"/> (Auto: libsoxr when it loads).</summary>
    public static StreamingResampler Create(int originalRate, int targetRate, ResampleQuality quality, ResamplerEngine engine)
    {
        Resampler.Validate(originalRate, targetRate);
        bool useSoxr = engine switch
        {
            ResamplerEngine.Soxr => true,
            ResamplerEngine.Managed => false,
            _ => Soxr.Dependency.IsAvailable,
        };
        return useSoxr
            ? new SoxrStreamingResampler(originalRate, targetRate, quality)
            : new PolyphaseResampler(originalRate, targetRate, quality);
    }

    /// <summary>Largest number of output samples one <see cref="Process"/> call of <paramref name="inputLength"/> samples can return.</summary>
    public abstract int MaxOutputLength(int inputLength);

    /// <summary>Consumes all of <paramref name="input"/>; writes up to <paramref name="output"/>.Length samples and returns how many.</summary>
    public abstract int Process(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Signals the end of input and writes the remaining samples; returns 0 once drained.</summary>
    public abstract int Flush(Span<float> output);

    /// <inheritdoc />
    public virtual void Dispose() { }
}

/// <summary>libsoxr's streaming interface: identical numbers to python-soxr's, hence librosa's <c>soxr_*</c>.</summary>
internal sealed class SoxrStreamingResampler : StreamingResampler
{
    private readonly double _ratio;
    private readonly SoxrHandle _handle;

    public SoxrStreamingResampler(int originalRate, int targetRate, ResampleQuality quality)
    {
        _handle = Soxr.Create(originalRate, targetRate, quality);
        _ratio = (double)targetRate / originalRate;
    }

    public override int MaxOutputLength(int inputLength) => (int)Math.Ceiling(inputLength * _ratio) + 64;

    public override int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return Soxr.Process(_handle, input, output, flush: false);
    }

    public override int Flush(Span<float> output)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return Soxr.Process(_handle, default, output, flush: true);
    }

    public override void Dispose() => _handle.Dispose();
}

/// <summary>
/// Kaiser-windowed-sinc polyphase resampling (Smith, "Digital Audio Resampling Home Page", CCRMA 2002; Kaiser,
/// "Nonrecursive digital filter design using the I0-sinh window function", ISCAS 1974), linear phase, with the
/// filter placed like libsoxr's recipes: for High, pass band to 91.37 % of the lower Nyquist and a 126 dB stop band
/// (21 bits, as soxr_hq) from Nyquist, so nothing aliases. Output sample n sits at input time n · original / target (no delay).
/// </summary>
/// <remarks>
/// For rational ratios with at most <see cref="MaxExactPhases"/> phases (every common audio pair: 44100↔22050,
/// 44100→16000, 48000→22050) every phase has its own exact filter; other ratios interpolate linearly between
/// 1024 tabulated phases.
/// </remarks>
internal sealed class PolyphaseResampler : StreamingResampler
{
    private const int MaxExactPhases = 2048;
    private const int InterpolatedPhases = 1024;

    private readonly long _up, _down;     // output/input rate ratio in lowest terms: _up / _down
    private readonly int _halfTaps;       // K: the filter spans input samples i-K+1 .. i+K around time i + frac
    private readonly int _taps;           // 2K
    private readonly int _phases;
    private readonly bool _exact;
    private readonly float[] _coefficients; // [_phases (+1 when interpolated)][_taps]

    private float[] _history;             // input samples with absolute indices _historyStart .. _historyStart + _historyCount - 1
    private long _historyStart;
    private int _historyCount;
    private long _nextOutput;             // index of the next output sample
    private long _inputCount;             // real input samples consumed
    private bool _flushing;

    public PolyphaseResampler(int originalRate, int targetRate, ResampleQuality quality)
    {
        long gcd = (long)System.Numerics.BigInteger.GreatestCommonDivisor(originalRate, targetRate);
        _up = targetRate / gcd;
        _down = originalRate / gcd;
        // libsoxr's recipes: stop-band attenuation (precision + 1 bits) · 6.02 dB, pass-band end
        // 1 − 0.05 / (soxr's 3 dB point for that precision). High and VeryHigh use soxr's exact edges; Low and Medium
        // approximate its (differently rolled-off) 16-bit recipes. Only High is checked against librosa's output.
        var (passbandEnd, attenuationDb) = quality switch
        {
            ResampleQuality.Low => (0.676, 102.3),
            ResampleQuality.Medium => (0.87, 102.3),
            ResampleQuality.High => (0.91369, 126.43),
            _ => (0.91131, 174.6),
        };
        // Band edges relative to the input's Nyquist: the lower of the two Nyquists bounds the pass band.
        double scale = Math.Min(1.0, (double)_up / _down);
        double cutoff = (passbandEnd + 1.0) / 2 * scale;
        double transition = (1.0 - passbandEnd) * scale;
        // Kaiser's design formulas: length for the attenuation over the transition width, and the window's beta.
        double length = (attenuationDb - 7.95) / (2.285 * Math.PI * transition);
        _halfTaps = (int)Math.Ceiling(length / 2) + 1;
        _taps = 2 * _halfTaps;
        double beta = attenuationDb > 50 ? 0.1102 * (attenuationDb - 8.7) : 0.5842 * Math.Pow(attenuationDb - 21, 0.4) + 0.07886 * (attenuationDb - 21);

        _exact = _up <= MaxExactPhases;
        _phases = _exact ? (int)_up : InterpolatedPhases;
        int tables = _exact ? _phases : _phases + 1;
        _coefficients = new float[tables * _taps];
        double i0Beta = BesselI0(beta);
        for (int p = 0; p < tables; p++)
        {
            double fraction = (double)p / _phases;
            var row = _coefficients.AsSpan(p * _taps, _taps);
            for (int j = 0; j < _taps; j++)
            {
                double tau = fraction + _halfTaps - 1 - j;
                double x = tau / _halfTaps;
                double window = Math.Abs(x) >= 1 ? 0 : BesselI0(beta * Math.Sqrt(1 - x * x)) / i0Beta;
                row[j] = (float)(cutoff * Sinc(cutoff * tau) * window);
            }
        }

        _history = new float[Math.Max(4 * _taps, 4096)];
        // K-1 leading zeros stand for the signal before time 0.
        _historyStart = -(_halfTaps - 1);
        _historyCount = _halfTaps - 1;
    }

    public override int MaxOutputLength(int inputLength) =>
        (int)Math.Min(int.MaxValue, (inputLength + _taps + 1L) * _up / _down + 2);

    public override int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (_flushing) throw new InvalidOperationException("Process was called after Flush.");
        int written = 0;
        while (!input.IsEmpty)
        {
            Compact();
            int room = _history.Length - _historyCount;
            if (room == 0)
            {
                Array.Resize(ref _history, _history.Length * 2);
                room = _history.Length - _historyCount;
            }
            int take = Math.Min(room, input.Length);
            input[..take].CopyTo(_history.AsSpan(_historyCount));
            _historyCount += take;
            _inputCount += take;
            input = input[take..];
            written += Produce(output[written..], long.MaxValue);
        }
        return written;
    }

    public override int Flush(Span<float> output)
    {
        long total = (_inputCount * _up + _down - 1) / _down;
        if (!_flushing)
        {
            _flushing = true;
            Compact();
            if (_history.Length - _historyCount < _halfTaps + 1) Array.Resize(ref _history, _historyCount + _halfTaps + 1);
            // Zeros after the end let the last outputs see a complete filter span.
            _history.AsSpan(_historyCount, _halfTaps + 1).Clear();
            _historyCount += _halfTaps + 1;
        }
        return Produce(output, total);
    }

    private int Produce(Span<float> output, long limit)
    {
        int written = 0;
        long available = _historyStart + _historyCount; // first absolute index not yet in the history
        while (written < output.Length && _nextOutput < limit)
        {
            long position = _nextOutput * _down;
            long index = position / _up;
            if (index + _halfTaps >= available) break;
            long phase = position - index * _up;
            var window = _history.AsSpan((int)(index - _halfTaps + 1 - _historyStart), _taps);
            if (_exact)
            {
                output[written] = SampleConversion.Dot(window, _coefficients.AsSpan((int)phase * _taps, _taps));
            }
            else
            {
                double slot = (double)phase / _up * _phases;
                int low = (int)slot;
                float weight = (float)(slot - low);
                float a = SampleConversion.Dot(window, _coefficients.AsSpan(low * _taps, _taps));
                float b = SampleConversion.Dot(window, _coefficients.AsSpan((low + 1) * _taps, _taps));
                output[written] = a + weight * (b - a);
            }
            written++;
            _nextOutput++;
        }
        return written;
    }

    /// <summary>Drops history the next output no longer needs, keeping memory bounded on long streams.</summary>
    private void Compact()
    {
        long firstNeeded = _nextOutput * _down / _up - _halfTaps + 1;
        int drop = (int)Math.Clamp(firstNeeded - _historyStart, 0, _historyCount);
        if (drop == 0) return;
        _history.AsSpan(drop, _historyCount - drop).CopyTo(_history);
        _historyCount -= drop;
        _historyStart += drop;
    }

    private static double Sinc(double x) => x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

    /// <summary>Modified Bessel function of the first kind, order 0, by its power series.</summary>
    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, half = x / 2;
        for (int k = 1; k < 200; k++)
        {
            term *= half / k * (half / k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }
}
