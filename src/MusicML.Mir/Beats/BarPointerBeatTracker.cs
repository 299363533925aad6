using MusicML.Core;
using MusicML.Mir.Onsets;

namespace MusicML.Mir.Beats;

/// <summary>
/// Probabilistic beat tracking in the bar-pointer state space of Krebs, Böck &amp; Widmer ("An efficient state space model
/// for joint tempo and meter tracking", ISMIR 2015), as madmom's DBNBeatTrackingProcessor: one state per (beat interval
/// in frames, position within the beat), the pointer advancing one position per frame, tempo changes allowed only at
/// beat boundaries with probability ∝ exp(−λ·|τ'/τ − 1|), and the first 1/<see cref="ObservationLambda"/> of each beat
/// observing the activation as the beat probability. Decoded with a log-domain Viterbi that touches only the states
/// whose score changes each frame, so a few thousand states cost a few hundred operations per frame.
/// </summary>
public sealed record BarPointerBeatTracker
{
    /// <summary>Slowest tempo in BPM.</summary>
    public double MinBpm { get; init; } = 55.0;

    /// <summary>Fastest tempo in BPM.</summary>
    public double MaxBpm { get; init; } = 215.0;

    /// <summary>λ of the exponential tempo-change distribution (larger keeps the tempo steadier).</summary>
    public double TransitionLambda { get; init; } = 100.0;

    /// <summary>The beat region is the first 1/ObservationLambda of every beat.</summary>
    public int ObservationLambda { get; init; } = 16;

    /// <summary>Place each beat on the activation maximum within its beat region (madmom's correct=True).</summary>
    public bool Correct { get; init; } = true;

    /// <summary>
    /// Beats are tracked only from the first to the last frame whose activation reaches this fraction of its 99th
    /// percentile (madmom's threshold), so lead-in silence and a release tail get no beats.
    /// </summary>
    public double ActivityThreshold { get; init; } = 0.1;

    /// <summary>A tracker whose tempo range spans ±<paramref name="octaves"/> around <paramref name="bpm"/>.</summary>
    public static BarPointerBeatTracker AroundTempo(double bpm, double octaves = 0.3)
    {
        InputGuard.Positive(bpm, nameof(bpm));
        InputGuard.Positive(octaves, nameof(octaves));
        return new BarPointerBeatTracker { MinBpm = bpm * Math.Pow(2, -octaves), MaxBpm = bpm * Math.Pow(2, octaves) };
    }

    /// <summary>Validates every setting, naming the bad one.</summary>
    public void Validate()
    {
        MirValidation.TempoRange(MinBpm, MaxBpm);
        InputGuard.Positive(TransitionLambda, nameof(TransitionLambda));
        if (ObservationLambda < 2) throw new MusicMLException($"ObservationLambda must be at least 2; got {ObservationLambda}.");
        if (!(ActivityThreshold >= 0 && ActivityThreshold < 1)) throw new MusicMLException($"ActivityThreshold must lie in [0, 1); got {ActivityThreshold}.");
    }

    /// <summary>Tracks beats in <paramref name="activation"/>.</summary>
    /// <returns>Beat times in seconds, increasing.</returns>
    public double[] Track(OnsetEnvelope activation)
    {
        var frames = TrackFrames(activation);
        var times = new double[frames.Length];
        for (int i = 0; i < frames.Length; i++) times[i] = frames[i] / activation.FrameRate;
        return times;
    }

