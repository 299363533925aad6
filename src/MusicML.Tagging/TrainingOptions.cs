using System.Globalization;
using MusicML.Core;
using MusicML.Torch;

namespace MusicML.Tagging;

/// <summary>
/// Everything <see cref="TaggerTraining.Run"/> needs, checked up front by <see cref="Validate"/> so that a bad value
/// fails before any audio is decoded or any epoch runs. Defaults follow Won et al. (2020)'s training script where it
/// has one (Adam, weight decay 1e-4, batch 16) and are otherwise small enough for a CPU.
/// </summary>
public sealed class TrainingOptions
{
    /// <summary>Training manifest (<see cref="TagManifest"/>: header <c>path,tags</c>).</summary>
    public required string TrainManifest { get; init; }

    /// <summary>Validation manifest; its macro ROC-AUC picks the best epoch and drives early stopping.</summary>
    public required string ValidManifest { get; init; }

    /// <summary>Folder for the cache, checkpoint and best model (created when missing).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Network family.</summary>
    public TaggerArchitecture Architecture { get; init; } = TaggerArchitecture.Fcn;

    /// <summary>Total number of epochs (a resumed run continues up to this many).</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Examples per optimiser step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Adam's step size.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam's L2 penalty (added to the gradient, as PyTorch's Adam).</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Length of one random training crop and of one inference chunk of the trained model, in seconds.</summary>
    public double CropSeconds { get; init; } = 3;

    /// <summary>Where the network trains.</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>Seed of the initial weights, the shuffles, crops, dropout and augmentation.</summary>
    public ulong Seed { get; init; }

    /// <summary>Continue from <c>checkpoint.safetensors</c> in <see cref="OutputDirectory"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>Stop after this many epochs without a better validation ROC-AUC; 0 never stops early.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>The tag vocabulary in output order, or null for the sorted union of the training tags. Tags of the
    /// manifests outside it are ignored.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Augment each training crop (time stretch, pitch shift, gain, EQ / band-pass, noise; see <see cref="TaggerTraining"/>).</summary>
    public bool Augment { get; init; }

    /// <summary>Chunks averaged per track for validation and written as the model's evaluation protocol.</summary>
    public int ChunkCount { get; init; } = 16;

    /// <summary>
    /// Base width c of <see cref="TaggerArchitecture.ShortChunk"/> (<c>--width</c>; the paper's 128 when null). The
    /// published architectures have fixed widths, so any other architecture refuses it.
    /// </summary>
    public long? Width { get; init; }

    /// <summary>
    /// libtorch's intra-op CPU threads for the run (1–1024), or null to leave libtorch's setting as it is (Debian's
    /// libtorch starts with one). The count is part of the run's fingerprint: a sum split over another number of
    /// threads rounds differently, so a resumed run must use the same count to repeat an uninterrupted one.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>Sample rate, in Hz, of the front end (the published models' 16 kHz by default).</summary>
    public int SampleRate { get; init; } = 16000;

