using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MusicML.Audio;
using MusicML.Core;
using MusicML.Torch;
using NWaves.Effects;
using NWaves.Filters.Base;
using NWaves.Filters.BiQuad;
using NWaves.Operations;
using NWaves.Operations.Tsm;
using NWaves.Signals;

namespace MusicML.Tagging;

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood 2014, "Fast splittable pseudorandom number generators"): the training's one
/// source of randomness for shuffles, crops, augmentation and the per-epoch libtorch seed. Its whole state is one
/// 64-bit number, so a checkpoint can store it and a resumed run draws exactly what an uninterrupted one would
/// (System.Random's seeded state cannot be saved).
/// </summary>
internal sealed class TrainingRandom(ulong state)
{
    public ulong State { get; private set; } = state;

    public ulong NextUInt64()
    {
        ulong z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n) (Lemire's multiply-shift; the bias is below 2⁻³² for the sizes used here).</summary>
    public int NextInt(int n) => n <= 1 ? 0 : (int)((UInt128)NextUInt64() * (ulong)n >> 64);

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Standard normal by Box–Muller (one value per call, so the number of draws never depends on caching).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fisher–Yates shuffle of 0..n−1.</summary>
    public int[] Permutation(int n)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}

/// <summary>
/// The on-disk feature cache of a training run (<c>OUT/cache</c>): one <c>.npy</c> per audio file and feature kind —
/// the dB mel (nMels, frames) or, when augmenting, the clean mono audio at the model's rate (samples) — named by a
/// hash of the file's full path, size and modification time and of the front-end parameters, so a changed file or
/// front end is recomputed and everything else is decoded only once across epochs and runs.
/// </summary>
internal sealed class FeatureCache(string folder, TaggerConfig config, MelFrontEnd frontEnd, Device device)
{
    public int Hits { get; private set; }

    public int Misses { get; private set; }

    public string PathFor(string audioPath, bool audio)
    {
        var info = new FileInfo(audioPath);
        if (!info.Exists) throw new MusicMLException($"{audioPath}: audio file not found") { FilePath = audioPath };
        var key = string.Join("|", info.FullName, info.Length.ToString(CultureInfo.InvariantCulture),
            info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture), audio ? "audio" : "mel",
            config.SampleRate, config.NFft, config.HopLength, config.NMels,
            config.FMin.ToString("R", CultureInfo.InvariantCulture), config.FMax.ToString("R", CultureInfo.InvariantCulture),
            config.Amin.ToString("R", CultureInfo.InvariantCulture), "v1");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..20];
        var stem = string.Concat(Path.GetFileNameWithoutExtension(audioPath).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
        if (stem.Length > 40) stem = stem[..40];
        return Path.Combine(folder, $"{stem}-{(audio ? "audio" : "mel")}-{hash}.npy");
    }

    /// <summary>Computes the file's features unless cached, checking it is at least one crop long; returns the cache path.</summary>
    public string Ensure(string audioPath, bool audio)
    {
        var path = PathFor(audioPath, audio);
        if (File.Exists(path))
        {
            Hits++;
            return path;
        }
        float[] samples;
        try
        {
            samples = AudioFile.Load(audioPath, config.SampleRate, mono: true).Channel(0);
            InputGuard.Audio(samples, "samples");
        }
        catch (MusicMLException e) when (e.FilePath is null)
        {
            throw new MusicMLException($"{audioPath}: {e.Message}", e) { FilePath = audioPath };
        }
        if (samples.Length < config.InputLength)
            throw new MusicMLException(
                $"{audioPath}: {samples.Length / (double)config.SampleRate:0.###} s is shorter than one crop of {config.InputLength / (double)config.SampleRate:0.###} s (lower --crop-seconds)")
            { FilePath = audioPath };
        Directory.CreateDirectory(folder);
        NpyArray array;
        if (audio)
        {
            array = NpyArray.FromFloat32(samples, samples.Length);
        }
        else
        {
            using var noGrad = TorchRuntime.NoGrad();
            using var waveform = Tensor.From(samples, [1, samples.Length], device);
            using var mel = frontEnd.Forward(waveform);
            array = NpyArray.FromFloat32(mel.ToArray<float>(), config.NMels, checked((int)mel.Size(2)));
        }
        AtomicFile.Write(path, stream => NpyFile.Write(stream, array));
        Misses++;
        return path;
    }
}

/// <summary>
/// Training-time augmentation of one raw audio crop, before the mel front end, with NWaves's effects and filters: each
/// effect is applied with probability ½, its parameters drawn from the run's seeded <see cref="TrainingRandom"/> — a
/// time stretch of ±4 % (WSOLA; small, because a tempo-class tag must stay true: a clip within 4 % of the 90 or
/// 130 BPM boundary is the only one that could cross it); a pitch shift of ±2 semitones (phase vocoder with phase
/// locking; no tag depends on the key); a gain of ±6 dB; either a peaking EQ (100 Hz–6 kHz, Q 1, ±9 dB) or a
/// band-pass (200 Hz–4 kHz centre, Q 0.5); white Gaussian noise at 20–40 dB SNR. The noise is drawn from the same
/// generator rather than NWaves's noise builders, whose System.Random cannot be seeded from here, so a run repeats
/// exactly. The same number of values is drawn whatever is chosen, so one example's choices never shift the next
/// one's; the draws are made in order (<see cref="Draw"/>) and the effects may then run on any thread (<see cref="Apply"/>).
/// </summary>
internal static class TrainingAugmentation
{
    /// <summary>The largest time stretch either way, as a fraction of the duration.</summary>
    public const double MaxStretch = 0.04;

