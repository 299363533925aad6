using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Mir.Chroma;

/// <summary>
/// Tuning-corrected bass and treble chroma of one signal, frame by frame. Both matrices are <c>[12, frames]</c> with
/// row 0 = C; frame t is centred at <c>t · HopLength / SampleRate</c> seconds. Values are log-compressed semitone
/// energies summed per pitch class (not normalised), so silent frames stay near zero.
/// </summary>
/// <param name="Bass">Pitch-class energy of the low register (MIDI 28–54, E1–F#3), where the bass line sounds.</param>
/// <param name="Treble">Pitch-class energy of the middle register (MIDI 48–84, C3–C6), where the harmony sounds.</param>
/// <param name="Full">Pitch-class energy over the whole analysed range (MIDI 28–96), used for key estimation.</param>
/// <param name="SampleRate">Sample rate of the analysed audio in Hz.</param>
/// <param name="HopLength">Samples between frames.</param>
/// <param name="Tuning">Tuning correction applied, in fractions of a semitone (−0.5 to 0.5; 0.1 = +10 cents).</param>
public sealed record ChromaFrames(FloatMatrix Bass, FloatMatrix Treble, FloatMatrix Full, int SampleRate, int HopLength, double Tuning)
{
    /// <summary>Number of frames.</summary>
    public int FrameCount => Treble.Columns;

    /// <summary>Seconds between frames.</summary>
    public double FrameDuration => (double)HopLength / SampleRate;

    /// <summary>Centre time of frame <paramref name="frame"/> in seconds.</summary>
    public double FrameTime(int frame) => frame * FrameDuration;
}

/// <summary>
/// Bass and treble chroma from a semitone-resolution spectrogram, after Mauch &amp; Dixon, "Simultaneous Estimation of
/// Chords and Musical Context from Audio" (IEEE TASLP 2010): a long-window STFT is mapped onto semitones whose centres
/// are shifted by the estimated tuning (so detuned recordings stay on their pitch classes), log-compressed
/// (Müller &amp; Ewert, "Chroma Toolbox", ISMIR 2011: <c>log(1 + γ·x)</c> evens out loud and soft partials), and folded into
/// pitch classes separately for a low (bass) and a middle (treble) register. Key and chord estimation read the
/// constant-Q version (<see cref="CqtChroma"/>), which resolves bass semitones this STFT cannot; this one serves
/// segmentation (<see cref="Segmentation.FooteSegmenter"/>), whose STFT also gives its MFCCs.
/// </summary>
public static class BassTrebleChroma
{
    /// <summary>Lowest MIDI note analysed (E1, 41.2 Hz): the lowest open string of a bass.</summary>
    public const int LowestNote = 28;

    /// <summary>Highest MIDI note analysed (C7, 2093 Hz): above it partials dominate the fundamentals.</summary>
    public const int HighestNote = 96;

    private const int BassTop = 54, TrebleBottom = 48, TrebleTop = 84;

    /// <summary>Compression strength γ of <c>log(1 + γ·x)</c> applied to semitone energies scaled to a maximum of 1.</summary>
    public const double Compression = 100.0;

    /// <summary>
    /// Chroma of a signal: magnitude STFT with <paramref name="nFft"/>, tuning estimated from it unless given, then
    /// <see cref="FromMagnitude"/>. The default 186 ms window trades bass resolution (semitones are separated from
    /// about 100 Hz up; lower notes are found through their partials) for chord boundaries that are not smeared.
    /// </summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nFft">FFT length in samples (default 4096).</param>
    /// <param name="hopLength">Samples between frames (default 1024, 46 ms at 22050 Hz).</param>
    /// <param name="tuning">Tuning in fractions of a semitone; null to estimate it (librosa.estimate_tuning).</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio or an invalid parameter.</exception>
    public static ChromaFrames Compute(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 4096, int hopLength = 1024, double? tuning = null)
    {
        InputGuard.SampleRate(sampleRate);
        if (hopLength <= 0) throw new MusicMLException($"hopLength must be positive; got {hopLength}.");
        if (nFft < 256) throw new MusicMLException($"nFft must be at least 256 samples; got {nFft}.");
        var magnitude = Spectral.Spectrogram(y, nFft, hopLength);
        return FromMagnitude(magnitude, sampleRate, hopLength, tuning);
    }

    /// <summary>
    /// Chroma from a precomputed magnitude spectrogram <c>[1 + nFft/2, frames]</c> (so an analysis pass can share it).
    /// </summary>
    /// <param name="magnitude">Magnitude STFT; nFft is taken as 2·(rows − 1).</param>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="hopLength">Samples between the spectrogram's frames.</param>
    /// <param name="tuning">Tuning in fractions of a semitone; null to estimate it from <paramref name="magnitude"/>.</param>
    /// <exception cref="MusicMLException">An empty or non-finite spectrogram, or an invalid parameter.</exception>
    public static ChromaFrames FromMagnitude(FloatMatrix magnitude, int sampleRate = 22050, int hopLength = 1024, double? tuning = null)
    {
        ArgumentNullException.ThrowIfNull(magnitude);
        if (magnitude.Rows < 2 || magnitude.Columns == 0)
            throw new MusicMLException($"The magnitude spectrogram is empty ({magnitude.Rows} × {magnitude.Columns}).");
        InputGuard.SampleRate(sampleRate);
        if (hopLength <= 0) throw new MusicMLException($"hopLength must be positive; got {hopLength}.");
        if (tuning is { } t && !(t >= -0.5 && t <= 0.5)) throw new MusicMLException($"tuning must be within [-0.5, 0.5] semitones; got {t}.");
        double resolvedTuning = tuning ?? CqtChroma.EstimateTuning(magnitude, sampleRate);
        return FromSemitoneMagnitudes(SemitoneMagnitudes(magnitude, sampleRate, resolvedTuning), sampleRate, hopLength, resolvedTuning);
    }

