using MusicML.Core;

namespace MusicML.Core.Tests;

public class AtomicFileTests
{
    private static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "musicml-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public void CommittedWriteReplacesTheOldFileAndLeavesNoTemporaryFile()
    {
        var folder = NewFolder();
        try
        {
            var path = Path.Combine(folder, "out.csv");
            File.WriteAllText(path, "old");
            AtomicFile.WriteAllText(path, "new contents\n");
            Assert.Equal("new contents\n", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(folder)); // only out.csv: the temporary was renamed, not copied
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void AbandonedWriteLeavesTheOldFileUntouched()
    {
        var folder = NewFolder();
        try
        {
            var path = Path.Combine(folder, "out.npy");
            File.WriteAllText(path, "old");
            Assert.Throws<InvalidDataException>(() => AtomicFile.WriteText(path, writer =>
            {
                writer.Write(new string('x', 100_000));
                throw new InvalidDataException("failure half-way through writing");
            }));
            Assert.Equal("old", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(folder));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void DirectoryOrMissingFolderIsAClearErrorNamingThePath()
    {
        var folder = NewFolder();
        try
        {
            var asDirectory = Assert.Throws<MusicMLException>(() => AtomicFile.WriteAllText(folder, "x"));
            Assert.Contains("is a directory", asDirectory.Message);
            Assert.Equal(folder, asDirectory.FilePath);
            var missing = Path.Combine(folder, "no-such-folder", "x.json");
            var noFolder = Assert.Throws<MusicMLException>(() => AtomicFile.WriteAllText(missing, "x"));
            Assert.Contains("does not exist", noFolder.Message);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void ConcurrentWritersLeaveOneCompleteFile()
    {
        // Eight writers race on one path with distinct 1 MB payloads: whichever rename lands last, the file must be
        // exactly one writer's payload, never a splice of two.
        var folder = NewFolder();
        try
        {
            var path = Path.Combine(folder, "race.bin");
            Parallel.For(0, 8, i => AtomicFile.WriteAllBytes(path, Enumerable.Repeat((byte)('a' + i), 1 << 20).ToArray()));
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(1 << 20, bytes.Length);
            Assert.All(bytes, b => Assert.Equal(bytes[0], b));
            Assert.Single(Directory.GetFiles(folder));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void IOExceptionMidWriteIsAMusicMLExceptionAndTheOldFileStays()
    {
        // What a full disk looks like from inside the write: the stream throws IOException (ENOSPC) half-way. The
        // caller gets one MusicMLException naming the destination, the old bytes stay, the temporary file goes.
        var folder = NewFolder();
        try
        {
            var path = Path.Combine(folder, "features.npy");
            File.WriteAllText(path, "old");
            var error = Assert.Throws<MusicMLException>(() => AtomicFile.Write(path, stream =>
            {
                stream.Write(new byte[300_000]);
                throw new IOException("No space left on device");
            }));
            Assert.Equal($"{path}: could not be written (No space left on device); the previous file, if any, is unchanged.", error.Message);
            Assert.Equal(path, error.FilePath);
            Assert.Equal("old", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(folder));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void NpyWriteIsAtomicToo()
    {
        // NpyFile.Write goes through AtomicFile: a directory in the way is refused with the path, and a replaced
        // array reads back whole with no temporary file left beside it.
        var folder = NewFolder();
        try
        {
            Assert.Contains("is a directory", Assert.Throws<MusicMLException>(() => NpyFile.WriteFloat32(folder, [1f], 1)).Message);
            var path = Path.Combine(folder, "a.npy");
            NpyFile.WriteFloat32(path, [1f, 2f], 2);
            NpyFile.WriteFloat32(path, [3f, 4f, 5f], 3);
            Assert.Equal([3f, 4f, 5f], NpyFile.Read(path).ToFloat32());
            Assert.Single(Directory.GetFiles(folder));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void AbandonedTemporaryFilesOfDeadWritersAreRemovedAndLiveOnesKept()
    {
        // A killed writer leaves .NAME.PID.GUID.tmp. The next write of NAME removes it when no process PID runs
        // (2147483647 cannot be a process id here) but keeps one whose process lives (this test's own, and pid 1) and
        // never touches another destination's temporaries.
        var folder = NewFolder();
        try
        {
            var dead = Path.Combine(folder, $".out.csv.{int.MaxValue}.{Guid.NewGuid():N}.tmp");
            var mine = Path.Combine(folder, $".out.csv.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            var init = Path.Combine(folder, $".out.csv.1.{Guid.NewGuid():N}.tmp");
            var other = Path.Combine(folder, $".other.csv.{int.MaxValue}.{Guid.NewGuid():N}.tmp");
            foreach (var f in new[] { dead, mine, init, other }) File.WriteAllText(f, "partial");
            AtomicFile.WriteAllText(Path.Combine(folder, "out.csv"), "done\n");
            Assert.False(File.Exists(dead));
            Assert.True(File.Exists(mine));
            Assert.True(File.Exists(init));
            Assert.True(File.Exists(other));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void SymbolicLinkDestinationIsWrittenThrough()
    {
        // out.json -> real/data.json: the new bytes land in data.json and out.json stays a link, as File.WriteAllText
        // would leave it; the temporary file lives (and is renamed) beside the target.
        var folder = NewFolder();
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "real"));
            var target = Path.Combine(folder, "real", "data.json");
            File.WriteAllText(target, "old");
            var link = Path.Combine(folder, "out.json");
            File.CreateSymbolicLink(link, target);
            AtomicFile.WriteAllText(link, "new");
            Assert.Equal("new", File.ReadAllText(target));
            Assert.NotNull(new FileInfo(link).LinkTarget);
            Assert.Single(Directory.GetFiles(Path.Combine(folder, "real")));
        }
        finally { Directory.Delete(folder, true); }
    }
}
