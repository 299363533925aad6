using MusicML.Audio;
using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Mir.Pitch;

/// <summary>
/// The cumulative mean normalised difference function of YIN (de Cheveigné &amp; Kawahara, JASA 2002, steps 2–3) for
/// every frame, computed with FFT cross-correlation like librosa.yin: frames of frameLength samples (centred, zero
/// padded), an integration window of frameLength / 2, lags from ⌊sampleRate / fMax⌋ to ⌈sampleRate / fMin⌉.
/// </summary>
internal sealed class YinCore
{
    public YinCore(int sampleRate, double fMin, double fMax, int frameLength, int hopLength)
    {
        InputGuard.SampleRate(sampleRate);
        if (!(fMin > 0) || double.IsInfinity(fMin)) throw new MusicMLException($"fMin must be positive and finite; got {fMin} Hz.");
        if (!(fMax > fMin) || fMax > sampleRate / 2.0) throw new MusicMLException($"fMax must lie between fMin ({fMin} Hz) and the Nyquist frequency ({sampleRate / 2.0} Hz); got {fMax} Hz.");
        if (frameLength < 64) throw new MusicMLException($"frameLength must be at least 64 samples; got {frameLength}.");
        if (hopLength <= 0) throw new MusicMLException($"hopLength must be positive; got {hopLength}.");
        WindowLength = frameLength / 2;
        MinPeriod = Math.Max(1, (int)Math.Floor(sampleRate / fMax));
        MaxPeriod = (int)Math.Ceiling(sampleRate / fMin);
        if (MaxPeriod > frameLength - WindowLength - 1 || MaxPeriod <= MinPeriod + 1)
            throw new MusicMLException($"frameLength {frameLength} is too short for fMin {fMin} Hz: a frame must hold two periods of the lowest pitch.");
        SampleRate = sampleRate;
        FrameLength = frameLength;
        HopLength = hopLength;
        _fft = RealFft.Create(frameLength);
        _frame = new float[frameLength];
        _head = new float[frameLength];
        _frameSpectrum = new float[2 * _fft.Bins];
        _headSpectrum = new float[2 * _fft.Bins];
        _correlation = new float[frameLength];
        _energy = new double[frameLength + 1];
        _difference = new double[MaxPeriod + 1];
        _row = new float[LagCount];
    }

    public int SampleRate { get; }
    public int FrameLength { get; }
    public int HopLength { get; }
    public int WindowLength { get; }
    public int MinPeriod { get; }
    public int MaxPeriod { get; }

    /// <summary>Number of lags kept per frame: MinPeriod … MaxPeriod.</summary>
    public int LagCount => MaxPeriod - MinPeriod + 1;

    /// <summary>
    /// Feeds the CMNDF of every frame of <paramref name="y"/> to <paramref name="sink"/>, in order: a whole recording,
    /// or (through <see cref="Stream"/>) one window of a longer one, of which only the frames it owns are fed.
    /// </summary>
    /// <param name="y">The samples; frame t is centred on sample t · HopLength, zero padded past the ends.</param>
    /// <param name="first">First frame to feed.</param>
    /// <param name="count">Frames to feed; null for all of them.</param>
    /// <param name="sink">Receives each frame's row (lags MinPeriod + j); the row is reused for the next frame.</param>
    public void Feed(ReadOnlySpan<float> y, IPitchFrameSink sink, int first = 0, int? count = null)
    {
        // Centred, zero-padded frames from Dsp's one frame source (librosa.yin pads with zeros).
        var source = new FrameSource(y, FrameLength, HopLength, center: true, PadMode.Constant);
        int end = count is { } c ? first + c : source.AvailableFrames.End;
        for (int t = first; t < end; t++)
        {
            source.CopyFrame(t, _frame);
            ComputeFrame();
            sink.Add(_row);
        }
    }

    /// <summary>
    /// Hops per streamed block: 8192 (190 s at 22.05 kHz with the default 512). The results do not depend on it, so
    /// tests lower it to put many block boundaries in a short file.
    /// </summary>
    internal static int StreamBlockHops { get; set; } = 8192;

