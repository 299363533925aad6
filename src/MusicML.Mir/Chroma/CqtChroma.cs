using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Mir.Chroma;

/// <summary>
/// Tuning-corrected bass and treble chroma from a constant-Q transform (Brown, "Calculation of a constant Q spectral
/// transform", JASA 1991; CQT chroma as in Bello &amp; Pickens, "A robust mid-level representation for harmonic content
/// in music signals", ISMIR 2005, and Harte &amp; Sandler, "Automatic chord identification using a quantised
/// chromagram", AES 2005): 36 bins per octave (three per semitone) from a third of a semitone below E1 to a third
/// above C7, with the lowest frequency shifted by the estimated tuning so the centre bin of every three sits on a
/// note; semitone energies are log-compressed (<c>log(1 + γ·x)</c>, Müller &amp; Ewert, ISMIR 2011) and folded into the
/// bass, treble and full-range registers of <see cref="BassTrebleChroma"/>. Unlike an STFT, whose fixed bin width
/// cannot separate bass semitones, the CQT resolves every semitone down to E1 with the same relative bandwidth.
/// </summary>
public static class CqtChroma
{
    /// <summary>CQT bins per octave: three per semitone, so the centre bin of a note lies between two off-note bins.</summary>
    public const int BinsPerOctave = 36;

    private const int BinsPerSemitone = BinsPerOctave / 12;

    /// <summary>
    /// Chroma of a signal from its tuned 36-bin-per-octave CQT magnitude (librosa's wavelet lengths, filter scale 1:
    /// about 1.25 s at E1 down to 25 ms at C7). One setting serves both key and chords: on the synthetic set the key
    /// scores the same at hops of 1024, 2048 and 4096 samples, and chords score best at 1024 (46 ms at 22050 Hz);
    /// halving the wavelets (filter scale 0.5) lost sevenths accuracy (0.746 against 0.754).
    /// </summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="hopLength">Samples between frames (default 1024, 46 ms at 22050 Hz).</param>
    /// <param name="tuning">Tuning in fractions of a semitone (−0.5 to 0.5); null to estimate it with <see cref="EstimateTuning(ReadOnlySpan{float}, int)"/>.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static ChromaFrames Compute(ReadOnlySpan<float> y, int sampleRate = 22050, int hopLength = 1024, double? tuning = null)
    {
        InputGuard.SampleRate(sampleRate);
        if (hopLength <= 0) throw new MusicMLException($"hopLength must be positive; got {hopLength}.");
        if (tuning is { } t && !(t >= -0.5 && t <= 0.5)) throw new MusicMLException($"tuning must be within [-0.5, 0.5] semitones; got {t}.");
        // The top wavelet (a third of a semitone above C7, ≈ 2.1 kHz) spreads about 3 % above its centre.
        double highestFrequency = 1.05 * Frequencies.MidiToHz(BassTrebleChroma.HighestNote + 0.5 + 1.0 / BinsPerSemitone);
        if (sampleRate < 2 * highestFrequency)
            throw new MusicMLException($"sampleRate {sampleRate} Hz is too low for chroma up to C7: it needs at least {Math.Ceiling(2 * highestFrequency)} Hz.");
        double resolvedTuning = tuning ?? EstimateTuning(y, sampleRate);
        return BassTrebleChroma.FromSemitoneMagnitudes(SemitoneMagnitudes(y, sampleRate, hopLength, resolvedTuning), sampleRate, hopLength, resolvedTuning);
    }

    /// <summary>
    /// The constant-Q magnitude of every semitone's centre bin <c>[notes, frames]</c> (row 0 = E1), before the
    /// compression that <see cref="BassTrebleChroma.FromSemitoneMagnitudes"/> applies relative to the whole recording.
    /// </summary>
    internal static FloatMatrix SemitoneMagnitudes(ReadOnlySpan<float> y, int sampleRate, int hopLength, double resolvedTuning)
    {
        int notes = BassTrebleChroma.HighestNote - BassTrebleChroma.LowestNote + 1;
        // The first bin lies a third of a semitone below the tuned E1, so bin 3n + 1 is centred on note n.
        double fMin = Frequencies.MidiToHz(BassTrebleChroma.LowestNote + resolvedTuning - 1.0 / BinsPerSemitone);
        var magnitude = Spectral.Cqt(y, sampleRate, hopLength, fMin, notes * BinsPerSemitone, BinsPerOctave, tuning: 0.0).Magnitude();
        // Only the centre bin of each semitone is kept: the off-note bins hold the skirts of neighbouring notes, and
        // taking the strongest of the three with peak picking scored lower (key 0.905 against 0.950 with the learned profile).
        var semitones = new FloatMatrix(notes, magnitude.Columns);
        for (int n = 0; n < notes; n++) magnitude.Row(n * BinsPerSemitone + 1).CopyTo(semitones.Row(n));
        return semitones;
    }

    /// <summary>
    /// The tuning correction <see cref="Compute"/> applies when none is given, in fractions of a semitone, and the one
    /// estimate every MIR task shares (key, chords, segments, <c>musicml tuning</c> and <c>analyze</c>): the piptrack
    /// peaks of librosa's <c>estimate_tuning</c> on a 186 ms window (4096 samples at 22050 Hz, fine enough to place
    /// partials from about 100 Hz up to within a few cents), their residuals histogrammed on the circle
    /// (<see cref="TuningAccumulator.EstimateCircular"/>) so that a recording near ±50 cents gets one reference, not
    /// either end of the range by chance.
    /// </summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <returns>The tuning in [−0.5, 0.5) semitones; 0 when no pitch is found (silence).</returns>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid sample rate.</exception>
    public static double EstimateTuning(ReadOnlySpan<float> y, int sampleRate = 22050)
    {
        InputGuard.SampleRate(sampleRate);
        var accumulator = new TuningAccumulator(sampleRate);
        int nFft = TuningFftLength(sampleRate);
        accumulator.Add(y, nFft, nFft / 4);
        return accumulator.EstimateCircular();
    }

    /// <summary>
    /// <see cref="EstimateTuning(ReadOnlySpan{float}, int)"/>'s circular estimate on the peaks of a magnitude STFT
    /// computed elsewhere (its window length is the caller's; the signal overload uses <see cref="TuningFftLength"/>).
    /// </summary>
    internal static double EstimateTuning(FloatMatrix magnitude, int sampleRate)
    {
        var accumulator = new TuningAccumulator(sampleRate);
        accumulator.Add(magnitude, 0, magnitude.Columns);
        return accumulator.EstimateCircular();
    }

    /// <summary>FFT length of <see cref="EstimateTuning(ReadOnlySpan{float}, int)"/> at <paramref name="sampleRate"/>: the power of two nearest 186 ms (hop a quarter of it).</summary>
    internal static int TuningFftLength(int sampleRate) => 1 << (int)Math.Round(Math.Log2(0.186 * sampleRate));
}
