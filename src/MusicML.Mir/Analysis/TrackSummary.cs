using System.Globalization;
using MusicML.Audio;
using MusicML.Core;
using MusicML.Dsp;
using MusicML.Mir.Key;

namespace MusicML.Mir.Analysis;

/// <summary>One entry of the summary vector: its column name, its unit and what it measures.</summary>
/// <param name="Name">Column name, e.g. <c>mfcc_mean_0</c>.</param>
/// <param name="Unit">Unit of the value, e.g. <c>Hz</c>, <c>dB</c>, <c>BPM</c>, <c>1</c> for a pure number.</param>
/// <param name="Description">What the value is.</param>
public sealed record SummaryFeature(string Name, string Unit, string Description);

/// <summary>The summary vector of one track, in <see cref="TrackSummarizer.Entries"/> order.</summary>
public sealed record TrackSummary
{
    /// <summary>The values, one per <see cref="TrackSummarizer.Names"/> entry; every one finite.</summary>
    public required IReadOnlyList<double> Values { get; init; }

    /// <summary>
    /// Why tempo and key were not estimated (<see cref="EstimateGate"/>: too quiet or too short, or no pitched
    /// content), or null when they were; <c>has_estimate</c> is then 0.
    /// </summary>
    public string? NoEstimate { get; init; }

    /// <summary>Length of the analysed audio in seconds.</summary>
    public required double Duration { get; init; }

    /// <summary>The value of the entry named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No entry has that name.</exception>
    public double this[string name] => Values[TrackSummarizer.IndexOf(name)];
}

/// <summary>
/// A fixed-order vector of per-track summary features for the classical learners (<c>musicml features summary</c>,
/// <c>train classifier</c>, <c>predict</c>), computed from the shared front ends: per-frame Dsp features reduced to
/// their mean and standard deviation over the track, plus Mir's onset rate, tempo and key strength.
/// <list type="bullet">
/// <item>Frames: one magnitude STFT at <see cref="SampleRate"/> Hz (n_fft 2048, hop 512, Hann, centred with zero
/// padding: librosa's defaults) gives <c>S</c>; its square gives the power <c>P</c>. From them, per frame: 20 MFCCs
/// (DCT-II ortho of the 128-band Slaney mel power of <c>P</c> in dB, ref 1, amin 1e-10, <b>no top_db clamp</b>,
/// because the clamp is relative to the loudest frame of the whole file and would make a frame depend on every other),
/// 12 chroma (<see cref="Features.ChromaStft(FloatMatrix, int, double?, int)"/> of <c>P</c> at the track's tuning from
/// the analysis, 0 when none), 7 spectral contrast bands (dB, again without the whole-file top_db floor), centroid, bandwidth, 85 % roll-off and flatness (each the
/// Dsp function of <c>S</c>), and the raw-signal RMS and zero-crossing rate (frame 2048, hop 512). Each is
/// frame-local, so the file is streamed in overlapping blocks (<see cref="OverlappingBlocks"/>) and the statistics
/// accumulated with Welford's running mean and variance: memory is one block whatever the length, and the values
/// equal a whole-file pass.</item>
/// <item>Track level: <see cref="Analyzer"/> with onsets, tempo, tuning and the profile key
/// (<see cref="KeyMethod.Profile"/>, so the key scores are Pearson correlations), which streams long files itself.
/// The <see cref="EstimateGate"/> applies: on audio too quiet or too short (or without pitched content) the tempo
/// and key entries are 0 and <c>has_estimate</c> is 0.</item>
/// </list>
/// No entry is ever NaN or infinite: silence, a few milliseconds or DC give finite values (tested). The names,
/// order and definitions are versioned together as <see cref="FeatureSet"/>; a model trained on one version is
/// refused by another.
/// </summary>
public sealed record TrackSummarizer
{
    /// <summary>Sample rate in Hz every file is decoded to (mono) before the features are computed.</summary>
    public const int SampleRate = 22050;

