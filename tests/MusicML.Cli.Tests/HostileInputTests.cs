using System.Diagnostics;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.TestSupport;

namespace MusicML.Cli.Tests;

/// <summary>
/// Inputs built to hang, loop or exhaust memory (issue 9, "hostile input"): each must end quickly with one clear line
/// per problem and the right exit status, never a wait, a repeat or an allocation sized by a lie in a header.
/// </summary>
public class HostileInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Tone(string relative, double seconds = 0.5)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var samples = new float[(int)(seconds * 22050)];
        for (int n = 0; n < samples.Length; n++) samples[n] = 0.3f * MathF.Sin(2 * MathF.PI * 440 * n / 22050);
        WavWriter.Write(path, new AudioBuffer(samples, 22050));
        return path;
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", path);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>
    /// A directory holding a link to itself, a link to its parent and a second link to one file: every real file is
    /// listed once (2 files, not an endless or repeated walk), in path order.
    /// </summary>
    [SkippableFact]
    public void DirectoryWalkVisitsEachRealFileOnceThroughLinkLoops()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links and inode identity are tested on Linux");
        var a = Tone("set/a.wav");
        var b = Tone("set/sub/b.wav");
        Directory.CreateSymbolicLink(Path.Combine(_dir, "set", "sub", "loop"), Path.Combine(_dir, "set"));
        Directory.CreateSymbolicLink(Path.Combine(_dir, "set", "self"), ".");
        File.CreateSymbolicLink(Path.Combine(_dir, "set", "sub", "again.wav"), a);
        var (code, output, error) = CliRun.Run("info", Path.Combine(_dir, "set"));
        Assert.Equal(0, code);
        Assert.Empty(error);
        var listed = CliRun.Lines(output).Select(l => l[..l.IndexOf(": WAV", StringComparison.Ordinal)]).ToArray();
        Assert.Equal(2, listed.Length);
        Assert.Contains(a, listed);
        Assert.True(listed.Contains(b) || listed.Contains(Path.Combine(_dir, "set", "sub", "again.wav")) || listed.Any(p => p.EndsWith("b.wav", StringComparison.Ordinal)));
    }

    /// <summary>A FIFO inside a directory is skipped with a warning; one named directly is that file's error, at once.</summary>
    [SkippableFact]
    public void NamedPipesAreSkippedInDirectoriesAndRefusedWhenNamed()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo is tested on Linux");
        var tone = Tone("set/tone.wav");
        var fifo = Path.Combine(_dir, "set", "pipe.wav");
        MakeFifo(fifo);
        var run = Task.Run(() => CliRun.Run("info", Path.Combine(_dir, "set")));
        Assert.True(run.Wait(TimeSpan.FromSeconds(20)), "a FIFO in a directory must not be opened");
        var (code, output, error) = run.Result;
        Assert.Equal(0, code);
        Assert.Equal([$"musicml: warning: {fifo}: skipped: a named pipe (FIFO), not an audio file."], CliRun.Lines(error));
        Assert.StartsWith(tone + ": WAV", Assert.Single(CliRun.Lines(output)));

        var direct = Task.Run(() => CliRun.Run("beats", fifo));
        Assert.True(direct.Wait(TimeSpan.FromSeconds(20)), "a FIFO named directly must be refused, not waited on");
        Assert.Equal(CommandLineApp.ExitFailure, direct.Result.Code);
        Assert.Equal([$"musicml: error: {fifo}: is a named pipe (FIFO), not an audio file."], CliRun.Lines(direct.Result.Err));
    }

    /// <summary>
    /// 20 KB of samples under a header claiming 1 Hz: before, analyze resampled it into 10 000 s of audio and hung at
    /// 7.8 GB. It is refused from the header, within seconds, with the value named.
    /// </summary>
    [Fact]
    public void HeaderClaimingOneHertzIsRefusedAtOnce()
    {
        var path = Path.Combine(_dir, "one-hertz.wav");
        var header = new byte[44];
        "RIFF"u8.CopyTo(header);
        BitConverter.GetBytes(36 + 20_000).CopyTo(header, 4);
        "WAVEfmt "u8.CopyTo(header.AsSpan(8));
        BitConverter.GetBytes(16).CopyTo(header, 16);
        BitConverter.GetBytes((short)1).CopyTo(header, 20); // PCM
        BitConverter.GetBytes((short)1).CopyTo(header, 22); // mono
        BitConverter.GetBytes(1).CopyTo(header, 24); // 1 Hz
        BitConverter.GetBytes(2).CopyTo(header, 28);
        BitConverter.GetBytes((short)2).CopyTo(header, 32);
        BitConverter.GetBytes((short)16).CopyTo(header, 34);
        "data"u8.CopyTo(header.AsSpan(36));
        BitConverter.GetBytes(20_000).CopyTo(header, 40);
        File.WriteAllBytes(path, [.. header, .. new byte[20_000]]);
        var watch = Stopwatch.StartNew();
        var (code, output, error) = CliRun.Run("analyze", path);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        Assert.Equal(CommandLineApp.ExitFailure, code);
        Assert.Equal([$"musicml: error: {path}: the header declares a sample rate of 1 Hz, outside 1000–768000 Hz (a damaged or hostile header?)."],
            CliRun.Lines(error));
        Assert.Equal("[]", output.Trim()); // analyze's JSON array, empty because its only file failed
    }

    /// <summary>
    /// An MP3 whose middle third is overwritten with noise makes libmpg123 print a line per damaged frame on the
    /// process's stderr (file descriptor 2, below .NET). Run as a child process, every stderr line must be MusicML's
    /// own: the decoder's chatter is silenced and the damage is reported as one warning or one error.
    /// </summary>
    [SkippableFact]
    public void NativeDecoderMessagesNeverReachStderr()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/usr/lib/x86_64-linux-gnu/libsndfile.so.1") || File.Exists("/usr/lib/aarch64-linux-gnu/libsndfile.so.1"),
            "libsndfile1 (with its MP3 codecs) is not installed");
        var path = Path.Combine(_dir, "damaged.mp3");
        SndfileEncoder.WriteTones(path, SndfileEncoder.Mp3, 44100, 2, seconds: 6);
        var bytes = File.ReadAllBytes(path);
        new Random(9).NextBytes(bytes.AsSpan(bytes.Length / 3, bytes.Length / 3));
        File.WriteAllBytes(path, bytes);
        foreach (var command in new[] { "info", "tempo" })
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
            var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "musicml.dll"), command, path }) start.ArgumentList.Add(a);
            using var child = Process.Start(start)!;
            var errTask = child.StandardError.ReadToEndAsync();
            var output = child.StandardOutput.ReadToEnd();
            Assert.True(child.WaitForExit(60_000), $"musicml {command} did not finish");
            var error = CliRun.Lines(errTask.Result);
            Assert.All(error, line => Assert.StartsWith("musicml: ", line));
            Assert.True(error.Length <= 1, $"musicml {command} printed {error.Length} lines: {string.Join(" | ", error)}");
            if (child.ExitCode == 0) Assert.NotEmpty(output.Trim());
        }
    }

    /// <summary>
    /// 10 s of 16-bit dither: before, `key` said "F major" and `tempo` 157.93 BPM. Each task command now exits 0 with
    /// one warning saying why there is no estimate and writes nothing (chords: one N segment, a valid .lab).
    /// </summary>
    [Fact]
    public void DitheredSilenceGetsNoEstimateFromEveryTaskCommand()
    {
        var path = Path.Combine(_dir, "dither.wav");
        var random = new Random(3);
        var y = new float[10 * 22050];
        for (int i = 0; i < y.Length; i++) y[i] = (float)((random.NextDouble() + random.NextDouble() - 1) / 32768);
        WavWriter.Write(path, new AudioBuffer(y, 22050), WavSampleFormat.Float32);
        foreach (var command in new[] { "key", "tempo", "beats", "downbeats", "chords", "segments" })
        {
            var (code, output, error) = CliRun.Run(command, path);
            Assert.Equal(0, code);
            var warning = Assert.Single(CliRun.Lines(error));
            Assert.StartsWith($"musicml: warning: {path}: no estimate: too quiet to estimate from (loudest frame -9", warning);
            Assert.EndsWith(" dBFS; at least -60 dBFS is needed).", warning);
            Assert.Equal(command == "chords" ? ["0.000000 10.000000 N"] : [], CliRun.Lines(output));
        }
    }
}
