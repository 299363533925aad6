using System.Text.Json;
using MusicML.Core;
using MusicML.TestSupport;
using MusicML.Torch;

namespace MusicML.Tagging.Tests;

/// <summary>Access to ../shared/models and the outputs the original PyTorch code stored for it.</summary>
internal static class Reference
{
    public static readonly string[] Models =
        ["mtat_fcn", "mtat_musicnn", "mtat_crnn", "msd_fcn", "msd_crnn", "jamendo_fcn", "jamendo_musicnn", "jamendo_crnn"];

    /// <summary>Clips whose chunk-0 input tensors (waveform and dB mel) are stored.</summary>
    public static readonly string[] TensorClips = ["avenger_055s", "piano_seq"];

    public static readonly string[] WavClips =
        ["avenger_000s", "avenger_055s", "avenger_105s", "piano_seq", "pinknoise", "silence", "sweep", "whitenoise"];

    public static IEnumerable<object[]> ModelData() => Models.Select(m => new object[] { m });

    public static string WeightsPath(string model) => SharedData.Path("models", model + ".safetensors");

    public static string ModelsFolder => SharedData.Path("models");

    public static string InputLengthOf(string model) => model.EndsWith("musicnn", StringComparison.Ordinal) ? "48000" : "464000";

    public static string TensorPath(string clip, string model, string kind) =>
        SharedData.Path("models", "reference", $"{clip}.chunk0_{InputLengthOf(model)}.{kind}.npy");

    public static JsonDocument Json(string clip, string model) =>
        JsonDocument.Parse(File.ReadAllText(SharedData.Path("models", "reference", $"{clip}.{model}.json")));

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    public static Tensor Load(string npyPath)
    {
        var array = NpyFile.Read(npyPath);
        return Tensor.From(array.ToFloat32(), array.Shape.Select(s => (long)s).ToArray());
    }

    public static double MaxAbsDifference(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)expected[i] - actual[i]);
            if (double.IsNaN(d)) return double.PositiveInfinity;
            max = Math.Max(max, d);
        }
        return max;
    }
}

/// <summary>Loads each model once for all tests of a class (the weights are a few MB each, the front end is shared).</summary>
public sealed class TaggerCache : IDisposable
{
    private readonly Dictionary<string, Tagger> _taggers = [];

    public Tagger Get(string model)
    {
        lock (_taggers)
        {
            if (!_taggers.TryGetValue(model, out var tagger)) _taggers[model] = tagger = Tagger.Load(Reference.WeightsPath(model));
            return tagger;
        }
    }

    public void Dispose()
    {
        foreach (var t in _taggers.Values) t.Dispose();
    }
}
