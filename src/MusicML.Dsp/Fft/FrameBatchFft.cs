using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MusicML.Dsp;

/// <summary>Receives the spectrum of a batch of frames one bin at a time.</summary>
internal interface IBatchBinSink
{
    /// <summary>Lane j of <paramref name="re"/> and <paramref name="im"/> is bin <paramref name="bin"/> of the batch's frame j.</summary>
    void Put(int bin, Vector512<float> re, Vector512<float> im);
}

/// <summary>
/// Real FFTs of one power-of-two length n over <see cref="Lanes"/> frames at once, one frame per AVX-512 lane.
/// </summary>
/// <remarks>
/// An STFT runs thousands of independent transforms of the same length, so instead of vectorising inside one
/// transform (shuffles, strided twiddles) every butterfly here is plain vertical arithmetic on 16 frames: the
/// "vectorise across transforms" strategy of FFTW's SIMD codelets for batched plans (Frigo &amp; Johnson, "The design
/// and implementation of FFTW3", Proc. IEEE 93(2), 2005), which Debian's FFTW build cannot use at AVX-512 width. The
/// n real samples are packed as n/2 complex points (even samples real, odd imaginary), transformed by an in-place
/// decimation-in-frequency radix-4 FFT (radix-2 last stage when log₂(n/2) is odd; Gentleman &amp; Sande 1966), and
/// split into the n/2 + 1 bins of the real spectrum (the standard packing identity, e.g. Press et al., Numerical
/// Recipes §12.3). The transform leaves its output in digit-reversed order; the split step reads it through a
/// permutation table, so no reordering pass is needed. Outputs are bins in lane order, which is exactly librosa's
/// <c>[bins, frames]</c> layout, so callers write whole runs of frames per bin without a transpose.
/// </remarks>
internal sealed unsafe class FrameBatchFft
{
    /// <summary>Frames per batch: one per single-precision AVX-512 lane.</summary>
    public const int Lanes = 16;

    /// <summary>Floats per complex point in the workspace: the 16 lanes' real parts, then their 16 imaginary parts.</summary>
    private const int PointFloats = 2 * Lanes;

    private static readonly ConcurrentDictionary<int, FrameBatchFft> Cache = new();

    private readonly int _points;
    private readonly float[] _twiddles;
    private readonly int[] _stageTwiddleOffset;
    private readonly int[] _position;
    private readonly float[] _splitCos, _splitSin;

    private FrameBatchFft(int length)
    {
        Length = length;
        _points = length / 2;
        int n = _points;
        // Radix-4 stages shrink the sub-transform size m by 4 until it is 4 (no twiddles needed) or 2 (a radix-2 stage).
        var offsets = new List<int>();
        var twiddles = new List<float>();
        for (int m = n; m > 4; m /= 4)
        {
            offsets.Add(twiddles.Count);
            int quarter = m / 4;
            for (int j = 0; j < quarter; j++)
                for (int q = 1; q <= 3; q++)
                {
                    double angle = -2.0 * Math.PI * q * j / m;
                    twiddles.Add((float)Math.Cos(angle));
                    twiddles.Add((float)Math.Sin(angle));
                }
        }
        _twiddles = twiddles.ToArray();
        _stageTwiddleOffset = offsets.ToArray();
        _position = new int[n];
        for (int p = 0; p < n; p++) _position[FrequencyAt(p, n)] = p;
        _splitCos = new float[n / 2 + 1];
        _splitSin = new float[n / 2 + 1];
        for (int k = 0; k <= n / 2; k++)
        {
            double angle = 2.0 * Math.PI * k / length;
            _splitCos[k] = (float)Math.Cos(angle);
            _splitSin[k] = (float)Math.Sin(angle);
        }
    }

    /// <summary>The transform length n (samples).</summary>
    public int Length { get; }

    /// <summary>Number of bins of each frame's spectrum, n/2 + 1.</summary>
    public int Bins => Length / 2 + 1;

    /// <summary>Floats of workspace one thread needs for <see cref="Forward"/>.</summary>
    public int WorkspaceLength => _points * PointFloats;

    /// <summary>
    /// Whether batches of length <paramref name="length"/> can run here: a power of two of at least 16 samples on a
    /// machine whose JIT emits AVX-512 for <see cref="Vector512{T}"/> (otherwise callers use per-frame transforms).
    /// </summary>
    public static bool IsSupported(int length) =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported && length >= 16 && length <= 1 << 24 && BitOperations.IsPow2(length);

