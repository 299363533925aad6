using MusicML.Audio;
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
        var (core, decoder) = Create(sampleRate, fMin, fMax, frameLength, hopLength, nThresholds, betaA, betaB, boltzmannParameter,
            resolution, maxTransitionRate, switchProbability, noTroughProbability);
        InputGuard.Audio(y);
        core.Feed(y, decoder);
        return decoder.ToTrack();
    }

    /// <summary>
    /// Estimates F0 and voicing per frame of an audio file, streamed block by block: the CMNDF and the pitch
    /// observation of a frame live only while the Viterbi forward pass consumes it, so memory is one block plus one
    /// back-pointer per HMM state and frame (a byte each with the default parameters: about 190 MB per hour at
    /// 22.05 kHz, against some 2.5 GB per hour for holding the observations and CMNDF). Equal to the in-memory
    /// overload on the whole decoded file (<see cref="AudioFile.Load"/>), which runs the same decoder. The file is mixed
    /// to mono and resampled to <paramref name="sampleRate"/> as <see cref="AudioFile.Load"/> does (default 22050 Hz; null
    /// keeps its own rate); the other parameters are the in-memory overload's.
    /// </summary>
    /// <remarks><c>progress</c>, when given, is told the fraction of the file done (0–1) after each block, for a progress line.</remarks>
    /// <exception cref="MusicMLException">The file cannot be read, or an invalid parameter.</exception>
    public static PitchTrack Estimate(string path, int? sampleRate = 22050, double fMin = 65.40639132514966,
        double fMax = 2093.004522404789, int frameLength = 2048, int? hopLength = null, int nThresholds = 100,
        int betaA = 2, int betaB = 18, double boltzmannParameter = 2, double resolution = 0.1,
        double maxTransitionRate = 35.92, double switchProbability = 0.01, double noTroughProbability = 0.01,
        IProgress<double>? progress = null) =>
        YinCore.Stream(path, sampleRate, rate => Create(rate, fMin, fMax, frameLength, hopLength, nThresholds, betaA, betaB,
            boltzmannParameter, resolution, maxTransitionRate, switchProbability, noTroughProbability), progress).ToTrack();

    private static (YinCore, ViterbiDecoder) Create(int sampleRate, double fMin, double fMax, int frameLength, int? hopLength,
        int nThresholds, int betaA, int betaB, double boltzmannParameter, double resolution, double maxTransitionRate,
        double switchProbability, double noTroughProbability)
    {
        if (nThresholds < 2) throw new MusicMLException($"nThresholds must be at least 2; got {nThresholds}.");
        if (betaA < 1 || betaB < 1) throw new MusicMLException($"betaA and betaB must be positive integers; got {betaA} and {betaB}.");
        if (!(boltzmannParameter > 0)) throw new MusicMLException($"boltzmannParameter must be positive; got {boltzmannParameter}.");
        if (!(resolution > 0 && resolution <= 1)) throw new MusicMLException($"resolution must be in (0, 1] semitones; got {resolution}.");
        if (!(maxTransitionRate > 0)) throw new MusicMLException($"maxTransitionRate must be positive; got {maxTransitionRate}.");
        if (!(switchProbability > 0 && switchProbability < 1)) throw new MusicMLException($"switchProbability must be in (0, 1); got {switchProbability}.");
        if (!(noTroughProbability >= 0 && noTroughProbability <= 1)) throw new MusicMLException($"noTroughProbability must be in [0, 1]; got {noTroughProbability}.");
        var core = new YinCore(sampleRate, fMin, fMax, frameLength, hopLength ?? frameLength / 4);
        var observation = new TroughObservation(core, fMin, fMax, nThresholds, betaA, betaB, boltzmannParameter, resolution, noTroughProbability);
        int maxSemitonesPerFrame = (int)Math.Round(maxTransitionRate * 12 * core.HopLength / sampleRate);
        int width = maxSemitonesPerFrame * observation.BinsPerSemitone + 1;
        if (width > short.MaxValue)
            throw new MusicMLException($"maxTransitionRate {maxTransitionRate} octaves per second allows {width} pitch bins per frame; at most {short.MaxValue} are supported.");
        return (core, new ViterbiDecoder(observation, width, switchProbability));
    }

    /// <summary>
    /// pYIN's observation of one frame: for each of the thresholds, the troughs below it share the threshold's Beta
    /// mass by a Boltzmann prior on their order (the first trough below threshold is the YIN choice); the masses fill
    /// the voiced pitch bins, and the unvoiced bins share what is left uniformly.
    /// </summary>
    private sealed class TroughObservation
    {
        private readonly YinCore _core;
        private readonly double _fMin, _boltzmann, _noTroughProbability;
        private readonly double[] _thresholds, _betaProbabilities;
        private readonly List<int> _troughs = [];
        private readonly List<double> _troughProbabilities = [];

        public TroughObservation(YinCore core, double fMin, double fMax, int nThresholds, int betaA, int betaB,
            double boltzmannParameter, double resolution, double noTroughProbability)
        {
            (_core, _fMin, _boltzmann, _noTroughProbability) = (core, fMin, boltzmannParameter, noTroughProbability);
            _thresholds = new double[nThresholds + 1];
            for (int i = 0; i <= nThresholds; i++) _thresholds[i] = (double)i / nThresholds;
            _betaProbabilities = new double[nThresholds];
            for (int i = 0; i < nThresholds; i++)
                _betaProbabilities[i] = Math.Max(0, BetaCdf(_thresholds[i + 1], betaA, betaB) - BetaCdf(_thresholds[i], betaA, betaB)); // rounding near 1 can dip below 0
            BinsPerSemitone = (int)Math.Ceiling(1 / resolution);
            PitchBins = (int)Math.Floor(12 * BinsPerSemitone * Math.Log2(fMax / fMin)) + 1;
        }

        public int BinsPerSemitone { get; }
        public int PitchBins { get; }

        /// <summary>Centre of frame <paramref name="t"/> in seconds.</summary>
        public double Time(int t) => (double)t * _core.HopLength / _core.SampleRate;

        /// <summary>Hz of voiced pitch bin <paramref name="bin"/>.</summary>
        public double Frequency(int bin) => _fMin * Math.Pow(2, (double)bin / (12 * BinsPerSemitone));

        /// <summary>Fills <paramref name="obs"/> (2 · PitchBins: voiced, then unvoiced) and returns the voiced probability.</summary>
        public double Observe(ReadOnlySpan<float> row, Span<double> obs)
        {
            int pitchBins = PitchBins, nThresholds = _betaProbabilities.Length;
            obs.Clear();
            _troughs.Clear();
            _troughProbabilities.Clear();
            for (int i = 0; i < row.Length; i++) if (YinCore.IsTrough(row, i)) { _troughs.Add(i); _troughProbabilities.Add(0); }
            if (_troughs.Count > 0)
            {
                for (int k = 0; k < nThresholds; k++)
                {
                    double threshold = _thresholds[k + 1];
                    int below = 0;
                    foreach (var trough in _troughs) if (row[trough] < threshold) below++;
                    if (below == 0) continue;
                    double norm = (1 - Math.Exp(-_boltzmann)) / (1 - Math.Exp(-_boltzmann * below));
                    int position = 0;
                    for (int j = 0; j < _troughs.Count; j++)
                    {
                        if (!(row[_troughs[j]] < threshold)) continue;
                        _troughProbabilities[j] += norm * Math.Exp(-_boltzmann * position) * _betaProbabilities[k];
                        position++;
                    }
                }
                int globalMin = 0;
                for (int j = 1; j < _troughs.Count; j++) if (row[_troughs[j]] < row[_troughs[globalMin]]) globalMin = j;
                double massAboveNothing = 0;
                for (int k = 0; k < nThresholds; k++) if (_thresholds[k + 1] < row[_troughs[globalMin]]) massAboveNothing += _betaProbabilities[k];
                _troughProbabilities[globalMin] += _noTroughProbability * massAboveNothing;
                for (int j = 0; j < _troughs.Count; j++)
                {
                    double period = _core.MinPeriod + _troughs[j] + YinCore.ParabolicShift(row, _troughs[j]);
                    double f0 = _core.SampleRate / period;
                    int bin = (int)Math.Round(12 * BinsPerSemitone * Math.Log2(f0 / _fMin));
                    obs[Math.Clamp(bin, 0, pitchBins - 1)] += _troughProbabilities[j];
                }
            }
            double voicedProbability = 0;
            for (int b = 0; b < pitchBins; b++) voicedProbability += obs[b];
            voicedProbability = Math.Clamp(voicedProbability, 0, 1);
            obs[pitchBins..].Fill((1 - voicedProbability) / pitchBins);
            return voicedProbability;
        }
    }

    /// <summary>
    /// Viterbi over 2·bins states (voiced pitch bins, then unvoiced copies), run forward one frame at a time as the
    /// observations arrive. Transitions are local triangles of <c>width</c> bins (librosa.sequence.transition_local,
    /// rows renormalised at the edges), kept with probability 1 − switch inside a voicing half and switch across.
    /// A back-pointer is stored as the offset of its source bin in the window plus whether it crossed halves: one byte
    /// per state and frame when the window has at most 128 bins (the defaults give 101), else two.
    /// </summary>
    private sealed class ViterbiDecoder : IPitchFrameSink
    {
        private const int FramesPerChunk = 1024;
        private const double Tiny = 1.1754943508222875e-38;
        private readonly TroughObservation _observation;
        private readonly int _bins, _states, _width, _half, _bytesPerPointer;
        private readonly double[] _obs, _logRowNorm;
        private readonly float[] _logWindow, _delta;
        private readonly float _logStay, _logSwitch;
        // best[h][src]: the best score of leaving pitch bin src towards voicing half h (0 voiced, 1 unvoiced),
        // including the row normalisation of src, and whether it came from the other half. The local window is
        // symmetric, so the score of target bin j is max over src of best[h][src] + logWindow[src − j + half]: a
        // contiguous, vectorisable run.
        private readonly float[][] _bestTo;
        private readonly bool[][] _fromUnvoiced;
        private readonly List<byte[]> _back = [];   // chunks of FramesPerChunk frames × states × bytesPerPointer
        private readonly List<double> _voicedProbability = [];
        private int _frames;

        public ViterbiDecoder(TroughObservation observation, int width, double switchProbability)
        {
            _observation = observation;
            (_bins, _width, _half) = (observation.PitchBins, width, width / 2);
            _states = 2 * _bins;
            _bytesPerPointer = width <= 128 ? 1 : 2;
            _obs = new double[_states];
            // Symmetric triangle window of odd/even width as scipy's get_window('triangle', width, fftbins=False).
            var window = new double[width];
            for (int n = 0; n < width; n++)
                window[n] = width % 2 == 1
                    ? 1 - Math.Abs(n - (width - 1) / 2.0) / ((width + 1) / 2.0)
                    : 1 - Math.Abs(n - (width - 1) / 2.0) / (width / 2.0);
            // Log transition from bin i to bin j = log(window[j − i + half] / rowSum(i)).
            _logRowNorm = new double[_bins];
            for (int i = 0; i < _bins; i++)
            {
                double sum = 0;
                for (int j = Math.Max(0, i - _half); j <= Math.Min(_bins - 1, i + _half); j++) sum += window[j - i + _half];
                _logRowNorm[i] = Math.Log(sum);
            }
            _logWindow = new float[width];
            for (int n = 0; n < width; n++) _logWindow[n] = (float)Math.Log(window[n]);
            (_logStay, _logSwitch) = ((float)Math.Log(1 - switchProbability), (float)Math.Log(switchProbability));
            _delta = new float[_states];
            _bestTo = [new float[_bins + width], new float[_bins + width]];
            foreach (var b in _bestTo) b.AsSpan().Fill(float.NegativeInfinity);
            _fromUnvoiced = [new bool[_bins], new bool[_bins]];
        }

        public void Add(ReadOnlySpan<float> row)
        {
            _voicedProbability.Add(_observation.Observe(row, _obs));
            if (_frames == 0)
            {
                for (int s = 0; s < _states; s++) _delta[s] = (float)(Math.Log(1.0 / _states) + Math.Log(_obs[s] + Tiny));
                _frames++;
                return;
            }
            int bins = _bins, half = _half;
            for (int src = 0; src < bins; src++)
            {
                float voiced = _delta[src] - (float)_logRowNorm[src], unvoiced = _delta[bins + src] - (float)_logRowNorm[src];
                float toVoicedA = voiced + _logStay, toVoicedB = unvoiced + _logSwitch;
                float toUnvoicedA = voiced + _logSwitch, toUnvoicedB = unvoiced + _logStay;
                // Padded by half a window on the left, so index src + half holds bin src and edges stay −∞.
                _bestTo[0][src + half] = Math.Max(toVoicedA, toVoicedB);
                _fromUnvoiced[0][src] = !(toVoicedA >= toVoicedB);
                _bestTo[1][src + half] = Math.Max(toUnvoicedA, toUnvoicedB);
                _fromUnvoiced[1][src] = !(toUnvoicedA >= toUnvoicedB);
            }
            var back = BackPointers(_frames);
            for (int h = 0; h < 2; h++)
            {
                var scores = _bestTo[h];
                for (int target = 0; target < bins; target++)
                {
                    // Sources target − half … target + half sit at padded indices target … target + 2·half.
                    int arg = MaxPlusArg(scores.AsSpan(target, _width), _logWindow, out float best);
                    int state = h * bins + target;
                    int code = arg | (_fromUnvoiced[h][target + arg - half] ? 1 << (8 * _bytesPerPointer - 1) : 0);
                    if (_bytesPerPointer == 1) back[state] = (byte)code;
                    else System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(back.Slice(2 * state), (ushort)code);
                    _delta[state] = best + (float)Math.Log(_obs[state] + Tiny);
                }
            }
            _frames++;
        }

        /// <summary>The back-pointer bytes of frame <paramref name="t"/>, growing the store by a chunk when needed.</summary>
        private Span<byte> BackPointers(int t)
        {
            int chunk = t / FramesPerChunk, bytes = _states * _bytesPerPointer;
            while (_back.Count <= chunk) _back.Add(new byte[FramesPerChunk * bytes]);
            return _back[chunk].AsSpan(t % FramesPerChunk * bytes, bytes);
        }

        /// <summary>The state frame <paramref name="t"/> − 1 came from on the best path through <paramref name="state"/> at <paramref name="t"/>.</summary>
        private int Source(int t, int state)
        {
            var back = BackPointers(t);
            int code = _bytesPerPointer == 1 ? back[state] : System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(back.Slice(2 * state));
            int crossBit = 1 << (8 * _bytesPerPointer - 1);
            int h = state >= _bins ? 1 : 0, target = state - h * _bins;
            int sourceBin = target + (code & (crossBit - 1)) - _half;
            bool fromUnvoiced = (code & crossBit) != 0;
            return fromUnvoiced ? _bins + sourceBin : sourceBin;
        }

        public PitchTrack ToTrack()
        {
            int frames = _frames;
            var times = new double[frames];
            var frequencies = new double[frames];
            var voiced = new bool[frames];
            if (frames == 0) return new PitchTrack(times, frequencies, voiced, []);
            int state = 0;
            for (int s = 1; s < _states; s++) if (_delta[s] > _delta[state]) state = s;
            for (int t = frames - 1; t >= 0; t--)
            {
                times[t] = _observation.Time(t);
                voiced[t] = state < _bins;
                frequencies[t] = voiced[t] ? _observation.Frequency(state) : 0;
                if (t > 0) state = Source(t, state);
            }
            return new PitchTrack(times, frequencies, voiced, _voicedProbability.ToArray());
        }
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
