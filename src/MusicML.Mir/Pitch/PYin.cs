using MusicML.Core;

namespace MusicML.Mir.Pitch;

/// <summary>
/// Probabilistic YIN (Mauch &amp; Dixon, "pYIN: A fundamental frequency estimator using probabilistic threshold
/// distributions", ICASSP 2014), with librosa.pyin's parameters and defaults. Instead of one YIN threshold, a Beta
/// prior over 100 thresholds gives every CMNDF trough a probability (earlier troughs favoured by a Boltzmann prior);
/// these fill a pitch observation on a 0.1-semitone grid, and an HMM with voiced and unvoiced copies of every pitch
/// bin, local pitch transitions (at most <c>maxTransitionRate</c> octaves per second) and a voicing switch
/// probability is decoded with Viterbi.
/// </summary>
public static class PYin
{
    /// <summary>Estimates F0 and voicing per frame.</summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="fMin">Lowest F0 in Hz (default 65.4, C2).</param>
    /// <param name="fMax">Highest F0 in Hz (default 2093, C7).</param>
    /// <param name="frameLength">Frame length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames; default frameLength / 4.</param>
    /// <param name="nThresholds">Number of YIN thresholds in (0, 1] (default 100).</param>
    /// <param name="betaA">First Beta-prior parameter over thresholds, a positive integer (default 2).</param>
    /// <param name="betaB">Second Beta-prior parameter, a positive integer (default 18; mean threshold 0.1).</param>
    /// <param name="boltzmannParameter">Boltzmann prior strength favouring earlier troughs (default 2).</param>
    /// <param name="resolution">Pitch-grid step in semitones (default 0.1).</param>
    /// <param name="maxTransitionRate">Largest pitch change in octaves per second (default 35.92).</param>
    /// <param name="switchProbability">Probability of switching between voiced and unvoiced (default 0.01).</param>
    /// <param name="noTroughProbability">Probability mass given to the global minimum when no trough is below a threshold (default 0.01).</param>
    /// <returns>F0 of every frame (frame t centred at t·hopLength samples); unvoiced frames have 0 Hz.</returns>
    /// <exception cref="MusicMLException">Empty or non-finite audio or an invalid parameter.</exception>
    public static PitchTrack Estimate(ReadOnlySpan<float> y, int sampleRate = 22050, double fMin = 65.40639132514966,
        double fMax = 2093.004522404789, int frameLength = 2048, int? hopLength = null, int nThresholds = 100,
        int betaA = 2, int betaB = 18, double boltzmannParameter = 2, double resolution = 0.1,
        double maxTransitionRate = 35.92, double switchProbability = 0.01, double noTroughProbability = 0.01)
    {
        if (nThresholds < 2) throw new MusicMLException($"nThresholds must be at least 2; got {nThresholds}.");
        if (betaA < 1 || betaB < 1) throw new MusicMLException($"betaA and betaB must be positive integers; got {betaA} and {betaB}.");
        if (!(boltzmannParameter > 0)) throw new MusicMLException($"boltzmannParameter must be positive; got {boltzmannParameter}.");
        if (!(resolution > 0 && resolution <= 1)) throw new MusicMLException($"resolution must be in (0, 1] semitones; got {resolution}.");
        if (!(maxTransitionRate > 0)) throw new MusicMLException($"maxTransitionRate must be positive; got {maxTransitionRate}.");
        if (!(switchProbability > 0 && switchProbability < 1)) throw new MusicMLException($"switchProbability must be in (0, 1); got {switchProbability}.");
        if (!(noTroughProbability >= 0 && noTroughProbability <= 1)) throw new MusicMLException($"noTroughProbability must be in [0, 1]; got {noTroughProbability}.");
        int hop = hopLength ?? frameLength / 4;
        var core = new YinCore(sampleRate, fMin, fMax, frameLength, hop);
        var cmndf = core.Compute(y, out int frames);
        int lags = core.LagCount;

        var thresholds = new double[nThresholds + 1];
        for (int i = 0; i <= nThresholds; i++) thresholds[i] = (double)i / nThresholds;
        var betaProbabilities = new double[nThresholds];
        for (int i = 0; i < nThresholds; i++)
            betaProbabilities[i] = Math.Max(0, BetaCdf(thresholds[i + 1], betaA, betaB) - BetaCdf(thresholds[i], betaA, betaB)); // rounding near 1 can dip below 0

        int binsPerSemitone = (int)Math.Ceiling(1 / resolution);
        int pitchBins = (int)Math.Floor(12 * binsPerSemitone * Math.Log2(fMax / fMin)) + 1;
        var observations = new double[frames * 2 * pitchBins];
        var troughs = new List<int>();
        var troughProbabilities = new List<double>();
        for (int t = 0; t < frames; t++)
        {
            var row = cmndf.AsSpan(t * lags, lags);
            troughs.Clear();
            troughProbabilities.Clear();
            for (int i = 0; i < lags; i++) if (YinCore.IsTrough(row, i)) { troughs.Add(i); troughProbabilities.Add(0); }
            var obs = observations.AsSpan(t * 2 * pitchBins, 2 * pitchBins);
            if (troughs.Count > 0)
            {
                // For each threshold, the troughs below it share the threshold's Beta mass by a Boltzmann prior on
                // their order (the first trough below threshold is the YIN choice).
                for (int k = 0; k < nThresholds; k++)
                {
                    double threshold = thresholds[k + 1];
                    int below = 0;
                    foreach (var trough in troughs) if (row[trough] < threshold) below++;
                    if (below == 0) continue;
                    double norm = (1 - Math.Exp(-boltzmannParameter)) / (1 - Math.Exp(-boltzmannParameter * below));
                    int position = 0;
                    for (int j = 0; j < troughs.Count; j++)
                    {
                        if (!(row[troughs[j]] < threshold)) continue;
                        troughProbabilities[j] += norm * Math.Exp(-boltzmannParameter * position) * betaProbabilities[k];
                        position++;
                    }
                }
                int globalMin = 0;
                for (int j = 1; j < troughs.Count; j++) if (row[troughs[j]] < row[troughs[globalMin]]) globalMin = j;
                double massAboveNothing = 0;
                for (int k = 0; k < nThresholds; k++) if (thresholds[k + 1] < row[troughs[globalMin]]) massAboveNothing += betaProbabilities[k];
                troughProbabilities[globalMin] += noTroughProbability * massAboveNothing;
                for (int j = 0; j < troughs.Count; j++)
                {
                    double period = core.MinPeriod + troughs[j] + YinCore.ParabolicShift(row, troughs[j]);
                    double f0 = sampleRate / period;
                    int bin = (int)Math.Round(12 * binsPerSemitone * Math.Log2(f0 / fMin));
                    obs[Math.Clamp(bin, 0, pitchBins - 1)] += troughProbabilities[j];
                }
            }
            double voicedProbability = 0;
            for (int b = 0; b < pitchBins; b++) voicedProbability += obs[b];
            voicedProbability = Math.Clamp(voicedProbability, 0, 1);
            obs[pitchBins..].Fill((1 - voicedProbability) / pitchBins);
        }

        int maxSemitonesPerFrame = (int)Math.Round(maxTransitionRate * 12 * hop / sampleRate);
        int width = maxSemitonesPerFrame * binsPerSemitone + 1;
        var states = Viterbi(observations, frames, pitchBins, width, switchProbability);

        var times = new double[frames];
        var frequencies = new double[frames];
        var voiced = new bool[frames];
        var probability = new double[frames];
        for (int t = 0; t < frames; t++)
        {
            times[t] = (double)t * hop / sampleRate;
            voiced[t] = states[t] < pitchBins;
            frequencies[t] = voiced[t] ? fMin * Math.Pow(2, (double)states[t] / (12 * binsPerSemitone)) : 0;
            double p = 0;
            for (int b = 0; b < pitchBins; b++) p += observations[t * 2 * pitchBins + b];
            probability[t] = Math.Clamp(p, 0, 1);
        }
        return new PitchTrack(times, frequencies, voiced, probability);
    }

