using MusicML.Torch;

namespace MusicML.Cli;

/// <summary>
/// The CPU threads the CLI gives libtorch for a network pass. Debian's libtorch starts with one intra-op thread
/// (<c>at::get_num_threads()</c> reads 1, in PyTorch too), so a command that runs a network sets it to the core count
/// unless told otherwise: on the 2-core VM <c>musicml tag</c> with mtat_fcn went from 64.7 s to 54.7 s for 12 tracks
/// (bench/README.md, "Tagging throughput"). The library itself leaves libtorch's setting alone, as PyTorch does;
/// <c>train tagger</c> passes its <c>--threads</c> (default every core) as <c>TrainingOptions.Threads</c>, which the
/// run's fingerprint records.
/// </summary>
internal static class TorchThreads
{
    /// <summary>The most threads an option may ask for.</summary>
    public const int MaxThreads = TorchRuntime.MaxThreads;

    /// <summary>The thread count an option's value means: <paramref name="threads"/>, or every core when null.</summary>
    public static int Resolve(int? threads) => threads ?? Environment.ProcessorCount;

    /// <summary>Sets libtorch's intra-op threads to <paramref name="threads"/>, or to every core when null.</summary>
    public static void Use(int? threads) => TorchRuntime.NumThreads = Resolve(threads);
}
