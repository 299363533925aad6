namespace MusicML.Cli.Infrastructure;

/// <summary>
/// Finds the model a <c>--model PATH|NAME</c> option names. One rule: a value ending in <c>.safetensors</c> or holding
/// a directory separator is a path (its <c>.json</c> configuration beside it); anything else is the NAME of a bundled
/// model, <c>FOLDER/NAME.safetensors</c>, where FOLDER is <c>$MUSICML_MODELS</c> when set and otherwise the
/// <c>models/</c> folder beside the <c>musicml</c> executable (the build copies the repository's <c>models/</c> there).
/// </summary>
internal static class BundledModels
{
    /// <summary>The environment variable that points at another folder of bundled models.</summary>
    public const string FolderVariable = "MUSICML_MODELS";

    /// <summary>The tagger used when <c>--model</c> is not given (issue 10, item 5: trained on the synthetic corpus; not bundled yet).</summary>
    public const string DefaultTagger = "musicml_synth";

    /// <summary>Extension of a model's weights file.</summary>
    public const string WeightsExtension = ".safetensors";

    /// <summary>Where bundled models are looked up: <c>$MUSICML_MODELS</c>, else <c>models/</c> beside the executable.</summary>
    public static string Folder =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } overridden
            ? overridden
            : Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>The folder with where it came from, for messages: <c>DIR ($MUSICML_MODELS)</c> or <c>DIR (models/ beside musicml; …)</c>.</summary>
    public static string FolderDescription =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 }
            ? $"{Folder} (${FolderVariable})"
            : $"{Folder} (models/ beside musicml; set ${FolderVariable} for another folder)";

    /// <summary>
    /// The weights file <paramref name="model"/> (the value of <paramref name="option"/>) names, or the default tagger's
    /// when it is null.
    /// </summary>
    /// <exception cref="CliUsageException">The file does not exist; for the default, the message says it is missing, how to regenerate it
    /// and to pass <paramref name="option"/>.</exception>
    public static string Resolve(string? model, string option = "--model")
    {
        if (model is null)
        {
            var path = Path.Combine(Folder, DefaultTagger + WeightsExtension);
            if (File.Exists(path)) return path;
            throw new CliUsageException(
                $"the default model '{DefaultTagger}' is missing (no {path}; scripts/train-default-tagger.sh regenerates it); pass {option} PATH.safetensors, " +
                $"e.g. a published tagger such as mtat_musicnn.safetensors from ../shared/models, or {option} NAME of a model in {FolderDescription}.");
        }
        if (IsPath(model))
        {
            if (!File.Exists(model)) throw new CliUsageException($"{option} {model}: no such file.");
            return model;
        }
        var named = Path.Combine(Folder, model + WeightsExtension);
        if (File.Exists(named)) return named;
        var available = Available();
        throw new CliUsageException(
            $"{option} {model}: no bundled model '{model}' in {FolderDescription}: " +
            (available.Count > 0 ? $"choose from {string.Join(", ", available)}" : "none are bundled") + ", or give a .safetensors path.");
    }

    /// <summary>True when <paramref name="model"/> is spelt as a path rather than a bundled NAME.</summary>
    public static bool IsPath(string model) =>
        model.EndsWith(WeightsExtension, StringComparison.OrdinalIgnoreCase) ||
        model.Contains(Path.DirectorySeparatorChar) || model.Contains(Path.AltDirectorySeparatorChar);

    /// <summary>Names of the models in <see cref="Folder"/> (weights with a configuration beside them), sorted.</summary>
    public static IReadOnlyList<string> Available()
    {
        var folder = Folder;
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*" + WeightsExtension)
            .Where(f => File.Exists(Path.ChangeExtension(f, ".json")))
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
