using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;

namespace MusicML.Dsp.Tests;

/// <summary>Loads librosa 0.10.1 reference arrays from ../shared/eval/librosa_reference (see its README and manifest).</summary>
internal static class Reference
{
    public static readonly string[] Inputs = ["vocadito_1.44k", "librosa_vibe_ace"];

    public static TheoryData<string> InputData()
    {
        var data = new TheoryData<string>();
        foreach (var input in Inputs) data.Add(input);
        return data;
    }

    public static NpyArray Load(string input, string caseName) =>
        NpyFile.Read(SharedData.Path("eval", "librosa_reference", $"{input}.{caseName}.npy"));

    public static float[] Signal22050(string input) => Load(input, "resampled_22050").ToFloat32();

    public static float[] Signal16000(string input) => Load(input, "resampled_16000").ToFloat32();

    public static FloatMatrix Matrix(string input, string caseName) => FloatMatrix.FromNpy(Load(input, caseName));

    public static NpyArray Filter(string name) =>
        NpyFile.Read(SharedData.Path("eval", "librosa_reference", $"filters.{name}.npy"));

    public static void AssertShape(NpyArray expected, int rows, int columns)
    {
        Assert.Equal(rows, expected.Shape[0]);
        Assert.Equal(columns, expected.Shape.Count > 1 ? expected.Shape[1] : 1);
    }
}
