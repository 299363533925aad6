using MusicML.Mir.Analysis;

namespace MusicML.Bench;

/// <summary>
/// <c>allocations FILE</c>: managed bytes one <see cref="Analyzer"/> call allocates per task set on one track (after a
/// warm-up call), the churn that limits how well catalogue workers scale (bench/README.md, "Catalogue throughput").
/// </summary>
internal static class TrackAllocations
{
    public static void Run(string[] args)
    {
        var file = args.Length > 1 ? args[1] : throw new ArgumentException("usage: allocations FILE.wav");
        (string Name, AnalysisTasks Tasks)[] sets =
        [
            ("tempo", AnalysisTasks.Tempo), ("beats", AnalysisTasks.Beats), ("downbeats", AnalysisTasks.Downbeats),
            ("tuning", AnalysisTasks.Tuning), ("key", AnalysisTasks.Key), ("chords", AnalysisTasks.Chords),
            ("tempo,key,beats,chords", AnalysisTasks.Tempo | AnalysisTasks.Key | AnalysisTasks.Beats | AnalysisTasks.Chords),
        ];
        double seconds = Audio.AudioFile.GetInfo(file).Duration;
        Console.WriteLine($"{Path.GetFileName(file)}, {seconds:F1} s");
        Console.WriteLine("| tasks | allocated (MB) | MB per second of audio |");
        Console.WriteLine("| --- | --- | --- |");
        foreach (var (name, tasks) in sets)
        {
            var analyzer = new Analyzer { Tasks = tasks };
            analyzer.Analyze(file); // warm-up: JIT, plans, the beat network's weights
            long before = GC.GetAllocatedBytesForCurrentThread();
            analyzer.Analyze(file);
            double mb = (GC.GetAllocatedBytesForCurrentThread() - before) / 1e6;
            Console.WriteLine($"| {name} | {mb:F1} | {mb / seconds:F2} |");
        }
    }
}