    /// <summary>The shared plan for <paramref name="length"/>; check <see cref="IsSupported"/> first.</summary>
    public static FrameBatchFft Create(int length)
    {
        if (!IsSupported(length)) throw new InvalidOperationException($"No AVX-512 batch FFT for length {length} on this machine.");
        return Cache.GetOrAdd(length, static n => new FrameBatchFft(n));
    }

    /// <summary>Which frequency of the m-point transform the in-place algorithm leaves at position p (digit reversal).</summary>
    private static int FrequencyAt(int p, int m)
    {
        if (m == 1) return 0;
        int radix = m == 2 ? 2 : 4;
        int sub = m / radix;
        return p / sub + radix * FrequencyAt(p % sub, sub);
    }

    /// <summary>
    /// Transforms <see cref="Lanes"/> frames: frame j (n samples at <paramref name="frames"/>[j]) times
    /// <paramref name="window"/> goes to lane j, and <paramref name="sink"/> receives every bin 0 … n/2 of all lanes.
    /// </summary>
    /// <param name="frames">Lanes pointers to n readable samples each (point unused lanes at zeros).</param>
    /// <param name="window">n window values.</param>
    /// <param name="workspace"><see cref="WorkspaceLength"/> floats, 64-byte aligned, private to the calling thread.</param>
    /// <param name="sink">Receives the bins; each of bins 0 … n/2 arrives exactly once (sinks may keep state per bin).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward<TSink>(float** frames, float* window, float* workspace, ref TSink sink) where TSink : struct, IBatchBinSink
    {
        LoadWindowed(frames, window, workspace);
        TransformAndSplit(workspace, ref sink);
    }

    /// <summary>
    /// Like <see cref="Forward"/>, for frames laid out hop-major by <see cref="FrameBatches"/>: sample i of the batch's
    /// 16 frames is the contiguous run of 16 floats at <c>columns + sampleOffsets[i]</c>, so it needs no transpose,
    /// and the windowing is fused into the first radix-4 stage (one pass over the workspace fewer).
    /// </summary>
    /// <param name="columns">The hop-major stage, positioned at the batch's first frame.</param>
    /// <param name="sampleOffsets">n offsets (floats) of each frame sample's run of 16 lanes from <paramref name="columns"/>.</param>
    /// <param name="window">n window values.</param>
    /// <param name="workspace"><see cref="WorkspaceLength"/> floats, 64-byte aligned, private to the calling thread.</param>
    /// <param name="sink">Receives the bins, as in <see cref="Forward"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ForwardHopMajor<TSink>(float* columns, int* sampleOffsets, float* window, float* workspace, ref TSink sink)
        where TSink : struct, IBatchBinSink
    {
        fixed (float* twiddles = _twiddles)
        {
            FirstStageFromColumns(columns, sampleOffsets, window, workspace, twiddles + _stageTwiddleOffset[0]);
            FinishStages(workspace, _points, 0, twiddles);
        }
        Split(workspace, ref sink);
    }

    /// <summary>The first radix-4 stage (m = n/2), reading point p as window-weighted samples 2p (real) and 2p + 1 (imaginary) from the stage.</summary>
    private void FirstStageFromColumns(float* columns, int* offsets, float* window, float* z, float* twiddles)
    {
        int quarter = _points / 4, step = quarter * PointFloats;
        for (int j = 0; j < quarter; j++)
        {
            int s0 = 2 * j, s1 = s0 + 2 * quarter, s2 = s1 + 2 * quarter, s3 = s2 + 2 * quarter;
            float* p0 = z + j * PointFloats;
            Butterfly(
                Vector512.Load(columns + offsets[s0]) * Vector512.Create(window[s0]), Vector512.Load(columns + offsets[s0 + 1]) * Vector512.Create(window[s0 + 1]),
                Vector512.Load(columns + offsets[s1]) * Vector512.Create(window[s1]), Vector512.Load(columns + offsets[s1 + 1]) * Vector512.Create(window[s1 + 1]),
                Vector512.Load(columns + offsets[s2]) * Vector512.Create(window[s2]), Vector512.Load(columns + offsets[s2 + 1]) * Vector512.Create(window[s2 + 1]),
                Vector512.Load(columns + offsets[s3]) * Vector512.Create(window[s3]), Vector512.Load(columns + offsets[s3 + 1]) * Vector512.Create(window[s3 + 1]),
                p0, p0 + step, p0 + 2 * step, p0 + 3 * step, twiddles + 6 * j);
        }
    }

    private void TransformAndSplit<TSink>(float* workspace, ref TSink sink) where TSink : struct, IBatchBinSink
    {
        fixed (float* twiddles = _twiddles)
            Transform(workspace, _points, 0, twiddles);
        Split(workspace, ref sink);
    }

