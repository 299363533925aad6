namespace MusicML.Audio;

/// <summary>
/// Non-fatal problems met while decoding (a truncated or damaged file decoded up to the damage), reported once per
/// opened file. Whoever wants them listens for the work it runs:
/// <code>using (AudioWarnings.Listen((path, message) => log.Warn(message))) { … AudioFile.Load(…) … }</code>
/// Listening is scoped to the current logical flow (an <see cref="AsyncLocal{T}"/>: tasks and parallel loops started
/// inside the scope report to it, unrelated concurrent work does not). Without a listener warnings are dropped, since
/// decoding still succeeded. The CLI prints each as one <c>musicml: warning:</c> line.
/// </summary>
public static class AudioWarnings
{
    private sealed record Listener(Action<string, string> Handler, Listener? Outer);

    private static readonly AsyncLocal<Listener?> Current = new();

    /// <summary>
    /// Sends the warnings raised in this flow to <paramref name="handler"/> (with the file's path and a one-line message
    /// that starts with the path) until the returned scope is disposed. Scopes nest; every open one hears each warning.
    /// </summary>
    public static IDisposable Listen(Action<string, string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var outer = Current.Value;
        Current.Value = new Listener(handler, outer);
        return new Scope(outer);
    }

    /// <summary>
    /// Holds back every warning raised in this flow until the returned scope is disposed: for reading a file a second
    /// time when its warnings were already given on the first read.
    /// </summary>
    public static IDisposable Mute()
    {
        var outer = Current.Value;
        Current.Value = null;
        return new Scope(outer);
    }

    internal static void Raise(string path, string message)
    {
        for (var listener = Current.Value; listener is not null; listener = listener.Outer) listener.Handler(path, message);
    }

    /// <summary>The wording of a file that ended early: how much decoded of how much the header declared.</summary>
    internal static string Truncated(string path, long readFrames, long declaredFrames, int sampleRate) =>
        $"{path}: truncated or damaged: decoded {Seconds(readFrames, sampleRate)} of the {Seconds(declaredFrames, sampleRate)} its header declares; using what was read.";

    /// <summary>The wording of a file whose header states a length no file of its size can hold (a damaged Ogg page).</summary>
    internal static string ImpossibleLength(string path, long readFrames, long declaredFrames, int sampleRate) =>
        $"{path}: truncated or damaged: decoded {Seconds(readFrames, sampleRate)}; the {declaredFrames} frames its header declares are impossible; using what was read.";

    private static string Seconds(long frames, int sampleRate) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(double)frames / sampleRate:F3} s");

    private sealed class Scope(Listener? outer) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Current.Value = outer;
        }
    }
}
