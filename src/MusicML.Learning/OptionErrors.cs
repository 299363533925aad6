using MusicML.Core;

namespace MusicML.Learning;

/// <summary>
/// Collects every invalid hyper-parameter of one options object so that the caller hears about all of them at once,
/// each by name and value, in one <see cref="MusicMLException"/>.
/// </summary>
internal sealed class OptionErrors(string owner)
{
    private readonly List<string> _errors = [];

    /// <summary>Records <paramref name="message"/> about <paramref name="parameter"/> unless <paramref name="valid"/>.</summary>
    public OptionErrors Require(bool valid, string parameter, FormattableString message)
    {
        if (!valid) _errors.Add($"{parameter}: {FormattableString.Invariant(message)}");
        return this;
    }

    /// <summary>Throws one exception listing every recorded problem, if there is any.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
            throw new MusicMLException($"{owner}: invalid hyper-parameter{(_errors.Count > 1 ? "s" : "")}: {string.Join("; ", _errors)}.");
    }
}
