using MusicML.Core;

namespace MusicML.Mir.Onsets;

/// <summary>
/// The few values per frame of a <see cref="RhythmSpectrogram"/> that the rhythm chain reads (<see cref="RhythmAnalyzer"/>):
/// the onset activation, the tempo activation (SuperFlux below <see cref="RhythmAnalyzer.TempoMaxHz"/>), the bass-onset
/// flux of the downbeat tracker, and two folds of the log bands onto the 12 pitch classes (the bass register of
/// <see cref="Tempo.HarmonicRhythm"/> and the 60 Hz–2.1 kHz harmony of <see cref="Beats.BarTracker"/>). 27 values
/// per frame instead of 337 bands, so a two-hour recording's rhythm evidence takes about 80 MB rather than 1 GB, and
/// the spectrogram itself can be computed block by block and dropped (<see cref="Analysis.Analyzer"/> streams it).
/// Every value of a frame depends on that frame and the <see cref="RhythmSpectrogram.DiffFrames"/> before it only,
/// so features computed on overlapping blocks and cut to the frames each block owns equal the whole-file ones.
/// </summary>
public sealed class RhythmFeatures
{
    /// <summary>Lowest band centre (Hz) of the harmony fold that <see cref="Beats.BarTracker"/> compares beat to beat.</summary>
    public const double HarmonyMinHz = 60.0;

    /// <summary>Highest band centre (Hz) of the harmony fold.</summary>
    public const double HarmonyMaxHz = 2100.0;

    /// <summary>Assembles features from their per-frame arrays (all of one length; the folds 12 values per frame).</summary>
    /// <exception cref="MusicMLException">Arrays of different lengths or a non-positive frame rate.</exception>
    public RhythmFeatures(double frameRate, float[] activation, float[] tempoActivation, float[] bassFlux,
        float[] bassPitchClasses, float[] harmonyPitchClasses, float[] energy)
    {
        InputGuard.Positive(frameRate, nameof(frameRate));
        ArgumentNullException.ThrowIfNull(activation);
        int frames = activation.Length;
        ArgumentNullException.ThrowIfNull(energy);
        if (tempoActivation.Length != frames || bassFlux.Length != frames || energy.Length != frames || bassPitchClasses.Length != 12L * frames || harmonyPitchClasses.Length != 12L * frames)
            throw new MusicMLException($"Rhythm features of {frames} frames need per-frame arrays of {frames} values and pitch-class folds of {12L * frames}.");
        FrameRate = frameRate;
        Activation = new OnsetEnvelope(activation, frameRate);
        TempoActivation = new OnsetEnvelope(tempoActivation, frameRate);
        BassFlux = bassFlux;
        BassPitchClasses = bassPitchClasses;
        HarmonyPitchClasses = harmonyPitchClasses;
        Energy = energy;
    }

    /// <summary>Per frame, the sum of the log bands (what onset backtracking walks down to its minimum).</summary>
    public float[] Energy { get; }

    /// <summary>
    /// Per frame, the beat and downbeat probabilities of the analyzer's <see cref="Beats.BeatNetwork"/>, or null when
    /// it has none (<see cref="RhythmAnalyzer.Network"/>).
    /// </summary>
    public (float[] Beat, float[] Downbeat)? Learned { get; init; }

    /// <summary>Frames per second.</summary>
    public double FrameRate { get; }

    /// <summary>Number of frames.</summary>
    public int Frames => Activation.Values.Length;

    /// <summary>The onset activation of <see cref="RhythmAnalyzer.ActivationMethod"/> (what beats and onsets are picked from).</summary>
    public OnsetEnvelope Activation { get; }

    /// <summary>SuperFlux of the bands up to <see cref="RhythmAnalyzer.TempoMaxHz"/> (what the tempo is estimated from).</summary>
    public OnsetEnvelope TempoActivation { get; }

    /// <summary>Spectral flux (no frequency max filter) of the bands up to <see cref="Beats.BarTracker.BassMaxHz"/>.</summary>
    public float[] BassFlux { get; }

    /// <summary>Per frame, the log bands centred <see cref="Tempo.HarmonicRhythm.BassMinHz"/>–<see cref="Tempo.HarmonicRhythm.BassMaxHz"/> summed per pitch class: <c>[frame · 12 + pitchClass]</c>.</summary>
    public float[] BassPitchClasses { get; }

    /// <summary>Per frame, the log bands centred <see cref="HarmonyMinHz"/>–<see cref="HarmonyMaxHz"/> summed per pitch class: <c>[frame · 12 + pitchClass]</c>.</summary>
    public float[] HarmonyPitchClasses { get; }

