using MusicML.Audio;
using MusicML.Core;
using MusicML.Dsp;
using MusicML.Mir.Chroma;
using MusicML.Mir.Onsets;
using MusicML.Mir.Segmentation;

namespace MusicML.Mir.Analysis;

/// <summary>
/// <see cref="Analyzer.Analyze(string)"/> in bounded memory. The file is decoded (and resampled) as a stream and cut
/// into overlapping blocks (<see cref="OverlappingBlocks"/>) on a grid that is a whole number of every front end's hop;
/// each front end runs on a whole block with its context and keeps only the frames whose centre the block owns, so the
/// per-frame results are those of the whole file (the rhythm spectrogram's and the STFTs' frames see the same samples
/// and padding; the CQT's decimation filters start afresh at each block's context, which differs from the whole-file
/// chain by far less than the chroma's own resolution, tested). Only those compact results grow with the length:
/// 27 rhythm values per 10 ms frame, 69 CQT semitones and 128 mel + 69 STFT semitones per 46 ms frame, and the tuning
/// peaks — about 0.25 GB for two hours, against 6.7 GB for the whole-file path.
/// <list type="number">
/// <item>Pass 1: rhythm features (<see cref="RhythmFeatures"/>) and the tuning peaks (<see cref="TuningAccumulator"/>).</item>
/// <item>Pass 2, once the tuning is known and only if key, chords or segments are asked for: the tuned CQT chroma and
/// the segmentation features (mel power and STFT semitones). The chroma compression and the dB conversion wait
/// for the whole recording, because both are relative to its loudest value.</item>
/// </list>
/// Decoding twice costs a second read of the file; holding the decoded audio would cost 635 MB per two hours.
/// </summary>
internal sealed class StreamingAnalysis
{
    /// <summary>Context either side of a block: at least this many seconds (the CQT's longest wavelet is about 1.3 s at E1).</summary>
    private const double ContextSeconds = 5.0;

    private readonly Analyzer _analyzer;
    private readonly string _path;
    private AnalysisTasks _tasks;
    private readonly int _sampleRate;
    private readonly int _rhythmHop;
    private readonly int _tuningFft;
    private readonly int _blockSamples;
    private readonly int _contextSamples;
    private double _expectedSeconds;
    private long _expectedSamples;

    public StreamingAnalysis(Analyzer analyzer, string path)
    {
        _analyzer = analyzer;
        _path = path;
        _tasks = analyzer.ResolvedTasks;
        _sampleRate = analyzer.SampleRate;
        analyzer.ValidateSettings();
        // The hops of the front ends: the rhythm spectrogram's 10 ms, the tuning STFT's nFft/4 (librosa's default
        // there), and the CQT's and the segmentation STFT's 1024.
        _rhythmHop = Math.Max(1, (int)Math.Round(_sampleRate / 100.0));
        _tuningFft = CqtChroma.TuningFftLength(_sampleRate);
        int grid = OverlappingBlocks.Grid(_rhythmHop, TuningHop, CqtHop, FooteSegmenter.FrameHop);
        // A beat network sees ±ContextFrames of the rhythm spectrogram; with a margin for the spectrogram's own edge
        // frames, the context must cover that too, or block edges would change its activation.
        double networkSeconds = analyzer.Rhythm.Network is { } network ? (network.ContextFrames + 16) * (double)_rhythmHop / _sampleRate : 0;
        _contextSamples = OverlappingBlocks.RoundUp((long)Math.Ceiling(Math.Max(ContextSeconds, networkSeconds) * _sampleRate), grid);
        _blockSamples = OverlappingBlocks.RoundUp((long)Math.Ceiling(analyzer.StreamingBlockSeconds * _sampleRate), grid);
    }

    private const int CqtHop = 1024;

    private int TuningHop => _tuningFft / 4;

    /// <summary>Whether the (possibly gated) tasks need the second read: the tuned chroma or the segment features.</summary>
    private bool TwoPasses => Analyzer.NeedsChroma(_tasks) || _tasks.HasFlag(AnalysisTasks.Segments);