    /// <summary>Points at or below which a sub-transform (16 KB) is finished depth-first while it sits in L1.</summary>
    private const int L1Points = 128;

    /// <summary>
    /// The in-place transform of the <paramref name="points"/>-point sub-array at <paramref name="z"/>, starting at
    /// radix-4 stage <paramref name="stage"/>. Breadth-first, every stage would stream the whole 128 KB workspace
    /// (n = 2048) through L2 and the FFT ran at L2 bandwidth; once a stage has split the data into quarters of at most
    /// <see cref="L1Points"/> points, each quarter is taken through all remaining stages before the next.
    /// </summary>
    private void Transform(float* z, int points, int stage, float* twiddles)
    {
        Radix4Stage(z, points, points, twiddles + _stageTwiddleOffset[stage]);
        FinishStages(z, points, stage, twiddles);
    }

    /// <summary>The stages after <paramref name="stage"/> (whose sub-transform size was <paramref name="points"/>) of the sub-array at <paramref name="z"/>.</summary>
    private void FinishStages(float* z, int points, int stage, float* twiddles)
    {
        int m = points / 4;
        if (points > L1Points && m > 4)
        {
            for (int q = 0; q < points; q += m) Transform(z + q * PointFloats, m, stage + 1, twiddles);
            return;
        }
        for (stage++; m > 4; m /= 4, stage++) Radix4Stage(z, points, m, twiddles + _stageTwiddleOffset[stage]);
        if (m == 4) Radix4LastStage(z, points);
        else Radix2LastStage(z, points);
    }

    /// <summary>
    /// Windows the frames and transposes them sample-major: sample i of lane j lands at workspace[i · 16 + j], which
    /// is exactly the packed complex layout (point i/2, real part for even i, imaginary part for odd i).
    /// </summary>
    private void LoadWindowed(float** frames, float* window, float* workspace)
    {
        int n = Length;
        for (int group = 0; group < Lanes; group += 8)
        {
            float* f0 = frames[group], f1 = frames[group + 1], f2 = frames[group + 2], f3 = frames[group + 3];
            float* f4 = frames[group + 4], f5 = frames[group + 5], f6 = frames[group + 6], f7 = frames[group + 7];
            for (int i = 0; i < n; i += 8)
            {
                var w = Avx.LoadVector256(window + i);
                SimdTranspose.Transpose8x8(
                    Avx.LoadVector256(f0 + i) * w, Avx.LoadVector256(f1 + i) * w, Avx.LoadVector256(f2 + i) * w, Avx.LoadVector256(f3 + i) * w,
                    Avx.LoadVector256(f4 + i) * w, Avx.LoadVector256(f5 + i) * w, Avx.LoadVector256(f6 + i) * w, Avx.LoadVector256(f7 + i) * w,
                    workspace + i * Lanes + group, Lanes);
            }
        }
    }

    /// <summary>One decimation-in-frequency radix-4 stage over sub-transforms of m points (m ≥ 16).</summary>
    private static void Radix4Stage(float* z, int n, int m, float* twiddles)
    {
        int quarter = m / 4;
        int step = quarter * PointFloats;
        for (int group = 0; group < n; group += m)
        {
            float* p0 = z + group * PointFloats;
            for (int j = 0; j < quarter; j++, p0 += PointFloats)
            {
                float* p1 = p0 + step, p2 = p1 + step, p3 = p2 + step;
                Butterfly(Vector512.Load(p0), Vector512.Load(p0 + Lanes), Vector512.Load(p1), Vector512.Load(p1 + Lanes),
                    Vector512.Load(p2), Vector512.Load(p2 + Lanes), Vector512.Load(p3), Vector512.Load(p3 + Lanes),
                    p0, p1, p2, p3, twiddles + 6 * j);
            }
        }
    }