    /// <summary>
    /// Streams <paramref name="path"/> as mono at <paramref name="sampleRate"/> (null: its own rate) through
    /// <see cref="OverlappingBlocks"/>, feeding every frame to the sink built for the stream's rate, exactly as
    /// <see cref="Feed"/> on the whole decoded recording would: memory is one block whatever the file's length.
    /// </summary>
    /// <param name="path">The audio file.</param>
    /// <param name="sampleRate">Rate to resample to in Hz; null keeps the file's own.</param>
    /// <param name="create">The core and sink for the stream's rate.</param>
    /// <param name="progress">Told the fraction of the file done (0–1) after each block; 1 after the last.</param>
    /// <exception cref="MusicMLException">The file cannot be read or decodes no samples, or an invalid parameter.</exception>
    public static TSink Stream<TSink>(string path, int? sampleRate, Func<int, (YinCore Core, TSink Sink)> create, IProgress<double>? progress = null)
        where TSink : IPitchFrameSink
    {
        using var reader = new AudioStreamReader(path, sampleRate, mono: true);
        var (core, sink) = create(reader.SampleRate);
        int hop = core.HopLength;
        // Half a frame of context either side makes every owned frame whole.
        int context = OverlappingBlocks.RoundUp(core.FrameLength / 2 + 1, hop);
        var blocks = new OverlappingBlocks(reader, checked(StreamBlockHops * hop), context);
        if (!blocks.Next()) throw AudioFormatException.NoSamples(path);
        do
        {
            var (first, count) = blocks.OwnedFrames(hop);
            core.Feed(blocks.Window, sink, first, count);
            progress?.Report(blocks.IsLast ? 1.0 : Math.Min(1.0, (double)blocks.OwnedEnd / Math.Max(1, reader.ExpectedFrameCount)));
        }
        while (blocks.Next());
        return sink;
    }

    // Per-frame scratch, reused for every frame of every window.
    private readonly float[] _frame, _row, _head, _frameSpectrum, _headSpectrum, _correlation;
    private readonly double[] _energy, _difference;
    private readonly RealFft _fft;

    /// <summary>The CMNDF of the frame in <see cref="_frame"/> into <see cref="_row"/>.</summary>
    private void ComputeFrame()
    {
        int n = FrameLength, w = WindowLength;
        var frame = _frame;
        frame.AsSpan(0, w).CopyTo(_head);
        _fft.Forward(frame, _frameSpectrum);
        _fft.Forward(_head, _headSpectrum);
        // r(τ) = Σ_{j<w} x[j]·x[j+τ] = IFFT(conj(H)·X); no wrap-around since w + MaxPeriod < n.
        for (int k = 0; k < _fft.Bins; k++)
        {
            float xr = _frameSpectrum[2 * k], xi = _frameSpectrum[2 * k + 1], hr = _headSpectrum[2 * k], hi = _headSpectrum[2 * k + 1];
            _frameSpectrum[2 * k] = hr * xr + hi * xi;
            _frameSpectrum[2 * k + 1] = hr * xi - hi * xr;
        }
        _fft.Inverse(_frameSpectrum, _correlation);
        _energy[0] = 0;
        for (int i = 0; i < n; i++) _energy[i + 1] = _energy[i] + (double)frame[i] * frame[i];
        double e0 = _energy[w];
        // d(τ) = E(0) + E(τ) − 2 r(τ), E(τ) the energy of samples τ … τ + w − 1 (YIN eq. 7).
        for (int tau = 0; tau <= MaxPeriod; tau++)
        {
            double r = Math.Abs(_correlation[tau]) < 1e-6 ? 0 : _correlation[tau];
            double eTau = _energy[tau + w] - _energy[tau];
            if (Math.Abs(eTau) < 1e-6) eTau = 0;
            _difference[tau] = Math.Max(0, e0 + eTau - 2 * r);
        }
        // d'(τ) = d(τ) / ((1/τ) Σ_{j=1..τ} d(j)) (YIN eq. 8).
        double cumulative = 0;
        for (int tau = 1; tau <= MaxPeriod; tau++)
        {
            cumulative += _difference[tau];
            if (tau < MinPeriod) continue;
            double mean = cumulative / tau;
            _row[tau - MinPeriod] = (float)(_difference[tau] / (mean + 1e-30));
        }
    }

    /// <summary>Parabolic-interpolation offset (−1 to 1 lags) of the trough at index i of a CMNDF row (YIN step 5).</summary>
    public static double ParabolicShift(ReadOnlySpan<float> row, int i)
    {
        if (i <= 0 || i >= row.Length - 1) return 0;
        double a = row[i + 1] + row[i - 1] - 2 * row[i];
        double b = (row[i + 1] - row[i - 1]) / 2.0;
        return Math.Abs(b) >= Math.Abs(a) ? 0 : -b / a;
    }

    /// <summary>True where index i of a CMNDF row is a local minimum (the first lag counts when it is below the second).</summary>
    public static bool IsTrough(ReadOnlySpan<float> row, int i)
    {
        if (i == 0) return row.Length > 1 && row[0] < row[1];
        if (i == row.Length - 1) return row[i] < row[i - 1];
        return row[i] < row[i - 1] && row[i] <= row[i + 1];
    }
}

/// <summary>Consumes YIN's CMNDF frame by frame (<see cref="YinCore.Feed"/>), so no estimator holds every frame's row.</summary>
internal interface IPitchFrameSink
{
    /// <summary>The next frame's CMNDF row (lags MinPeriod … MaxPeriod); valid only during the call.</summary>
    void Add(ReadOnlySpan<float> row);
}
