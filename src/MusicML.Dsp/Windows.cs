using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>Analysis window shapes (scipy.signal.get_window names).</summary>
public enum WindowType
{
    /// <summary>Hann (raised cosine): 0.5 − 0.5 cos(2πk/N). librosa's default.</summary>
    Hann,
    /// <summary>Hamming: 0.54 − 0.46 cos(2πk/N).</summary>
    Hamming,
    /// <summary>Blackman: 0.42 − 0.5 cos(2πk/N) + 0.08 cos(4πk/N).</summary>
    Blackman,
    /// <summary>4-term Blackman–Harris (scipy's <c>blackmanharris</c>).</summary>
    BlackmanHarris,
    /// <summary>Rectangular window of ones (scipy's <c>boxcar</c>).</summary>
    Ones,
}

/// <summary>Window functions with scipy.signal.get_window's definitions.</summary>
public static partial class Windows
{
    /// <summary>
    /// Returns a window of <paramref name="length"/> samples. <paramref name="periodic"/> (scipy's <c>fftbins=True</c>,
    /// librosa's choice for spectral analysis) computes a length + 1 symmetric window and drops its last sample, so
    /// shifted copies at hop = length/4 sum to a constant. Values are computed in double and rounded to float32.
    /// </summary>
    /// <exception cref="MusicMLException"><paramref name="length"/> is not positive.</exception>
    public static float[] Get(WindowType window, int length, bool periodic = true)
    {
        if (length <= 0) throw new MusicMLException($"Window length must be positive; got {length}.");
        var values = GetDouble(window, length, periodic);
        var result = new float[length];
        for (int k = 0; k < length; k++) result[k] = (float)values[k];
        return result;
    }

    /// <summary>The window in double precision, as scipy returns it (for computations librosa runs in float64).</summary>
    internal static double[] GetDouble(WindowType window, int length, bool periodic = true)
    {
        if (length <= 0) throw new MusicMLException($"Window length must be positive; got {length}.");
        var result = new double[length];
        if (length == 1)
        {
            result[0] = 1;
            return result;
        }
        double denominator = periodic ? length : length - 1;
        for (int k = 0; k < length; k++)
        {
            double x = 2 * Math.PI * k / denominator;
            result[k] = window switch
            {
                WindowType.Hann => 0.5 - 0.5 * Math.Cos(x),
                WindowType.Hamming => 0.54 - 0.46 * Math.Cos(x),
                WindowType.Blackman => 0.42 - 0.5 * Math.Cos(x) + 0.08 * Math.Cos(2 * x),
                WindowType.BlackmanHarris => 0.35875 - 0.48829 * Math.Cos(x) + 0.14128 * Math.Cos(2 * x) - 0.01168 * Math.Cos(3 * x),
                WindowType.Ones => 1.0,
                _ => throw new MusicMLException($"Unknown window type {window}."),
            };
        }
        return result;
    }

    /// <summary>Double-precision <see cref="GetPadded"/>.</summary>
    internal static double[] GetPaddedDouble(WindowType window, int winLength, int nFft)
    {
        if (winLength <= 0 || winLength > nFft)
            throw new MusicMLException($"winLength must be between 1 and nFft = {nFft}; got {winLength}.");
        var w = GetDouble(window, winLength);
        if (winLength == nFft) return w;
        var padded = new double[nFft];
        w.CopyTo(padded, (nFft - winLength) / 2);
        return padded;
    }

    /// <summary>
    /// The window of <paramref name="winLength"/> samples centred in <paramref name="nFft"/> samples with zeros on
    /// both sides (librosa's <c>pad_center</c>: left padding (nFft − winLength) / 2, rounded down).
    /// </summary>
    /// <exception cref="MusicMLException"><paramref name="winLength"/> is not in 1..<paramref name="nFft"/>.</exception>
    public static float[] GetPadded(WindowType window, int winLength, int nFft)
    {
        if (winLength <= 0 || winLength > nFft)
            throw new MusicMLException($"winLength must be between 1 and nFft = {nFft}; got {winLength}.");
        var w = Get(window, winLength);
        if (winLength == nFft) return w;
        var padded = new float[nFft];
        w.CopyTo(padded, (nFft - winLength) / 2);
        return padded;
    }
}