    /// <summary>
    /// One radix-4 decimation-in-frequency butterfly on points a0 … a3 (a quarter of the sub-transform apart): output q,
    /// times W_m^(q·j) from <paramref name="w"/>, goes to <paramref name="p0"/> … <paramref name="p3"/> and starts
    /// the sub-transform of the frequencies ≡ q mod 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(Vector512<float> a0r, Vector512<float> a0i, Vector512<float> a1r, Vector512<float> a1i,
        Vector512<float> a2r, Vector512<float> a2i, Vector512<float> a3r, Vector512<float> a3i,
        float* p0, float* p1, float* p2, float* p3, float* w)
    {
        var b0r = a0r + a2r; var b0i = a0i + a2i;
        var b1r = a0r - a2r; var b1i = a0i - a2i;
        var b2r = a1r + a3r; var b2i = a1i + a3i;
        var b3r = a1r - a3r; var b3i = a1i - a3i;
        Vector512.Store(b0r + b2r, p0);
        Vector512.Store(b0i + b2i, p0 + Lanes);
        StoreRotated(b1r + b3i, b1i - b3r, w, p1);
        StoreRotated(b0r - b2r, b0i - b2i, w + 2, p2);
        StoreRotated(b1r - b3i, b1i + b3r, w + 4, p3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRotated(Vector512<float> re, Vector512<float> im, float* twiddle, float* destination)
    {
        // Vector512.Create(*p) inside the arithmetic lets the JIT use an embedded {1to16} broadcast from memory.
        Vector512.Store(Avx512F.FusedMultiplySubtract(re, Vector512.Create(twiddle[0]), im * Vector512.Create(twiddle[1])), destination);
        Vector512.Store(Avx512F.FusedMultiplyAdd(re, Vector512.Create(twiddle[1]), im * Vector512.Create(twiddle[0])), destination + Lanes);
    }

    /// <summary>The last radix-4 stage (m = 4): every twiddle is 1, so only additions remain.</summary>
    private static void Radix4LastStage(float* z, int points)
    {
        float* end = z + points * PointFloats;
        for (float* p0 = z; p0 < end; p0 += 4 * PointFloats)
        {
            float* p1 = p0 + PointFloats, p2 = p1 + PointFloats, p3 = p2 + PointFloats;
            var a0r = Vector512.Load(p0); var a0i = Vector512.Load(p0 + Lanes);
            var a1r = Vector512.Load(p1); var a1i = Vector512.Load(p1 + Lanes);
            var a2r = Vector512.Load(p2); var a2i = Vector512.Load(p2 + Lanes);
            var a3r = Vector512.Load(p3); var a3i = Vector512.Load(p3 + Lanes);
            var b0r = a0r + a2r; var b0i = a0i + a2i;
            var b1r = a0r - a2r; var b1i = a0i - a2i;
            var b2r = a1r + a3r; var b2i = a1i + a3i;
            var b3r = a1r - a3r; var b3i = a1i - a3i;
            Vector512.Store(b0r + b2r, p0); Vector512.Store(b0i + b2i, p0 + Lanes);
            Vector512.Store(b1r + b3i, p1); Vector512.Store(b1i - b3r, p1 + Lanes);
            Vector512.Store(b0r - b2r, p2); Vector512.Store(b0i - b2i, p2 + Lanes);
            Vector512.Store(b1r - b3i, p3); Vector512.Store(b1i + b3r, p3 + Lanes);
        }
    }

    /// <summary>The last stage when log₂(n/2) is odd: radix-2 butterflies on adjacent points, twiddles all 1.</summary>
    private static void Radix2LastStage(float* z, int points)
    {
        float* end = z + points * PointFloats;
        for (float* p0 = z; p0 < end; p0 += 2 * PointFloats)
        {
            float* p1 = p0 + PointFloats;
            var a0r = Vector512.Load(p0); var a0i = Vector512.Load(p0 + Lanes);
            var a1r = Vector512.Load(p1); var a1i = Vector512.Load(p1 + Lanes);
            Vector512.Store(a0r + a1r, p0); Vector512.Store(a0i + a1i, p0 + Lanes);
            Vector512.Store(a0r - a1r, p1); Vector512.Store(a0i - a1i, p1 + Lanes);
        }
    }

    /// <summary>
    /// Splits the n/2-point transform Z of the packed frames into the real spectrum: with E and O the transforms of
    /// the even and odd samples, Z[k] = E[k] + i·O[k], so E = (Z[k] + conj Z[N−k]) / 2, O = (Z[k] − conj Z[N−k]) / 2i,
    /// X[k] = E + W^k·O and X[N−k] = conj(E − W^k·O) with W = e^(−2πi/n), N = n/2.
    /// </summary>
    private void Split<TSink>(float* z, ref TSink sink) where TSink : struct, IBatchBinSink
    {
        int n = _points;
        var half = Vector512.Create(0.5f);
        fixed (int* position = _position)
        fixed (float* cosines = _splitCos)
        fixed (float* sines = _splitSin)
        {
            float* z0 = z + position[0] * PointFloats;
            var z0r = Vector512.Load(z0);
            var z0i = Vector512.Load(z0 + Lanes);
            sink.Put(0, z0r + z0i, Vector512<float>.Zero);
            sink.Put(n, z0r - z0i, Vector512<float>.Zero);
            for (int k = 1; k <= n / 2; k++)
            {
                float* a = z + position[k] * PointFloats;
                float* b = z + position[n - k] * PointFloats;
                var ar = Vector512.Load(a); var ai = Vector512.Load(a + Lanes);
                var br = Vector512.Load(b); var bi = Vector512.Load(b + Lanes);
                var er = half * (ar + br);
                var ei = half * (ai - bi);
                var or = half * (ai + bi);
                var oi = half * (br - ar);
                var c = Vector512.Create(cosines[k]);
                var s = Vector512.Create(sines[k]);
                var tr = Avx512F.FusedMultiplyAdd(or, c, oi * s);
                var ti = Avx512F.FusedMultiplySubtract(oi, c, or * s);
                sink.Put(k, er + tr, ei + ti);
                if (n - k != k) sink.Put(n - k, er - tr, ti - ei);
            }
        }
    }
}

/// <summary>Writes |X|² of a batch's bins to <c>destination + bin · stride</c> (16 consecutive floats per bin).</summary>
internal readonly unsafe struct PowerSink(float* destination, int stride) : IBatchBinSink
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put(int bin, Vector512<float> re, Vector512<float> im) =>
        Vector512.Store(Avx512F.FusedMultiplyAdd(re, re, im * im), destination + (nint)bin * stride);
}

