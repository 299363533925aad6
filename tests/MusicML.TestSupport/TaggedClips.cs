using System.Text;

namespace MusicML.TestSupport;

/// <summary>
/// A tiny, learnable tagging data set written for training tests: short 16 kHz mono clips made of a low tone
/// (220 Hz, tag <c>low</c>), a high tone (3 kHz, <c>high</c>) and white noise (<c>noise</c>) in six combinations, so
/// every tag has positives and negatives, plus manifests <c>train.csv</c> and <c>valid.csv</c> (the same clips) with
/// relative paths.
/// </summary>
public static class TaggedClips
{
    /// <summary>The tag sets of the six clips, in file order.</summary>
    public static readonly string[][] TagSets =
        [["low"], ["high"], ["noise"], ["low", "noise"], ["high", "noise"], ["low", "high"]];

    /// <summary>Writes the clips and manifests into <paramref name="folder"/>; returns (train.csv, valid.csv).</summary>
    /// <param name="folder">Target folder (created).</param>
    /// <param name="seconds">Length of each clip.</param>
    /// <param name="swapValidTags">Label the validation manifest wrongly (low ↔ high), so validation gets worse as training learns.</param>
    public static (string Train, string Valid) Write(string folder, double seconds = 2.5, bool swapValidTags = false)
    {
        Directory.CreateDirectory(Path.Combine(folder, "clips"));
        const int rate = 16000;
        var random = new Random(7);
        var train = new StringBuilder("path,tags\n");
        var valid = new StringBuilder("path,tags\n");
        for (int c = 0; c < TagSets.Length; c++)
        {
            var tags = TagSets[c];
            int n = (int)(seconds * rate);
            var samples = new float[n];
            for (int i = 0; i < n; i++)
            {
                double v = 0;
                if (tags.Contains("low")) v += 0.3 * Math.Sin(2 * Math.PI * 220 * i / rate);
                if (tags.Contains("high")) v += 0.3 * Math.Sin(2 * Math.PI * 3000 * i / rate);
                if (tags.Contains("noise")) v += 0.2 * (random.NextDouble() * 2 - 1);
                samples[i] = (float)v;
            }
            var name = $"clip{c}.wav";
            WritePcm16(Path.Combine(folder, "clips", name), samples, rate);
            train.Append($"clips/{name},{string.Join(';', tags)}\n");
            var validTags = swapValidTags ? tags.Select(t => t == "low" ? "high" : t == "high" ? "low" : t) : tags;
            valid.Append($"clips/{name},{string.Join(';', validTags)}\n");
        }
        var trainPath = Path.Combine(folder, "train.csv");
        var validPath = Path.Combine(folder, "valid.csv");
        File.WriteAllText(trainPath, train.ToString());
        File.WriteAllText(validPath, valid.ToString());
        return (trainPath, validPath);
    }

    /// <summary>Writes a mono 16-bit PCM WAV file.</summary>
    public static void WritePcm16(string path, float[] samples, int rate)
    {
        using var writer = new BinaryWriter(File.Create(path));
        int bytes = samples.Length * 2;
        writer.Write("RIFF"u8);
        writer.Write(36 + bytes);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(rate);
        writer.Write(rate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(bytes);
        foreach (var s in samples) writer.Write((short)Math.Clamp(Math.Round(s * 32767.0), -32768, 32767));
    }
}