    public AnalysisResult Run()
    {
        var (first, tuning) = RunFirstPass();
        if (first.Whole is { } whole) return whole;
        var result = first.Result!;
        if ((_tasks & Analyzer.TonalTasks) == 0) return result;
        CompactHeap();
        ChromaFrames? chroma = null;
        FloatMatrix? segmentFeatures = null;
        if (TwoPasses)
        {
            (chroma, segmentFeatures) = SecondPass(tuning);
            CompactHeap();
        }
        return _analyzer.AnalyzeTonality(tuning, chroma, segmentFeatures, _sampleRate, _tasks, result);
    }

    /// <summary>
    /// The whole-file result when the file fits one window; otherwise the first pass's result and tuning. The first
    /// reader and its block buffer are closed here, before the second pass opens its own.
    /// </summary>
    private ((AnalysisResult? Whole, AnalysisResult? Result) Outcome, double Tuning) RunFirstPass()
    {
        using var reader = Open();
        var blocks = new OverlappingBlocks(reader, _blockSamples, _contextSamples);
        if (!blocks.Next()) throw AudioFormatException.NoSamples(_path);
        // One window holding the whole recording: today's whole-file analysis, unchanged.
        if (blocks.IsWhole) return ((_analyzer.Analyze(blocks.Window, _sampleRate), null), 0);
        _expectedSeconds = Math.Max(reader.Info.Duration, 1e-9);
        // The decoded length at the analysis rate (the stream's ⌈n · target / native⌉), so the per-frame results
        // can be allocated once at their final size instead of gathered in pieces and joined (twice the memory).
        _expectedSamples = (reader.Info.FrameCount * _sampleRate + reader.Info.SampleRate - 1) / reader.Info.SampleRate;
        var (result, tuning) = FirstPass(blocks);
        return ((null, result), tuning);
    }

    /// <summary>
    /// One compacting collection between the passes of a long file: each pass leaves hundreds of megabytes of dead
    /// block-sized arrays on the large-object heap, which the next pass's different sizes would otherwise not reuse,
    /// so the process would keep both. One full collection costs well under a second against minutes of analysis.
    /// </summary>
    private static void CompactHeap()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private AudioStreamReader Open() => new(_path, _sampleRate, mono: true);

    private void Report(int pass, long ownedEnd)
    {
        if (_analyzer.Progress is not { } progress) return;
        double fraction = Math.Clamp(ownedEnd / (_expectedSeconds * _sampleRate), 0, 1);
        progress.Report(TwoPasses ? (pass - 1 + fraction) / 2 : fraction);
    }

    /// <summary>
    /// The rhythm results (when a rhythm task runs) and the tuning (when a tonal task runs). The rhythm features live
    /// only in this method, so they are garbage before the second pass allocates, even in unoptimised (tier-0) code,
    /// which keeps every local of a method alive to its end.
    /// </summary>
    private (AnalysisResult Result, double Tuning) FirstPass(OverlappingBlocks blocks)
    {
        bool rhythmTasks = (_tasks & Analyzer.RhythmTasks) != 0, tonal = (_tasks & Analyzer.TonalTasks) != 0;
        var rhythm = rhythmTasks ? new RhythmCollector(ExpectedFrames(_rhythmHop)) : null;
        var tuning = new TuningAccumulator(_sampleRate);
        var gate = new EstimateGate(_sampleRate);
        long samples = 0;
        do
        {
            var window = blocks.Window;
            gate.Add(window[(int)(blocks.OwnedStart - blocks.WindowStart)..(int)(blocks.OwnedEnd - blocks.WindowStart)]);
            if (rhythmTasks)
            {
                var spectrogram = _analyzer.Rhythm.ComputeSpectrogram(window, _sampleRate);
                var (first, count) = blocks.OwnedFrames(_rhythmHop);
                rhythm!.Add(_analyzer.Rhythm.ComputeFeatures(spectrogram), first, count);
            }
            if (tonal)
            {
                var magnitude = Spectral.Spectrogram(window, _tuningFft, TuningHop);
                var (first, count) = blocks.OwnedFrames(TuningHop);
                tuning.Add(magnitude, first, count);
            }
            samples = blocks.OwnedEnd;
            Report(1, blocks.OwnedEnd);
        }
        while (blocks.Next());
        var result = new AnalysisResult { Duration = (double)samples / _sampleRate, SampleRate = _sampleRate, Tasks = _tasks };
        // Too quiet (or, rarely for a file longer than a block, too short): the estimates, and the second pass, are skipped.
        (_tasks, result) = Analyzer.Gate(_tasks, gate, result);
        tonal = (_tasks & Analyzer.TonalTasks) != 0;
        if (rhythm is not null) result = _analyzer.AnalyzeRhythm(rhythm.ToFeatures(), _tasks, result);
        return (result, tonal ? tuning.EstimateCircular() : 0.0);
    }

