using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// How a computation runs, not what it computes: the FFT engine and the number of threads. Every function that
/// frames a signal accepts one as its last, optional parameter; results are identical for every setting.
/// </summary>
public sealed record DspOptions
{
    /// <summary>Single-threaded, automatic FFT engine: what you get when no options are passed.</summary>
    public static DspOptions Default { get; } = new();

    /// <summary>Uses every core (<see cref="Environment.ProcessorCount"/> threads), automatic FFT engine.</summary>
    public static DspOptions Parallel { get; } = new() { MaxDegreeOfParallelism = -1 };

    /// <summary>The FFT engine; <see cref="FftBackend.Auto"/> (the default) picks the fastest present (see <see cref="FftBackend"/>).</summary>
    public FftBackend Backend { get; init; } = FftBackend.Auto;

    /// <summary>Threads to split frames across: 1 (the default) runs on the caller's thread, −1 uses every core.</summary>
    public int MaxDegreeOfParallelism { get; init; } = 1;

    internal int ResolveThreads(int workItems)
    {
        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
            throw new MusicMLException($"MaxDegreeOfParallelism must be −1 (all cores) or positive; got {MaxDegreeOfParallelism}.");
        int threads = MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism;
        return Math.Max(1, Math.Min(threads, workItems));
    }

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, <paramref name="count"/>) in contiguous chunks, one per thread.</summary>
    internal void ForChunks(int count, Action<int, int> body, int minimumChunk = 16)
    {
        int threads = ResolveThreads(Math.Max(1, count / Math.Max(1, minimumChunk)));
        if (threads == 1)
        {
            body(0, count);
            return;
        }
        int chunk = (count + threads - 1) / threads;
        try
        {
            System.Threading.Tasks.Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                int start = t * chunk, end = Math.Min(count, start + chunk);
                if (start < end) body(start, end);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions[0] is MusicMLException)
        {
            // A chunk that finds bad input (e.g. a NaN sample) reports it as the single-threaded call would.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
