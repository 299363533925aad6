using MusicML.Audio;
using MusicML.Core;
using MusicML.Dsp;
using MusicML.Mir.Chords;
using MusicML.Mir.Chroma;
using MusicML.Mir.Key;
using MusicML.Mir.Onsets;
using MusicML.Mir.Segmentation;
using MusicML.Mir.Tempo;

namespace MusicML.Mir.Analysis;

/// <summary>
/// The whole analysis of one recording in one pass: the audio is decoded once, each shared representation is computed
/// once and handed to every task that reads it, and the results come back as one <see cref="AnalysisResult"/>.
/// <list type="bullet">
/// <item>Rhythm: one <see cref="RhythmSpectrogram"/> (93 ms frames every 10 ms, log-filtered) gives one onset activation
/// (SuperFlux, Böck &amp; Widmer, DAFx 2013) that feeds onset peak picking, the tempo estimate, the bar-pointer beat
/// tracker (Krebs, Böck &amp; Widmer, ISMIR 2015) and the downbeat/meter tracker — see <see cref="RhythmAnalyzer"/>.</item>
/// <item>Tonality: one tuning estimate (librosa's estimate_tuning on a 186 ms STFT) corrects one 36-bin-per-octave
/// constant-Q chroma (<see cref="CqtChroma"/>, 46 ms frames) that serves both the key (Krumhansl–Schmuckler profile
/// matching, <see cref="KeyEstimator"/>) and the chords (<see cref="ChordEstimator"/>, bass and treble chroma after
/// Mauch &amp; Dixon, IEEE TASLP 2010) — decoded once without key context, which also gives the chord evidence of the
/// combined key estimate, and once more favouring the chords of that key.</item>
/// <item>Structure: the tuning STFT's magnitude also gives the MFCCs and the STFT chroma (<see cref="BassTrebleChroma"/>)
/// that feed <see cref="FooteSegmenter"/> (self-similarity novelty, Foote, ICME 2000).</item>
/// </list>
/// The three transforms differ on purpose: beats need 10 ms time resolution, key and chords need every semitone
/// resolved down to E1 (the CQT's constant relative bandwidth), segments need MFCCs; each is computed exactly once.
/// Settings are validated when <see cref="Analyze(ReadOnlySpan{float}, int)"/> runs.
/// </summary>
public sealed record Analyzer
{
    /// <summary>Tasks to run (default <see cref="AnalysisTasks.All"/>); prerequisites are added automatically.</summary>
    public AnalysisTasks Tasks { get; init; } = AnalysisTasks.All;

    /// <summary>Sample rate in Hz files are decoded to by <see cref="Analyze(string)"/> (default 22050, as librosa).</summary>
    public int SampleRate { get; init; } = 22050;

    /// <summary>Onset activation, tempo, beat and downbeat settings (its activation is also the one onsets are picked from).</summary>
    public RhythmAnalyzer Rhythm { get; init; } = new();

    /// <summary>Onset peak picking; null for <see cref="OnsetDetector.DefaultPeakPicker"/> of the rhythm activation method.</summary>
    public OnsetPeakPicker? OnsetPeakPicker { get; init; }

    /// <summary>Move each onset back to the energy minimum before it (librosa's <c>onset_backtrack</c>; for cutting, not for timing note-ons).</summary>
    public bool OnsetBacktrack { get; init; }

    /// <summary>Key profile; null for <see cref="KeyProfiles.Learned"/>.</summary>
    public KeyProfile? KeyProfile { get; init; }

    /// <summary>How the key is found (default <see cref="KeyMethod.Combined"/>: profile correlation plus the diatonic fit of the chords).</summary>
    public KeyMethod KeyMethod { get; init; } = KeyMethod.Combined;

    /// <summary>Chord recognition settings.</summary>
    public ChordOptions Chords { get; init; } = ChordOptions.Default;

    /// <summary>
    /// Let chords change only on beats (default false: frame-wise decoding, which scored higher on the synthetic set
    /// because beat errors would move chord boundaries too).
    /// </summary>
    public bool ChordsOnBeats { get; init; }

