using System.Diagnostics;
using MusicML.Dsp;

namespace MusicML.Bench;

/// <summary>
/// Process CPU time of each spectral feature, single-threaded, per 60 s of 22050 Hz audio: the figure the
/// foundation issue's speed targets are stated in. CPU time rather than wall clock because the development machine
/// is shared; run it on a quiet machine all the same (shared caches and hyper-threads inflate CPU time too).
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/MusicML.Bench -- cpu-time [rounds] [feature]</c> (feature: a name
/// from the table, e.g. CQT, to time only that one). Each feature runs once to warm
/// up, then <c>rounds</c> rounds (default 5) of three calls on 10 minutes of <see cref="FeatureBenchmarks.SyntheticMusic"/>;
/// the best round is reported, divided by 3 calls and by 10 (600 s → 60 s). librosa 0.10.1's figures are the
/// issue's, measured on this machine class with OpenBLAS.
/// </remarks>
internal static class FrontEndCpuTime
{
    private static readonly (string Name, double LibrosaMs, double TargetRatio, Func<float[], object> Run)[] Features =
    [
        ("STFT", 18, 3, y => Spectral.Stft(y)),
        ("mel spectrogram", 27, 5, y => MusicML.Dsp.Features.MelSpectrogram(y)),
        ("MFCC", 28, 5, y => MusicML.Dsp.Features.Mfcc(y)),
        ("chroma_stft", 71, 5, y => MusicML.Dsp.Features.ChromaStft(y)),
        ("onset strength", 29, 5, y => Onset.OnsetStrength(y)),
        ("CQT", 33, 3, y => Spectral.Cqt(y)),
    ];

    public static void Run(string[] args)
    {
        int rounds = args.Length > 1 && int.TryParse(args[1], out int r) ? r : 5;
        var audio = FeatureBenchmarks.SyntheticMusic(600);
        Console.WriteLine($"{"feature",-16} {"librosa",8} {"ours",8} {"ratio",7} {"target",8}  met  {"wall",8}");
        string? only = args.Length > 2 ? args[2] : null;
        foreach (var (name, librosa, targetRatio, run) in Features)
        {
            if (only is not null && !name.Equals(only, StringComparison.OrdinalIgnoreCase)) continue;
            run(audio);
            double best = double.MaxValue, bestWall = double.MaxValue;
            for (int round = 0; round < rounds; round++)
            {
                var before = Process.GetCurrentProcess().TotalProcessorTime;
                long started = Stopwatch.GetTimestamp();
                for (int call = 0; call < 3; call++) GC.KeepAlive(run(audio));
                var spent = Process.GetCurrentProcess().TotalProcessorTime - before;
                best = Math.Min(best, spent.TotalMilliseconds / 3 / 10);
                bestWall = Math.Min(bestWall, Stopwatch.GetElapsedTime(started).TotalMilliseconds / 3 / 10);
            }
            double target = librosa / targetRatio;
            Console.WriteLine($"{name,-16} {librosa,6:F0} ms {best,5:F1} ms {librosa / best,6:F1}x {target,5:F1} ms  {(best <= target ? "yes" : "no "),-4} {bestWall,5:F1} ms");
        }
    }
}
