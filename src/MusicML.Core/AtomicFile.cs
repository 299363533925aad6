using System.Text;

namespace MusicML.Core;

/// <summary>
/// Writes a file so that readers only ever see the old file or the complete new one: the bytes go to a temporary
/// file in the same folder (same file system, so the rename is atomic), which is flushed to disk and renamed over the
/// destination by <see cref="Commit"/>. Disposing without committing deletes the temporary file, so an exception, a
/// full disk or a killed process never leaves a truncated destination; a killed process leaves at most a hidden
/// <c>.NAME.PID.*.tmp</c> file beside it, which the next write of the same destination removes once no process with
/// that id is running. Two processes writing the same path each rename a complete file; the last rename wins.
/// </summary>
/// <example>
/// <code>
/// using (var file = AtomicFile.Create("scores.csv"))
/// {
///     file.Stream.Write(bytes);
///     file.Commit();
/// }
/// </code>
/// </example>
public sealed class AtomicFile : IDisposable
{
    private readonly FileStream _stream;
    private bool _committed;
    private bool _disposed;

    private AtomicFile(string path, string temporaryPath, FileStream stream)
    {
        Path = path;
        TemporaryPath = temporaryPath;
        _stream = stream;
    }

    /// <summary>The destination path (full path; for a symbolic link, the file it points to).</summary>
    public string Path { get; }

    /// <summary>The temporary file the bytes are written to until <see cref="Commit"/>.</summary>
    public string TemporaryPath { get; }

    /// <summary>The stream to write to (seekable; positioned at 0).</summary>
    public Stream Stream
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _stream;
        }
    }

    /// <summary>
    /// Starts writing <paramref name="path"/>. Nothing at <paramref name="path"/> changes until <see cref="Commit"/>.
    /// </summary>
    /// <exception cref="MusicMLException">The path is an existing directory, its folder does not exist, or it cannot be written.</exception>
    public static AtomicFile Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        // A symbolic link is written through, as a plain write would: the rename replaces the file it points to and
        // the link stays (renaming over the link itself would silently turn it into a regular file).
        if (new FileInfo(full).LinkTarget is not null && !Directory.Exists(full))
        {
            try
            {
                full = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
            }
            catch (IOException e)
            {
                throw new MusicMLException($"{path}: the symbolic link cannot be followed ({e.Message}).", e) { FilePath = path };
            }
        }
        if (Directory.Exists(full))
            throw new MusicMLException($"{path}: is a directory; give a file name to write to.") { FilePath = path };
        string folder = System.IO.Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder))
            throw new MusicMLException($"{path}: the folder '{folder}' does not exist.") { FilePath = path };
        string name = System.IO.Path.GetFileName(full);
        RemoveAbandoned(folder, name);
        string temporary = System.IO.Path.Combine(folder, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            return new AtomicFile(full, temporary, stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MusicMLException($"{path}: cannot be written ({e.Message}).", e) { FilePath = path };
        }
    }

    /// <summary>Flushes the bytes to disk and renames the temporary file over the destination.</summary>
    /// <exception cref="MusicMLException">The disk is full or the rename fails; the destination is then unchanged.</exception>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) throw new InvalidOperationException("The file has already been committed.");
        try
        {
            _stream.Flush(flushToDisk: true);
            _stream.Dispose();
            File.Move(TemporaryPath, Path, overwrite: true);
            _committed = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(TemporaryPath);
            throw e is IOException io ? WriteFailed(Path, io)
                : new MusicMLException($"{Path}: could not be written ({e.Message}); the previous file, if any, is unchanged.", e) { FilePath = Path };
        }
        finally
        {
            _disposed = true;
        }
    }

    /// <summary>Abandons an uncommitted write: the temporary file is deleted and the destination left as it was.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            // Closing flushes what is still buffered; on a full disk that fails, and the write is abandoned anyway,
            // so the error that stopped the write (not this one) is the one the caller sees.
            _stream.Dispose();
        }
        catch (IOException)
        {
        }
        if (!_committed) TryDelete(TemporaryPath);
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="MusicMLException">The path cannot be written; nothing at it changed.</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = Create(path);
        try
        {
            file.Stream.Write(bytes);
        }
        catch (IOException e)
        {
            throw WriteFailed(file.Path, e);
        }
        file.Commit();
    }

    /// <summary>
    /// Writes <paramref name="path"/> atomically through the stream handed to <paramref name="write"/>; the file is
    /// committed when it returns, and untouched if it throws. An <see cref="IOException"/> while writing (a full disk)
    /// becomes a <see cref="MusicMLException"/> naming <paramref name="path"/>.
    /// </summary>
    /// <exception cref="MusicMLException">The path cannot be written; nothing at it changed.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var file = Create(path);
        try
        {
            write(file.Stream);
        }
        catch (IOException e)
        {
            throw WriteFailed(file.Path, e);
        }
        file.Commit();
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark to <paramref name="path"/> atomically.</summary>
    /// <exception cref="MusicMLException">The path cannot be written; nothing at it changed.</exception>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));

    /// <summary>
    /// Writes <paramref name="path"/> atomically through a UTF-8 (no byte-order mark) text writer handed to
    /// <paramref name="write"/>; the file is committed when it returns, and untouched if it throws.
    /// </summary>
    /// <exception cref="MusicMLException">The path cannot be written; nothing at it changed.</exception>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            write(writer);
        });
    }

    private static MusicMLException WriteFailed(string path, IOException e) =>
        new($"{path}: could not be written ({e.Message}); the previous file, if any, is unchanged.", e) { FilePath = path };

    /// <summary>
    /// Deletes the temporary files a killed writer of <paramref name="name"/> left in <paramref name="folder"/>: those
    /// whose process id names no running process. A live writer's file (this process's or another's) is left alone.
    /// </summary>
    private static void RemoveAbandoned(string folder, string name)
    {
        string prefix = $".{name}.";
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(folder, $".{name}.*.tmp").ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var candidate in candidates)
        {
            var rest = System.IO.Path.GetFileName(candidate)[prefix.Length..];
            int dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || !int.TryParse(rest.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid == Environment.ProcessId || IsRunning(pid)) continue;
            TryDelete(candidate);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return true; // cannot tell: keep the file
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
