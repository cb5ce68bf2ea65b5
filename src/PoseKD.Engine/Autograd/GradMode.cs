using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Autograd;

/// <summary>
/// Whether ops record autograd graph nodes. Enabled by default; <c>using (GradMode.NoGrad()) { … }</c>
/// disables recording for the enclosed code (inference, optimiser updates, backward passes). The flag is
/// held in an <see cref="AsyncLocal{T}"/>, so it is per logical thread of execution and flows into tasks and
/// <see cref="Parallel"/> loops started inside the scope; other threads are unaffected.
/// </summary>
public static class GradMode
{
    private static readonly AsyncLocal<bool> _disabled = new();

    /// <summary>True when ops record graph nodes in the current execution context.</summary>
    public static bool IsEnabled => !_disabled.Value;

    /// <summary>Disables recording until the returned scope is disposed (scopes nest).</summary>
    public static Scope NoGrad() => new(disabled: true);

    /// <summary>Re-enables recording inside a <see cref="NoGrad"/> scope until disposed.</summary>
    public static Scope EnableGrad() => new(disabled: false);

    /// <summary>True when an op with these inputs must record a node: grad enabled and some input requires grad.</summary>
    public static bool ShouldRecord(Tensor a) => !_disabled.Value && a.RequiresGrad;

    /// <summary>True when an op with these inputs must record a node: grad enabled and some input requires grad.</summary>
    public static bool ShouldRecord(Tensor a, Tensor b) => !_disabled.Value && (a.RequiresGrad || b.RequiresGrad);

    /// <summary>True when an op with these inputs must record a node: grad enabled and some input requires grad.</summary>
    public static bool ShouldRecord(params ReadOnlySpan<Tensor> inputs)
    {
        if (_disabled.Value) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>A grad-mode scope; restores the previous mode when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly bool _previous;

        internal Scope(bool disabled)
        {
            _previous = _disabled.Value;
            _disabled.Value = disabled;
        }

        /// <summary>Restores the mode that was active when the scope was created.</summary>
        public void Dispose() => _disabled.Value = _previous;
    }
}
