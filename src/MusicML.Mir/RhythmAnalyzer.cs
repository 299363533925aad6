using MusicML.Core;
using MusicML.Mir.Beats;
using MusicML.Mir.Onsets;
using MusicML.Mir.Tempo;

namespace MusicML.Mir;

/// <summary>The beat trackers <see cref="RhythmAnalyzer"/> can run.</summary>
public enum BeatMethod
{
    /// <summary>Krebs, Böck &amp; Widmer (2015) bar-pointer HMM with Viterbi decoding (<see cref="BarPointerBeatTracker"/>). The default.</summary>
    BarPointer,

    /// <summary>Ellis (2007) dynamic programming at the estimated tempo (<see cref="DynamicProgrammingBeatTracker"/>).</summary>
    DynamicProgramming,
}

/// <summary>Everything rhythmic about one signal.</summary>
/// <param name="Activation">The onset activation that tempo and beats were derived from.</param>
/// <param name="Tempo">Tempo estimate (T1, T2, relative strength).</param>
/// <param name="Bars">Beats with their bar positions and the meter.</param>
public sealed record RhythmAnalysis(OnsetEnvelope Activation, TempoEstimate Tempo, BarTracking Bars)
{
    /// <summary>Beat times in seconds.</summary>
    public double[] Beats => Bars.Beats;

    /// <summary>Downbeat times in seconds.</summary>
    public double[] Downbeats => Bars.Downbeats;
}

/// <summary>
/// The rhythm chain on one shared <see cref="RhythmSpectrogram"/>: onset activation → tempo (comb filter with prior)
/// → beats (bar-pointer HMM restricted to the tempo's neighbourhood, or Ellis DP at that tempo) → downbeats and meter
/// (<see cref="BarTracker"/>). Each step is also usable on its own.
/// </summary>
public sealed record RhythmAnalyzer
{
    /// <summary>Onset activation the tempo and beat trackers observe.</summary>
    public OnsetMethod ActivationMethod { get; init; } = OnsetMethod.SuperFlux;

    /// <summary>Tempo estimator (range and prior).</summary>
    public TempoEstimator TempoEstimator { get; init; } = new();

    /// <summary>
    /// Highest band (Hz) of the activation the tempo is estimated from: hi-hats and cymbals above it mark
    /// subdivisions (eighths) and would pull the tempo an octave up.
    /// </summary>
    public double TempoMaxHz { get; init; } = 2500.0;

    /// <summary>Beat tracker.</summary>
    public BeatMethod BeatMethod { get; init; } = BeatMethod.BarPointer;

    /// <summary>
    /// Half-width in octaves of the tempo range the bar-pointer tracker may use around the estimated tempo, which fixes
    /// the metrical level the tracker follows to the one the tempo estimator chose.
    /// </summary>
    public double TempoSpreadOctaves { get; init; } = 0.3;

    /// <summary>Downbeat and meter tracker.</summary>
    public BarTracker BarTracker { get; init; } = new();

    /// <summary>Analyses mono audio.</summary>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or invalid settings.</exception>
    public RhythmAnalysis Analyze(ReadOnlySpan<float> y, int sampleRate) => Analyze(RhythmSpectrogram.Compute(y, sampleRate));

    /// <summary>The tempo alone: <see cref="TempoEstimator"/> on the SuperFlux of the bands up to <see cref="TempoMaxHz"/>.</summary>
    public TempoEstimate EstimateTempo(RhythmSpectrogram spectrogram)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        return TempoEstimator.Estimate(OnsetActivation.SuperFluxBelow(spectrogram, TempoMaxHz));
    }

    /// <summary>Analyses a precomputed spectrogram.</summary>
    public RhythmAnalysis Analyze(RhythmSpectrogram spectrogram)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        var activation = OnsetActivation.Compute(spectrogram, ActivationMethod);
        var tempo = EstimateTempo(spectrogram);
        double[] beats = tempo.Tempo1 <= 0 || activation.Values.Max() <= 0 ? [] : BeatMethod switch
        {
            BeatMethod.BarPointer => BarPointerBeatTracker.AroundTempo(tempo.Tempo1, TempoSpreadOctaves).Track(activation),
            BeatMethod.DynamicProgramming => new DynamicProgrammingBeatTracker().Track(activation, tempo.Tempo1),
            _ => throw new MusicMLException($"Unknown beat method {BeatMethod}."),
        };
        return new RhythmAnalysis(activation, tempo, BarTracker.Track(spectrogram, beats));
    }
}
