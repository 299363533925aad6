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
}
