using MusicML.Core;

namespace MusicML.Dsp;

/// <summary>
/// The Dsp-only up-front checks (on its matrix types); audio, finiteness and sizes go through
/// <see cref="InputGuard"/>, the one guard shared by every library.
/// </summary>
internal static class Validation
{
    public static void NotEmpty(FloatMatrix matrix, string name)
    {
        ArgumentNullException.ThrowIfNull(matrix, name);
        if (matrix.Rows == 0 || matrix.Columns == 0)
            throw new MusicMLException($"'{name}' is empty ({matrix.Rows} × {matrix.Columns}).");
    }
}
