using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Mir.Pitch;

/// <summary>
/// The cumulative mean normalised difference function of YIN (de Cheveigné &amp; Kawahara, JASA 2002, steps 2–3) for
/// every frame, computed with FFT cross-correlation like librosa.yin: frames of frameLength samples (centred, zero
/// padded), an integration window of frameLength / 2, lags from ⌊sampleRate / fMax⌋ to ⌈sampleRate / fMin⌉.
/// </summary>
internal sealed class YinCore
{
    public YinCore(int sampleRate, double fMin, double fMax, int frameLength, int hopLength)
    {
        InputGuard.SampleRate(sampleRate);
        if (!(fMin > 0) || double.IsInfinity(fMin)) throw new MusicMLException($"fMin must be positive and finite; got {fMin} Hz.");
        if (!(fMax > fMin) || fMax > sampleRate / 2.0) throw new MusicMLException($"fMax must lie between fMin ({fMin} Hz) and the Nyquist frequency ({sampleRate / 2.0} Hz); got {fMax} Hz.");
        if (frameLength < 64) throw new MusicMLException($"frameLength must be at least 64 samples; got {frameLength}.");
        if (hopLength <= 0) throw new MusicMLException($"hopLength must be positive; got {hopLength}.");
        WindowLength = frameLength / 2;
        MinPeriod = Math.Max(1, (int)Math.Floor(sampleRate / fMax));
        MaxPeriod = (int)Math.Ceiling(sampleRate / fMin);
        if (MaxPeriod > frameLength - WindowLength - 1 || MaxPeriod <= MinPeriod + 1)
            throw new MusicMLException($"frameLength {frameLength} is too short for fMin {fMin} Hz: a frame must hold two periods of the lowest pitch.");
        SampleRate = sampleRate;
        FrameLength = frameLength;
        HopLength = hopLength;
    }

    public int SampleRate { get; }
    public int FrameLength { get; }
    public int HopLength { get; }
    public int WindowLength { get; }
    public int MinPeriod { get; }
    public int MaxPeriod { get; }

    /// <summary>Number of lags kept per frame: MinPeriod … MaxPeriod.</summary>
    public int LagCount => MaxPeriod - MinPeriod + 1;

    /// <summary>CMNDF <c>[frames, LagCount]</c> (frame-major); row t holds lags MinPeriod + j.</summary>
    public float[] Compute(ReadOnlySpan<float> y, out int frames)
    {
        InputGuard.Audio(y);
        int n = FrameLength, w = WindowLength;
        // Centred, zero-padded frames from Dsp's one frame source (librosa.yin pads with zeros).
        var source = new FrameSource(y, n, HopLength, center: true, PadMode.Constant);
        frames = source.AvailableFrames.End;
        var result = new float[frames * LagCount];
        var fft = RealFft.Create(n);
        var frame = new float[n];
        var head = new float[n];
        var frameSpectrum = new float[2 * fft.Bins];
        var headSpectrum = new float[2 * fft.Bins];
        var correlation = new float[n];
        var energy = new double[n + 1];
        var difference = new double[MaxPeriod + 1];
        for (int t = 0; t < frames; t++)
        {
            source.CopyFrame(t, frame);
            frame.AsSpan(0, w).CopyTo(head);
            fft.Forward(frame, frameSpectrum);
            fft.Forward(head, headSpectrum);
            // r(τ) = Σ_{j<w} x[j]·x[j+τ] = IFFT(conj(H)·X); no wrap-around since w + MaxPeriod < n.
            for (int k = 0; k < fft.Bins; k++)
            {
                float xr = frameSpectrum[2 * k], xi = frameSpectrum[2 * k + 1], hr = headSpectrum[2 * k], hi = headSpectrum[2 * k + 1];
                frameSpectrum[2 * k] = hr * xr + hi * xi;
                frameSpectrum[2 * k + 1] = hr * xi - hi * xr;
            }
            fft.Inverse(frameSpectrum, correlation);
            energy[0] = 0;
            for (int i = 0; i < n; i++) energy[i + 1] = energy[i] + (double)frame[i] * frame[i];
            double e0 = energy[w];
            // d(τ) = E(0) + E(τ) − 2 r(τ), E(τ) the energy of samples τ … τ + w − 1 (YIN eq. 7).
            for (int tau = 0; tau <= MaxPeriod; tau++)
            {
                double r = Math.Abs(correlation[tau]) < 1e-6 ? 0 : correlation[tau];
                double eTau = energy[tau + w] - energy[tau];
                if (Math.Abs(eTau) < 1e-6) eTau = 0;
                difference[tau] = Math.Max(0, e0 + eTau - 2 * r);
            }
            // d'(τ) = d(τ) / ((1/τ) Σ_{j=1..τ} d(j)) (YIN eq. 8).
            double cumulative = 0;
            var row = result.AsSpan(t * LagCount, LagCount);
            for (int tau = 1; tau <= MaxPeriod; tau++)
            {
                cumulative += difference[tau];
                if (tau < MinPeriod) continue;
                double mean = cumulative / tau;
                row[tau - MinPeriod] = (float)(difference[tau] / (mean + 1e-30));
            }
        }
        return result;
    }

    /// <summary>Parabolic-interpolation offset (−1 to 1 lags) of the trough at index i of a CMNDF row (YIN step 5).</summary>
    public static double ParabolicShift(ReadOnlySpan<float> row, int i)
    {
        if (i <= 0 || i >= row.Length - 1) return 0;
        double a = row[i + 1] + row[i - 1] - 2 * row[i];
        double b = (row[i + 1] - row[i - 1]) / 2.0;
        return Math.Abs(b) >= Math.Abs(a) ? 0 : -b / a;
    }

    /// <summary>True where index i of a CMNDF row is a local minimum (the first lag counts when it is below the second).</summary>
    public static bool IsTrough(ReadOnlySpan<float> row, int i)
    {
        if (i == 0) return row.Length > 1 && row[0] < row[1];
        if (i == row.Length - 1) return row[i] < row[i - 1];
        return row[i] < row[i - 1] && row[i] <= row[i + 1];
    }
}
