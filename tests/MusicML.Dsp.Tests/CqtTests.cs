using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;
using Xunit.Abstractions;

namespace MusicML.Dsp.Tests;

/// <summary>
/// Constant-Q family against librosa 0.10.1 (../shared/eval/librosa_reference). The bar is 1e-3 in
/// max|ours − ref| / max|ref|; measured figures are noted per test.
/// </summary>
public class CqtTests(ITestOutputHelper output)
{
    private void AssertParity(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        output.WriteLine($"{what}: max|ours-ref|/max|ref| = {ArrayComparison.RelativeMaxError(expected, actual):E2}");
        ArrayComparison.AssertRelativeMaxError(expected, actual, tolerance, what);
    }

    public static TheoryData<string> Inputs() => Reference.InputData();

    [Theory]
    [MemberData(nameof(Inputs))]
    public void CqtMagnitudeMatchesLibrosa(string input)
    {
        // abs(librosa.cqt(y, sr=22050)): measured 2.2e-7 (vocadito) and 1.6e-7 (vibe_ace), float32 rounding only,
        // because the bases, paddings and soxr_hq halving chain are librosa's own.
        var y = Reference.Signal22050(input);
        var expected = Reference.Load(input, "cqt");
        var ours = Spectral.Cqt(y).Magnitude();
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        AssertParity($"{input} cqt", expected.ToFloat32(), ours.Data, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void ChromaCqtWithEstimatedTuningMatchesLibrosa(string input)
    {
        // librosa.feature.chroma_cqt(y=y, sr=22050): 252-bin CQT at 36 bins/octave, tuning estimated at 1/36 octave.
        // Measured 2.7e-6 (vocadito) and 3.0e-7 (vibe_ace); a tuning estimate one histogram step off would cost ~1e-2.
        var y = Reference.Signal22050(input);
        var expected = Reference.Load(input, "chroma_cqt");
        var ours = Features.ChromaCqt(y);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        AssertParity($"{input} chroma_cqt", expected.ToFloat32(), ours.Data, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void ChromaCensMatchesLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        // Measured 6.9e-8 and 7.1e-8: the 0.4/0.2/0.1/0.05 quantisation flips no value, or the error would be ~1e-2.
        var expected = Reference.Load(input, "chroma_cens");
        var ours = Features.ChromaCens(y);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        AssertParity($"{input} chroma_cens", expected.ToFloat32(), ours.Data, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void TonnetzMatchesLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        // Measured 8.5e-7 (vocadito) and 2.1e-7 (vibe_ace).
        var expected = Reference.Load(input, "tonnetz");
        var ours = Features.Tonnetz(y);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        AssertParity($"{input} tonnetz", expected.ToFloat32(), ours.Data, 1e-5);
    }
}
