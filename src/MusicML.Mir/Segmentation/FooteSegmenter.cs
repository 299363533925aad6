using MusicML.Core;
using MusicML.Dsp;
using MusicML.Mir.Chroma;

namespace MusicML.Mir.Segmentation;

/// <summary>One structural segment.</summary>
/// <param name="Start">Start time in seconds.</param>
/// <param name="End">End time in seconds.</param>
/// <param name="Label">Section label (<c>A</c>, <c>B</c>, …); segments that sound alike share a label.</param>
public readonly record struct StructureSegment(double Start, double End, string Label);

/// <summary>Settings of <see cref="FooteSegmenter"/>, validated when used.</summary>
public sealed record SegmentationOptions
{
    /// <summary>Defaults as documented on each property.</summary>
    public static SegmentationOptions Default { get; } = new();

    /// <summary>Seconds averaged into one block of the self-similarity matrix (default 0.5).</summary>
    public double BlockSeconds { get; init; } = 0.5;

    /// <summary>Half-width of the checkerboard kernel in seconds: how much context each side of a boundary is compared (default 6).</summary>
    public double KernelSeconds { get; init; } = 6.0;

    /// <summary>Shortest segment in seconds; novelty peaks closer than this keep only the stronger (default 4).</summary>
    public double MinSegmentSeconds { get; init; } = 4.0;

    /// <summary>A novelty peak must reach this fraction of the largest peak (default 0.3).</summary>
    public double PeakThreshold { get; init; } = 0.3;

    /// <summary>Segments whose mean features have at least this cosine similarity share a label (default 0.6).</summary>
    public double LabelSimilarity { get; init; } = 0.6;

    /// <summary>Validates every setting, naming the bad one (<see cref="FooteSegmenter"/> calls it before segmenting).</summary>
    /// <exception cref="MusicMLException">A block, kernel or segment length (seconds), threshold or similarity out of range.</exception>
    public void Validate()
    {
        if (!(BlockSeconds > 0 && BlockSeconds <= 10)) throw new MusicMLException($"BlockSeconds must be in (0, 10]; got {BlockSeconds}.");
        if (!(KernelSeconds >= 2 * BlockSeconds && KernelSeconds <= 120)) throw new MusicMLException($"KernelSeconds must be at least two blocks ({2 * BlockSeconds} s) and at most 120 s; got {KernelSeconds}.");
        if (!(MinSegmentSeconds >= 0) || double.IsInfinity(MinSegmentSeconds)) throw new MusicMLException($"MinSegmentSeconds must be non-negative and finite; got {MinSegmentSeconds}.");
        if (!(PeakThreshold >= 0 && PeakThreshold < 1)) throw new MusicMLException($"PeakThreshold must be in [0, 1); got {PeakThreshold}.");
        if (!(LabelSimilarity >= -1 && LabelSimilarity <= 1)) throw new MusicMLException($"LabelSimilarity must be in [-1, 1]; got {LabelSimilarity}.");
    }
}

/// <summary>
/// Structural segmentation by self-similarity novelty (Foote, "Automatic audio segmentation using a measure of audio
/// novelty", ICME 2000): timbre (MFCC 1–13) and harmony (chroma) features, standardised and averaged into blocks, form a
/// cosine self-similarity matrix; a Gaussian-tapered checkerboard kernel slid along its diagonal gives a novelty
/// curve whose peaks are the boundaries. Segments are then labelled by greedy clustering of their mean features, so
/// a repeated section gets its first occurrence's label.
/// </summary>
public static class FooteSegmenter
{
    /// <summary>The STFT the features are built from: 4096-sample frames every 1024 samples.</summary>
    internal const int FrameFft = 4096, FrameHop = 1024;

    /// <summary>Segments a signal.</summary>
    /// <param name="y">Mono audio samples.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="options">Settings; null for <see cref="SegmentationOptions.Default"/>.</param>
    /// <returns>Contiguous segments from 0 to the end of the audio.</returns>
    /// <exception cref="MusicMLException">Empty or non-finite audio or invalid options.</exception>
    public static IReadOnlyList<StructureSegment> Segment(ReadOnlySpan<float> y, int sampleRate = 22050, SegmentationOptions? options = null)
    {
        InputGuard.SampleRate(sampleRate);
        var magnitude = Spectral.Spectrogram(y, FrameFft, FrameHop);
        var chroma = BassTrebleChroma.FromMagnitude(magnitude, sampleRate, FrameHop);
        return Segment(FeaturesConsumingMagnitude(magnitude, chroma, sampleRate), (double)FrameHop / sampleRate, (double)y.Length / sampleRate, options);
    }

