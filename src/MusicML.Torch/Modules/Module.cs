using MusicML.Core;

namespace MusicML.Torch.Modules;

/// <summary>
/// A building block of a network with named parameters (trainable tensors), buffers (state such as batch-norm running
/// statistics) and child modules, addressed by PyTorch's dotted <c>state_dict</c> names (<c>layer1.conv.weight</c>) so
/// weights move between MusicML and PyTorch unchanged. A module owns its tensors and disposes them with itself.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Tensor?>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor?>> _buffers = [];
    private readonly List<KeyValuePair<string, Module>> _children = [];
    private bool _disposed;

    /// <summary>True in training mode (dropout active, batch norm uses batch statistics); modules start in it, as in PyTorch.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Registers a trainable tensor under <paramref name="name"/>: the module takes ownership and gradients are enabled.</summary>
    /// <returns>The same tensor (null registers an absent optional parameter, e.g. no bias).</returns>
    protected Tensor? RegisterParameter(string name, Tensor? parameter)
    {
        ValidateName(name);
        if (parameter != null)
        {
            parameter.DetachFromDisposeScope();
            parameter.RequiresGrad = true;
        }
        _parameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Registers non-trainable state under <paramref name="name"/> (saved in the state dict); the module takes ownership.</summary>
    protected Tensor? RegisterBuffer(string name, Tensor? buffer)
    {
        ValidateName(name);
        buffer?.DetachFromDisposeScope();
        _buffers.Add(new(name, buffer));
        return buffer;
    }

    /// <summary>Registers a child module whose tensors are named <c>name.…</c>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(module);
        _children.Add(new(name, module));
        return module;
    }

    private void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new TorchException($"module member name '{name}' must be non-empty and contain no '.'");
        if (_parameters.Exists(p => p.Key == name) || _buffers.Exists(b => b.Key == name) || _children.Exists(c => c.Key == name))
            throw new TorchException($"module member name '{name}' is already registered");
    }

    /// <summary>Direct children with their names, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        foreach (var (name, module) in _children) yield return (name, module);
    }

    /// <summary>Every parameter of this module and its descendants with its dotted name, in PyTorch's order.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters() => Named(prefix: "", buffers: false);

    /// <summary>Every buffer of this module and its descendants with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers() => Named(prefix: "", buffers: true);

    /// <summary>Every parameter (what an optimiser updates).</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    private IEnumerable<(string, Tensor)> Named(string prefix, bool buffers)
    {
        foreach (var (name, tensor) in buffers ? _buffers : _parameters)
            if (tensor != null) yield return (prefix + name, tensor);
        foreach (var (name, child) in _children)
            foreach (var item in child.Named(prefix + name + ".", buffers))
                yield return item;
    }

    /// <summary>
    /// Parameters and buffers by PyTorch <c>state_dict</c> name, in PyTorch's order (each module's parameters, then its
    /// buffers, then its children). The tensors are the module's own (not copies): do not dispose them.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> StateDict()
    {
        var result = new List<KeyValuePair<string, Tensor>>();
        CollectState("", result);
        return result;
    }

    private void CollectState(string prefix, List<KeyValuePair<string, Tensor>> into)
    {
        foreach (var (name, tensor) in _parameters)
            if (tensor != null) into.Add(new(prefix + name, tensor));
        foreach (var (name, tensor) in _buffers)
            if (tensor != null) into.Add(new(prefix + name, tensor));
        foreach (var (name, child) in _children) child.CollectState(prefix + name + ".", into);
    }

    /// <summary>
    /// Copies tensors into this module's parameters and buffers by name (PyTorch's <c>load_state_dict</c>); values are
    /// converted to each target's dtype and device. With <paramref name="strict"/>, missing or unexpected names are an
    /// error; a shape mismatch always is. The error lists every offending name.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var own = StateDict();
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, target) in own)
        {
            seen.Add(name);
            if (!stateDict.TryGetValue(name, out var source))
            {
                if (strict) problems.Add($"missing '{name}'");
                continue;
            }
            var want = target.Shape;
            var have = source.Shape;
            if (!want.AsSpan().SequenceEqual(have))
                problems.Add($"'{name}' has shape [{string.Join(", ", have)}] but the module expects [{string.Join(", ", want)}]");
        }
        if (strict)
            foreach (var name in stateDict.Keys)
                if (!seen.Contains(name)) problems.Add($"unexpected '{name}'");
        if (problems.Count > 0)
            throw new MusicMLException($"state dict does not fit {GetType().Name}: {string.Join("; ", problems)}");
        using (TorchRuntime.NoGrad())
        {
            foreach (var (name, target) in own)
                if (stateDict.TryGetValue(name, out var source)) target.CopyFrom(source);
        }
    }

    /// <summary>Sets training (true) or evaluation (false) mode on this module and all descendants.</summary>
    /// <returns>This module.</returns>
    public Module Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, child) in _children) child.Train(training);
        return this;
    }

    /// <summary>Evaluation mode (dropout off, batch norm on running statistics), like PyTorch's <c>eval()</c>.</summary>
    public Module Eval() => Train(false);

    /// <summary>
    /// Moves every parameter and buffer to <paramref name="device"/> in place: the tensor objects stay the same, only
    /// their data moves. Create optimisers afterwards (as in PyTorch) so their state lives on the same device.
    /// </summary>
    public Module To(Device device)
    {
        device.EnsureUsable();
        Apply(t => t.To(device));
        return this;
    }

    /// <summary>Converts every floating-point parameter and buffer to <paramref name="dtype"/> in place.</summary>
    public Module To(DType dtype)
    {
        if (!dtype.IsFloatingPoint()) throw new TorchException($"modules convert to floating-point dtypes only, not {dtype}");
        Apply(t => t.DType.IsFloatingPoint() ? t.To(dtype) : null);
        return this;
    }

    private void Apply(Func<Tensor, Tensor?> convert)
    {
        using var noGrad = TorchRuntime.NoGrad();
        foreach (var (_, tensor) in StateDict())
        {
            using var converted = convert(tensor);
            if (converted != null) tensor.SetData(converted);
        }
    }

    /// <summary>Drops the gradients of every parameter (PyTorch's <c>zero_grad(set_to_none=True)</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ClearGrad();
    }

    /// <summary>Releases every parameter and buffer of this module and its descendants.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the module's tensors; override to release extra state, calling the base.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
        _disposed = true;
        foreach (var (_, t) in _parameters) t?.Dispose();
        foreach (var (_, t) in _buffers) t?.Dispose();
        foreach (var (_, c) in _children) c.Dispose();
    }
}

/// <summary>A module with one forward computation from <typeparamref name="TInput"/> to <typeparamref name="TOutput"/>.</summary>
public abstract class Module<TInput, TOutput> : Module
{
    /// <summary>Computes the module's output.</summary>
    public abstract TOutput Forward(TInput input);
}