    /// <summary>
    /// The chroma of semitone magnitudes <c>[HighestNote − LowestNote + 1, frames]</c> (row 0 = E1), compressed in
    /// place relative to their loudest value (<see cref="Compress"/>) and folded into registers. Streamed analysis
    /// gathers the semitone magnitudes block by block and calls this once, because the compression's scale is the
    /// whole recording's maximum.
    /// </summary>
    internal static ChromaFrames FromSemitoneMagnitudes(FloatMatrix semitones, int sampleRate, int hopLength, double tuning)
    {
        Compress(semitones.Data);
        return FoldRegisters(semitones, sampleRate, hopLength, tuning);
    }

    /// <summary>
    /// Folds log-compressed semitone energies <c>[HighestNote − LowestNote + 1, frames]</c> (row 0 = E1) into the bass,
    /// treble and full-range chroma, so every front end (STFT or CQT) uses the same registers.
    /// </summary>
    internal static ChromaFrames FoldRegisters(FloatMatrix semitones, int sampleRate, int hopLength, double tuning)
    {
        int frames = semitones.Columns;
        var bass = new FloatMatrix(12, frames);
        var treble = new FloatMatrix(12, frames);
        var full = new FloatMatrix(12, frames);
        for (int note = LowestNote; note <= HighestNote; note++)
        {
            var energy = semitones.Row(note - LowestNote);
            int pitchClass = note % 12;
            Accumulate(full.Row(pitchClass), energy);
            if (note <= BassTop) Accumulate(bass.Row(pitchClass), energy);
            if (note >= TrebleBottom && note <= TrebleTop) Accumulate(treble.Row(pitchClass), energy);
        }
        return new ChromaFrames(bass, treble, full, sampleRate, hopLength, tuning);
    }

    private static void Accumulate(Span<float> destination, ReadOnlySpan<float> source)
        => VectorMath.Add(destination, source);

    /// <summary>Log-compressed energy per semitone: <see cref="SemitoneMagnitudes"/> after <see cref="Compress"/>.</summary>
    internal static FloatMatrix SemitoneEnergies(FloatMatrix magnitude, int sampleRate, double tuning)
    {
        var energies = SemitoneMagnitudes(magnitude, sampleRate, tuning);
        Compress(energies.Data);
        return energies;
    }

    /// <summary>
    /// Magnitude per semitone <c>[HighestNote − LowestNote + 1, frames]</c>, before compression: each FFT bin feeds the
    /// two nearest semitones with triangular weights in log frequency, so a partial between two notes is shared, not
    /// lost. Frame-local: each frame's values depend on that frame's spectrum only.
    /// </summary>
    internal static FloatMatrix SemitoneMagnitudes(FloatMatrix magnitude, int sampleRate, double tuning)
    {
        int bins = magnitude.Rows, frames = magnitude.Columns, nFft = 2 * (bins - 1);
        for (int i = 0; i < magnitude.Data.Length; i++)
            if (!float.IsFinite(magnitude.Data[i]))
                throw new MusicMLException($"The magnitude spectrogram contains a non-finite value ({magnitude.Data[i]}) at index {i}.");
        int notes = HighestNote - LowestNote + 1;
        var energies = new FloatMatrix(notes, frames);
        for (int k = 1; k < bins; k++)
        {
            double frequency = (double)k * sampleRate / nFft;
            double position = 69 + 12 * Math.Log2(frequency / 440.0) - tuning - LowestNote;
            if (position <= -1 || position >= notes) continue;
            int lower = (int)Math.Floor(position);
            float upperWeight = (float)(position - lower), lowerWeight = 1 - upperWeight;
            var source = magnitude.Row(k);
            if (lower >= 0) AddScaled(energies.Row(lower), source, lowerWeight);
            if (lower + 1 < notes) AddScaled(energies.Row(lower + 1), source, upperWeight);
        }
        return energies;
    }

    /// <summary>
    /// <c>log(1 + γ·x)</c> with γ = <see cref="Compression"/> after scaling to a maximum of 1, in place: the loudest
    /// semitone of the recording sets the scale, so the compression does not depend on the recording level.
    /// </summary>
    internal static void Compress(Span<float> energies)
    {
        float max = VectorMath.Max(energies);
        if (!(max > 0)) return;
        float scale = (float)(Compression / max);
        for (int i = 0; i < energies.Length; i++) energies[i] = MathF.Log(1 + scale * energies[i]);
    }

    private static void AddScaled(Span<float> destination, ReadOnlySpan<float> source, float weight)
        => VectorMath.AddScaled(destination, source, weight);
}