    /// <summary>
    /// The segmentation features of <see cref="Segment(ReadOnlySpan{float}, int, SegmentationOptions?)"/>: MFCC 1–13 of
    /// the 128-band mel power spectrogram in dB, treble and bass chroma, <c>[37, frames]</c>. The power is made by
    /// squaring <paramref name="magnitude"/> in place, so the caller must be done with it: a copy would cost another
    /// 2049 × 4 bytes per frame (106 MB per 10 minutes).
    /// </summary>
    internal static FloatMatrix FeaturesConsumingMagnitude(FloatMatrix magnitude, ChromaFrames chroma, int sampleRate)
        => FeaturesFromMelPower(MelPowerConsumingMagnitude(magnitude, sampleRate), chroma);

    /// <summary>
    /// The frame-local half of the features: the mel power of the segmentation STFT (squaring the magnitude in place,
    /// which is then garbage). Streamed analysis keeps this per block; the dB conversion clips 80 dB below the
    /// loudest value of the whole recording, so it waits for <see cref="FeaturesFromMelPower"/>.
    /// </summary>
    internal static FloatMatrix MelPowerConsumingMagnitude(FloatMatrix magnitude, int sampleRate)
    {
        var power = magnitude.Data;
        for (int i = 0; i < power.Length; i++) power[i] *= power[i];
        return Features.MelSpectrogram(magnitude, sampleRate);
    }

    /// <summary>The segmentation features from the whole recording's mel power (converted to dB in place) and STFT chroma.</summary>
    internal static FloatMatrix FeaturesFromMelPower(FloatMatrix mel, ChromaFrames chroma)
    {
        Spectral.PowerToDb(mel.Data, mel.Data, 1.0);
        var mfcc = Features.Mfcc(mel, 14);
        var features = new FloatMatrix(13 + 24, chroma.FrameCount);
        for (int c = 1; c < 14; c++) mfcc.Row(c).CopyTo(features.Row(c - 1));
        for (int pc = 0; pc < 12; pc++)
        {
            chroma.Treble.Row(pc).CopyTo(features.Row(13 + pc));
            chroma.Bass.Row(pc).CopyTo(features.Row(25 + pc));
        }
        return features;
    }

    /// <summary>Segments precomputed features <c>[dimensions, frames]</c> (frame t centred at t · frameSeconds).</summary>
    /// <param name="features">Any per-frame features; each dimension is standardised over time.</param>
    /// <param name="frameSeconds">Seconds between frames.</param>
    /// <param name="duration">Length of the audio in seconds.</param>
    /// <param name="options">Settings; null for <see cref="SegmentationOptions.Default"/>.</param>
    /// <exception cref="MusicMLException">Empty or non-finite features or invalid options.</exception>
    public static IReadOnlyList<StructureSegment> Segment(FloatMatrix features, double frameSeconds, double duration, SegmentationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        options ??= SegmentationOptions.Default;
        options.Validate();
        if (features.Rows == 0 || features.Columns == 0) throw new MusicMLException($"The features are empty ({features.Rows} × {features.Columns}).");
        if (!(frameSeconds > 0) || !(duration > 0) || double.IsInfinity(duration)) throw new MusicMLException($"frameSeconds and duration must be positive; got {frameSeconds} s and {duration} s.");
        foreach (var v in features.Data) if (!float.IsFinite(v)) throw new MusicMLException($"The features contain a non-finite value ({v}).");

        int framesPerBlock = Math.Max(1, (int)Math.Round(options.BlockSeconds / frameSeconds));
        double blockSeconds = framesPerBlock * frameSeconds;
        var blocks = Blocks(features, framesPerBlock);
        int n = blocks.Length, dims = features.Rows;
        var novelty = Novelty(blocks, dims, Math.Max(1, (int)Math.Round(options.KernelSeconds / blockSeconds)));
        var boundaries = PickPeaks(novelty, options.PeakThreshold, Math.Max(1, (int)Math.Round(options.MinSegmentSeconds / blockSeconds)));

        var edges = new List<int> { 0 };
        edges.AddRange(boundaries);
        edges.Add(n);
        var means = new List<double[]>();
        for (int s = 0; s + 1 < edges.Count; s++)
        {
            var mean = new double[dims];
            for (int b = edges[s]; b < edges[s + 1]; b++) for (int d = 0; d < dims; d++) mean[d] += blocks[b][d];
            means.Add(mean);
        }
        var labels = Label(means, options.LabelSimilarity);
        var segments = new List<StructureSegment>();
        for (int s = 0; s + 1 < edges.Count; s++)
        {
            // Block b covers frames [b·k, (b+1)·k); a boundary before block b lies half a frame before its first frame.
            double start = s == 0 ? 0 : Math.Clamp((edges[s] * framesPerBlock - 0.5) * frameSeconds, 0, duration);
            double end = s == edges.Count - 2 ? duration : Math.Clamp((edges[s + 1] * framesPerBlock - 0.5) * frameSeconds, 0, duration);
            if (end > start) segments.Add(new StructureSegment(start, end, labels[s]));
        }
        return segments;
    }

