using MusicML.Core;

namespace MusicML.Torch;

/// <summary>
/// An operation libtorch rejected (a shape mismatch, a wrong dtype, an unavailable device). The message is
/// libtorch's own, e.g. <c>mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)</c>.
/// </summary>
public sealed class TorchException : MusicMLException
{
    /// <summary>Creates the exception with libtorch's (or MusicML's) description of what went wrong.</summary>
    public TorchException(string message) : base(message) { }
}