    /// <summary>
    /// Checks every value and the inputs' existence, and that CUDA is usable when <see cref="Device"/> asks for it.
    /// </summary>
    /// <exception cref="MusicMLException">The first bad value, named as the command-line option that sets it.</exception>
    public void Validate()
    {
        static string N(double v) => v.ToString(CultureInfo.InvariantCulture);
        if (string.IsNullOrWhiteSpace(TrainManifest)) throw new MusicMLException("--train: a training manifest is required");
        if (string.IsNullOrWhiteSpace(ValidManifest)) throw new MusicMLException("--valid: a validation manifest is required");
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new MusicMLException("--out: an output folder is required");
        if (!File.Exists(TrainManifest)) throw new MusicMLException($"{TrainManifest}: training manifest not found") { FilePath = TrainManifest };
        if (!File.Exists(ValidManifest)) throw new MusicMLException($"{ValidManifest}: validation manifest not found") { FilePath = ValidManifest };
        if (File.Exists(OutputDirectory)) throw new MusicMLException($"{OutputDirectory}: --out must be a folder, not a file") { FilePath = OutputDirectory };
        if (!Enum.IsDefined(Architecture)) throw new MusicMLException($"--arch: unknown architecture {Architecture}");
        if (Epochs < 1) throw new MusicMLException($"--epochs must be at least 1, got {Epochs}");
        if (BatchSize < 2) throw new MusicMLException($"--batch-size must be at least 2 (batch normalisation needs two examples), got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new MusicMLException($"--lr must be a positive number, got {N(LearningRate)}");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new MusicMLException($"--weight-decay must be zero or positive, got {N(WeightDecay)}");
        if (!(CropSeconds > 0) || CropSeconds > 600) throw new MusicMLException($"--crop-seconds must be in (0, 600], got {N(CropSeconds)}");
        if (Width is { } width && (Architecture != TaggerArchitecture.ShortChunk || width < 1 || width > 512))
            throw new MusicMLException(Architecture != TaggerArchitecture.ShortChunk
                ? $"--width applies to shortchunk only; {TaggerArchitectureNames.Name(Architecture)} has the published widths"
                : $"--width must be 1..512, got {width}");
        if (Patience < 0) throw new MusicMLException($"--patience must be zero (never stop early) or positive, got {Patience}");
        if (Threads is < 1 or > TorchRuntime.MaxThreads) throw new MusicMLException($"--threads must be between 1 and {TorchRuntime.MaxThreads}, got {Threads}");
        if (ChunkCount < 1) throw new MusicMLException($"the chunk count must be positive, got {ChunkCount}");
        if (SampleRate < 8000 || SampleRate > 192000) throw new MusicMLException($"the sample rate must be 8000..192000 Hz, got {SampleRate}");
        if (Tags is not null)
        {
            if (Tags.Count == 0 || Tags.Any(string.IsNullOrWhiteSpace)) throw new MusicMLException("--tags must list non-empty tag names");
            var twice = Tags.GroupBy(t => t, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null) throw new MusicMLException($"--tags names '{twice.Key}' twice");
        }
        if (Device.IsCuda && !TorchRuntime.IsCudaAvailable)
            throw new MusicMLException("--device cuda: CUDA is not available here (no NVIDIA GPU/driver, or the libtorch the shim was built against is CPU-only; docs/cuda.md); use --device cpu.");
    }

    /// <summary>
    /// The settings a resumed run must share with the checkpoint for the continuation to be the same training
    /// (everything except the epoch budget, patience and device, and with the CPU threads libtorch runs on), as
    /// invariant text. Read once libtorch is loaded and <see cref="Threads"/> applied.
    /// </summary>
    internal SortedDictionary<string, string> Fingerprint(IReadOnlyList<string> tags, int hopLength) => new(StringComparer.Ordinal)
    {
        ["arch"] = TaggerArchitectureNames.Name(Architecture),
        ["width"] = Width?.ToString(CultureInfo.InvariantCulture) ?? "",
        ["batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        ["lr"] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["weight_decay"] = WeightDecay.ToString("R", CultureInfo.InvariantCulture),
        ["crop_seconds"] = CropSeconds.ToString("R", CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        ["augment"] = Augment ? "true" : "false",
        ["chunks"] = ChunkCount.ToString(CultureInfo.InvariantCulture),
        ["threads"] = TorchRuntime.NumThreads.ToString(CultureInfo.InvariantCulture),
        ["sample_rate"] = SampleRate.ToString(CultureInfo.InvariantCulture),
        ["hop_length"] = hopLength.ToString(CultureInfo.InvariantCulture),
        ["tags"] = string.Join(";", tags),
        ["train"] = Path.GetFullPath(TrainManifest),
        ["valid"] = Path.GetFullPath(ValidManifest),
    };
}
