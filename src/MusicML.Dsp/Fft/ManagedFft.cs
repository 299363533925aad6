using System.Buffers;

namespace MusicML.Dsp;

/// <summary>
/// Managed complex FFT of any length, in place on interleaved (re, im) float32 data, unnormalised in both
/// directions. Powers of two use an iterative radix-2 Cooley–Tukey transform (Cooley &amp; Tukey, "An algorithm for
/// the machine calculation of complex Fourier series", Math. Comp. 19, 1965); other lengths use Bluestein's chirp-z
/// algorithm (Bluestein, "A linear filtering approach to the computation of the discrete Fourier transform",
/// IEEE Trans. Audio Electroacoust. 18, 1970) on a power-of-two convolution. Twiddles are computed in double.
/// </summary>
internal sealed class ManagedComplexFft
{
    private readonly int _n;
    private readonly float[]? _cos, _sin;      // radix-2 twiddles e^{-2πik/n}, k < n/2
    private readonly int[]? _bitReverse;
    private readonly ManagedComplexFft? _inner; // Bluestein: power-of-two transform of length M ≥ 2n − 1
    private readonly float[]? _chirp;           // e^{-iπk²/n}, interleaved, k < n
    private readonly float[]? _chirpFilterSpectrum; // FFT_M of conj(chirp) wrapped around zero

