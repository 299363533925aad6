using System.Diagnostics;
using MusicML.Batch;
using MusicML.Cli.Infrastructure;
using MusicML.TestSupport;
using static MusicML.Cli.Tests.CliRun;

namespace MusicML.Cli.Tests;

/// <summary>
/// <c>musicml batch</c> as an analyst runs it: a child process killed with SIGKILL mid-way and run again, the exit
/// codes, the errors found before any work, and the Slurm array integration test (tests/integration/slurm-array.sh).
/// </summary>
public sealed class BatchCommandTests : IDisposable
{
    private static readonly string[] Samples = ["band_A_minor_100bpm", "chords_C_major_150bpm", "drums_bass_120bpm", "melody_G_major_100bpm"];
    private readonly string _root = Directory.CreateTempSubdirectory("musicml-batchcli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A catalogue of <paramref name="copies"/> × the four bundled samples in sub-folders, plus one file that is not audio.</summary>
    private string Catalogue(int copies)
    {
        var folder = Path.Combine(_root, "catalogue");
        for (int c = 0; c < copies; c++)
        {
            var sub = Path.Combine(folder, $"disc{c:D2}");
            Directory.CreateDirectory(sub);
            foreach (var sample in Samples) File.Copy(SharedData.RepoPath("audio-samples", sample + ".wav"), Path.Combine(sub, sample + ".wav"));
        }
        File.WriteAllText(Path.Combine(folder, "notes.mp3"), "not audio");
        return folder;
    }

    [Fact]
    public void ARunKilledWithSigkillMidWayResumesToTheUninterruptedResult()
    {
        var catalogue = Catalogue(copies: 6); // 24 tracks + 1 broken: long enough (~3 s) to kill part-way
        string whole = Path.Combine(_root, "whole"), killed = Path.Combine(_root, "killed");
        Assert.Equal(CommandLineApp.ExitFailure, Run("batch", catalogue, "--out", whole, "--tasks", "tempo,key,beats").Code);

        using (var child = Start("batch", catalogue, "--out", killed, "--tasks", "tempo,key,beats"))
        {
            var journal = Path.Combine(killed, BatchJournal.FileName);
            var clock = Stopwatch.StartNew();
            while (!child.HasExited && clock.Elapsed < TimeSpan.FromSeconds(120) && (!File.Exists(journal) || File.ReadAllLines(journal).Length < 4))
                Thread.Sleep(10);
            Assert.False(child.HasExited, "the run finished before it could be killed; the catalogue is too small for this machine");
            child.Kill(); // SIGKILL on Linux: no handler, no flush, no cleanup
            child.WaitForExit();
        }
        int recorded = File.ReadAllLines(Path.Combine(killed, BatchJournal.FileName)).Length;
        Assert.InRange(recorded, 4, 24);
        Assert.False(File.Exists(Path.Combine(killed, "results.csv"))); // outputs come only from a finished run

        var (code, _, error) = Run("batch", catalogue, "--out", killed, "--tasks", "tempo,key,beats");
        Assert.Equal(CommandLineApp.ExitFailure, code); // the broken file
        Assert.Contains($"resuming: {recorded} tracks already recorded, {25 - recorded} to do", error);
        foreach (var file in new[] { "results.csv", "events.jsonl", "errors.csv" })
            Assert.Equal(File.ReadAllText(Path.Combine(whole, file)), File.ReadAllText(Path.Combine(killed, file)));
        var rows = File.ReadAllLines(Path.Combine(killed, "results.csv")).Skip(1).Select(r => r.Split(',')[1]).ToList();
        Assert.Equal(24, rows.Count);
        Assert.Equal(24, rows.Distinct().Count()); // every track exactly once
    }

    [Fact]
    public void ExitStatusIsZeroOnlyWhenEveryTrackSucceeded()
    {
        var folder = Path.Combine(_root, "good");
        Directory.CreateDirectory(folder);
        File.Copy(SharedData.RepoPath("audio-samples", Samples[0] + ".wav"), Path.Combine(folder, "a.wav"));
        var (code, _, error) = Run("batch", folder, "--out", Path.Combine(_root, "out"), "--tasks", "key");
        Assert.Equal(0, code);
        Assert.Contains("musicml: batch: 1 tracks in", error);
        Assert.Equal(["file,track,stage,reason"], File.ReadAllLines(Path.Combine(_root, "out", "errors.csv")));
    }

    [Fact]
    public void MistakesAreRefusedBeforeAnyWorkWithExitStatusTwo()
    {
        var catalogue = Catalogue(copies: 1);
        var output = Path.Combine(_root, "o");
        void Refused(string expected, params string[] args)
        {
            var (code, _, error) = Run(["batch", .. args]);
            Assert.Equal(CommandLineApp.ExitUsage, code);
            Assert.Contains(expected, Assert.Single(Lines(error)));
        }
        Refused("--tasks: unknown task 'tempi'", catalogue, "--out", output, "--tasks", "tempo,tempi");
        Refused("--shard: shard 3 does not exist among 3", catalogue, "--out", output, "--shard", "3/3");
        Refused("--workers must be at least 1", catalogue, "--out", output, "--workers", "0");
        Refused("--track-timeout must be a positive number", catalogue, "--out", output, "--track-timeout", "0");
        Assert.False(Directory.Exists(output));

        var manifest = Path.Combine(_root, "list.csv");
        File.WriteAllText(manifest, "file_name,genre\ncatalogue/disc00/a.wav,rock\n");
        Refused($"{manifest}:1: no 'path' column", manifest, "--out", output);

        Assert.Equal(CommandLineApp.ExitFailure, Run("batch", catalogue, "--out", output, "--tasks", "key").Code);
        Refused("holds another run (tasks key (this run: tempo))", catalogue, "--out", output, "--tasks", "tempo");
        Assert.Equal(CommandLineApp.ExitFailure, Run("batch", catalogue, "--out", output, "--tasks", "tempo", "--force").Code);
    }

    [Fact]
    public void AManifestNamesTheTracksAndSlowTracksTimeOut()
    {
        Catalogue(copies: 1);
        var manifest = Path.Combine(_root, "list.csv");
        File.WriteAllText(manifest, "path,genre\ncatalogue/disc00/band_A_minor_100bpm.wav,rock\ncatalogue/disc00/gone.wav,jazz\n");
        var output = Path.Combine(_root, "m");
        var (code, _, _) = Run("batch", manifest, "--out", output, "--tasks", "key");
        Assert.Equal(CommandLineApp.ExitFailure, code);
        Assert.Equal("catalogue/disc00/band_A_minor_100bpm.wav", File.ReadAllLines(Path.Combine(output, "results.csv"))[1].Split(',')[1]);
        Assert.StartsWith($"{Path.Combine(_root, "catalogue/disc00/gone.wav")},catalogue/disc00/gone.wav,decode,", File.ReadAllLines(Path.Combine(output, "errors.csv"))[1]);

        // A limit no analysis meets: every track is recorded as timed out and the run still ends.
        var slow = Path.Combine(_root, "slow");
        Assert.Equal(CommandLineApp.ExitFailure, Run("batch", manifest, "--out", slow, "--tasks", "chords", "--track-timeout", "0.001").Code);
        var errors = File.ReadAllText(Path.Combine(slow, "errors.csv"));
        Assert.True(errors.Contains("catalogue/disc00/band_A_minor_100bpm.wav,timeout,not finished within --track-timeout 0.001 s", StringComparison.Ordinal), errors);
    }

    [Fact]
    public void ProgressIsAPlainLineInALogAndNothingWhenSilenced()
    {
        var error = new StringWriter();
        var context = new CliContext(new StringWriter(), error);
        using (var progress = new ProgressReporter(context, 3, "tracks", plainEvery: TimeSpan.Zero))
        {
            progress.Advance();
            progress.Advance(failed: true);
        }
        var lines = Lines(error.ToString());
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("musicml: progress: 1/3 tracks, ", lines[0]);
        Assert.Matches(@"^musicml: progress: 2/3 tracks, 1 failed, [0-9.]+ tracks/s, ETA \d", lines[1]);
    }

    [SkippableFact]
    public void ASlurmArrayJobOfThreeTasksMergesToTheSingleProcessResult()
    {
        // Starts a private one-node Slurm cluster (munged, slurmctld, slurmd; Debian's slurm-wlm and munge, which
        // scripts/setup.sh installs), submits `musicml batch` as a 3-task array, merges the shards and compares
        // results.csv byte for byte with one process's. The script exits 77 where the daemons cannot start (not root,
        // packages missing), which is a skip with its reason, never a pass.
        var script = SharedData.RepoPath("tests", "integration", "slurm-array.sh");
        var catalogue = Catalogue(copies: 1);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { script, $"{Host} {Dll}", catalogue, Path.Combine(_root, "slurm") }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), "the Slurm test did not finish in 10 minutes");
        var log = stdout + stderr.Result;
        Skip.If(process.ExitCode == 77, Lines(log).FirstOrDefault(l => l.StartsWith("SKIP", StringComparison.Ordinal)) ?? "the Slurm daemons cannot start here");
        Assert.True(process.ExitCode == 0, $"slurm-array.sh exited {process.ExitCode}:\n{log}");
        Assert.Contains("PASS", log);
    }
}
