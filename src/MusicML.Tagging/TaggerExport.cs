using System.Text.Json;
using System.Text.Json.Nodes;
using MusicML.Core;

namespace MusicML.Tagging;

/// <summary>The files <see cref="TaggerExport.Export"/> wrote.</summary>
/// <param name="WeightsPath"><c>FOLDER/NAME.safetensors</c>.</param>
/// <param name="ConfigPath"><c>FOLDER/NAME.json</c>.</param>
/// <param name="FrontEndPath"><c>FOLDER/NAME.frontend.safetensors</c>.</param>
/// <param name="WeightsSha256">SHA-256 of the weights, pinned in the configuration.</param>
public sealed record TaggerExportResult(string WeightsPath, string ConfigPath, string FrontEndPath, string WeightsSha256);

/// <summary>
/// Publishes a trained model (<c>DIR/best.safetensors</c> with <c>best.json</c> and <c>best.frontend.safetensors</c>)
/// under a name: <c>NAME.safetensors</c>, <c>NAME.json</c> and <c>NAME.frontend.safetensors</c> in a folder, which is
/// how bundled models are laid out (<c>musicml tag --model NAME</c>). The configuration keeps everything it had (the
/// <c>training</c> record included) and gets the new name, the new front-end file name and the weights' SHA-256, so a
/// damaged or swapped weights file is refused at load time. Each file is written to a temporary name and renamed.
/// </summary>
public static class TaggerExport
{
    /// <summary>Copies the model <paramref name="weightsPath"/> names to <paramref name="folder"/> as <paramref name="name"/>.</summary>
    /// <exception cref="MusicMLException">The model does not load (its configuration or front end is missing or does not
    /// fit), or the name is not a plain file name.</exception>
    public static TaggerExportResult Export(string weightsPath, string name, string folder)
    {
        ArgumentNullException.ThrowIfNull(weightsPath);
        ArgumentNullException.ThrowIfNull(folder);
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
            throw new MusicMLException($"--name '{name}' must be a plain file name (it becomes NAME.safetensors)");
        // Loading checks that configuration, weights and front end belong together before anything is copied.
        using (var tagger = Tagger.Load(weightsPath))
            _ = tagger.FrontEnd;
        var configPath = TaggerConfig.PathBeside(weightsPath);
        var root = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        var frontEndSource = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weightsPath)) ?? ".", (string)root["files"]!["frontend"]!);

        Directory.CreateDirectory(folder);
        var weightsOut = Path.Combine(folder, name + ".safetensors");
        var frontEndOut = Path.Combine(folder, name + ".frontend.safetensors");
        var configOut = Path.Combine(folder, name + ".json");
        var weights = File.ReadAllBytes(weightsPath);
        // The hash of the very bytes written below, not a second read of the file.
        string sha = CheckpointImport.Sha256(weights);
        root["name"] = name;
        var files = root["files"]!.AsObject();
        files["frontend"] = Path.GetFileName(frontEndOut);
        files["weights_sha256"] = sha;
        AtomicFile.WriteAllBytes(weightsOut, weights);
        AtomicFile.WriteAllBytes(frontEndOut, File.ReadAllBytes(frontEndSource));
        AtomicFile.WriteAllText(configOut, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return new TaggerExportResult(weightsOut, configOut, frontEndOut, sha);
    }
}