    public ManagedComplexFft(int n)
    {
        _n = n;
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        if ((n & (n - 1)) == 0)
        {
            int half = Math.Max(1, n / 2);
            _cos = new float[half];
            _sin = new float[half];
            for (int k = 0; k < half; k++)
            {
                double angle = -2 * Math.PI * k / n;
                _cos[k] = (float)Math.Cos(angle);
                _sin[k] = (float)Math.Sin(angle);
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
        _inner = new ManagedComplexFft(m);
        _chirp = new float[2 * n];
        for (int k = 0; k < n; k++)
        {
            // k² mod 2n keeps the angle exact for large k, where k² * π / n would lose precision.
            long k2 = (long)k * k % (2L * n);
            double angle = -Math.PI * k2 / n;
            _chirp[2 * k] = (float)Math.Cos(angle);
            _chirp[2 * k + 1] = (float)Math.Sin(angle);
        }
        _chirpFilterSpectrum = new float[2 * m];
        for (int k = 0; k < n; k++)
        {
            float re = _chirp[2 * k], im = -_chirp[2 * k + 1];
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
    public void Transform(Span<float> data, bool inverse)
    {
        if (_inner is null) Radix2(data, inverse);
        else Bluestein(data, inverse);
    }

    private void Radix2(Span<float> data, bool inverse)
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
        float sign = inverse ? -1f : 1f;
        for (int size = 2; size <= n; size <<= 1)
        {
            int half = size >> 1;
            int step = n / size;
            for (int start = 0; start < n; start += size)
            {
                for (int j = 0, t = 0; j < half; j++, t += step)
                {
                    float wr = cos[t], wi = sign * sin[t];
                    int a = 2 * (start + j), b = 2 * (start + j + half);
                    float br = data[b], bi = data[b + 1];
                    float xr = br * wr - bi * wi;
                    float xi = br * wi + bi * wr;
                    float ar = data[a], ai = data[a + 1];
                    data[a] = ar + xr;
                    data[a + 1] = ai + xi;
                    data[b] = ar - xr;
                    data[b + 1] = ai - xi;
                }
            }
        }
    }

    private void Bluestein(Span<float> data, bool inverse)
    {
        int n = _n;
        int m = _inner!.Length;
        var chirp = _chirp!;
        var filter = _chirpFilterSpectrum!;
        var rented = ArrayPool<float>.Shared.Rent(2 * m);
        var work = rented.AsSpan(0, 2 * m);
        work.Clear();
        // The inverse transform is the conjugate of the forward transform of the conjugate.
        float conj = inverse ? -1f : 1f;
        for (int k = 0; k < n; k++)
        {
            float xr = data[2 * k], xi = conj * data[2 * k + 1];
            float cr = chirp[2 * k], ci = chirp[2 * k + 1];
            work[2 * k] = xr * cr - xi * ci;
            work[2 * k + 1] = xr * ci + xi * cr;
        }
        _inner.Transform(work, inverse: false);
        for (int k = 0; k < m; k++)
        {
            float ar = work[2 * k], ai = work[2 * k + 1];
            float br = filter[2 * k], bi = filter[2 * k + 1];
            work[2 * k] = ar * br - ai * bi;
            work[2 * k + 1] = ar * bi + ai * br;
        }
        _inner.Transform(work, inverse: true);
        float scale = 1f / m;
        for (int k = 0; k < n; k++)
        {
            float yr = work[2 * k] * scale, yi = work[2 * k + 1] * scale;
            float cr = chirp[2 * k], ci = chirp[2 * k + 1];
            data[2 * k] = yr * cr - yi * ci;
            data[2 * k + 1] = conj * (yr * ci + yi * cr);
        }
        ArrayPool<float>.Shared.Return(rented);
    }
}

/// <summary>
/// Managed real FFT: an even length n is packed into a complex transform of n/2 (even samples as real parts, odd as
/// imaginary) and split afterwards, halving the work; odd lengths run a full complex transform.
/// </summary>
internal sealed class ManagedRealFft
{
    private readonly int _n;
    private readonly ManagedComplexFft _complex;
    private readonly float[]? _cos, _sin; // e^{-2πik/n}, k ≤ n/2 (even n only)

    public ManagedRealFft(int n)
    {
        _n = n;
        if (n % 2 == 0)
        {
            _complex = new ManagedComplexFft(n / 2);
            _cos = new float[n / 2 + 1];
            _sin = new float[n / 2 + 1];
            for (int k = 0; k <= n / 2; k++)
            {
                double angle = -2 * Math.PI * k / n;
                _cos[k] = (float)Math.Cos(angle);
                _sin[k] = (float)Math.Sin(angle);
            }
        }
        else _complex = new ManagedComplexFft(n);
    }

    public void Forward(ReadOnlySpan<float> input, Span<float> spectrum)
    {
        int n = _n;
        int bins = n / 2 + 1;
        if (n % 2 == 1)
        {
            var rentedOdd = ArrayPool<float>.Shared.Rent(2 * n);
            var full = rentedOdd.AsSpan(0, 2 * n);
            for (int i = 0; i < n; i++)
            {
                full[2 * i] = input[i];
                full[2 * i + 1] = 0;
            }
            _complex.Transform(full, inverse: false);
            full[..(2 * bins)].CopyTo(spectrum);
            ArrayPool<float>.Shared.Return(rentedOdd);
            return;
        }

        int h = n / 2;
        var rented = ArrayPool<float>.Shared.Rent(n);
        var z = rented.AsSpan(0, n);
        input[..n].CopyTo(z); // even samples become real parts, odd samples imaginary parts
        _complex.Transform(z, inverse: false);
        var cos = _cos!;
        var sin = _sin!;
        for (int k = 0; k <= h; k++)
        {
            int kk = k % h, mk = (h - k) % h;
            float zr = z[2 * kk], zi = z[2 * kk + 1];
            float cr = z[2 * mk], ci = -z[2 * mk + 1]; // conj(Z[h − k])
            float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);
            // Fo = (Z − conj Z[h−k]) / 2i
            float dr = zr - cr, di = zi - ci;
            float or = 0.5f * di, oi = -0.5f * dr;
            float wr = cos[k], wi = sin[k];
            spectrum[2 * k] = er + (or * wr - oi * wi);
            spectrum[2 * k + 1] = ei + (or * wi + oi * wr);
        }
        spectrum[1] = 0;
        spectrum[2 * h + 1] = 0;
        ArrayPool<float>.Shared.Return(rented);
    }

    /// <summary>Inverse real FFT without the 1/n factor; imaginary parts of DC and Nyquist are ignored like numpy's irfft.</summary>
    public void InverseUnscaled(ReadOnlySpan<float> spectrum, Span<float> output)
    {
        int n = _n;
        if (n % 2 == 1)
        {
            var rentedOdd = ArrayPool<float>.Shared.Rent(2 * n);
            var full = rentedOdd.AsSpan(0, 2 * n);
            int bins = n / 2 + 1;
            full[0] = spectrum[0];
            full[1] = 0;
            for (int k = 1; k < bins; k++)
            {
                full[2 * k] = spectrum[2 * k];
                full[2 * k + 1] = spectrum[2 * k + 1];
                full[2 * (n - k)] = spectrum[2 * k];
                full[2 * (n - k) + 1] = -spectrum[2 * k + 1];
            }
            _complex.Transform(full, inverse: true);
            for (int i = 0; i < n; i++) output[i] = full[2 * i];
            ArrayPool<float>.Shared.Return(rentedOdd);
            return;
        }

        int h = n / 2;
        var rented = ArrayPool<float>.Shared.Rent(n);
        var z = rented.AsSpan(0, n);
        var cos = _cos!;
        var sin = _sin!;
        for (int k = 0; k < h; k++)
        {
            float xr = spectrum[2 * k], xi = k == 0 ? 0 : spectrum[2 * k + 1];
            float yr = spectrum[2 * (h - k)], yi = k == 0 ? 0 : -spectrum[2 * (h - k) + 1]; // conj(X[h − k])
            float er = xr + yr, ei = xi + yi;
            float dr = xr - yr, di = xi - yi;
            // Fo = (X − conj X[h−k]) · e^{+2πik/n}; Z = Fe + i·Fo (both doubled; the 1/2 cancels with numpy's scale)
            float wr = cos[k], wi = -sin[k];
            float or = dr * wr - di * wi, oi = dr * wi + di * wr;
            z[2 * k] = er - oi;
            z[2 * k + 1] = ei + or;
        }
        _complex.Transform(z, inverse: true);
        // Each Z carried a factor 2, so the unscaled result is 2·(n/2)·x = n·x, as an unnormalised inverse should be.
        z.CopyTo(output[..n]);
        ArrayPool<float>.Shared.Return(rented);
    }
}
