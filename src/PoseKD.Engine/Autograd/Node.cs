using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Autograd;

/// <summary>
/// One recorded operation of the autograd graph (reverse-mode automatic differentiation).
/// <para>An op that wants gradients creates a subclass instance holding its <see cref="Inputs"/> and
/// whatever extra buffers its backward needs, and attaches it to its output with
/// <see cref="Tensor.SetGradFn"/> — but only when <see cref="GradMode.ShouldRecord(ReadOnlySpan{Tensor})"/>
/// says so (grad enabled and some input requires grad). See docs/engine.md for the recipe.</para>
/// <para>After a backward pass (unless <c>retainGraph</c>) the node is released: <see cref="ReleaseSaved"/>
/// drops the saved buffers and the inputs are forgotten, so a second backward through it throws
/// <see cref="InvalidOperationException"/>.</para>
/// </summary>
public abstract class Node
{
    private Tensor[] _inputs;

    /// <summary>Records the op's inputs (every tensor the gradient may flow to, in a fixed order).</summary>
    protected Node(params Tensor[] inputs) => _inputs = inputs;

    /// <summary>The op's inputs; empty once the node has been released.</summary>
    public Tensor[] Inputs => _inputs;

    /// <summary>True after a backward pass freed this node's saved buffers.</summary>
    public bool IsReleased { get; private set; }

    /// <summary>Name used in error messages (defaults to the class name).</summary>
    public virtual string Name => GetType().Name;

    /// <summary>True when input <paramref name="i"/> wants a gradient (it requires grad).</summary>
    protected bool NeedsGrad(int i) => _inputs[i].RequiresGrad;

    /// <summary>
    /// Given ∂L/∂output (<paramref name="gradOutput"/>, same shape as the output), returns ∂L/∂input for every
    /// input, in <see cref="Inputs"/> order, each with exactly that input's shape; an entry may be null when the
    /// input needs no gradient (<see cref="NeedsGrad"/> is false). Runs with gradient recording disabled.
    /// Must not modify <paramref name="gradOutput"/>; may return it (or share it between entries) — the
    /// engine never writes into returned tensors.
    /// </summary>
    public abstract Tensor?[] Backward(Tensor gradOutput);

    /// <summary>Drops saved buffers (set fields to null). Called once, when the graph is freed.</summary>
    protected virtual void ReleaseSaved() { }

    internal void Release()
    {
        if (IsReleased) return;
        IsReleased = true;
        ReleaseSaved();
        _inputs = [];
    }
}
