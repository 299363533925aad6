using System.Runtime.InteropServices;

namespace MusicML.Core;

/// <summary>What kind of file-system object a path names.</summary>
public enum FileNodeKind
{
    /// <summary>Nothing exists at the path (or a link points nowhere).</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,
    /// <summary>A named pipe: opening it for reading waits for a writer.</summary>
    Fifo,
    /// <summary>A Unix domain socket.</summary>
    Socket,
    /// <summary>A character device such as <c>/dev/zero</c>: endless or interactive data.</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>Exists, but its kind could not be determined.</summary>
    Other,
}

/// <summary>
/// A path's file-system identity read without opening it: its kind, and the device and inode numbers that say when
/// two paths (through links or bind mounts) are the same file. Opening a FIFO blocks until a writer appears and a
/// character device can stream forever, so anything that reads user-named paths asks here first.
/// </summary>
/// <param name="Kind">The kind of object.</param>
/// <param name="Device">The device the object lives on (Linux <c>statx</c>; 0 elsewhere).</param>
/// <param name="Inode">The object's inode number (Linux <c>statx</c>; 0 elsewhere).</param>
public readonly record struct FileNode(FileNodeKind Kind, ulong Device, ulong Inode)
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxType = 0x1, StatxIno = 0x100;

    /// <summary>True for the kinds whose content can be read as a file of finite length.</summary>
    public bool IsReadableFile => Kind == FileNodeKind.Regular;

    /// <summary>A short noun phrase for messages: "a named pipe (FIFO)", "a directory", ….</summary>
    public string Description => Kind switch
    {
        FileNodeKind.Regular => "a regular file",
        FileNodeKind.Directory => "a directory",
        FileNodeKind.SymbolicLink => "a symbolic link",
        FileNodeKind.Fifo => "a named pipe (FIFO)",
        FileNodeKind.Socket => "a socket",
        FileNodeKind.CharacterDevice => "a character device",
        FileNodeKind.BlockDevice => "a block device",
        FileNodeKind.Missing => "missing",
        _ => "not a regular file",
    };

    /// <summary>Reads what <paramref name="path"/> is; <paramref name="followLinks"/> false describes a link itself.</summary>
    public static FileNode Of(string path, bool followLinks = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return OfLinux(path, followLinks);
            }
            catch (EntryPointNotFoundException)
            {
                // glibc before 2.28 has no statx wrapper: fall through to what .NET can tell.
            }
        }
        return OfManaged(path, followLinks);
    }

    private static unsafe FileNode OfLinux(string path, bool followLinks)
    {
        // struct statx has one fixed layout on every Linux architecture: stx_mode (u16) at byte 28, stx_ino (u64) at
        // 32, stx_dev_major/minor (u32) at 136/140, 256 bytes in all.
        byte* buffer = stackalloc byte[256];
        int result = Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxIno, buffer);
        if (result != 0) return new FileNode(FileNodeKind.Missing, 0, 0);
        ushort mode = *(ushort*)(buffer + 28);
        ulong inode = *(ulong*)(buffer + 32);
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileNodeKind.Regular,
            0x4000 => FileNodeKind.Directory,
            0xA000 => FileNodeKind.SymbolicLink,
            0x1000 => FileNodeKind.Fifo,
            0xC000 => FileNodeKind.Socket,
            0x2000 => FileNodeKind.CharacterDevice,
            0x6000 => FileNodeKind.BlockDevice,
            _ => FileNodeKind.Other,
        };
        return new FileNode(kind, device, inode);
    }

    private static FileNode OfManaged(string path, bool followLinks)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null) return new FileNode(FileNodeKind.Missing, 0, 0);
        if (info.LinkTarget is not null)
        {
            if (!followLinks) return new FileNode(FileNodeKind.SymbolicLink, 0, 0);
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists) return new FileNode(FileNodeKind.Missing, 0, 0);
            info = target;
        }
        return new FileNode(info is DirectoryInfo ? FileNodeKind.Directory : FileNodeKind.Regular, 0, 0);
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern unsafe int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);
}
