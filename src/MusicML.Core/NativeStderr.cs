using System.Runtime.InteropServices;

namespace MusicML.Core;

/// <summary>
/// Silences what native libraries print to the process's standard error (libmpg123 writes a line per damaged MP3
/// frame, e.g. <c>[src/libmpg123/layer3.c:…] error: part2_3_length … too large</c>), so the CLI's one-line rule holds:
/// MusicML reports each problem once, in its own words. <c>MUSICML_DEBUG=1</c> keeps them, for diagnosis.
/// </summary>
/// <remarks>
/// File descriptor 2 is pointed at <c>/dev/null</c> while at least one <see cref="Scope"/> is open (a count, so
/// overlapping scopes on several threads nest correctly) and restored when the last closes. .NET's
/// <see cref="Console.Error"/> writes through its own duplicate of descriptor 2, taken when it is first used; it is
/// touched before the first redirection, so managed messages keep reaching the terminal throughout.
/// </remarks>
public static class NativeStderr
{
    private const int StandardError = 2, WriteOnly = 1;
    private static readonly object Gate = new();
    private static int _depth;
    private static int _saved = -1;

    /// <summary><c>MUSICML_DEBUG=1</c> (which also shows stack traces) leaves native messages on stderr for diagnosis.</summary>
    private static readonly bool Verbose = Environment.GetEnvironmentVariable("MUSICML_DEBUG") == "1";

    /// <summary>Silences native standard error until the returned scope is disposed (a no-op off Unix).</summary>
    public static Scope Silence()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() || Verbose) return new Scope(false);
        lock (Gate)
        {
            if (_depth == 0)
            {
                // Make .NET take its duplicate of descriptor 2 now, while it still points at the real stderr.
                Console.Error.Flush();
                int devNull = Open("/dev/null", WriteOnly);
                if (devNull < 0) return new Scope(false);
                _saved = Dup(StandardError);
                if (_saved < 0 || Dup2(devNull, StandardError) < 0)
                {
                    CloseFd(devNull);
                    if (_saved >= 0) CloseFd(_saved);
                    _saved = -1;
                    return new Scope(false);
                }
                CloseFd(devNull);
            }
            _depth++;
            return new Scope(true);
        }
    }

    private static void Restore()
    {
        lock (Gate)
        {
            if (--_depth > 0 || _saved < 0) return;
            Dup2(_saved, StandardError);
            CloseFd(_saved);
            _saved = -1;
        }
    }

    /// <summary>An open silencing; disposing it restores standard error once no other scope is open.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly bool _active;

        internal Scope(bool active) => _active = active;

        /// <inheritdoc />
        public void Dispose()
        {
            if (_active) Restore();
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Dup2(int fd, int target);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int CloseFd(int fd);
}
