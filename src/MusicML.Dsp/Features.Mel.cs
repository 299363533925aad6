using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>Normalisation of the DCT in <see cref="Features.Mfcc(FloatMatrix, int, double, int, DctNorm)"/> (scipy.fftpack.dct's <c>norm</c>).</summary>
public enum DctNorm
{
    /// <summary><c>norm='ortho'</c>: an orthonormal basis (librosa's default for MFCCs).</summary>
    Ortho,
    /// <summary><c>norm=None</c>: scipy's unscaled sums.</summary>
    None,
}

/// <summary>Spectral features with librosa's names, defaults and results (librosa.feature), shaped <c>[features, frames]</c>.</summary>
/// <remarks>
/// <para>Typical use, given mono samples <c>y</c> at 22050 Hz (e.g. from MusicML.Audio's loader):</para>
/// <code>
/// FloatMatrix mel = Features.MelSpectrogram(y);                    // [128, frames], power
/// FloatMatrix db = Spectral.PowerToDb(mel, DbReference.Max);       // log scale for display or models
/// FloatMatrix mfcc = Features.Mfcc(y, nMfcc: 13);
/// FloatMatrix fast = Features.MelSpectrogram(y, options: DspOptions.Parallel); // every core, same numbers
/// </code>
/// <para>Known, documented differences from librosa 0.10.1 (all inside the parity tolerances): FFTs run in float32
/// (librosa uses float64) except for roll-off and contrast, which need librosa's precision; power spectra are
/// re² + im² rather than |z|² of a rounded |z| (one ulp).</para>
/// </remarks>
public static partial class Features
{
    // Bounded like every plan cache, so a caller sweeping parameters does not keep every filterbank it ever built.
    private static readonly BoundedCache<(int, int, int, double, double, bool, MelNorm), SparseFilterbank> MelBanks = new(16);

    /// <summary>
    /// Mel spectrogram of a signal (librosa.feature.melspectrogram): the STFT's |X|^<paramref name="power"/> passed
    /// through a mel filterbank (<see cref="Filters.Mel"/>), <c>[nMels, frames]</c>. The filterbank is applied sparsely
    /// and frame by frame, so the complex STFT is never stored.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512 whatever nFft is, as librosa.feature).</param>
    /// <param name="winLength">Window length in samples; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="center">Centre frames by padding nFft/2 samples at each end.</param>
    /// <param name="padMode">Padding used when centring.</param>
    /// <param name="power">1 for magnitude, 2 (default) for power.</param>
    /// <param name="nMels">Number of mel bands (default 128).</param>
    /// <param name="fMin">Lowest frequency in Hz (default 0).</param>
    /// <param name="fMax">Highest frequency in Hz; default sampleRate / 2.</param>
    /// <param name="htk">HTK mel scale instead of Slaney's.</param>
    /// <param name="norm">Filter normalisation (default Slaney).</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter (named in the message).</exception>
    public static FloatMatrix MelSpectrogram(ReadOnlySpan<float> y, int sampleRate = 22050, int nFft = 2048, int hopLength = 512,
        int? winLength = null, WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant,
        double power = 2.0, int nMels = 128, double fMin = 0.0, double? fMax = null, bool htk = false, MelNorm norm = MelNorm.Slaney,
        DspOptions? options = null)
    {
        var bank = MelBank(sampleRate, nFft, nMels, fMin, fMax, htk, norm);
        var (hop, _) = Spectral.ResolveFrameSizes(nFft, hopLength, winLength);
        int frames = FramePipeline.CheckedFrameCount(y, nFft, hop, center, options ?? DspOptions.Default);
        // Blocks of frames, bin-major, let each filter weight multiply a SIMD vector of frames, and each block writes
        // whole runs of every output row instead of one scattered value per band per frame.
        var result = new FloatMatrix(nMels, frames);
        var data = result.Data;
        FramePipeline.ForEachSpectrumBlock(y, nFft, hopLength, winLength, window, center, padMode, power, options,
            (first, count, block, width) => bank.ApplyBlock(block, width, first, count, data, frames), validated: true);
        return result;
    }

    /// <summary>
    /// Mel spectrogram of a precomputed spectrogram (librosa's <c>S=</c>): <paramref name="s"/> is |X|^power shaped
    /// <c>[1 + nFft/2, frames]</c>; nFft is inferred as 2·(rows − 1).
    /// </summary>
    /// <param name="s">Magnitude or power spectrogram.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nMels">Number of mel bands (default 128).</param>
    /// <param name="fMin">Lowest frequency in Hz (default 0).</param>
    /// <param name="fMax">Highest frequency in Hz; default sampleRate / 2.</param>
    /// <param name="htk">HTK mel scale instead of Slaney's.</param>
    /// <param name="norm">Filter normalisation (default Slaney).</param>
    /// <exception cref="MusicMLException">An empty or non-finite spectrogram, or an invalid parameter.</exception>
    public static FloatMatrix MelSpectrogram(FloatMatrix s, int sampleRate = 22050, int nMels = 128, double fMin = 0.0,
        double? fMax = null, bool htk = false, MelNorm norm = MelNorm.Slaney)
    {
        Validation.NotEmpty(s, nameof(s));
        InputGuard.Finite(s.Data, nameof(s));
        int nFft = 2 * (s.Rows - 1);
        if (nFft <= 0) throw new MusicMLException($"A spectrogram with {s.Rows} rows has no FFT length (need at least 2 rows).");
        var bank = MelBank(sampleRate, nFft, nMels, fMin, fMax, htk, norm);
        var frameMajor = FramePipeline.ToFrameMajor(s);
        int frames = s.Columns, bins = s.Rows;
        var melFrames = new float[(long)frames * nMels];
        for (int t = 0; t < frames; t++) bank.Apply(frameMajor.AsSpan(t * bins, bins), melFrames.AsSpan(t * nMels, nMels), 1);
        var result = new FloatMatrix(nMels, frames);
        FramePipeline.Transpose(melFrames, frames, nMels, result.Data);
        return result;
    }

    /// <summary>
    /// Mel-frequency cepstral coefficients of a signal (librosa.feature.mfcc): the DCT (type <paramref name="dctType"/>,
    /// orthonormal by default) of the log-power mel spectrogram (power_to_db with ref 1, amin 1e-10, top_db 80),
    /// keeping the first <paramref name="nMfcc"/> coefficients, optionally liftered (Davis &amp; Mermelstein,
    /// "Comparison of parametric representations for monosyllabic word recognition", IEEE Trans. ASSP 28(4), 1980).
    /// Every mel parameter librosa passes through <c>**kwargs</c> to melspectrogram is a parameter here, with the
    /// same default. Shape <c>[nMfcc, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="nMfcc">Number of coefficients (default 20).</param>
    /// <param name="lifter">Cepstral liftering coefficient; 0 (default) disables it.</param>
    /// <param name="nFft">FFT length in samples (default 2048).</param>
    /// <param name="hopLength">Samples between frames (default 512 whatever nFft is, as librosa.feature).</param>
    /// <param name="nMels">Number of mel bands (default 128).</param>
    /// <param name="fMin">Lowest frequency in Hz (default 0).</param>
    /// <param name="fMax">Highest frequency in Hz; default sampleRate / 2.</param>
    /// <param name="htk">HTK mel scale instead of Slaney's.</param>
    /// <param name="winLength">Window length in samples; default nFft.</param>
    /// <param name="window">Window shape.</param>
    /// <param name="center">Centre frames by padding nFft/2 samples at each end.</param>
    /// <param name="padMode">Padding used when centring.</param>
    /// <param name="power">Exponent of the mel spectrogram: 2 (default, power) or 1 (magnitude).</param>
    /// <param name="norm">Mel filter normalisation (default Slaney).</param>
    /// <param name="dctType">DCT type 1, 2 (default) or 3, as scipy.fftpack.dct.</param>
    /// <param name="dctNorm">DCT normalisation (librosa's mfcc <c>norm</c>): orthonormal (default) or none.</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix Mfcc(ReadOnlySpan<float> y, int sampleRate = 22050, int nMfcc = 20, double lifter = 0,
        int nFft = 2048, int hopLength = 512, int nMels = 128, double fMin = 0.0, double? fMax = null, bool htk = false,
        int? winLength = null, WindowType window = WindowType.Hann, bool center = true, PadMode padMode = PadMode.Constant,
        double power = 2.0, MelNorm norm = MelNorm.Slaney, int dctType = 2, DctNorm dctNorm = DctNorm.Ortho,
        DspOptions? options = null)
    {
        ValidateMfcc(nMfcc, nMels, lifter, dctType);
        var mel = MelSpectrogram(y, sampleRate, nFft, hopLength, winLength, window, center, padMode, power, nMels, fMin, fMax, htk, norm, options);
        Spectral.PowerToDb(mel.Data, mel.Data, 1.0);
        return Mfcc(mel, nMfcc, lifter, dctType, dctNorm);
    }

    /// <summary>
    /// MFCCs of a precomputed log-power mel spectrogram <paramref name="logMel"/> <c>[nMels, frames]</c> (librosa's
    /// <c>S=</c>, e.g. <see cref="Spectral.PowerToDb(FloatMatrix, DbReference?, double, double?)"/> of a mel spectrogram).
    /// </summary>
    /// <param name="logMel">Log-power mel spectrogram in dB.</param>
    /// <param name="nMfcc">Number of coefficients (default 20, at most the number of mel bands).</param>
    /// <param name="lifter">Liftering coefficient L: coefficient i is scaled by 1 + (L/2)·sin(π(i + 1)/L); 0 disables it.</param>
    /// <param name="dctType">DCT type 1, 2 (default) or 3, as scipy.fftpack.dct.</param>
    /// <param name="dctNorm">DCT normalisation: orthonormal (default) or none.</param>
    /// <exception cref="MusicMLException">An empty or non-finite input, or an invalid parameter.</exception>
    public static FloatMatrix Mfcc(FloatMatrix logMel, int nMfcc = 20, double lifter = 0, int dctType = 2, DctNorm dctNorm = DctNorm.Ortho)
    {
        Validation.NotEmpty(logMel, nameof(logMel));
        InputGuard.Finite(logMel.Data, nameof(logMel));
        int nMels = logMel.Rows, frames = logMel.Columns;
        ValidateMfcc(nMfcc, nMels, lifter, dctType);
        var result = new FloatMatrix(nMfcc, frames);
        var coefficients = new float[nMfcc * nMels];
        for (int i = 0; i < nMfcc; i++)
        {
            // scipy transforms float32 input in float32, so float32 accumulation matches it as closely as double would.
            double lift = lifter > 0 ? 1 + lifter / 2 * Math.Sin(Math.PI * (i + 1) / lifter) : 1.0;
            for (int m = 0; m < nMels; m++)
                coefficients[i * nMels + m] = (float)(lift * DctCoefficient(dctType, dctNorm, i, m, nMels));
        }
        DctTiles(logMel, coefficients, result);
        return result;
    }

    /// <summary>
    /// Weight of input <paramref name="n"/> in output <paramref name="k"/> of scipy.fftpack.dct(x, type, norm) over
    /// <paramref name="count"/> points. Type 2: 2·Σ x[n]·cos(πk(2n+1)/2N), ortho scales by √(1/4N) for k = 0 and
    /// √(1/2N) otherwise. Type 3 (the inverse of ortho type 2): x[0] + 2·Σ_{n≥1} x[n]·cos(πn(2k+1)/2N), ortho its
    /// transpose. Type 1: x[0] + (−1)^k·x[N−1] + 2·Σ_{0&lt;n&lt;N−1} x[n]·cos(πkn/(N−1)), ortho
    /// √(2/(N−1))·c_k·c_n·cos(πkn/(N−1)) with c = 1/√2 at both ends.
    /// </summary>
    internal static double DctCoefficient(int type, DctNorm norm, int k, int n, int count)
    {
        bool ortho = norm == DctNorm.Ortho;
        switch (type)
        {
            case 1:
            {
                double angle = Math.Cos(Math.PI * k * n / (count - 1));
                bool end = n == 0 || n == count - 1;
                if (!ortho) return end ? angle : 2 * angle;
                double ck = k == 0 || k == count - 1 ? Math.Sqrt(0.5) : 1.0, cn = end ? Math.Sqrt(0.5) : 1.0;
                return Math.Sqrt(2.0 / (count - 1)) * ck * cn * angle;
            }
            case 3:
            {
                double angle = Math.Cos(Math.PI * n * (2 * k + 1) / (2.0 * count));
                if (!ortho) return n == 0 ? 1.0 : 2 * angle;
                return Math.Sqrt((n == 0 ? 1.0 : 2.0) / count) * angle;
            }
            default:
            {
                double angle = Math.Cos(Math.PI * k * (2 * n + 1) / (2.0 * count));
                if (!ortho) return 2 * angle;
                return Math.Sqrt((k == 0 ? 1.0 : 2.0) / count) * angle;
            }
        }
    }

    /// <summary>
    /// result[i, t] = Σ_m coefficients[i, m] · logMel[m, t], accumulated over m in order with fused multiply-adds.
    /// Frames go a tile at a time: the tile's rows are first copied next to each other (32 KB, in L1), because read
    /// in place every one of the 128 rows lies in its own page and the DTLB misses cost more than the arithmetic.
    /// Within the tile eight coefficients accumulate in registers per SIMD vector of frames, the coefficient
    /// broadcast from memory inside the multiply-add.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DctTiles(FloatMatrix logMel, float[] coefficients, FloatMatrix result)
    {
        const int tile = 64;
        int nMels = logMel.Rows, nMfcc = result.Rows, frames = logMel.Columns, width = Vector<float>.Count;
        // Rows past nMfcc are zero, so every block of eight runs the same kernel; their sums are not stored.
        var padded = new float[(nMfcc + 7) / 8 * 8 * nMels];
        coefficients.CopyTo(padded, 0);
        var staged = new float[nMels * tile];
        fixed (float* input = logMel.Data)
        fixed (float* output = result.Data)
        fixed (float* c = padded)
        fixed (float* x = staged)
        {
            for (int t0 = 0; t0 < frames; t0 += tile)
            {
                int count = Math.Min(tile, frames - t0), t = 0;
                for (int m = 0; m < nMels; m++)
                    new ReadOnlySpan<float>(input + (long)m * frames + t0, count).CopyTo(new Span<float>(x + m * tile, count));
                for (; t <= count - width; t += width)
                    for (int i = 0; i < nMfcc; i += 8)
                        DctEight(x + t, tile, nMels, c + i * nMels, output + (long)i * frames + t0 + t, frames, Math.Min(8, nMfcc - i));
                for (; t < count; t++)
                    for (int i = 0; i < nMfcc; i++)
                    {
                        float sum = 0;
                        for (int m = 0; m < nMels; m++) sum = MathF.FusedMultiplyAdd(c[i * nMels + m], x[m * tile + t], sum);
                        output[(long)i * frames + t0 + t] = sum;
                    }
            }
        }
    }

    /// <summary>Eight DCT coefficients (rows of <paramref name="c"/>, nMels apart) for one SIMD vector of frames; stores the first <paramref name="rows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void DctEight(float* x, int xStride, int nMels, float* c, float* destination, int destinationStride, int rows)
    {
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (int m = 0; m < nMels; m++)
        {
            var v = Vector.Load(x + (long)m * xStride);
            s0 = Vector.FusedMultiplyAdd(new Vector<float>(c[m]), v, s0);
            s1 = Vector.FusedMultiplyAdd(new Vector<float>(c[nMels + m]), v, s1);
            s2 = Vector.FusedMultiplyAdd(new Vector<float>(c[2 * nMels + m]), v, s2);
            s3 = Vector.FusedMultiplyAdd(new Vector<float>(c[3 * nMels + m]), v, s3);
            s4 = Vector.FusedMultiplyAdd(new Vector<float>(c[4 * nMels + m]), v, s4);
            s5 = Vector.FusedMultiplyAdd(new Vector<float>(c[5 * nMels + m]), v, s5);
            s6 = Vector.FusedMultiplyAdd(new Vector<float>(c[6 * nMels + m]), v, s6);
            s7 = Vector.FusedMultiplyAdd(new Vector<float>(c[7 * nMels + m]), v, s7);
        }
        s0.Store(destination);
        if (rows > 1) s1.Store(destination + destinationStride);
        if (rows > 2) s2.Store(destination + 2L * destinationStride);
        if (rows > 3) s3.Store(destination + 3L * destinationStride);
        if (rows > 4) s4.Store(destination + 4L * destinationStride);
        if (rows > 5) s5.Store(destination + 5L * destinationStride);
        if (rows > 6) s6.Store(destination + 6L * destinationStride);
        if (rows > 7) s7.Store(destination + 7L * destinationStride);
    }

    private static void ValidateMfcc(int nMfcc, int nMels, double lifter, int dctType)
    {
        if (dctType is not (1 or 2 or 3)) throw new MusicMLException($"dctType must be 1, 2 or 3 (scipy's DCT types); got {dctType}.");
        if (dctType == 1 && nMels < 2) throw new MusicMLException($"A type-1 DCT needs at least 2 mel bands; nMels = {nMels}.");
        InputGuard.Positive(nMfcc, "nMfcc");
        if (nMfcc > nMels) throw new MusicMLException($"nMfcc = {nMfcc} exceeds the number of mel bands ({nMels}).");
        if (!(lifter >= 0) || double.IsInfinity(lifter)) throw new MusicMLException($"lifter must be non-negative and finite; got {lifter}.");
    }

    internal static SparseFilterbank MelBank(int sampleRate, int nFft, int nMels, double fMin, double? fMax, bool htk, MelNorm norm)
    {
        InputGuard.SampleRate(sampleRate);
        double top = fMax ?? sampleRate / 2.0;
        return MelBanks.GetOrAdd((sampleRate, nFft, nMels, fMin, top, htk, norm),
            key => new SparseFilterbank(Filters.Mel(key.Item1, key.Item2, key.Item3, key.Item4, key.Item5, key.Item6, key.Item7)));
    }
}