    /// <summary>FFT length of the frame features, in samples.</summary>
    public const int NFft = 2048;

    /// <summary>Hop between frames, in samples (23.2 ms).</summary>
    public const int HopLength = 512;

    /// <summary>Number of MFCCs.</summary>
    public const int NMfcc = 20;

    /// <summary>Number of spectral contrast rows (6 octave bands above 200 Hz and the band below).</summary>
    public const int NContrast = 7;

    /// <summary>The feature set's identifier, recorded in models trained on it: name and version, e.g. <c>musicml.summary/1</c>.</summary>
    public const string FeatureSet = "musicml.summary/1";

    /// <summary>Frames per streamed block by default (4096 frames: 95 s at 22050 Hz; about 40 MB of spectra).</summary>
    public const int DefaultBlockFrames = 4096;

    /// <summary>Frames each streamed block owns (default <see cref="DefaultBlockFrames"/>); the values do not depend on it.</summary>
    public int BlockFrames { get; init; } = DefaultBlockFrames;

    // The frame features in vector order: name prefix, rows, unit, description. Declared before Entries, which the
    // static initialiser builds from it.
    private static readonly (string Prefix, int Rows, string Unit, string What)[] FrameFeatures =
    [
        ("mfcc", NMfcc, "dB", "MFCC {0} (DCT-II ortho of the log mel power)"),
        ("chroma", 12, "1", "chroma of pitch class {0} (0 = C), each frame scaled to a maximum of 1"),
        ("contrast", NContrast, "dB", "spectral contrast of band {0} (0 = below 200 Hz), peak minus valley"),
        ("spectral_centroid", 1, "Hz", "spectral centroid"),
        ("spectral_bandwidth", 1, "Hz", "spectral bandwidth (order 2) around the centroid"),
        ("spectral_rolloff", 1, "Hz", "85 % spectral roll-off frequency"),
        ("spectral_flatness", 1, "1", "spectral flatness of the power spectrum, 0 (tonal) to 1 (white noise)"),
        ("zcr", 1, "1", "zero-crossing rate (crossings per sample pair)"),
        ("rms", 1, "FS", "RMS of the raw signal (full scale = 1)"),
    ];

    /// <summary>Every entry, in vector order.</summary>
    public static IReadOnlyList<SummaryFeature> Entries { get; } = BuildEntries();

    /// <summary>The entries' names, in vector order (the CSV header after <c>path</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(f => f.Name)];