    /// <summary>
    /// Computes every feature of <paramref name="spectrogram"/> for <paramref name="analyzer"/>'s settings (activation
    /// method, tempo band, bass band of its bar tracker).
    /// </summary>
    /// <exception cref="MusicMLException">Invalid settings, or an activation method the spectrogram cannot serve.</exception>
    public static RhythmFeatures Compute(RhythmSpectrogram spectrogram, RhythmAnalyzer analyzer)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        ArgumentNullException.ThrowIfNull(analyzer);
        var centres = spectrogram.Filterbank.CentreFrequencies;
        int bassBands = Math.Max(1, centres.Count(f => f <= analyzer.BarTracker.BassMaxHz));
        return new RhythmFeatures(spectrogram.FrameRate,
            OnsetActivation.Compute(spectrogram, analyzer.ActivationMethod).Values,
            OnsetActivation.SuperFluxBelow(spectrogram, analyzer.TempoMaxHz).Values,
            OnsetActivation.SuperFlux(spectrogram.LogSpectrogram, spectrogram.DiffFrames, 1, 0, bassBands),
            FoldPitchClasses(spectrogram, Tempo.HarmonicRhythm.BassMinHz, Tempo.HarmonicRhythm.BassMaxHz),
            FoldPitchClasses(spectrogram, HarmonyMinHz, HarmonyMaxHz),
            OnsetDetector.FrameEnergy(spectrogram.LogSpectrogram))
        {
            // Streamed blocks carry context either side of at least the network's receptive field (StreamingAnalysis
            // widens it), so the frames a block owns get the activation the whole file would.
            Learned = analyzer.Network?.Activations(Beats.BeatNetwork.Input(spectrogram)),
        };
    }

    /// <summary>The frames of <paramref name="pieces"/> joined end to end (the blocks of a streamed recording, in order).</summary>
    /// <exception cref="MusicMLException">No pieces, or pieces of different frame rates.</exception>
    public static RhythmFeatures Concatenate(IReadOnlyList<RhythmFeatures> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        if (pieces.Count == 0) throw new MusicMLException("No rhythm features to join.");
        if (pieces.Count == 1) return pieces[0];
        double rate = pieces[0].FrameRate;
        if (pieces.Any(p => p.FrameRate != rate)) throw new MusicMLException("Rhythm features of different frame rates cannot be joined.");
        if (pieces.Any(p => p.Learned.HasValue != pieces[0].Learned.HasValue)) throw new MusicMLException("Rhythm features with and without learned activations cannot be joined.");
        return new RhythmFeatures(rate,
            [.. pieces.SelectMany(p => p.Activation.Values)], [.. pieces.SelectMany(p => p.TempoActivation.Values)],
            [.. pieces.SelectMany(p => p.BassFlux)], [.. pieces.SelectMany(p => p.BassPitchClasses)],
            [.. pieces.SelectMany(p => p.HarmonyPitchClasses)], [.. pieces.SelectMany(p => p.Energy)])
        {
            Learned = pieces[0].Learned.HasValue
                ? ([.. pieces.SelectMany(p => p.Learned!.Value.Beat)], [.. pieces.SelectMany(p => p.Learned!.Value.Downbeat)])
                : null,
        };
    }

    /// <summary>Frames <paramref name="first"/>..<paramref name="first"/>+<paramref name="count"/>−1 (the frames a streamed block owns).</summary>
    /// <exception cref="MusicMLException">A range outside the features.</exception>
    public RhythmFeatures Slice(int first, int count)
    {
        if (first < 0 || count < 0 || (long)first + count > Frames)
            throw new MusicMLException($"Frames {first}..{first + count - 1} lie outside rhythm features of {Frames} frames.");
        return new RhythmFeatures(FrameRate, Activation.Values.AsSpan(first, count).ToArray(), TempoActivation.Values.AsSpan(first, count).ToArray(),
            BassFlux.AsSpan(first, count).ToArray(), BassPitchClasses.AsSpan(12 * first, 12 * count).ToArray(),
            HarmonyPitchClasses.AsSpan(12 * first, 12 * count).ToArray(), Energy.AsSpan(first, count).ToArray())
        {
            Learned = Learned is var (beat, downbeat) ? (beat.AsSpan(first, count).ToArray(), downbeat.AsSpan(first, count).ToArray()) : null,
        };
    }

    /// <summary>
    /// The log bands of <paramref name="spectrogram"/> centred <paramref name="minHz"/>–<paramref name="maxHz"/> summed
    /// per pitch class (nearest equal-tempered note at A440), frame by frame: <c>[frame · 12 + pitchClass]</c>.
    /// </summary>
    public static float[] FoldPitchClasses(RhythmSpectrogram spectrogram, double minHz, double maxHz)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        int frames = spectrogram.Frames;
        // Summed in double, kept in float: 48 bytes a frame for a fold, and the beat-wise means built from it differ
        // from summing the bands themselves in double by float rounding (~1e-7 relative) only.
        var sums = new double[12];
        var bands = new List<(int Band, int PitchClass)>();
        var centres = spectrogram.Filterbank.CentreFrequencies;
        for (int b = 0; b < centres.Length; b++)
            if (centres[b] >= minHz && centres[b] <= maxHz) bands.Add((b, PitchClass(centres[b])));
        var folded = new float[12L * frames];
        var data = spectrogram.LogSpectrogram.Data;
        for (int t = 0; t < frames; t++)
        {
            Array.Clear(sums);
            foreach (var (band, pitchClass) in bands) sums[pitchClass] += data[(long)band * frames + t];
            for (int pc = 0; pc < 12; pc++) folded[t * 12L + pc] = (float)sums[pc];
        }
        return folded;
    }

    /// <summary>Pitch class (0 = C) of the equal-tempered note nearest <paramref name="hz"/> at A440.</summary>
    internal static int PitchClass(double hz) => ((int)Math.Round(12 * Math.Log2(hz / 440.0)) % 12 + 12) % 12;
}
