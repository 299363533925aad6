namespace MusicML.Torch;

/// <summary>
/// Releases every tensor created on this thread while the scope is the innermost one, so a training or inference loop
/// frees its intermediates deterministically instead of waiting for the garbage collector:
/// <code>
/// using (var scope = TorchRuntime.NewDisposeScope())
/// {
///     var loss = Losses.MseLoss(model.Forward(x), y);
///     loss.Backward();
///     result = scope.MoveToOuter(loss.Detach());
/// }
/// </code>
/// Scopes nest; a tensor moved out joins the enclosing scope (or none). Module parameters and buffers never belong to
/// a scope: modules take them out when they register them.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    // A list with each tensor remembering its slot makes adding and removing O(1) without hashing: this runs once per
    // tensor operation.
    private readonly List<Tensor?> _owned = [];
    private int _count;
    private readonly DisposeScope? _outer;
    private bool _disposed;

    internal DisposeScope()
    {
        _outer = _current;
        _current = this;
    }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    internal static DisposeScope? Current => _current;

    /// <summary>How many tensors this scope will release.</summary>
    public int Count => _count;

    internal void Add(Tensor tensor)
    {
        tensor.Scope = this;
        tensor.ScopeSlot = _owned.Count;
        _owned.Add(tensor);
        _count++;
    }

    internal void Remove(Tensor tensor)
    {
        if (tensor.Scope != this) return;
        _owned[tensor.ScopeSlot] = null;
        tensor.Scope = null;
        _count--;
    }

    /// <summary>Keeps <paramref name="tensor"/> alive past this scope: it moves to the enclosing scope, or to none.</summary>
    /// <returns>The same tensor, for chaining.</returns>
    public Tensor MoveToOuter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Scope == this) Remove(tensor);
        _outer?.Add(tensor);
        return tensor;
    }

    /// <summary>Releases every tensor still owned and closes the scope (and any inner scope left open).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var tensor in _owned)
        {
            if (tensor == null) continue;
            tensor.Scope = null;
            tensor.Dispose();
        }
        _owned.Clear();
        _count = 0;
        // Scopes are strictly nested per thread; closing an outer one also closes any inner one left open.
        if (_current == this || IsInnerOf(_current)) _current = _outer;
    }

    private bool IsInnerOf(DisposeScope? scope)
    {
        for (var s = scope; s != null; s = s._outer)
            if (s == this) return true;
        return false;
    }
}