    /// <summary>
    /// Viterbi over 2·bins states (voiced pitch bins, then unvoiced copies). Transitions are local triangles of
    /// <paramref name="width"/> bins (librosa.sequence.transition_local, rows renormalised at the edges), kept with
    /// probability 1 − switch inside a voicing half and switch across.
    /// </summary>
    private static int[] Viterbi(double[] observations, int frames, int bins, int width, double switchProbability)
    {
        int half = width / 2, states = 2 * bins;
        // Symmetric triangle window of odd/even width as scipy's get_window('triangle', width, fftbins=False).
        var window = new double[width];
        for (int n = 0; n < width; n++)
            window[n] = width % 2 == 1
                ? 1 - Math.Abs(n - (width - 1) / 2.0) / ((width + 1) / 2.0)
                : 1 - Math.Abs(n - (width - 1) / 2.0) / (width / 2.0);
        // Log transition from bin i to bin j = log(window[j − i + half] / rowSum(i)).
        var logRowNorm = new double[bins];
        for (int i = 0; i < bins; i++)
        {
            double sum = 0;
            for (int j = Math.Max(0, i - half); j <= Math.Min(bins - 1, i + half); j++) sum += window[j - i + half];
            logRowNorm[i] = Math.Log(sum);
        }
        var logWindow = new float[width];
        for (int n = 0; n < width; n++) logWindow[n] = (float)Math.Log(window[n]);
        float logStay = (float)Math.Log(1 - switchProbability), logSwitch = (float)Math.Log(switchProbability);
        const double tiny = 1.1754943508222875e-38;
        var delta = new float[states];
        var back = new int[frames * states];
        // best[h][src]: the best score of leaving pitch bin src towards voicing half h (0 voiced, 1 unvoiced),
        // including the row normalisation of src, and which half it came from. The local window is symmetric, so the
        // score of target bin j is max over src of best[h][src] + logWindow[src − j + half]: a contiguous, vectorisable run.
        var bestTo = new[] { new float[bins + width], new float[bins + width] };
        var fromHalf = new[] { new int[bins], new int[bins] };
        for (int s = 0; s < states; s++) delta[s] = (float)(Math.Log(1.0 / states) + Math.Log(observations[s] + tiny));
        foreach (var b in bestTo) b.AsSpan().Fill(float.NegativeInfinity);
        for (int t = 1; t < frames; t++)
        {
            for (int src = 0; src < bins; src++)
            {
                float voiced = delta[src] - (float)logRowNorm[src], unvoiced = delta[bins + src] - (float)logRowNorm[src];
                float toVoicedA = voiced + logStay, toVoicedB = unvoiced + logSwitch;
                float toUnvoicedA = voiced + logSwitch, toUnvoicedB = unvoiced + logStay;
                // Padded by half a window on the left, so index src + half holds bin src and edges stay −∞.
                bestTo[0][src + half] = Math.Max(toVoicedA, toVoicedB);
                fromHalf[0][src] = toVoicedA >= toVoicedB ? src : bins + src;
                bestTo[1][src + half] = Math.Max(toUnvoicedA, toUnvoicedB);
                fromHalf[1][src] = toUnvoicedA >= toUnvoicedB ? src : bins + src;
            }
            for (int h = 0; h < 2; h++)
            {
                var scores = bestTo[h];
                for (int target = 0; target < bins; target++)
                {
                    // Sources target − half … target + half sit at padded indices target … target + 2·half.
                    var run = scores.AsSpan(target, width);
                    int arg = MaxPlusArg(run, logWindow, out float best);
                    int state = h * bins + target;
                    int sourceBin = target + arg - half;
                    back[t * states + state] = fromHalf[h][sourceBin];
                    delta[state] = best + (float)Math.Log(observations[t * states + state] + tiny);
                }
            }
        }
        var path = new int[frames];
        int last = 0;
        for (int s = 1; s < states; s++) if (delta[s] > delta[last]) last = s;
        path[frames - 1] = last;
        for (int t = frames - 1; t > 0; t--) path[t - 1] = back[t * states + path[t]];
        return path;
    }