    /// <summary>The largest pitch shift either way, in semitones.</summary>
    public const double MaxShiftSemitones = 2;

    /// <summary>One example's draws: which effects run and with what parameters.</summary>
    internal readonly record struct Choice(
        double Stretch, double PitchRatio, double GainDb, int FilterKind, double PeakHz, double PeakDb, double BandHz, double? SnrDb, ulong NoiseSeed, double Offset)
    {
        /// <summary>Source samples to cut for an output of <paramref name="length"/>: the stretch then brings them to it.</summary>
        public int SourceLength(int length) => Stretch == 1 ? length : (int)Math.Ceiling(length / Stretch) + 1;
    }

    /// <summary>Draws one example's effects and where in its audio the crop starts (<see cref="Choice.Offset"/>, a fraction).</summary>
    public static Choice Draw(TrainingRandom random)
    {
        bool stretch = random.NextDouble() < 0.5;
        double stretchBy = random.Uniform(1 - MaxStretch, 1 + MaxStretch);
        bool shift = random.NextDouble() < 0.5;
        double semitones = random.Uniform(-MaxShiftSemitones, MaxShiftSemitones);
        bool gain = random.NextDouble() < 0.5;
        double gainDb = random.Uniform(-6, 6);
        int filterKind = random.NextInt(3);
        double peakHz = Math.Exp(random.Uniform(Math.Log(100), Math.Log(6000)));
        double peakDb = random.Uniform(-9, 9);
        double bandHz = Math.Exp(random.Uniform(Math.Log(200), Math.Log(4000)));
        bool noise = random.NextDouble() < 0.5;
        double snrDb = random.Uniform(20, 40);
        ulong noiseSeed = random.NextUInt64();
        double offset = random.NextDouble();
        return new Choice(stretch ? stretchBy : 1, shift ? Math.Pow(2, semitones / 12) : 1, gain ? gainDb : 0, filterKind,
            peakHz, peakDb, bandHz, noise ? snrDb : null, noiseSeed, offset);
    }

    /// <summary>
    /// Cuts a crop of <paramref name="length"/> samples from <paramref name="audio"/> at the drawn offset and applies
    /// the drawn effects; the result is always exactly <paramref name="length"/> samples (a stretch's last few samples
    /// are zero where the algorithm returns slightly fewer).
    /// </summary>
    public static float[] Apply(Choice choice, ReadOnlySpan<float> audio, int length, int sampleRate)
    {
        int source = Math.Min(audio.Length, choice.SourceLength(length));
        int start = (int)Math.Min(audio.Length - source, Math.Floor(choice.Offset * (audio.Length - source + 1)));
        var samples = audio.Slice(start, source).ToArray();
        if (choice.Stretch != 1)
            samples = Operation.TimeStretch(new DiscreteSignal(sampleRate, samples, allocateNew: false), choice.Stretch, TsmAlgorithm.Wsola).Samples;
        if (samples.Length != length) Array.Resize(ref samples, length);
        if (choice.PitchRatio != 1)
        {
            var shifted = new PitchShiftEffect(choice.PitchRatio, 1024, 256, TsmAlgorithm.PhaseVocoderPhaseLocking)
                .ApplyTo(new DiscreteSignal(sampleRate, samples, allocateNew: false), FilteringMethod.Auto).Samples;
            Array.Clear(samples);
            shifted.AsSpan(0, Math.Min(length, shifted.Length)).CopyTo(samples);
        }

        var signal = new DiscreteSignal(sampleRate, samples, allocateNew: false);
        if (choice.GainDb != 0) signal.Amplify((float)Math.Pow(10, choice.GainDb / 20));
        BiQuadFilter? filter = choice.FilterKind switch
        {
            1 => new PeakFilter(Math.Min(choice.PeakHz, 0.45 * sampleRate) / sampleRate, 1.0, choice.PeakDb),
            2 => new BandPassFilter(Math.Min(choice.BandHz, 0.45 * sampleRate) / sampleRate, 0.5),
            _ => null,
        };
        if (filter is not null)
            for (int i = 0; i < samples.Length; i++) samples[i] = filter.Process(samples[i]);
        if (choice.SnrDb is { } snrDb)
        {
            double power = 0;
            foreach (var s in samples) power += (double)s * s;
            power /= samples.Length;
            if (power > 0)
            {
                double sigma = Math.Sqrt(power / Math.Pow(10, snrDb / 10));
                var noiseRandom = new TrainingRandom(choice.NoiseSeed);
                for (int i = 0; i < samples.Length; i++) samples[i] += (float)(sigma * noiseRandom.NextGaussian());
            }
        }
        return samples;
    }
}
