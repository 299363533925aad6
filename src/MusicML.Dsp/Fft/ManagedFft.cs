using System.Buffers;
using System.Numerics;

namespace MusicML.Dsp;

/// <summary>
/// Managed complex FFT of any length, in place on interleaved (re, im) data (float for the spectral front end, double where librosa's float64 precision matters), unnormalised in both
/// directions. Powers of two use an iterative radix-2 Cooley–Tukey transform (Cooley &amp; Tukey, "An algorithm for
/// the machine calculation of complex Fourier series", Math. Comp. 19, 1965); other lengths use Bluestein's chirp-z
/// algorithm (Bluestein, "A linear filtering approach to the computation of the discrete Fourier transform",
/// IEEE Trans. Audio Electroacoust. 18, 1970) on a power-of-two convolution. Twiddles are computed in double.
/// </summary>
internal sealed class ManagedComplexFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _n;
    private readonly T[]? _cos, _sin;      // radix-2 twiddles e^{-2πik/n}, k < n/2
    private readonly int[]? _bitReverse;
    private readonly ManagedComplexFft<T>? _inner; // Bluestein: power-of-two transform of length M ≥ 2n − 1
    private readonly T[]? _chirp;           // e^{-iπk²/n}, interleaved, k < n
    private readonly T[]? _chirpFilterSpectrum; // FFT_M of conj(chirp) wrapped around zero

    public ManagedComplexFft(int n)
    {
        _n = n;
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        if ((n & (n - 1)) == 0)
        {
            int half = Math.Max(1, n / 2);
            _cos = new T[half];
            _sin = new T[half];
            for (int k = 0; k < half; k++)
            {
                double angle = -2 * Math.PI * k / n;
                _cos[k] = T.CreateTruncating(Math.Cos(angle));
                _sin[k] = T.CreateTruncating(Math.Sin(angle));
            }
            _bitReverse = new int[n];
            int bits = System.Numerics.BitOperations.Log2((uint)n);
            for (int i = 0; i < n; i++)
            {
                int r = 0;
                for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
                _bitReverse[i] = r;
            }
            return;
        }

        int m = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(2 * n - 1));
        _inner = new ManagedComplexFft<T>(m);
        _chirp = new T[2 * n];
        for (int k = 0; k < n; k++)
        {
            // k² mod 2n keeps the angle exact for large k, where k² * π / n would lose precision.
            long k2 = (long)k * k % (2L * n);
            double angle = -Math.PI * k2 / n;
            _chirp[2 * k] = T.CreateTruncating(Math.Cos(angle));
            _chirp[2 * k + 1] = T.CreateTruncating(Math.Sin(angle));
        }
        _chirpFilterSpectrum = new T[2 * m];
        for (int k = 0; k < n; k++)
        {
            T re = _chirp[2 * k], im = -_chirp[2 * k + 1];
            _chirpFilterSpectrum[2 * k] = re;
            _chirpFilterSpectrum[2 * k + 1] = im;
            if (k > 0)
            {
                _chirpFilterSpectrum[2 * (m - k)] = re;
                _chirpFilterSpectrum[2 * (m - k) + 1] = im;
            }
        }
        _inner.Transform(_chirpFilterSpectrum, inverse: false);
    }

    public int Length => _n;

    /// <summary>In-place transform of <see cref="Length"/> interleaved complex values; <paramref name="inverse"/> uses e^{+i…} without 1/n.</summary>
    public void Transform(Span<T> data, bool inverse)
    {
        if (_inner is null) Radix2(data, inverse);
        else Bluestein(data, inverse);
    }

    private void Radix2(Span<T> data, bool inverse)
    {
        int n = _n;
        var rev = _bitReverse!;
        for (int i = 0; i < n; i++)
        {
            int j = rev[i];
            if (j > i)
            {
                (data[2 * i], data[2 * j]) = (data[2 * j], data[2 * i]);
                (data[2 * i + 1], data[2 * j + 1]) = (data[2 * j + 1], data[2 * i + 1]);
            }
        }
        var cos = _cos!;
        var sin = _sin!;
        T sign = inverse ? -T.One : T.One;
        for (int size = 2; size <= n; size <<= 1)
        {
            int half = size >> 1;
            int step = n / size;
            for (int start = 0; start < n; start += size)
            {
                for (int j = 0, t = 0; j < half; j++, t += step)
                {
                    T wr = cos[t], wi = sign * sin[t];
                    int a = 2 * (start + j), b = 2 * (start + j + half);
                    T br = data[b], bi = data[b + 1];
                    T xr = br * wr - bi * wi;
                    T xi = br * wi + bi * wr;
                    T ar = data[a], ai = data[a + 1];
                    data[a] = ar + xr;
                    data[a + 1] = ai + xi;
                    data[b] = ar - xr;
                    data[b + 1] = ai - xi;
                }
            }
        }
    }

    private void Bluestein(Span<T> data, bool inverse)
    {
        int n = _n;
        int m = _inner!.Length;
        var chirp = _chirp!;
        var filter = _chirpFilterSpectrum!;
        var rented = ArrayPool<T>.Shared.Rent(2 * m);
        var work = rented.AsSpan(0, 2 * m);
        work.Clear();
        // The inverse transform is the conjugate of the forward transform of the conjugate.
        T conj = inverse ? -T.One : T.One;
        for (int k = 0; k < n; k++)
        {
            T xr = data[2 * k], xi = conj * data[2 * k + 1];
            T cr = chirp[2 * k], ci = chirp[2 * k + 1];
            work[2 * k] = xr * cr - xi * ci;
            work[2 * k + 1] = xr * ci + xi * cr;
        }
        _inner.Transform(work, inverse: false);
        for (int k = 0; k < m; k++)
        {
            T ar = work[2 * k], ai = work[2 * k + 1];
            T br = filter[2 * k], bi = filter[2 * k + 1];
            work[2 * k] = ar * br - ai * bi;
            work[2 * k + 1] = ar * bi + ai * br;
        }
        _inner.Transform(work, inverse: true);
        T scale = T.One / T.CreateTruncating(m);
        for (int k = 0; k < n; k++)
        {
            T yr = work[2 * k] * scale, yi = work[2 * k + 1] * scale;
            T cr = chirp[2 * k], ci = chirp[2 * k + 1];
            data[2 * k] = yr * cr - yi * ci;
            data[2 * k + 1] = conj * (yr * ci + yi * cr);
        }
        ArrayPool<T>.Shared.Return(rented);
    }
}

