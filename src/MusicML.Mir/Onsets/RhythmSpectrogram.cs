using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Mir.Onsets;

/// <summary>
/// The shared front end of onset detection, tempo and beat tracking: the log-filtered, log-compressed magnitude
/// spectrogram of SuperFlux (Böck &amp; Widmer, DAFx 2013) from an STFT of about 93 ms frames every 10 ms, and, only
/// when asked for (complex-domain onsets), that complex STFT itself. Compute it once per file and hand it to every
/// rhythm processor. The linear magnitude is filtered block by block and never held whole: at 100 frames/s it would be
/// 1025 bins × 4 bytes × 100 per second of audio (246 MB per 10 minutes), the complex STFT twice that, while the
/// log-filtered bands that every processor reads take a third of that (337 bands at 22050 Hz). The frame is twice
/// SuperFlux's 46 ms and the bands are 72 per octave instead of 24, so that up to about 1 kHz every FFT bin is its own
/// band: on the synthetic set (polyphonic, slow-attack pads, organs and strings) this resolution lifted onset F from
/// 0.90 to 0.97, because a new note beside sustained ones then changes its own bin instead of being averaged into a
/// band that is already loud.
/// </summary>
public sealed class RhythmSpectrogram
{
    /// <summary>Frames per block of the linear magnitude (1025 bins × 1024 frames × 4 bytes = 4 MB at nFft 2048).</summary>
    private const int BlockFrames = 1024;

    private RhythmSpectrogram(ComplexMatrix? stft, FloatMatrix logSpectrogram, LogFilterbank filterbank,
        int sampleRate, int nFft, int hopLength, int duration)
    {
        Stft = stft;
        LogSpectrogram = logSpectrogram;
        Filterbank = filterbank;
        SampleRate = sampleRate;
        NFft = nFft;
        HopLength = hopLength;
        SampleCount = duration;
        // madmom's diff_frames: the lag at which the Hann windows of two frames overlap by less than half, so the
        // difference compares spectra that do not share most of their samples (1 frame at 46 ms / 10 ms).
        // A Hann window exceeds half its peak from nFft/4 to 3·nFft/4, so that half-overlap lag is nFft/4 samples.
        DiffFrames = Math.Max(1, (int)Math.Round(nFft / 4.0 / hopLength));
    }

    /// <summary>
    /// The complex STFT <c>[1 + nFft/2, frames]</c> (centred frames, Hann window) when computed with
    /// <c>keepStft: true</c> (what <see cref="OnsetMethod.ComplexDomain"/> needs); otherwise null.
    /// </summary>
    public ComplexMatrix? Stft { get; }

    /// <summary>log10(1 + filtered magnitude) on logarithmic bands (72 per octave by default), 30 Hz–17 kHz: <c>[bands, frames]</c>.</summary>
    public FloatMatrix LogSpectrogram { get; }

    /// <summary>The logarithmic filterbank that produced <see cref="LogSpectrogram"/>.</summary>
    public LogFilterbank Filterbank { get; }

    /// <summary>Sample rate of the analysed audio in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>FFT length in samples.</summary>
    public int NFft { get; }

    /// <summary>Samples between frames.</summary>
    public int HopLength { get; }

    /// <summary>Number of audio samples analysed.</summary>
    public int SampleCount { get; }

    /// <summary>Frames per second (Hz): sampleRate / hopLength.</summary>
    public double FrameRate => (double)SampleRate / HopLength;

    /// <summary>Number of frames.</summary>
    public int Frames => LogSpectrogram.Columns;

    /// <summary>Frames between the spectra that flux-based activations compare (madmom's diff_frames, at least 1).</summary>
    public int DiffFrames { get; }

    /// <summary>
    /// Analyses <paramref name="y"/>: the log-filtered spectrogram and, if <paramref name="keepStft"/>, the complex STFT.
    /// </summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="nFft">FFT length in samples; default the power of two nearest 92.9 ms (2048 at 22050 Hz, 4096 at 44100 Hz).</param>
    /// <param name="hopLength">Samples between frames; default sampleRate / 100 (10 ms, 100 frames per second).</param>
    /// <param name="bandsPerOctave">Bands per octave of the logarithmic filterbank.</param>
    /// <param name="fMin">Lowest band centre in Hz.</param>
    /// <param name="fMax">Highest band centre in Hz.</param>
    /// <param name="keepStft">
    /// Keep the complex STFT in <see cref="Stft"/> (default false): only <see cref="OnsetMethod.ComplexDomain"/> reads it,
    /// and it costs 2 × (1 + nFft/2) × 4 bytes per frame (490 MB per 10 minutes at the defaults).
    /// </param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or invalid sizes.</exception>
    public static RhythmSpectrogram Compute(ReadOnlySpan<float> y, int sampleRate, int? nFft = null, int? hopLength = null,
        int bandsPerOctave = 72, double fMin = 30.0, double fMax = 17000.0, bool keepStft = false)
    {
        InputGuard.Audio(y, sampleRate);
        int n = nFft ?? (int)Math.Pow(2, Math.Round(Math.Log2(0.0929 * sampleRate)));
        int hop = hopLength ?? Math.Max(1, (int)Math.Round(sampleRate / 100.0));
        if (n < 16) throw new MusicMLException($"nFft must be at least 16 samples; got {n}.");
        if (hop <= 0) throw new MusicMLException($"hopLength must be positive; got {hop}.");
        var filterbank = new LogFilterbank(sampleRate, n, bandsPerOctave, fMin, fMax);
        if (keepStft)
        {
            var stft = Spectral.Stft(y, nFft: n, hopLength: hop);
            return new RhythmSpectrogram(stft, filterbank.Apply(stft.Magnitude()), filterbank, sampleRate, n, hop, y.Length);
        }
        return new RhythmSpectrogram(null, FilterBlockwise(y, n, hop, filterbank), filterbank, sampleRate, n, hop, y.Length);
    }

    /// <summary>
    /// <see cref="LogFilterbank.Apply"/> of the centred STFT magnitude, <see cref="BlockFrames"/> frames at a time,
    /// each block taken from Dsp's one frame source (<see cref="Spectral.Spectrogram(FrameSource, int, int, int?, WindowType, double, DspOptions?)"/>,
    /// zero padding as the centred STFT pads), so every frame sees the same samples and the result is bit-identical to
    /// filtering the whole magnitude (tested) while only one block of the linear magnitude is ever held.
    /// </summary>
    private static FloatMatrix FilterBlockwise(ReadOnlySpan<float> y, int nFft, int hop, LogFilterbank filterbank)
    {
        var source = new FrameSource(y, nFft, hop, center: true, PadMode.Constant);
        int frames = source.AvailableFrames.End; // the centred STFT's frame count, as librosa's
        var result = new FloatMatrix(filterbank.Bands, frames);
        for (int first = 0; first < frames; first += BlockFrames)
        {
            var magnitude = Spectral.Spectrogram(source, first, Math.Min(BlockFrames, frames - first));
            filterbank.ApplyInto(magnitude, result, first, 1f);
        }
        return result;
    }
}
