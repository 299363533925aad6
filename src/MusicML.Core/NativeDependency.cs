using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MusicML.Core;

/// <summary>
/// One optional native engine (libsndfile, FFTW, libsoxr, the libtorch shim): where to look for it, which Debian
/// package provides it, and whether it loaded. Loading is attempted once, lazily, and never throws by itself, so a
/// library can fall back to managed code when the engine is absent and name the package when it is required.
/// </summary>
/// <remarks>
/// Search order: the directory named by <c>MUSICML_NATIVE_PATH</c>, the application's base directory, the directory
/// of the assembly that declares the import, then the operating system's default search. Versioned sonames
/// (<c>libsndfile.so.1</c>) come first in each candidate list because Debian's runtime packages ship no unversioned
/// link. Setting <c>MUSICML_DISABLE_NATIVE</c> to a comma-separated list of import names (or <c>all</c>) makes those
/// engines report unavailable, which is how the managed fallbacks are exercised on machines that have the engines.
/// </remarks>
public sealed class NativeDependency
{
    private static readonly ConcurrentDictionary<Assembly, ConcurrentDictionary<string, NativeDependency>> Registered = new();
    private readonly Lazy<IntPtr> _handle;

    /// <summary>Describes a native dependency.</summary>
    /// <param name="importName">The name used in <c>[LibraryImport]</c>/<c>[DllImport]</c>, e.g. <c>sndfile</c>.</param>
    /// <param name="displayName">The name shown to users, e.g. <c>libsndfile</c>.</param>
    /// <param name="debianPackage">The Debian package that installs the runtime library.</param>
    /// <param name="purpose">What it is needed for, completing "it is needed for …".</param>
    /// <param name="candidateFileNames">File names to try, most specific first.</param>
    public NativeDependency(string importName, string displayName, string debianPackage, string purpose,
        params string[] candidateFileNames)
    {
        ImportName = importName;
        DisplayName = displayName;
        DebianPackage = debianPackage;
        Purpose = purpose;
        CandidateFileNames = candidateFileNames;
        _handle = new Lazy<IntPtr>(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The import name used in P/Invoke declarations.</summary>
    public string ImportName { get; }

    /// <summary>The user-facing library name.</summary>
    public string DisplayName { get; }

    /// <summary>The Debian package providing the library.</summary>
    public string DebianPackage { get; }

    /// <summary>What the library is used for.</summary>
    public string Purpose { get; }

    /// <summary>File names tried in order.</summary>
    public IReadOnlyList<string> CandidateFileNames { get; }

    /// <summary>The full path or name that loaded, or null when the library is unavailable.</summary>
    public string? LoadedFrom { get; private set; }

    /// <summary>True when the library loaded (attempted on first access).</summary>
    public bool IsAvailable => _handle.Value != IntPtr.Zero;

    /// <summary>The OS handle of the loaded library.</summary>
    /// <exception cref="NativeLibraryMissingException">The library could not be loaded.</exception>
    public IntPtr Handle
    {
        get
        {
            EnsureAvailable();
            return _handle.Value;
        }
    }

    /// <summary>Throws a <see cref="NativeLibraryMissingException"/> naming the Debian package when unavailable.</summary>
    public void EnsureAvailable()
    {
        if (!IsAvailable) throw new NativeLibraryMissingException(DisplayName, DebianPackage, Purpose);
    }

    /// <summary>Looks up an exported symbol, or returns <see cref="IntPtr.Zero"/> when it is absent.</summary>
    public IntPtr TryGetExport(string symbol) =>
        IsAvailable && NativeLibrary.TryGetExport(_handle.Value, symbol, out var address) ? address : IntPtr.Zero;

    /// <summary>
    /// Routes P/Invoke imports named <see cref="ImportName"/> in <paramref name="assembly"/> to this library. Several
    /// dependencies may be registered for one assembly; the runtime allows only one resolver per assembly, so they
    /// share it.
    /// </summary>
    public void RegisterResolver(Assembly assembly)
    {
        var map = Registered.GetOrAdd(assembly, a =>
        {
            var perAssembly = new ConcurrentDictionary<string, NativeDependency>(StringComparer.Ordinal);
            NativeLibrary.SetDllImportResolver(a, (name, _, _) =>
                perAssembly.TryGetValue(name, out var dep) && dep.IsAvailable ? dep._handle.Value : IntPtr.Zero);
            return perAssembly;
        });
        map[ImportName] = this;
    }

    private IntPtr Load()
    {
        if (IsDisabledByEnvironment(ImportName)) return IntPtr.Zero;
        foreach (var directory in SearchDirectories())
        {
            foreach (var name in CandidateFileNames)
            {
                var path = Path.Combine(directory, name);
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
                {
                    LoadedFrom = path;
                    return handle;
                }
            }
        }
        foreach (var name in CandidateFileNames)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                LoadedFrom = name;
                return handle;
            }
        }
        return IntPtr.Zero;
    }

    private static IEnumerable<string> SearchDirectories()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("MUSICML_NATIVE_PATH");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            foreach (var dir in fromEnvironment.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                yield return dir;
        yield return AppContext.BaseDirectory;
        var own = Path.GetDirectoryName(typeof(NativeDependency).Assembly.Location);
        if (!string.IsNullOrEmpty(own)) yield return own;
    }

    /// <summary>True when <c>MUSICML_DISABLE_NATIVE</c> names <paramref name="importName"/> or <c>all</c>.</summary>
    public static bool IsDisabledByEnvironment(string importName)
    {
        var disabled = Environment.GetEnvironmentVariable("MUSICML_DISABLE_NATIVE");
        if (string.IsNullOrWhiteSpace(disabled)) return false;
        foreach (var item in disabled.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (item.Equals("all", StringComparison.OrdinalIgnoreCase) ||
                item.Equals(importName, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }
}