    /// <summary>
    /// Times in seconds where a chord may change (beats from another tracker or an annotation); null (default) for
    /// frame-wise chords, or <see cref="ChordsOnBeats"/>. When set it is used instead of the analysis' own beats.
    /// </summary>
    public IReadOnlyList<double>? ChordBoundaries { get; init; }

    /// <summary>Structural segmentation settings.</summary>
    public SegmentationOptions Segmentation { get; init; } = SegmentationOptions.Default;

    /// <summary>Keep the rhythm spectrogram in the result for pictures (<see cref="AnalysisResult.Spectrogram"/>); default false.</summary>
    public bool KeepSpectrogram { get; init; }

    /// <summary>The tasks that will run: <see cref="Tasks"/> plus everything they depend on.</summary>
    public AnalysisTasks ResolvedTasks
    {
        get
        {
            var tasks = Tasks;
            if (tasks.HasFlag(AnalysisTasks.Downbeats)) tasks |= AnalysisTasks.Beats;
            if (tasks.HasFlag(AnalysisTasks.Beats)) tasks |= AnalysisTasks.Tempo;
            return tasks;
        }
    }

    /// <summary>
    /// Length in seconds of the blocks a file is streamed in by <see cref="Analyze(string)"/> (default 120 s, rounded up
    /// to a whole number of every front end's hop). Memory grows with the block, not with the recording; a file no
    /// longer than one block and its context is analysed whole, exactly as <see cref="Analyze(ReadOnlySpan{float}, int)"/>.
    /// </summary>
    public double StreamingBlockSeconds { get; init; } = 120.0;

    /// <summary>Receives the fraction (0–1) of the streamed work done while <see cref="Analyze(string)"/> runs; null for none.</summary>
    public IProgress<double>? Progress { get; init; }

    /// <summary>
    /// Decodes <paramref name="path"/> to mono at <see cref="SampleRate"/> and analyses it in bounded memory: a file longer
    /// than one <see cref="StreamingBlockSeconds"/> block is streamed through every front end block by block
    /// (overlapping blocks whose frames are cut where each block owns them), so that only the compact per-frame results (activations, chroma, segment
    /// features) grow with its length; a shorter one is decoded whole and analysed as
    /// <see cref="Analyze(ReadOnlySpan{float}, int)"/> does.
    /// </summary>
    /// <exception cref="MusicMLException">The file is missing, unreadable, empty or holds non-finite samples (the message names the file), or a setting is invalid.</exception>
    public AnalysisResult Analyze(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        InputGuard.SampleRate(SampleRate, nameof(SampleRate));
        if (!(StreamingBlockSeconds > 0) || double.IsInfinity(StreamingBlockSeconds))
            throw new MusicMLException($"StreamingBlockSeconds must be positive and finite; got {StreamingBlockSeconds}.");
        try
        {
            return new StreamingAnalysis(this, path).Run();
        }
        catch (MusicMLException e) when (e.FilePath is null)
        {
            throw new MusicMLException($"{path}: {e.Message}", e) { FilePath = path };
        }
    }

    /// <summary>Analyses mono audio <paramref name="y"/> sampled at <paramref name="sampleRate"/> Hz.</summary>
    /// <exception cref="MusicMLException">Empty or non-finite audio, a non-positive sample rate, or an invalid setting.</exception>
    public AnalysisResult Analyze(ReadOnlySpan<float> y, int sampleRate)
    {
        InputGuard.Audio(y, sampleRate);
        ValidateSettings();
        var asked = ResolvedTasks;
        double duration = (double)y.Length / sampleRate;
        var gate = new EstimateGate(sampleRate);
        gate.Add(y);
        var (tasks, result) = Gate(asked, gate, new AnalysisResult { Duration = duration, SampleRate = sampleRate, Tasks = asked });

        if ((tasks & RhythmTasks) != 0 || KeepSpectrogram)
        {
            var spectrogram = Rhythm.ComputeSpectrogram(y, sampleRate);
            result = AnalyzeRhythm(Rhythm.ComputeFeatures(spectrogram), tasks, result);
            if (KeepSpectrogram)
                result = result with
                {
                    Spectrogram = new AnalysisSpectrogram(spectrogram.LogSpectrogram, spectrogram.FrameRate, spectrogram.Filterbank.CentreFrequencies),
                };
        }

        if ((tasks & TonalTasks) != 0)
        {
            var (tuning, segmentFeatures) = TuningAndSegmentFeatures(y, sampleRate, tasks.HasFlag(AnalysisTasks.Segments));
            var chroma = NeedsChroma(tasks) ? CqtChroma.Compute(y, sampleRate, tuning: tuning) : null;
            result = AnalyzeTonality(tuning, chroma, segmentFeatures, sampleRate, tasks, result);
        }
        return result;
    }

