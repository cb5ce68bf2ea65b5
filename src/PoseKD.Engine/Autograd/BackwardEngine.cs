using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Autograd;

/// <summary>
/// Runs reverse-mode differentiation from one output tensor: orders the graph's nodes topologically
/// (iterative depth-first search, so deep graphs do not overflow the stack), then walks them from the
/// output back, summing the gradients that reach each tensor and adding the final ones into the
/// <see cref="Tensor.Grad"/> of leaves that require grad. Interior tensors do not keep their gradient.
/// </summary>
internal static class BackwardEngine
{
    public static void Run(Tensor root, Tensor? seed, bool retainGraph)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward() on a tensor that does not require grad and has no grad function (did you compute it inside GradMode.NoGrad(), or from tensors without RequiresGrad?)");
        if (seed is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException($"Backward() without a seed gradient is only defined for scalar (1-element) outputs; this output has shape {Shapes.Format(root.Shape)}: pass a seed of that shape");
            seed = Tensor.Ones(root.Shape);
        }
        else if (!Shapes.Equal(seed.Shape, root.Shape))
            throw new ArgumentException($"seed gradient shape {Shapes.Format(seed.Shape)} does not match the output shape {Shapes.Format(root.Shape)}");

        if (root.GradFn is null) { AccumulateLeaf(root, seed); return; }

        var order = TopologicalOrder(root.GradFn);
        var pending = new Dictionary<Node, Tensor>(ReferenceEqualityComparer.Instance) { [root.GradFn] = seed };
        // Under a BufferArena, gradient buffers the walk has consumed go back to the arena at once, so later nodes
        // reuse them (PyTorch frees them likewise): a buffer is handed back when no pending gradient refers to it.
        var recycler = BufferArena.Current is { } arena ? new GradRecycler(arena, seed) : null;
        recycler?.Hold(seed);
        using (GradMode.NoGrad())
        {
            foreach (var node in order)
            {
                if (!pending.Remove(node, out var g))
                {
                    if (!retainGraph) node.Release();
                    continue;
                }
                var inputs = node.Inputs;
                long t0 = BackwardProfiler.IsEnabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
                var grads = node.Backward(g);
                if (t0 != 0) BackwardProfiler.Add(node.Name, t0);
                if (grads.Length != inputs.Length)
                    throw new InvalidOperationException($"{node.Name}.Backward returned {grads.Length} gradients for {inputs.Length} inputs");
                for (int i = 0; i < inputs.Length; i++)
                {
                    var input = inputs[i];
                    var gi = grads[i];
                    if (gi is null || !input.RequiresGrad) continue;
                    if (!Shapes.Equal(gi.Shape, input.Shape))
                        throw new InvalidOperationException($"{node.Name}.Backward returned a gradient of shape {Shapes.Format(gi.Shape)} for input {i} of shape {Shapes.Format(input.Shape)}");
                    if (input.GradFn is { } fn)
                    {
                        if (pending.TryGetValue(fn, out var prev))
                        {
                            var sum = BufferArena.AllocateUninitialized(prev.Numel);
                            Elementwise.Add(prev.Data, gi.Data, sum);
                            var summed = Tensor.FromArray(sum, input.Shape);
                            pending[fn] = summed;
                            recycler?.Hold(summed);
                            recycler?.Drop(prev);
                            recycler?.Consider(gi);
                        }
                        else
                        {
                            pending[fn] = gi;
                            recycler?.Hold(gi);
                        }
                    }
                    else
                    {
                        AccumulateLeaf(input, gi);
                        recycler?.Consider(gi);
                    }
                }
                recycler?.Drop(g);
                if (!retainGraph) node.Release();
            }
        }
    }

    /// <summary>
    /// Reference counts of the gradient buffers held in the pending map (by array identity, since a node may pass its
    /// incoming gradient through or share one tensor between inputs). A buffer whose count falls to zero is handed
    /// back to the arena — only if the arena served it this step, and never the seed (the caller's tensor).
    /// </summary>
    private sealed class GradRecycler(BufferArena arena, Tensor seed)
    {
        private readonly Dictionary<float[], int> _refs = new(ReferenceEqualityComparer.Instance);

        public void Hold(Tensor t) => _refs[t.Data] = _refs.GetValueOrDefault(t.Data) + 1;

        /// <summary>One pending reference to <paramref name="t"/>'s buffer is gone.</summary>
        public void Drop(Tensor t)
        {
            if (!_refs.TryGetValue(t.Data, out int n)) return;
            if (n > 1) { _refs[t.Data] = n - 1; return; }
            _refs.Remove(t.Data);
            Consider(t);
        }

        /// <summary>A gradient that was consumed without being stored: back to the arena unless still pending.</summary>
        public void Consider(Tensor t)
        {
            if (_refs.ContainsKey(t.Data) || ReferenceEquals(t.Data, seed.Data)) return;
            arena.Release(t.Data);
        }
    }

    private static void AccumulateLeaf(Tensor leaf, Tensor g)
    {
        if (leaf.Grad is null) { leaf.Grad = Tensor.FromArray((float[])g.Data.Clone(), (int[])leaf.Shape.Clone()); return; }
        if (!Shapes.Equal(leaf.Grad.Shape, leaf.Shape))
            throw new InvalidOperationException($"existing Grad of shape {Shapes.Format(leaf.Grad.Shape)} does not match the tensor's shape {Shapes.Format(leaf.Shape)}");
        Elementwise.AddInPlace(leaf.Grad.Data, g.Data);
    }

    /// <summary>Nodes reachable from <paramref name="root"/>, each after every node that consumes its output.</summary>
    private static List<Node> TopologicalOrder(Node root)
    {
        var post = new List<Node>();
        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Node Node, int Next)>();
        CheckAlive(root);
        visited.Add(root);
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var inputs = node.Inputs;
            if (next < inputs.Length)
            {
                stack.Push((node, next + 1));
                if (inputs[next].GradFn is { } child && visited.Add(child))
                {
                    CheckAlive(child);
                    stack.Push((child, 0));
                }
            }
            else post.Add(node);
        }
        post.Reverse();
        return post;
    }

    private static void CheckAlive(Node node)
    {
        if (node.IsReleased)
            throw new InvalidOperationException($"trying to backward through the graph a second time: the saved buffers of {node.Name} were freed by an earlier Backward(); call Backward(seed, retainGraph: true) the first time if you need to backward twice");
    }
}