    /// <summary>Tracks beats and returns their frame indices.</summary>
    public int[] TrackFrames(OnsetEnvelope activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        Validate();
        var p = BeatActivation.Probabilities(activation);
        int first = Array.FindIndex(p, v => v >= ActivityThreshold), lastActive = Array.FindLastIndex(p, v => v >= ActivityThreshold);
        if (first < 0 || activation.Values.Max() <= 0) return [];
        int n = lastActive + 1 - first;
        double fps = activation.FrameRate;
        int minInterval = Math.Max(2, (int)Math.Floor(60.0 * fps / MaxBpm));
        int maxInterval = Math.Max(minInterval, (int)Math.Ceiling(60.0 * fps / MinBpm));
        int tempi = maxInterval - minInterval + 1;
        var intervals = new int[tempi];
        var offsets = new int[tempi];
        var beatWidth = new int[tempi];
        int states = 0;
        for (int j = 0; j < tempi; j++)
        {
            intervals[j] = minInterval + j;
            offsets[j] = states;
            states += intervals[j];
            beatWidth[j] = Math.Max(1, (int)Math.Ceiling((double)intervals[j] / ObservationLambda));
        }
        var (sources, logTransitions) = TempoTransitions(intervals);

        // Scores are kept relative to Σ log P(obs | no beat), added to every state alike; only beat-region states then
        // need the log ratio of the beat and no-beat likelihoods each frame.
        var delta = new double[states];
        var last = new double[tempi];
        var backPointers = new short[n * tempi];
        for (int t = 0; t < n; t++)
        {
            if (t > 0)
            {
                for (int j = 0; j < tempi; j++) last[j] = delta[offsets[j] + Slot(intervals[j] - 1, t - 1, intervals[j])];
                for (int j = 0; j < tempi; j++)
                {
                    double best = double.NegativeInfinity;
                    int argBest = j;
                    var from = sources[j];
                    var logA = logTransitions[j];
                    for (int s = 0; s < from.Length; s++)
                    {
                        double v = last[from[s]] + logA[s];
                        if (v > best) { best = v; argBest = from[s]; }
                    }
                    delta[offsets[j] + Slot(0, t, intervals[j])] = best;
                    backPointers[t * tempi + j] = (short)argBest;
                }
            }
            double logRatio = Math.Log(p[first + t] * (ObservationLambda - 1) / (1 - p[first + t]));
            for (int j = 0; j < tempi; j++)
                for (int position = 0; position < beatWidth[j]; position++)
                    delta[offsets[j] + Slot(position, t, intervals[j])] += logRatio;
        }

        int bestTempo = 0, bestPosition = 0;
        double bestScore = double.NegativeInfinity;
        for (int j = 0; j < tempi; j++)
            for (int position = 0; position < intervals[j]; position++)
            {
                double v = delta[offsets[j] + Slot(position, n - 1, intervals[j])];
                if (v > bestScore) { bestScore = v; bestTempo = j; bestPosition = position; }
            }

        var inBeat = new bool[n];
        int tempo = bestTempo, pos = bestPosition;
        for (int t = n - 1; t >= 0; t--)
        {
            inBeat[t] = pos < beatWidth[tempo];
            if (t == 0) break;
            if (pos > 0) pos--;
            else
            {
                tempo = backPointers[t * tempi + tempo];
                pos = intervals[tempo] - 1;
            }
        }
        var frames = BeatFrames(inBeat, activation.Values.AsSpan(first, n), Correct);
        for (int i = 0; i < frames.Length; i++) frames[i] += first;
        return frames;
    }

    /// <summary>Slot of beat position <paramref name="position"/> at frame <paramref name="t"/> in a ring of <paramref name="interval"/> slots.</summary>
    private static int Slot(int position, int t, int interval)
    {
        int slot = (position - t) % interval;
        return slot < 0 ? slot + interval : slot;
    }

    /// <summary>For each target tempo, the source tempi with non-negligible probability and their log probabilities.</summary>
    private (int[][] Sources, double[][] LogProbabilities) TempoTransitions(int[] intervals)
    {
        int tempi = intervals.Length;
        var probabilities = new double[tempi, tempi];
        for (int i = 0; i < tempi; i++)
        {
            double sum = 0;
            for (int j = 0; j < tempi; j++)
            {
                double v = Math.Exp(-TransitionLambda * Math.Abs((double)intervals[j] / intervals[i] - 1));
                if (v < 1e-12) v = 0; // madmom drops transitions below machine precision: they would never win
                probabilities[i, j] = v;
                sum += v;
            }
            for (int j = 0; j < tempi; j++) probabilities[i, j] /= sum;
        }
        var sources = new int[tempi][];
        var logs = new double[tempi][];
        for (int j = 0; j < tempi; j++)
        {
            var from = new List<int>();
            for (int i = 0; i < tempi; i++) if (probabilities[i, j] > 0) from.Add(i);
            sources[j] = [.. from];
            logs[j] = from.Select(i => Math.Log(probabilities[i, j])).ToArray();
        }
        return (sources, logs);
    }

    /// <summary>One beat per contiguous run of beat-region frames: its first frame, or its activation maximum when correcting.</summary>
    internal static int[] BeatFrames(bool[] inBeat, ReadOnlySpan<float> activation, bool correct)
    {
        var beats = new List<int>();
        int t = 0, n = inBeat.Length;
        while (t < n)
        {
            if (!inBeat[t]) { t++; continue; }
            int start = t;
            while (t < n && inBeat[t]) t++;
            int best = start;
            if (correct)
                for (int u = start; u < t; u++) if (activation[u] > activation[best]) best = u;
            beats.Add(best);
        }
        return [.. beats];
    }
}