    private static readonly Dictionary<string, int> Index = Names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);

    /// <summary>The position of <paramref name="name"/> in the vector.</summary>
    /// <exception cref="KeyNotFoundException">No entry has that name.</exception>
    public static int IndexOf(string name) =>
        Index.TryGetValue(name, out int i) ? i : throw new KeyNotFoundException($"'{name}' is not a {FeatureSet} entry.");

    private static List<SummaryFeature> BuildEntries()
    {
        var features = new List<SummaryFeature>();
        foreach (var (prefix, rows, unit, what) in FrameFeatures)
            foreach (var stat in new[] { "mean", "std" })
                for (int r = 0; r < rows; r++)
                {
                    string name = rows == 1 ? $"{prefix}_{stat}" : $"{prefix}_{stat}_{r}";
                    string description = string.Format(CultureInfo.InvariantCulture, what, r);
                    features.Add(new SummaryFeature(name, unit, (stat == "mean" ? "mean over frames of the " : "standard deviation (ddof 0) over frames of the ") + description));
                }
        features.Add(new("onset_rate", "1/s", "onsets detected per second of audio (SuperFlux onsets of the Analyzer)"));
        features.Add(new("tempo", "BPM", "main tempo T1 of the Analyzer; 0 without an estimate"));
        features.Add(new("tempo_strength", "1", "relative strength S of T1 against the second tempo T2, 0 to 1; 0 without an estimate"));
        features.Add(new("key_strength", "1", "Pearson correlation of the pitch-class distribution with the best of the 24 key profiles, −1 to 1; 0 without an estimate"));
        features.Add(new("major_minor", "1", "best major-key correlation minus best minor-key correlation (positive: major), −2 to 2; 0 without an estimate"));
        features.Add(new("key_confidence", "1", "how clearly the best key won, 0 (tie) to 1; 0 without an estimate"));
        features.Add(new("tuning_cents", "cent", "tuning offset from A4 = 440 Hz, −50 to 50; 0 when the audio is too quiet to estimate it"));
        features.Add(new("has_estimate", "1", "1 when tempo and key were estimated, 0 when the estimate gate refused (too quiet, too short) or there is no pitched content"));
        return features;
    }

    /// <summary>
    /// Decodes <paramref name="path"/> to mono at <see cref="SampleRate"/> and summarises it in bounded memory: the
    /// analysis streams the file itself and the frame features are accumulated block by block.
    /// </summary>
    /// <exception cref="MusicMLException">The file is missing, unreadable, empty or holds non-finite samples (the message names it).</exception>
    public TrackSummary Summarize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ValidateSettings();
        try
        {
            var analysis = CreateAnalyzer().Analyze(path);
            var frames = NewAccumulator(analysis);
            using var reader = new AudioStreamReader(path, SampleRate, mono: true);
            // Half a frame of context either side (1024 samples), rounded up to whole hops, and one hop to spare.
            var blocks = new OverlappingBlocks(reader, OverlappingBlocks.RoundUp((long)BlockFrames * HopLength, HopLength), 3 * HopLength);
            while (blocks.Next())
            {
                var (first, count) = blocks.OwnedFrames(HopLength);
                frames.Add(blocks.Window, first, count);
            }
            if (frames.Frames == 0) throw AudioFormatException.NoSamples(path);
            return Finish(frames, analysis, path);
        }
        catch (MusicMLException e) when (e.FilePath is null)
        {
            throw new MusicMLException($"{path}: {e.Message}", e) { FilePath = path };
        }
    }

    /// <summary>Summarises mono audio <paramref name="y"/> at <see cref="SampleRate"/> Hz held in memory (one block).</summary>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or a sample rate other than <see cref="SampleRate"/> (the features are defined at it).</exception>
    public TrackSummary Summarize(ReadOnlySpan<float> y, int sampleRate)
    {
        InputGuard.Audio(y, sampleRate);
        if (sampleRate != SampleRate)
            throw new MusicMLException($"The summary features are defined at {SampleRate} Hz; got audio at {sampleRate} Hz (resample it first).");
        ValidateSettings();
        var analysis = CreateAnalyzer().Analyze(y, sampleRate);
        var frames = NewAccumulator(analysis);
        // Centred frames: one per hop plus the one on the last boundary, as librosa counts them.
        frames.Add(y, 0, 1 + y.Length / HopLength);
        return Finish(frames, analysis, null);
    }

    private void ValidateSettings()
    {
        if (BlockFrames < 1 || (long)BlockFrames * HopLength > Array.MaxLength / 2)
            throw new MusicMLException($"BlockFrames must be between 1 and {Array.MaxLength / 2 / HopLength}; got {BlockFrames}.");
    }

    private static Analyzer CreateAnalyzer() => new()
    {
        Tasks = AnalysisTasks.Onsets | AnalysisTasks.Tempo | AnalysisTasks.Key | AnalysisTasks.Tuning,
        KeyMethod = KeyMethod.Profile,
        SampleRate = SampleRate,
    };

    private static FrameAccumulator NewAccumulator(AnalysisResult analysis) =>
        // The tuning is in cents; chroma wants fractions of a chroma bin (a semitone for 12 bins).
        new((analysis.TuningCents ?? 0) / 100.0);

    private static TrackSummary Finish(FrameAccumulator frames, AnalysisResult analysis, string? path)
    {
        var values = new List<double>(Names.Count);
        frames.AppendStatistics(values);
        bool estimated = analysis.NoEstimate is null && analysis.Tempo is not null && analysis.Key is not null;
        values.Add(analysis.Duration > 0 ? analysis.Onsets.Count / analysis.Duration : 0);
        var tempo = analysis.Tempo;
        values.Add(estimated ? tempo!.Value.Tempo1 : 0);
        values.Add(estimated ? tempo!.Value.Strength : 0);
        var key = analysis.Key;
        double bestMajor = estimated ? key!.Scores.Take(12).Max() : 0, bestMinor = estimated ? key!.Scores.Skip(12).Max() : 0;
        values.Add(estimated ? Math.Max(bestMajor, bestMinor) : 0);
        values.Add(estimated ? bestMajor - bestMinor : 0);
        values.Add(estimated ? key!.Confidence : 0);
        values.Add(analysis.TuningCents ?? 0);
        values.Add(estimated ? 1 : 0);
        if (values.Count != Names.Count) throw new InvalidOperationException($"The summary has {values.Count} values for {Names.Count} names.");
        for (int i = 0; i < values.Count; i++)
            // A non-finite entry would poison every learner fed with it; failing names the culprit instead.
            if (!double.IsFinite(values[i]))
                throw new MusicMLException($"{path ?? "audio"}: summary entry {Names[i]} is {values[i]}, not finite.") { FilePath = path };
        string? noEstimate = analysis.NoEstimate
            ?? (analysis.Key is null ? "no pitched content to estimate a key from" : analysis.Tempo is null ? "no tempo estimate" : null);
        return new TrackSummary { Values = values, NoEstimate = noEstimate, Duration = analysis.Duration };
    }

    /// <summary>
    /// The frame features of consecutive blocks: each block's window is framed whole (its context gives the frames it
    /// owns the same samples as a whole-file pass) and the owned frames feed the running statistics.
    /// </summary>
    private sealed class FrameAccumulator(double tuning)
    {
        private readonly RunningMoments[] _moments = [.. FrameFeatures.Select(f => new RunningMoments(f.Rows))];

        public long Frames => _moments[0].Count;

        public void Add(ReadOnlySpan<float> window, int first, int count)
        {
            if (count <= 0) return;
            var magnitude = Spectral.Spectrogram(window, NFft, HopLength);
            var power = new FloatMatrix(magnitude.Rows, magnitude.Columns);
            var m = magnitude.Data;
            var p = power.Data;
            for (int i = 0; i < p.Length; i++) p[i] = m[i] * m[i];
            var mel = Features.MelSpectrogram(power, SampleRate);
            Spectral.PowerToDb(mel.Data, mel.Data, 1.0, topDb: null);
            FloatMatrix[] blocks =
            [
                Features.Mfcc(mel, NMfcc),
                Features.ChromaStft(power, SampleRate, tuning),
                Features.SpectralContrast(magnitude, SampleRate, topDb: null),
                Features.SpectralCentroid(magnitude, SampleRate),
                Features.SpectralBandwidth(magnitude, SampleRate),
                Features.SpectralRolloff(magnitude, SampleRate),
                Features.SpectralFlatness(magnitude),
                Features.ZeroCrossingRate(window, NFft, HopLength),
                Features.Rms(window, NFft, HopLength),
            ];
            for (int f = 0; f < blocks.Length; f++) _moments[f].Add(blocks[f].Data, blocks[f].Columns, first, count);
        }

        public void AppendStatistics(List<double> values)
        {
            foreach (var moments in _moments)
            {
                for (int r = 0; r < moments.Series; r++) values.Add(moments.Mean(r));
                for (int r = 0; r < moments.Series; r++) values.Add(moments.StandardDeviation(r));
            }
        }
    }
}