    /// <summary>Per-dimension z-scores averaged over blocks of frames, each block then scaled to unit length.</summary>
    private static float[][] Blocks(FloatMatrix features, int framesPerBlock)
    {
        int dims = features.Rows, frames = features.Columns, n = (frames + framesPerBlock - 1) / framesPerBlock;
        var blocks = new float[n][];
        for (int b = 0; b < n; b++) blocks[b] = new float[dims];
        for (int d = 0; d < dims; d++)
        {
            var row = features.Row(d);
            double mean = 0, variance = 0;
            foreach (var v in row) mean += v;
            mean /= frames;
            foreach (var v in row) variance += (v - mean) * (v - mean);
            double scale = variance > 0 ? 1 / Math.Sqrt(variance / frames) : 0;
            for (int t = 0; t < frames; t++) blocks[t / framesPerBlock][d] += (float)((row[t] - mean) * scale);
        }
        foreach (var block in blocks)
        {
            float norm = MathF.Sqrt(VectorMath.Dot(block, block));
            if (norm > 0) for (int d = 0; d < dims; d++) block[d] /= norm;
        }
        return blocks;
    }

    /// <summary>Foote novelty: correlation of a Gaussian-tapered checkerboard kernel (half-width L) along the SSM diagonal.</summary>
    private static double[] Novelty(float[][] blocks, int dims, int halfWidth)
    {
        int n = blocks.Length;
        // The checkerboard kernel reads only the band |r − c| < 2·halfWidth of the self-similarity matrix, so each
        // similarity is computed where it is read instead of storing n² of them (830 MB for two hours of 0.5 s blocks).
        // Always Dot(lower, higher), as the symmetric matrix held it, so the numbers are the same.
        float Similarity(int r, int c) => r <= c ? VectorMath.Dot(blocks[r], blocks[c]) : VectorMath.Dot(blocks[c], blocks[r]);
        var novelty = new double[n];
        double sigma = halfWidth / 2.0;
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int a = -halfWidth; a < halfWidth; a++)
                for (int b = -halfWidth; b < halfWidth; b++)
                {
                    int r = i + a, c = i + b;
                    if (r < 0 || c < 0 || r >= n || c >= n) continue;
                    // Offsets measured from the boundary between blocks i − 1 and i.
                    double u = a + 0.5, v = b + 0.5;
                    double sign = (a < 0) == (b < 0) ? 1 : -1;
                    sum += sign * Math.Exp(-(u * u + v * v) / (2 * sigma * sigma)) * Similarity(r, c);
                }
            novelty[i] = Math.Max(0, sum);
        }
        return novelty;
    }

    /// <summary>Boundaries: local maxima of the novelty above threshold × max, strongest first, at least minGap blocks apart and from the ends.</summary>
    private static List<int> PickPeaks(double[] novelty, double threshold, int minGap)
    {
        int n = novelty.Length;
        double max = novelty.Length == 0 ? 0 : novelty.Max();
        var candidates = new List<int>();
        for (int i = 1; i < n - 1; i++)
            if (novelty[i] > 0 && novelty[i] >= novelty[i - 1] && novelty[i] > novelty[i + 1] && novelty[i] >= threshold * max)
                candidates.Add(i);
        var chosen = new List<int>();
        foreach (var i in candidates.OrderByDescending(i => novelty[i]))
        {
            if (i < minGap || n - i < minGap) continue;
            if (chosen.All(j => Math.Abs(j - i) >= minGap)) chosen.Add(i);
        }
        chosen.Sort();
        return chosen;
    }

    /// <summary>Greedy clustering: each segment joins the most similar earlier label when cosine ≥ threshold, else opens a new label.</summary>
    private static string[] Label(List<double[]> means, double threshold)
    {
        var labels = new string[means.Count];
        var centroids = new List<double[]>();
        for (int s = 0; s < means.Count; s++)
        {
            int best = -1;
            double bestSimilarity = threshold;
            for (int c = 0; c < centroids.Count; c++)
            {
                double similarity = Cosine(means[s], centroids[c]);
                if (similarity >= bestSimilarity) { best = c; bestSimilarity = similarity; }
            }
            if (best < 0)
            {
                centroids.Add((double[])means[s].Clone());
                best = centroids.Count - 1;
            }
            labels[s] = LabelName(best);
        }
        return labels;
    }

    private static string LabelName(int index) => index < 26 ? ((char)('A' + index)).ToString() : $"S{index}";

    private static double Cosine(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return na > 0 && nb > 0 ? dot / Math.Sqrt(na * nb) : 0;
    }
}
