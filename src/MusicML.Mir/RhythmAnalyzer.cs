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
/// The rhythm chain on one shared <see cref="RhythmSpectrogram"/> (by default with the learned beat activation of
/// <see cref="Network"/> in place of the onset activation): onset activation → tempo (comb filter with prior)
/// → beats (bar-pointer HMM restricted to the tempo's neighbourhood, or Ellis DP at that tempo) → a check of the
/// metrical level against the harmonic rhythm (<see cref="HarmonicRhythm"/>: when the tracked beats turn out to be
/// eighth notes, the tempo is halved and the beats tracked again) → downbeats and meter (<see cref="BarTracker"/>).
/// Each step is also usable on its own.
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

    /// <summary>
    /// Check the metrical level of the tempo by the harmonic rhythm (<see cref="HarmonicRhythm.IsSubdivision(RhythmFeatures, ReadOnlySpan{int})"/>) and
    /// halve it when the beats tracked at it are subdivisions (default true). The comb and its prior alone cannot tell
    /// a 64 BPM beat with eighth notes everywhere from a 128 BPM beat; the bar period of the bass line can.
    /// </summary>
    public bool CheckMetricalLevel { get; init; } = true;

    /// <summary>Downbeat and meter tracker.</summary>
    public BarTracker BarTracker { get; init; } = new();

    /// <summary>
    /// A learned beat and downbeat activation (<see cref="BeatNetwork"/>), or null for the onset-driven (DSP) path. The
    /// default is the bundled network (<see cref="BeatNetwork.Bundled"/>), chosen by measurement: it scores higher on
    /// the held-out clips of the project's own corpus and on the synthetic evaluation set (docs/accuracy.md). With a
    /// network the comb and the bar-pointer HMM read its beat activation instead of the onset activations, the
    /// harmonic-rhythm check of the level stays, and its downbeat activation joins the bar tracker's cues
    /// (<see cref="LearnedDownbeatWeight"/>); onsets stay onset-driven either way.
    /// </summary>
    public BeatNetwork? Network { get; init; } = BeatNetwork.Bundled;

    /// <summary>
    /// With a <see cref="Network"/>: the weight of its standardised downbeat activation in the bar tracker's evidence,
    /// beside the standardised bass-onset and harmonic-change cues (weight 1 each); ∞ uses the activation alone.
    /// </summary>
    public double LearnedDownbeatWeight { get; init; } = 4.0;

    /// <summary>Analyses mono audio.</summary>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or invalid settings.</exception>
    public RhythmAnalysis Analyze(ReadOnlySpan<float> y, int sampleRate) => Analyze(ComputeSpectrogram(y, sampleRate));

    /// <summary>
    /// The <see cref="RhythmSpectrogram"/> this analyzer needs: with the complex STFT only when
    /// <see cref="ActivationMethod"/> is <see cref="OnsetMethod.ComplexDomain"/>.
    /// </summary>
    /// <exception cref="MusicMLException">Empty or non-finite audio.</exception>
    public RhythmSpectrogram ComputeSpectrogram(ReadOnlySpan<float> y, int sampleRate)
        => RhythmSpectrogram.Compute(y, sampleRate, keepStft: ActivationMethod == OnsetMethod.ComplexDomain);

    /// <summary>The per-frame values of <paramref name="spectrogram"/> this analyzer reads (<see cref="RhythmFeatures.Compute"/>).</summary>
    public RhythmFeatures ComputeFeatures(RhythmSpectrogram spectrogram) => RhythmFeatures.Compute(spectrogram, this);

    /// <summary>
    /// The tempo alone: <see cref="TempoEstimator"/> on the SuperFlux of the bands up to <see cref="TempoMaxHz"/>, halved
    /// when <see cref="CheckMetricalLevel"/> finds the beats tracked at it to be subdivisions.
    /// </summary>
    public TempoEstimate EstimateTempo(RhythmSpectrogram spectrogram)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        if (!CheckMetricalLevel && Network is null) return TempoEstimator.Estimate(OnsetActivation.SuperFluxBelow(spectrogram, TempoMaxHz));
        return EstimateTempo(ComputeFeatures(spectrogram));
    }

    /// <summary>The tempo alone from precomputed (e.g. streamed) features computed for this analyzer.</summary>
    public TempoEstimate EstimateTempo(RhythmFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!CheckMetricalLevel) return TempoEstimator.Estimate(LearnedActivations(features)?.Beat ?? features.TempoActivation);
        return TempoAndBeats(features).Tempo;
    }

    /// <summary>The network's activations in <paramref name="features"/>, or null without a network.</summary>
    /// <exception cref="MusicMLException">A network is set but the features were computed without it.</exception>
    private (OnsetEnvelope Beat, OnsetEnvelope Downbeat)? LearnedActivations(RhythmFeatures features)
    {
        if (Network is null) return null;
        if (features.Learned is not var (beat, downbeat))
            throw new MusicMLException("The rhythm features were computed without the analyzer's beat network; compute them with ComputeFeatures.");
        return (new OnsetEnvelope(beat, features.FrameRate), new OnsetEnvelope(downbeat, features.FrameRate));
    }

    /// <summary>Analyses a precomputed spectrogram.</summary>
    public RhythmAnalysis Analyze(RhythmSpectrogram spectrogram)
    {
        ArgumentNullException.ThrowIfNull(spectrogram);
        return Analyze(ComputeFeatures(spectrogram));
    }

    /// <summary>
    /// Analyses precomputed (e.g. streamed) features computed for this analyzer's settings
    /// (<see cref="ComputeFeatures"/>): what the spectrogram overload does after computing them.
    /// </summary>
    public RhythmAnalysis Analyze(RhythmFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var (tempo, beats) = TempoAndBeats(features);
        if (LearnedActivations(features) is var (beat, downbeat))
        {
            // The bar tracker's HMM over the bass and harmony cues plus the network's downbeat activation; a weight of
            // 0 leaves the cues alone, and without cues (∞) the activation's best phase decides (LearnedRhythm.Bars).
            var bars = double.IsPositiveInfinity(LearnedDownbeatWeight)
                ? LearnedRhythm.Bars(beats, downbeat.Values, features.FrameRate)
                : BarTracker.Track(features, beats, LearnedRhythm.DownbeatEvidence(beats, downbeat.Values, features.FrameRate, LearnedDownbeatWeight));
            return new RhythmAnalysis(beat, tempo, bars);
        }
        return new RhythmAnalysis(features.Activation, tempo, BarTracker.Track(features, beats));
    }

    /// <summary>
    /// The beats tracked at the comb's tempo, or at half of it when those beats are subdivisions, and the tempo they
    /// follow (<see cref="TempoOfBeats"/>), so the reported tempo and the beats agree by construction: the bar-pointer
    /// tracker may settle anywhere within <see cref="TempoSpreadOctaves"/> of the comb's peak.
    /// </summary>
    private (TempoEstimate Tempo, double[] Beats) TempoAndBeats(RhythmFeatures features)
    {
        // A learned beat activation replaces both onset activations: the comb and the tracker read where the beats are.
        var learned = LearnedActivations(features)?.Beat;
        var tempo = TempoEstimator.Estimate(learned ?? features.TempoActivation);
        var activation = learned ?? features.Activation;
        // No onset at all (silence, a constant tone) has no beats, whatever a network makes of its edges.
        if (tempo.Tempo1 <= 0 || activation.Values.Max() <= 0 || features.Activation.Values.Max() <= 0) return (tempo with { Tempo1 = 0, Tempo2 = 0, Strength = 0 }, []);
        var beats = TrackBeats(activation, tempo.Tempo1);
        double half = tempo.Tempo1 / 2;
        if (!CheckMetricalLevel || half < TempoEstimator.MinBpm || !HarmonicRhythm.IsSubdivision(features, Frames(beats, features.Frames, features.FrameRate)))
            return (FollowBeats(tempo, beats), beats);
        // The old Tempo1 becomes the second candidate. When the comb's own second peak was this half tempo, the two
        // saliences swap; otherwise the comb had no peak there and neither level is reported as the more salient.
        double strength = Math.Abs(tempo.Tempo2 / half - 1) <= 0.08 ? 1 - tempo.Strength : 0.5;
        var halfBeats = TrackBeats(activation, half);
        return (FollowBeats(new TempoEstimate(half, tempo.Tempo1, strength), halfBeats), halfBeats);
    }

    /// <summary>
    /// <paramref name="tempo"/> with Tempo1 replaced by the tempo of <paramref name="beats"/> (when there are enough of
    /// them); the second candidate and the strength stay the comb's.
    /// </summary>
    private static TempoEstimate FollowBeats(TempoEstimate tempo, double[] beats) =>
        TempoOfBeats(beats) is { } followed ? tempo with { Tempo1 = followed } : tempo;

    /// <summary>
    /// The tempo a beat sequence follows, in BPM: 60 over the median inter-beat interval (robust to the odd skipped or
    /// doubled beat at a section change); null for fewer than four beats, too few to say.
    /// </summary>
    public static double? TempoOfBeats(IReadOnlyList<double> beats)
    {
        ArgumentNullException.ThrowIfNull(beats);
        if (beats.Count < 4) return null;
        var intervals = new double[beats.Count - 1];
        for (int i = 1; i < beats.Count; i++) intervals[i - 1] = beats[i] - beats[i - 1];
        Array.Sort(intervals);
        int m = intervals.Length / 2;
        double median = intervals.Length % 2 == 1 ? intervals[m] : 0.5 * (intervals[m - 1] + intervals[m]);
        return median > 0 ? Math.Round(60.0 / median, 2) : null;
    }

    private double[] TrackBeats(OnsetEnvelope activation, double bpm) => BeatMethod switch
    {
        BeatMethod.BarPointer => BarPointerBeatTracker.AroundTempo(bpm, TempoSpreadOctaves).Track(activation),
        BeatMethod.DynamicProgramming => new DynamicProgrammingBeatTracker().Track(activation, bpm),
        _ => throw new MusicMLException($"Unknown beat method {BeatMethod}."),
    };

    /// <summary>Beat times (s) as strictly increasing frame indices of <paramref name="frameCount"/> frames at <paramref name="frameRate"/>.</summary>
    private static int[] Frames(double[] beats, int frameCount, double frameRate)
    {
        var frames = new List<int>(beats.Length);
        foreach (var time in beats)
        {
            int frame = Math.Clamp((int)Math.Round(time * frameRate), 0, frameCount - 1);
            if (frames.Count == 0 || frame > frames[^1]) frames.Add(frame);
        }
        return [.. frames];
    }
}
