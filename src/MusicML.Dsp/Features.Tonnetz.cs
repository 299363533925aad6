using MusicML.Core;

namespace MusicML.Dsp;

public static partial class Features
{
    // Radii of the three circles: fifths and minor thirds at 1, major thirds at ½ (Harte et al. 2006).
    private static readonly double[] TonnetzRadius = [1, 1, 1, 1, 0.5, 0.5];

    // Angular steps per semitone: 7π/6 (fifths), 3π/2 (minor thirds), 2π/3 (major thirds).
    private static readonly double[] TonnetzStep = [7.0 / 6, 7.0 / 6, 3.0 / 2, 3.0 / 2, 2.0 / 3, 2.0 / 3];

    /// <summary>
    /// Tonal centroid features (librosa.feature.tonnetz; Harte, Sandler &amp; Gasser, "Detecting harmonic change in
    /// musical audio", ACM MM workshop on audio and music computing, 2006): each L1-normalised chroma frame projected
    /// onto the circles of fifths, minor thirds and major thirds as (x, y) pairs. Rows: fifth x, fifth y, minor-third x,
    /// minor-third y, major-third x, major-third y. Computed from the default
    /// <see cref="ChromaCqt(ReadOnlySpan{float}, int, int, double?, double?, double, double?, int, int, int, DspOptions?)"/>,
    /// as librosa does when only audio is given; for other chroma settings pass a chromagram to <see cref="Tonnetz(FloatMatrix)"/>.
    /// Shape <c>[6, frames]</c>.
    /// </summary>
    /// <param name="y">Audio samples at <paramref name="sampleRate"/>.</param>
    /// <param name="sampleRate">Sample rate in Hz (default 22050).</param>
    /// <param name="hopLength">Samples between frames (default 512).</param>
    /// <param name="tuning">Tuning deviation in fractions of a CQT bin; null (the default) estimates it.</param>
    /// <param name="options">FFT engine and threads.</param>
    /// <exception cref="MusicML.Core.MusicMLException">Empty or non-finite audio, or an invalid parameter.</exception>
    public static FloatMatrix Tonnetz(ReadOnlySpan<float> y, int sampleRate = 22050, int hopLength = 512, double? tuning = null,
        DspOptions? options = null) =>
        Tonnetz(ChromaCqt(y, sampleRate, hopLength, tuning: tuning, options: options));

    /// <summary>
    /// Tonal centroid features of a precomputed chromagram <paramref name="chroma"/> <c>[nChroma, frames]</c>
    /// (librosa's <c>chroma=</c>); pitch class c sits at angle step · 12c / nChroma on each circle.
    /// </summary>
    /// <param name="chroma">Chroma features, row 0 = C (any chromagram: <see cref="ChromaCqt(FloatMatrix, double?, double?, double, int, int)"/>, <see cref="ChromaStft(FloatMatrix, int, double?, int)"/>, …).</param>
    /// <exception cref="MusicML.Core.MusicMLException">An empty or non-finite chromagram.</exception>
    public static FloatMatrix Tonnetz(FloatMatrix chroma)
    {
        Validation.NotEmpty(chroma, nameof(chroma));
        InputGuard.Finite(chroma.Data, nameof(chroma));
        int nChroma = chroma.Rows, frames = chroma.Columns;
        var normalized = chroma.Clone();
        NormalizeColumns(normalized, 1.0);
        var phi = new double[6, nChroma];
        for (int d = 0; d < 6; d++)
            for (int c = 0; c < nChroma; c++)
            {
                // Even rows are the sine (y) components: cos(π(v − ½)) = sin(πv).
                double v = TonnetzStep[d] * (12.0 * c / nChroma) - (d % 2 == 0 ? 0.5 : 0.0);
                phi[d, c] = TonnetzRadius[d] * Math.Cos(Math.PI * v);
            }
        var result = new FloatMatrix(6, frames);
        var column = new double[6];
        for (int t = 0; t < frames; t++)
        {
            Array.Clear(column);
            for (int c = 0; c < nChroma; c++)
            {
                double value = normalized.Data[c * frames + t];
                for (int d = 0; d < 6; d++) column[d] += phi[d, c] * value;
            }
            for (int d = 0; d < 6; d++) result.Data[d * frames + t] = (float)column[d];
        }
        return result;
    }
}