    /// <summary>Index and value of the maximum of a[i] + b[i] (first index on ties).</summary>
    private static int MaxPlusArg(ReadOnlySpan<float> a, ReadOnlySpan<float> b, out float max)
    {
        int n = a.Length, i = 0;
        max = float.NegativeInfinity;
        if (System.Numerics.Vector.IsHardwareAccelerated && n >= System.Numerics.Vector<float>.Count)
        {
            int width = System.Numerics.Vector<float>.Count;
            var best = new System.Numerics.Vector<float>(float.NegativeInfinity);
            for (; i <= n - width; i += width)
                best = System.Numerics.Vector.Max(best, new System.Numerics.Vector<float>(a[i..]) + new System.Numerics.Vector<float>(b[i..]));
            for (int k = 0; k < width; k++) max = Math.Max(max, best[k]);
        }
        for (; i < n; i++) max = Math.Max(max, a[i] + b[i]);
        for (int k = 0; k < n; k++) if (a[k] + b[k] == max) return k;
        return 0;
    }

    /// <summary>Regularised incomplete Beta I_x(a, b) for integer a, b: a binomial tail sum.</summary>
    private static double BetaCdf(double x, int a, int b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        int n = a + b - 1;
        double sum = 0;
        for (int j = a; j <= n; j++) sum += Math.Exp(LogChoose(n, j) + j * Math.Log(x) + (n - j) * Math.Log(1 - x));
        return Math.Min(1, sum);
    }

    private static double LogChoose(int n, int k)
    {
        double result = 0;
        for (int i = 1; i <= k; i++) result += Math.Log(n - k + i) - Math.Log(i);
        return result;
    }
}
