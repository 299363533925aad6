using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;

namespace MusicML.Dsp.Tests;

public class CqtTests
{
    public static TheoryData<string> Inputs() => Reference.InputData();

    [Theory]
    [MemberData(nameof(Inputs))]
    public void CqtMagnitudeMatchesLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        var expected = Reference.Load(input, "cqt");
        var ours = Spectral.Cqt(y).Magnitude();
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        var error = ArrayComparison.RelativeMaxError(expected.ToFloat32(), ours.Data);
        Console.WriteLine($"{input} cqt {error:E3}");
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.Data, 1e-3, $"{input} cqt");
    }
}