/// <summary>
/// Managed real FFT: an even length n is packed into a complex transform of n/2 (even samples as real parts, odd as
/// imaginary) and split afterwards, halving the work; odd lengths run a full complex transform.
/// </summary>
internal sealed class ManagedRealFft<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T Half = T.CreateTruncating(0.5);
    private readonly int _n;
    private readonly ManagedComplexFft<T> _complex;
    private readonly T[]? _cos, _sin; // e^{-2πik/n}, k ≤ n/2 (even n only)

    public ManagedRealFft(int n)
    {
        _n = n;
        if (n % 2 == 0)
        {
            _complex = new ManagedComplexFft<T>(n / 2);
            _cos = new T[n / 2 + 1];
            _sin = new T[n / 2 + 1];
            for (int k = 0; k <= n / 2; k++)
            {
                double angle = -2 * Math.PI * k / n;
                _cos[k] = T.CreateTruncating(Math.Cos(angle));
                _sin[k] = T.CreateTruncating(Math.Sin(angle));
            }
        }
        else _complex = new ManagedComplexFft<T>(n);
    }

    public void Forward(ReadOnlySpan<T> input, Span<T> spectrum)
    {
        int n = _n;
        int bins = n / 2 + 1;
        if (n % 2 == 1)
        {
            var rentedOdd = ArrayPool<T>.Shared.Rent(2 * n);
            var full = rentedOdd.AsSpan(0, 2 * n);
            for (int i = 0; i < n; i++)
            {
                full[2 * i] = input[i];
                full[2 * i + 1] = T.Zero;
            }
            _complex.Transform(full, inverse: false);
            full[..(2 * bins)].CopyTo(spectrum);
            ArrayPool<T>.Shared.Return(rentedOdd);
            return;
        }

        int h = n / 2;
        var rented = ArrayPool<T>.Shared.Rent(n);
        var z = rented.AsSpan(0, n);
        input[..n].CopyTo(z); // even samples become real parts, odd samples imaginary parts
        _complex.Transform(z, inverse: false);
        var cos = _cos!;
        var sin = _sin!;
        for (int k = 0; k <= h; k++)
        {
            int kk = k % h, mk = (h - k) % h;
            T zr = z[2 * kk], zi = z[2 * kk + 1];
            T cr = z[2 * mk], ci = -z[2 * mk + 1]; // conj(Z[h − k])
            T er = Half * (zr + cr), ei = Half * (zi + ci);
            // Fo = (Z − conj Z[h−k]) / 2i
            T dr = zr - cr, di = zi - ci;
            T or = Half * di, oi = -Half * dr;
            T wr = cos[k], wi = sin[k];
            spectrum[2 * k] = er + (or * wr - oi * wi);
            spectrum[2 * k + 1] = ei + (or * wi + oi * wr);
        }
        spectrum[1] = T.Zero;
        spectrum[2 * h + 1] = T.Zero;
        ArrayPool<T>.Shared.Return(rented);
    }

    /// <summary>Inverse real FFT without the 1/n factor; imaginary parts of DC and Nyquist are ignored like numpy's irfft.</summary>
    public void InverseUnscaled(ReadOnlySpan<T> spectrum, Span<T> output)
    {
        int n = _n;
        if (n % 2 == 1)
        {
            var rentedOdd = ArrayPool<T>.Shared.Rent(2 * n);
            var full = rentedOdd.AsSpan(0, 2 * n);
            int bins = n / 2 + 1;
            full[0] = spectrum[0];
            full[1] = T.Zero;
            for (int k = 1; k < bins; k++)
            {
                full[2 * k] = spectrum[2 * k];
                full[2 * k + 1] = spectrum[2 * k + 1];
                full[2 * (n - k)] = spectrum[2 * k];
                full[2 * (n - k) + 1] = -spectrum[2 * k + 1];
            }
            _complex.Transform(full, inverse: true);
            for (int i = 0; i < n; i++) output[i] = full[2 * i];
            ArrayPool<T>.Shared.Return(rentedOdd);
            return;
        }

        int h = n / 2;
        var rented = ArrayPool<T>.Shared.Rent(n);
        var z = rented.AsSpan(0, n);
        var cos = _cos!;
        var sin = _sin!;
        for (int k = 0; k < h; k++)
        {
            T xr = spectrum[2 * k], xi = k == 0 ? T.Zero : spectrum[2 * k + 1];
            T yr = spectrum[2 * (h - k)], yi = k == 0 ? T.Zero : -spectrum[2 * (h - k) + 1]; // conj(X[h − k])
            T er = xr + yr, ei = xi + yi;
            T dr = xr - yr, di = xi - yi;
            // Fo = (X − conj X[h−k]) · e^{+2πik/n}; Z = Fe + i·Fo (both doubled; the 1/2 cancels with numpy's scale)
            T wr = cos[k], wi = -sin[k];
            T or = dr * wr - di * wi, oi = dr * wi + di * wr;
            z[2 * k] = er - oi;
            z[2 * k + 1] = ei + or;
        }
        _complex.Transform(z, inverse: true);
        // Each Z carried a factor 2, so the unscaled result is 2·(n/2)·x = n·x, as an unnormalised inverse should be.
        z.CopyTo(output[..n]);
        ArrayPool<T>.Shared.Return(rented);
    }
}
