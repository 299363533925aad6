using System.Globalization;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.Core;

namespace MusicML.Cli.Experiments;

/// <summary>One tunable setting of an <see cref="ExperimentAlgorithm"/>, given as <c>--param name=value</c>.</summary>
/// <param name="Name">The library's property name in camelCase (<c>minBpm</c>, <c>threshold</c>), so a tuned value carries over to code.</param>
/// <param name="Description">What it changes, with its unit.</param>
/// <param name="DefaultValue">The library default, as text (what the algorithm uses when the parameter is not given).</param>
internal sealed record AlgorithmParameter(string Name, string Description, string DefaultValue);

/// <summary>
/// A named way of producing one task's estimate from audio: the same library calls the task command makes, with its
/// settings exposed as <see cref="AlgorithmParameter"/>s. <see cref="Prepare"/> checks parameter names and values once,
/// before any file is decoded, and returns the per-file function.
/// </summary>
internal sealed class ExperimentAlgorithm
{
    private readonly Func<ParameterValues, Func<AudioBuffer, string>> _prepare;

    /// <summary>Creates an algorithm; <paramref name="prepare"/> reads its settings and returns the per-file estimator.</summary>
    public ExperimentAlgorithm(string name, string description, IReadOnlyList<AlgorithmParameter> parameters,
        Func<ParameterValues, Func<AudioBuffer, string>> prepare)
    {
        Name = name;
        Description = description;
        Parameters = parameters;
        _prepare = prepare;
    }

    /// <summary>The name given to <c>--algorithm</c>.</summary>
    public string Name { get; }

    /// <summary>What it does, citing the method.</summary>
    public string Description { get; }

    /// <summary>The parameters <c>--param</c> may set.</summary>
    public IReadOnlyList<AlgorithmParameter> Parameters { get; }

    /// <summary>
    /// Validates <paramref name="given"/> (name → text value) and returns the function that turns decoded audio into
    /// the estimate's file text, in the format the task command writes.
    /// </summary>
    /// <exception cref="CliUsageException">An unknown parameter name (the message lists the valid ones) or a bad value.</exception>
    public Func<AudioBuffer, string> Prepare(IReadOnlyDictionary<string, string> given)
    {
        foreach (var name in given.Keys)
            if (!Parameters.Any(p => p.Name == name))
                throw new CliUsageException(Parameters.Count == 0
                    ? $"--param {name}: algorithm '{Name}' takes no parameters."
                    : $"--param {name}: unknown parameter of algorithm '{Name}'; valid: {string.Join(", ", Parameters.Select(p => p.Name))}.");
        var values = new ParameterValues(this, given);
        try
        {
            return _prepare(values);
        }
        catch (MusicMLException e)
        {
            // The library names the setting (e.g. "MinBpm must be below MaxBpm"); say which --param values led there.
            var shown = given.Count == 0 ? "the defaults" : string.Join(" ", given.Select(p => $"{p.Key}={p.Value}"));
            throw new CliUsageException($"--param {shown}: {e.Message}");
        }
    }

    /// <summary>The effective value of every parameter (given or default), in declaration order, for the summary.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Effective(IReadOnlyDictionary<string, string> given) =>
        Parameters.Select(p => KeyValuePair.Create(p.Name, given.TryGetValue(p.Name, out var v) ? v : p.DefaultValue)).ToArray();
}

/// <summary>Typed access to an algorithm's parameters: the given text parsed, or the declared default.</summary>
internal sealed class ParameterValues(ExperimentAlgorithm algorithm, IReadOnlyDictionary<string, string> given)
{
    private string Text(string name)
    {
        var parameter = algorithm.Parameters.FirstOrDefault(p => p.Name == name)
            ?? throw new InvalidOperationException($"Algorithm '{algorithm.Name}' reads undeclared parameter '{name}'.");
        return given.TryGetValue(name, out var value) ? value : parameter.DefaultValue;
    }

    /// <summary>The value as given (or its default), e.g. a path.</summary>
    public string String(string name) => Text(name);

    /// <summary>A finite number.</summary>
    public double Number(string name)
    {
        var text = Text(name);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new CliUsageException($"--param {name}={text}: expected a finite number.");
        return value;
    }

    /// <summary>A number greater than zero.</summary>
    public double Positive(string name)
    {
        var value = Number(name);
        if (value <= 0) throw new CliUsageException($"--param {name}={Text(name)}: must be greater than 0.");
        return value;
    }

    /// <summary>A whole number.</summary>
    public int Integer(string name)
    {
        var text = Text(name);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new CliUsageException($"--param {name}={text}: expected a whole number.");
        return value;
    }

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public bool Flag(string name)
    {
        var text = Text(name);
        return bool.TryParse(text, out var value) ? value
            : throw new CliUsageException($"--param {name}={text}: expected true or false.");
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), returned in lower case.</summary>
    public string Choice(string name, params string[] allowed)
    {
        var text = Text(name);
        return allowed.FirstOrDefault(a => a.Equals(text, StringComparison.OrdinalIgnoreCase))
            ?? throw new CliUsageException($"--param {name}={text}: expected one of {string.Join(", ", allowed)}.");
    }
}
