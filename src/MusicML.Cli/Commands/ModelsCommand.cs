using System.CommandLine;
using System.Globalization;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Tagging;
using MusicML.Torch;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml models info MODEL</c> describes a tagging model (architecture, parameter count, tags, preprocessing);
/// <c>musicml models run --model MODEL --input IN.npy --out OUT.npy [--device cpu|cuda]</c> runs its network in
/// evaluation mode on an array and writes what the original PyTorch <c>forward</c> returns (sigmoid tag
/// probabilities), the quickest way to compare a model with PyTorch on any input. MODEL is a safetensors file with its
/// JSON configuration beside it, as in <c>../shared/models</c>.
/// <c>musicml models import MODEL.pth --arch fcn|musicnn|crnn|shortchunk --config CONFIG.json --out MODEL.safetensors</c> turns a
/// PyTorch state_dict checkpoint into such a pair (<see cref="CheckpointImport"/>; the checkpoint's pickle is read
/// without running anything from it).
/// </summary>
internal static class ModelsCommand
{
    /// <summary>Builds the command group; results go to <paramref name="context"/>.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("models", "Inspect and run pretrained tagging models (FCN, Musicnn, CRNN) stored as safetensors with a JSON configuration.");
        command.Subcommands.Add(CreateInfo(context));
        command.Subcommands.Add(CreateRun(context));
        command.Subcommands.Add(CreateImport(context));
        command.Subcommands.Add(CreateExport(context));
        return command;
    }

    private static Command CreateInfo(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The model's .safetensors file (its .json configuration must sit beside it)." };
        var command = new Command("info", "Show a model's architecture, parameter count, tags and preprocessing.") { model };
        command.SetAction(parse => Info(context, parse.GetValue(model)!));
        return command;
    }

    private static Command CreateRun(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "The model's .safetensors file (its .json configuration beside it).", Required = true };
        var input = new Option<string>("--input")
        {
            Description = "A float .npy array: dB mel spectrograms [batch, n_mels, frames] (network only) or waveforms [batch, samples] at the model's rate (front end + network). Integer and bool arrays are refused: MusicML cannot know their scale (convert int16 audio with x.astype(np.float32) / 32768).",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "Where to write the [batch, tags] float32 probabilities (.npy).", Required = true };
        var device = new Option<string>("--device") { Description = "Where to run: cpu (default) or cuda.", DefaultValueFactory = _ => "cpu" };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var command = new Command("run", "Run a model's network (eval mode) on an input array and write its raw outputs as .npy.") { model, input, output, device };
        command.SetAction(parse => Run(context, parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(device)!));
        return command;
    }

    private static Command CreateImport(CliContext context)
    {
        var checkpoint = new Argument<string>("CHECKPOINT") { Description = "The PyTorch checkpoint (.pth/.pt) holding the model's state_dict, as torch.save writes it." };
        var arch = new Option<string>("--arch") { Description = $"The checkpoint's architecture: {TaggerArchitectureNames.Listed.Replace(" and ", " or ")}.", Required = true };
        arch.AcceptOnlyFromAmong([.. TaggerArchitectureNames.All]);
        var config = new Option<string>("--config") { Description = "The model's JSON configuration (tags, preprocessing, layer sizes), e.g. ../shared/models/mtat_fcn.json.", Required = true };
        var output = new Option<string>("--out")
        {
            Description = "The safetensors file to write; a copy of the configuration naming it and its sha256 is written beside it (same stem, .json).",
            Required = true,
        };
        var command = new Command("import", "Convert a PyTorch state_dict checkpoint into a safetensors model with its configuration, checking every tensor against the architecture. Nothing in the checkpoint is executed.")
        {
            checkpoint, arch, config, output,
        };
        command.SetAction(parse => Import(context, parse.GetValue(checkpoint)!, parse.GetValue(arch)!, parse.GetValue(config)!, parse.GetValue(output)!));
        return command;
    }

    private static Command CreateExport(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "A trained model: the folder of 'musicml train tagger --out' (its best.safetensors) or a .safetensors file with its .json beside it." };
        var name = new Option<string>("--name") { Description = "The model's name: files NAME.safetensors, NAME.json and NAME.frontend.safetensors, loadable as --model NAME.", Required = true };
        var output = new Option<string>("--out") { Description = "The folder to write them to (e.g. the repository's models/).", Required = true };
        var command = new Command("export", "Publish a trained tagger under a name, as bundled models are laid out; the configuration pins the weights' sha256.")
        {
            model, name, output,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(model)!;
            if (Directory.Exists(path)) path = Path.Combine(path, TaggerTraining.BestModelFileName);
            RequireFile(path, "MODEL");
            var result = TaggerExport.Export(path, parse.GetValue(name)!, parse.GetValue(output)!);
            context.Error.WriteLine($"musicml: exported {path} as {result.WeightsPath} (sha256 {result.WeightsSha256}), {result.ConfigPath} and {result.FrontEndPath}");
            return 0;
        });
        return command;
    }

    private static void RequireFile(string path, string option)
    {
        if (!File.Exists(path)) throw new CliUsageException($"{option} {path}: no such file.");
    }

    private static int Info(CliContext context, string modelPath)
    {
        RequireFile(modelPath, "MODEL");
        using var tagger = Tagger.Load(modelPath);
        var c = tagger.Config;
        var o = context.Output;
        string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        o.WriteLine($"model: {c.Name}");
        o.WriteLine($"architecture: {c.Architecture.ToString().ToUpperInvariant()}");
        if (c.Description.Length > 0) o.WriteLine($"description: {c.Description}");
        if (c.Dataset.Length > 0) o.WriteLine($"dataset: {c.Dataset}");
        o.WriteLine(Invariant($"parameters: {tagger.Network.ParameterCount} trainable ({tagger.Network.StateDict().Count} tensors with buffers)"));
        o.WriteLine(Invariant($"input: {c.InputLength} samples ({(double)c.InputLength / c.SampleRate:0.###} s) at {c.SampleRate} Hz -> dB mel [{c.NMels}, {c.InputFrames}]"));
        o.WriteLine(Invariant($"preprocessing: STFT n_fft {c.NFft}, hop {c.HopLength}, periodic Hann, centred with reflect padding; power; {c.NMels} mel bands {c.FMin:0.##}-{c.FMax:0.##} Hz (filterbank {(c.FrontEndFile.Length > 0 ? c.FrontEndFile : "not given")}); 10*log10(max(mel, {c.Amin:0.##E+0}))"));
        o.WriteLine(Invariant($"track tagging: {c.ChunkCount} chunks at hop (n - {c.InputLength}) // {c.ChunkCount}, mean of sigmoid outputs"));
        if (!double.IsNaN(c.PublishedRocAuc))
            o.WriteLine(Invariant($"published: ROC-AUC {c.PublishedRocAuc:0.0000}, PR-AUC {c.PublishedPrAuc:0.0000}"));
        if (c.Paper.Length > 0) o.WriteLine($"paper: {c.Paper}");
        o.WriteLine($"tags ({c.Tags.Count}): {string.Join(", ", c.Tags)}");
        return 0;
    }

    private static int Run(CliContext context, string modelPath, string inputPath, string outputPath, string deviceName)
    {
        RequireFile(modelPath, "--model");
        RequireFile(inputPath, "--input");
        OutputPaths.CheckFile("--out", outputPath, [inputPath, modelPath, Path.ChangeExtension(modelPath, ".json")]);
        var device = deviceName == "cuda" ? Device.Cuda : Device.Cpu;
        var array = NpyFile.Read(inputPath);
        if (array.Length == 0) throw new MusicMLException($"{inputPath}: the array is empty (shape [{string.Join(", ", array.Shape)}])") { FilePath = inputPath };
        if (array.DataType is not (NpyDataType.Float16 or NpyDataType.Float32 or NpyDataType.Float64))
            throw new MusicMLException(
                $"{inputPath}: the array is {array.DataType}, but models run reads float waveforms or dB mel spectrograms; convert and scale it first (int16 audio: x.astype(np.float32) / 32768)")
            { FilePath = inputPath };
        var values = array.ToFloat32();
        int bad = InputGuard.FirstNonFinite(values);
        if (bad >= 0) throw new MusicMLException($"{inputPath}: element {bad} is {values[bad]}; the input must be finite") { FilePath = inputPath };
        using var tagger = Tagger.Load(modelPath, device);
        var shape = array.Shape.Select(s => (long)s).ToArray();
        using var input = Tensor.From(values, shape);
        Tensor probabilities;
        try
        {
            probabilities = tagger.Predict(input);
        }
        catch (MusicMLException e) when (e.FilePath is null)
        {
            throw new MusicMLException($"{inputPath}: {e.Message}", e) { FilePath = inputPath };
        }
        using (probabilities)
        {
            var outputs = probabilities.ToArray<float>();
            // Finite weights and input still overflow in a network fed extreme values; NaN probabilities are no answer.
            int nan = InputGuard.FirstNonFinite(outputs);
            if (nan >= 0)
                throw new MusicMLException($"{inputPath}: the network's output {nan} is {outputs[nan]} (input values out of the range it was trained on?); nothing written") { FilePath = inputPath };
            NpyFile.WriteFloat32(outputPath, outputs, probabilities.Shape.Select(s => checked((int)s)).ToArray());
            context.Error.WriteLine($"musicml: {tagger.Config.Name} on {device}: wrote [{string.Join(", ", probabilities.Shape)}] probabilities to {outputPath}");
        }
        return 0;
    }

    private static int Import(CliContext context, string checkpointPath, string archName, string configPath, string outputPath)
    {
        RequireFile(checkpointPath, "CHECKPOINT");
        RequireFile(configPath, "--config");
        OutputPaths.CheckFile("--out", outputPath, [checkpointPath, configPath]);
        // The configuration written beside --out may replace --config (that is how a folder's model is refreshed)
        // but never the checkpoint.
        OutputPaths.CheckNotInput("--out", TaggerConfig.PathBeside(outputPath), [checkpointPath]);
        var architecture = TaggerArchitectureNames.TryParse(archName)!.Value;
        var result = CheckpointImport.FromPth(checkpointPath, architecture, configPath, outputPath);
        foreach (var note in result.Notes) context.Error.WriteLine($"musicml: note: {note}");
        context.Error.WriteLine($"musicml: imported {result.TensorCount} tensors from {checkpointPath} as {archName}: wrote {result.WeightsPath} (sha256 {result.WeightsSha256}) and {result.ConfigPath}");
        return 0;
    }
}
