using System.Diagnostics;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using static MusicML.Cli.Tests.CliRun;

namespace MusicML.Cli.Tests;

/// <summary>
/// Issue 9, deliverable 4: every file the CLI writes appears whole or not at all. The race and the kill use real
/// child <c>musicml</c> processes (the musicml.dll built beside these tests), the full disk a real 1 MiB tmpfs.
/// </summary>
public class AtomicOutputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("musicml-atomic-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A 220 Hz tone with a little noise, <paramref name="seconds"/> long at 22050 Hz (no resampling needed).</summary>
    private string Tone(string name, double seconds)
    {
        var samples = new float[(int)(seconds * 22050)];
        var random = new Random(9);
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 220 * i / 22050.0) + 0.01 * (random.NextDouble() - 0.5));
        var path = Path.Combine(_folder, name);
        WavWriter.Write(path, new AudioBuffer([samples], 22050), WavSampleFormat.Float32);
        return path;
    }

    private string[] TemporaryFiles() => Directory.GetFiles(_folder, ".*.tmp");

    [Fact]
    public void TwoProcessesWritingTheSameOutputLeaveOneCompleteFile()
    {
        // Two musicml processes write the same .npy at the same moment with different --n-mels, so the two complete
        // files differ in size (64 vs 128 rows of 1292 frames). Whichever rename lands last, the file must be
        // byte-for-byte one process's complete output (as a separate run writes it), never a splice or a truncation.
        var input = Tone("race.wav", 30);
        var output = Path.Combine(_folder, "race.npy");
        var expected = new Dictionary<int, byte[]>();
        foreach (var mels in new[] { 64, 128 })
        {
            var alone = Path.Combine(_folder, $"alone{mels}.npy");
            Assert.Equal(0, Run("features", input, "--kind", "mel", "--n-mels", $"{mels}", "--out", alone).Code);
            expected[mels] = File.ReadAllBytes(alone);
        }
        for (int round = 0; round < 3; round++)
        {
            using var a = CliRun.Start("features", input, "--kind", "mel", "--n-mels", "64", "--out", output);
            using var b = CliRun.Start("features", input, "--kind", "mel", "--n-mels", "128", "--out", output);
            var errors = a.StandardError.ReadToEndAsync();
            var errorsB = b.StandardError.ReadToEndAsync();
            a.WaitForExit();
            b.WaitForExit();
            Assert.True(a.ExitCode == 0, errors.Result);
            Assert.True(b.ExitCode == 0, errorsB.Result);
            var written = File.ReadAllBytes(output);
            int rows = NpyFile.Read(output).Shape[0];
            Assert.Contains(rows, expected.Keys);
            Assert.Equal(expected[rows], written);
            Assert.Empty(TemporaryFiles());
        }
    }

    [Fact]
    public void WriterKilledMidWriteLeavesTheOldFile()
    {
        // A 5-minute input makes the CSV (12920 frames × 128 mel values as round-trip decimals, ~25 MB) take long
        // enough to write that the child can be SIGKILLed while its temporary file is growing. The destination must
        // still hold the old bytes exactly; only the hidden temporary file is left behind.
        var input = Tone("long.wav", 300);
        var output = Path.Combine(_folder, "mel.csv");
        File.WriteAllText(output, "old contents\n");
        using var child = CliRun.Start("features", input, "--kind", "mel", "--out", output);
        var clock = Stopwatch.StartNew();
        string[] temporary = [];
        while (!child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            temporary = TemporaryFiles();
            if (temporary.Length == 1 && new FileInfo(temporary[0]).Length > 1 << 20) break;
            Thread.Sleep(1);
        }
        Assert.False(child.HasExited, "musicml finished before it could be killed mid-write; the test input is too short for this machine.");
        child.Kill(); // SIGKILL on Unix: no finally block, no Dispose, no cleanup runs in the child
        child.WaitForExit();
        Assert.Equal("old contents\n", File.ReadAllText(output));
        var abandoned = Assert.Single(TemporaryFiles()); // the partial bytes went to the temporary file only
        Assert.True(new FileInfo(abandoned).Length > 1 << 20);
        // The next write of the same destination removes what the killed process (no longer running) left behind.
        AtomicFile.WriteAllText(output, "new contents\n");
        Assert.Equal("new contents\n", File.ReadAllText(output));
        Assert.Empty(TemporaryFiles());
    }

    [RootTmpfsFact]
    public void FullDiskLeavesTheOldFileAndSaysSo()
    {
        // A real full disk: a 1 MiB tmpfs. The 30 s mel spectrogram is 128 × 1292 float32 = 661,504 bytes; a
        // 600,000-byte old file leaves too little room for the temporary copy, so the write fails with ENOSPC.
        var input = Tone("disk.wav", 30);
        var mount = Path.Combine(_folder, "small");
        Directory.CreateDirectory(mount);
        Assert.True(RootTmpfsFactAttribute.Mount(mount, "1m"), "mounting the tmpfs failed although the probe succeeded");
        try
        {
            var output = Path.Combine(mount, "mel.npy");
            var old = Enumerable.Range(0, 600_000).Select(i => (byte)i).ToArray();
            File.WriteAllBytes(output, old);
            var (code, _, err) = Run("features", input, "--kind", "mel", "--out", output);
            Assert.Equal(CommandLineApp.ExitFailure, code);
            Assert.Contains($"{output}: could not be written", err);
            Assert.Contains("the previous file, if any, is unchanged", err);
            Assert.Single(CliRun.Lines(err));
            Assert.Equal(old, File.ReadAllBytes(output));
            Assert.Equal([output], Directory.GetFileSystemEntries(mount)); // the temporary file was removed
        }
        finally
        {
            RootTmpfsFactAttribute.Unmount(mount);
        }
    }

    [Fact]
    public void OutputEqualToAnInputIsRefusedAlsoThroughSymbolicLinks()
    {
        // The output is compared with every input as a real path: the input itself, a link to it, and the input
        // reached through a linked folder are all refused with a usage error (exit 2), and the input keeps its bytes.
        var input = Tone("song.wav", 1);
        var original = File.ReadAllBytes(input);
        var fileLink = Path.Combine(_folder, "link.wav");
        File.CreateSymbolicLink(fileLink, input);
        var folderLink = Path.Combine(_folder, "linked-folder");
        Directory.CreateSymbolicLink(folderLink, _folder);
        foreach (var output in new[] { input, fileLink, Path.Combine(folderLink, "song.wav"), Path.Combine(_folder, ".", "song.wav") })
        {
            var (code, _, err) = Run("analyze", input, "--tasks", "tempo", "--out", output);
            Assert.Equal(CommandLineApp.ExitUsage, code);
            Assert.Contains("is the input file", err);
            Assert.Contains("refusing to overwrite an input", err);
            Assert.Equal(original, File.ReadAllBytes(input));
        }
        // The same for a per-file output that would land on an input: song.tempo analysed into its own folder.
        var named = Path.Combine(_folder, "take.tempo");
        File.Copy(input, named);
        var perFile = Run("tempo", named, "--out-dir", _folder);
        Assert.Equal(CommandLineApp.ExitUsage, perFile.Code);
        Assert.Contains("refusing to overwrite an input", perFile.Err);
        Assert.Equal(original, File.ReadAllBytes(named));
    }

    [Fact]
    public void ExistingDirectoryAsOutputFileGetsAClearMessage()
    {
        // `--out x.npy` where x.npy is a directory: one usage line naming the option and the path, before any work.
        var input = Tone("dir.wav", 1);
        var directory = Path.Combine(_folder, "mel.npy");
        Directory.CreateDirectory(directory);
        var (code, _, err) = Run("features", input, "--kind", "mel", "--out", directory);
        Assert.Equal(CommandLineApp.ExitUsage, code);
        Assert.Equal($"musicml: error: --out {directory}: is an existing directory; give the name of a file to write (e.g. {Path.Combine(directory, "NAME")}).",
            Assert.Single(CliRun.Lines(err)));
        Assert.Empty(Directory.GetFileSystemEntries(directory));
        // And the converse: an existing file where a directory is expected.
        var file = Path.Combine(_folder, "not-a-dir");
        File.WriteAllText(file, "keep");
        var perFile = Run("onsets", input, "--out-dir", file);
        Assert.Equal(CommandLineApp.ExitUsage, perFile.Code);
        Assert.Equal($"musicml: error: --out {file}: is an existing file; give a directory.", Assert.Single(CliRun.Lines(perFile.Err)));
        Assert.Equal("keep", File.ReadAllText(file));
    }

    [Fact]
    public void RealPathResolvesLinksAlongThePath()
    {
        // a/b -> ../c and c/f -> g: a/b/f resolves to c/g, the way realpath(3) would; a missing tail is kept as given.
        Directory.CreateDirectory(Path.Combine(_folder, "a"));
        Directory.CreateDirectory(Path.Combine(_folder, "c"));
        File.WriteAllText(Path.Combine(_folder, "c", "g"), "");
        Directory.CreateSymbolicLink(Path.Combine(_folder, "a", "b"), Path.Combine("..", "c"));
        File.CreateSymbolicLink(Path.Combine(_folder, "c", "f"), "g");
        var real = OutputPaths.RealPath(_folder);
        Assert.Equal(Path.Combine(real, "c", "g"), OutputPaths.RealPath(Path.Combine(_folder, "a", "b", "f")));
        Assert.Equal(Path.Combine(real, "c", "new", "x.npy"), OutputPaths.RealPath(Path.Combine(_folder, "a", "b", "new", "x.npy")));
        // A loop does not hang: the resolution stops after 40 links.
        File.CreateSymbolicLink(Path.Combine(_folder, "loop"), Path.Combine(_folder, "loop"));
        Assert.NotNull(OutputPaths.RealPath(Path.Combine(_folder, "loop")));
    }
}

/// <summary>
/// A fact that needs to mount a tmpfs (root on Linux, with the right to mount): reported as skipped, with the reason,
/// where that is not possible, never passed without running.
/// </summary>
public sealed class RootTmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public RootTmpfsFactAttribute()
    {
        if (Unavailable.Value is { } reason) Skip = reason;
    }

    public static bool Mount(string folder, string size) => RunTool("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder) == 0;

    public static void Unmount(string folder) => RunTool("umount", folder);

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "needs Linux to mount a small tmpfs as a full disk";
        if (Environment.UserName != "root") return "needs root to mount a small tmpfs as a full disk";
        var folder = Directory.CreateTempSubdirectory("musicml-tmpfs-probe-").FullName;
        try
        {
            if (!Mount(folder, "64k")) return "mount -t tmpfs failed (no permission to mount in this container)";
            Unmount(folder);
            return null;
        }
        finally { Directory.Delete(folder); }
    }

    private static int RunTool(string tool, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