    /// <summary>The tuned CQT chroma (key, chords) and the segmentation features, block by block over a second read.</summary>
    private (ChromaFrames? Chroma, FloatMatrix? SegmentFeatures) SecondPass(double tuning)
    {
        bool chromaTasks = Analyzer.NeedsChroma(_tasks), segments = _tasks.HasFlag(AnalysisTasks.Segments);
        int notes = BassTrebleChroma.HighestNote - BassTrebleChroma.LowestNote + 1;
        var cqtSemitones = new ColumnCollector(notes, ExpectedFrames(CqtHop));
        var stftSemitones = new ColumnCollector(notes, ExpectedFrames(FooteSegmenter.FrameHop));
        ColumnCollector? mel = null;
        using var reader = Open();
        var blocks = new OverlappingBlocks(reader, _blockSamples, _contextSamples);
        while (blocks.Next())
        {
            var window = blocks.Window;
            if (chromaTasks)
            {
                var semitones = CqtChroma.SemitoneMagnitudes(window, _sampleRate, CqtHop, tuning);
                var (first, count) = blocks.OwnedFrames(CqtHop);
                cqtSemitones.Add(semitones, first, count);
            }
            if (segments)
            {
                var magnitude = Spectral.Spectrogram(window, FooteSegmenter.FrameFft, FooteSegmenter.FrameHop);
                var semitones = BassTrebleChroma.SemitoneMagnitudes(magnitude, _sampleRate, tuning);
                var power = FooteSegmenter.MelPowerConsumingMagnitude(magnitude, _sampleRate);
                var (first, count) = blocks.OwnedFrames(FooteSegmenter.FrameHop);
                (mel ??= new ColumnCollector(power.Rows, ExpectedFrames(FooteSegmenter.FrameHop))).Add(power, first, count);
                stftSemitones.Add(semitones, first, count);
            }
            Report(2, blocks.OwnedEnd);
        }
        // The compression of the semitone magnitudes is relative to the loudest one of the whole recording, so the
        // chroma is made once here, as the whole-file path makes it.
        ChromaFrames? cqtChroma = chromaTasks ? BassTrebleChroma.FromSemitoneMagnitudes(cqtSemitones.ToMatrix(), _sampleRate, CqtHop, tuning) : null;
        FloatMatrix? segmentFeatures = null;
        if (segments && mel is not null)
        {
            var segmentChroma = BassTrebleChroma.FromSemitoneMagnitudes(stftSemitones.ToMatrix(), _sampleRate, FooteSegmenter.FrameHop, tuning);
            segmentFeatures = FooteSegmenter.FeaturesFromMelPower(mel.ToMatrix(), segmentChroma);
        }
        return (cqtChroma, segmentFeatures);
    }

    /// <summary>Centred frames at <paramref name="hop"/> of the expected decoded length (librosa's 1 + n / hop).</summary>
    private int ExpectedFrames(int hop) => (int)Math.Min(Array.MaxLength / 16, 1 + _expectedSamples / hop);

    /// <summary>
    /// Columns of a fixed-height matrix gathered block by block into one matrix allocated at the expected final size;
    /// it grows (once, by half) only if the stream turns out longer than its header said, and is cut to size only if shorter.
    /// </summary>
    private sealed class ColumnCollector(int rows, int expectedColumns)
    {
        private FloatMatrix? _matrix;