/// <summary>
/// Writes |X| of a batch's bins to <c>destination + bin · stride</c> with the same formula as
/// <see cref="FramePipeline.Hypot"/> (numpy's hypot), lane by lane.
/// </summary>
internal readonly unsafe struct MagnitudeSink(float* destination, int stride) : IBatchBinSink
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put(int bin, Vector512<float> re, Vector512<float> im)
    {
        var a = Vector512.Abs(re);
        var b = Vector512.Abs(im);
        var larger = Vector512.Max(a, b);
        var smaller = Vector512.Min(a, b);
        var ratio = smaller / larger;
        var modulus = larger * Vector512.Sqrt(Avx512F.FusedMultiplyAdd(ratio, ratio, Vector512<float>.One));
        // 0/0 is NaN: a zero bin has modulus 0, as in Hypot.
        Vector512.Store(Vector512.ConditionalSelect(Vector512.Equals(larger, Vector512<float>.Zero), Vector512<float>.Zero, modulus),
            destination + (nint)bin * stride);
    }
}

/// <summary>
/// Writes a batch's complex bins into a row-major <c>[bins, columns]</c> interleaved complex64 matrix, columns
/// <c>first … first + count − 1</c>.
/// </summary>
internal readonly unsafe struct ComplexColumnsSink(float* matrix, int columns, int first, int count) : IBatchBinSink
{
    // 64-bit lane order that puts (re, im) pairs back in frame order after the in-lane unpacks.
    private static readonly Vector512<long> LowHalf = Vector512.Create(0L, 1, 8, 9, 2, 3, 10, 11);
    private static readonly Vector512<long> HighHalf = Vector512.Create(4L, 5, 12, 13, 6, 7, 14, 15);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put(int bin, Vector512<float> re, Vector512<float> im)
    {
        float* row = matrix + 2 * ((long)bin * columns + first);
        var (frames0To7, frames8To15) = Interleave(re, im);
        if (count == FrameBatchFft.Lanes)
        {
            Vector512.Store(frames0To7, row);
            Vector512.Store(frames8To15, row + Vector512<float>.Count);
        }
        else StorePartial(frames0To7, frames8To15, row, count);
    }

    /// <summary>(re, im) pairs of the 16 lanes in lane order: lanes 0–7, then lanes 8–15, 16 floats each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<float>, Vector512<float>) Interleave(Vector512<float> re, Vector512<float> im)
    {
        var low = Avx512F.UnpackLow(re, im).AsDouble();
        var high = Avx512F.UnpackHigh(re, im).AsDouble();
        return (Avx512F.PermuteVar8x64x2(low, LowHalf, high).AsSingle(), Avx512F.PermuteVar8x64x2(low, HighHalf, high).AsSingle());
    }

    // Kept out of Put so the full-batch path stays inlinable (a stackalloc blocks inlining).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StorePartial(Vector512<float> frames0To7, Vector512<float> frames8To15, float* row, int count)
    {
        float* staged = stackalloc float[2 * Vector512<float>.Count];
        Vector512.Store(frames0To7, staged);
        Vector512.Store(frames8To15, staged + Vector512<float>.Count);
        new ReadOnlySpan<float>(staged, 2 * count).CopyTo(new Span<float>(row, 2 * count));
    }
}
