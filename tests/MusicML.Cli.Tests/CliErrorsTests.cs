using MusicML.Cli.Infrastructure;
using MusicML.Core;

namespace MusicML.Cli.Tests;

/// <summary>
/// A batch failure line names the input once: an error about that input (by MusicMLException.FilePath, however the
/// path is spelt) is printed as is; an error about another file, or one naming no file, gets the input in front.
/// </summary>
public class CliErrorsTests
{
    [Fact]
    public void FailureLinesNameTheInputOnce()
    {
        var relative = Path.Combine("audio", "a.wav");
        var absolute = Path.GetFullPath(relative);
        var aboutInput = new MusicMLException($"{absolute}: truncated after 3 s.") { FilePath = absolute };
        Assert.Equal($"{absolute}: truncated after 3 s.", CliErrors.FileMessage(relative, aboutInput));

        var aboutWeights = new MusicMLException("/models/fcn.safetensors: not a safetensors file") { FilePath = "/models/fcn.safetensors" };
        Assert.Equal($"{relative}: /models/fcn.safetensors: not a safetensors file", CliErrors.FileMessage(relative, aboutWeights));

        var aboutNoFile = new MusicMLException("The audio signal 'y' is empty (0 samples).");
        Assert.Equal($"{relative}: The audio signal 'y' is empty (0 samples).", CliErrors.FileMessage(relative, aboutNoFile));

        // .NET's own I/O errors cannot carry FilePath and quote the path themselves.
        var io = new IOException($"Could not find file '{relative}'.");
        Assert.Equal($"Could not find file '{relative}'.", CliErrors.FileMessage(relative, io));
    }
}