        public int Columns { get; private set; }

        public void Add(FloatMatrix block, int first, int count)
        {
            if (block.Rows != rows) throw new MusicMLException($"A block of {block.Rows} rows does not join features of {rows}.");
            _matrix ??= new FloatMatrix(rows, Math.Max(1, expectedColumns));
            if (Columns + count > _matrix.Columns) _matrix = Resized(_matrix, Math.Max(Columns + count, _matrix.Columns + _matrix.Columns / 2));
            for (int r = 0; r < rows; r++) block.Row(r).Slice(first, count).CopyTo(_matrix.Row(r)[Columns..]);
            Columns += count;
        }

        public FloatMatrix ToMatrix()
        {
            var matrix = _matrix ?? new FloatMatrix(rows, 0);
            _matrix = null;
            return matrix.Columns == Columns ? matrix : Resized(matrix, Columns);
        }

        private FloatMatrix Resized(FloatMatrix matrix, int columns)
        {
            var result = new FloatMatrix(rows, columns);
            int keep = Math.Min(Columns, columns);
            for (int r = 0; r < rows; r++) matrix.Row(r)[..keep].CopyTo(result.Row(r));
            return result;
        }
    }

    /// <summary>The owned frames of each block's <see cref="RhythmFeatures"/>, written into arrays of the expected final size.</summary>
    private sealed class RhythmCollector(int expectedFrames)
    {
        private float[] _activation = new float[Math.Max(1, expectedFrames)];
        private float[] _tempo = new float[Math.Max(1, expectedFrames)];
        private float[] _bassFlux = new float[Math.Max(1, expectedFrames)];
        private float[] _bass = new float[12L * Math.Max(1, expectedFrames)];
        private float[] _harmony = new float[12L * Math.Max(1, expectedFrames)];
        private float[] _energy = new float[Math.Max(1, expectedFrames)];
        private float[]? _beat, _downbeat;
        private double _frameRate;
        private int _frames;

        public void Add(RhythmFeatures block, int first, int count)
        {
            _frameRate = block.FrameRate;
            if (_frames + count > _activation.Length) Resize(Math.Max(_frames + count, _activation.Length + _activation.Length / 2));
            block.Activation.Values.AsSpan(first, count).CopyTo(_activation.AsSpan(_frames));
            block.TempoActivation.Values.AsSpan(first, count).CopyTo(_tempo.AsSpan(_frames));
            block.BassFlux.AsSpan(first, count).CopyTo(_bassFlux.AsSpan(_frames));
            block.BassPitchClasses.AsSpan(12 * first, 12 * count).CopyTo(_bass.AsSpan(12 * _frames));
            block.HarmonyPitchClasses.AsSpan(12 * first, 12 * count).CopyTo(_harmony.AsSpan(12 * _frames));
            block.Energy.AsSpan(first, count).CopyTo(_energy.AsSpan(_frames));
            if (block.Learned is var (beat, downbeat))
            {
                _beat ??= new float[_activation.Length];
                _downbeat ??= new float[_activation.Length];
                beat.AsSpan(first, count).CopyTo(_beat.AsSpan(_frames));
                downbeat.AsSpan(first, count).CopyTo(_downbeat.AsSpan(_frames));
            }
            _frames += count;
        }

        public RhythmFeatures ToFeatures()
        {
            if (_frames != _activation.Length) Resize(_frames);
            return new RhythmFeatures(_frameRate, _activation, _tempo, _bassFlux, _bass, _harmony, _energy)
            {
                Learned = _beat is null ? null : (_beat, _downbeat!),
            };
        }

        private void Resize(int frames)
        {
            Array.Resize(ref _activation, frames);
            Array.Resize(ref _tempo, frames);
            Array.Resize(ref _bassFlux, frames);
            Array.Resize(ref _bass, 12 * frames);
            Array.Resize(ref _harmony, 12 * frames);
            Array.Resize(ref _energy, frames);
            if (_beat is not null) Array.Resize(ref _beat, frames);
            if (_downbeat is not null) Array.Resize(ref _downbeat, frames);
        }
    }
}