    /// <summary>
    /// The tasks <paramref name="gate"/> lets run: none when the audio is too quiet, only onsets and tuning when it is
    /// too short. A dropped task's result says why (<see cref="AnalysisResult.NoEstimate"/>).
    /// </summary>
    internal static (AnalysisTasks Tasks, AnalysisResult Result) Gate(AnalysisTasks asked, EstimateGate gate, AnalysisResult result)
    {
        const AnalysisTasks withoutLength = AnalysisTasks.Onsets | AnalysisTasks.Tuning;
        string? quiet = gate.TooQuiet(), shortAudio = quiet is null ? gate.TooShort() : null;
        var tasks = quiet is not null ? AnalysisTasks.None : shortAudio is not null ? asked & withoutLength : asked;
        if (tasks == asked) return (tasks, result);
        result = result with { NoEstimate = quiet ?? shortAudio };
        if (asked.HasFlag(AnalysisTasks.Chords)) result = result with { Chords = EstimateGate.NoChords(result.Duration) };
        return (tasks, result);
    }

    /// <summary>The tasks that read the rhythm spectrogram.</summary>
    internal const AnalysisTasks RhythmTasks = AnalysisTasks.Onsets | AnalysisTasks.Tempo | AnalysisTasks.Beats | AnalysisTasks.Downbeats;

    /// <summary>The tasks that need the tuning.</summary>
    internal const AnalysisTasks TonalTasks = AnalysisTasks.Tuning | AnalysisTasks.Key | AnalysisTasks.Chords | AnalysisTasks.Segments;

    /// <summary>Whether <paramref name="tasks"/> read the CQT chroma.</summary>
    internal static bool NeedsChroma(AnalysisTasks tasks) => tasks.HasFlag(AnalysisTasks.Key) || tasks.HasFlag(AnalysisTasks.Chords);

    /// <summary>Validates the settings every analysis needs, before any audio is read.</summary>
    internal void ValidateSettings()
    {
        ArgumentNullException.ThrowIfNull(Rhythm);
        ArgumentNullException.ThrowIfNull(Chords);
        ArgumentNullException.ThrowIfNull(Segmentation);
        Chords.Validate();
        Segmentation.Validate();
    }

    /// <summary>Tempo, beats, downbeats and onsets from the rhythm features (of the whole file, or streamed).</summary>
    internal AnalysisResult AnalyzeRhythm(RhythmFeatures features, AnalysisTasks tasks, AnalysisResult result)
    {
        if (tasks.HasFlag(AnalysisTasks.Beats))
        {
            var rhythm = Rhythm.Analyze(features);
            bool bars = tasks.HasFlag(AnalysisTasks.Downbeats) && rhythm.Beats.Length > 0;
            result = result with
            {
                Tempo = rhythm.Tempo,
                Beats = rhythm.Beats,
                Downbeats = bars ? rhythm.Downbeats : [],
                BeatsPerBar = bars ? rhythm.Bars.BeatsPerBar : null,
            };
        }
        else if (tasks.HasFlag(AnalysisTasks.Tempo))
        {
            result = result with { Tempo = Rhythm.EstimateTempo(features) };
        }

        if (tasks.HasFlag(AnalysisTasks.Onsets))
        {
            var picker = OnsetPeakPicker ?? OnsetDetector.DefaultPeakPicker(Rhythm.ActivationMethod);
            result = result with
            {
                Onsets = OnsetBacktrack ? OnsetDetector.PickBacktracked(features.Activation, features.Energy, picker) : picker.Pick(features.Activation),
            };
        }
        return result;
    }

    /// <summary>Tuning, key, chords and segments from the tuning, the CQT chroma and the segment features (of the whole file, or streamed).</summary>
    internal AnalysisResult AnalyzeTonality(double tuning, ChromaFrames? chroma, FloatMatrix? segmentFeatures, int sampleRate,
        AnalysisTasks tasks, AnalysisResult result)
    {
        result = result with { TuningCents = tasks.HasFlag(AnalysisTasks.Tuning) ? 100 * tuning : null };
        KeyEstimate? fromProfile = null;
        if (tasks.HasFlag(AnalysisTasks.Key))
        {
            var distribution = KeyEstimator.PitchClassDistribution(chroma!.Full);
            // Silence or unpitched noise has no key; that is a result, not an error, for a whole-file analysis.
            if (distribution.Max() > distribution.Min()) fromProfile = KeyEstimator.Estimate(distribution, KeyProfile);
            result = result with { Key = fromProfile };
        }

        bool keyNeedsChords = tasks.HasFlag(AnalysisTasks.Key) && KeyMethod != KeyMethod.Profile;
        if (chroma is not null && (tasks.HasFlag(AnalysisTasks.Chords) || keyNeedsChords))
        {
            // One decode without key context serves both the key (KeyEstimator's chord evidence) and, as
            // ChordEstimator does by itself when no key is given, the key context of the final chord decode.
            var boundaries = ChordBoundaries ?? (ChordsOnBeats && result.Beats.Count > 0 ? result.Beats : null);
            var contextFree = ChordEstimator.Estimate(chroma, result.Duration, boundaries, Chords with { KeyContext = false });
            KeyEstimate? fromChords = contextFree.Any(c => KeyEstimator.IsKeyEvidence(c.Label)) ? KeyEstimator.EstimateFromChords(contextFree) : null;
            if (tasks.HasFlag(AnalysisTasks.Key))
                result = result with
                {
                    Key = KeyMethod switch
                    {
                        KeyMethod.Profile => fromProfile,
                        KeyMethod.Chords => fromChords,
                        _ => fromProfile is null ? fromChords : fromChords is null ? fromProfile : KeyEstimator.Combine(fromProfile, fromChords),
                    },
                };
            if (tasks.HasFlag(AnalysisTasks.Chords))
            {
                var chords = Chords.Key is not null || !Chords.KeyContext ? ChordEstimator.Estimate(chroma, result.Duration, boundaries, Chords)
                    : fromChords is null ? contextFree
                    : ChordEstimator.Estimate(chroma, result.Duration, boundaries, Chords with { Key = fromChords });
                result = result with { Chords = chords };
            }
        }
        if (segmentFeatures is not null)
            result = result with
            {
                Segments = FooteSegmenter.Segment(segmentFeatures, (double)FooteSegmenter.FrameHop / sampleRate, result.Duration, Segmentation),
            };
        return result;
    }

    /// <summary>
    /// The tuning (fractions of a semitone) and, if <paramref name="segments"/>, the segmentation features: the segment
    /// features' STFT has CqtChroma's tuning window at 22050 Hz, so it gives the tuning too. Its 2049-bin magnitude
    /// (106 MB per 10 minutes) lives only in this method, so it is garbage before the CQT and the chord decoders
    /// allocate theirs, even in unoptimised (tier-0) code, which keeps every local of a method alive to its end.
    /// </summary>
    private static (double Tuning, FloatMatrix? SegmentFeatures) TuningAndSegmentFeatures(ReadOnlySpan<float> y, int sampleRate, bool segments)
    {
        if (!segments) return (CqtChroma.EstimateTuning(y, sampleRate), null);
        var magnitude = Spectral.Spectrogram(y, FooteSegmenter.FrameFft, FooteSegmenter.FrameHop);
        double tuning = CqtChroma.TuningFftLength(sampleRate) == FooteSegmenter.FrameFft
            ? CqtChroma.EstimateTuning(magnitude, sampleRate)
            : CqtChroma.EstimateTuning(y, sampleRate);
        // Segmentation keeps its own STFT chroma (as FooteSegmenter computes it), corrected by the shared tuning.
        var segmentChroma = BassTrebleChroma.FromMagnitude(magnitude, sampleRate, FooteSegmenter.FrameHop, tuning);
        return (tuning, FooteSegmenter.FeaturesConsumingMagnitude(magnitude, segmentChroma, sampleRate));
    }
}
