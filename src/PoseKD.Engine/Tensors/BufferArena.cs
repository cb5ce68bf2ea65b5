using System.Runtime.CompilerServices;

namespace PoseKD.Engine.Tensors;

/// <summary>
/// A step-scoped pool of tensor buffers. While an arena is active on a thread (<see cref="Activate"/>), every
/// engine allocation of at least <see cref="MinPooledLength"/> floats on that thread (op outputs, gradients, saved
/// statistics) is served from the arena's free buffers of exactly that length, or allocated and remembered.
/// <see cref="Reset"/> hands every buffer served since the previous reset back to the free lists: a training loop
/// with fixed shapes allocates nothing after its first step, so the large-object heap, gen-2 collections and fresh
/// page faults disappear from the step.
/// <para>Contract: after <see cref="Reset"/> no tensor created while the arena was active may be used again
/// (its data is reused). The trainer resets at the start of each step and activates the arena only around the
/// forward pass, the losses and backward; anything that must outlive the step (optimiser state, checkpoints,
/// validation) is created outside. With <see cref="PoisonOnReset"/> (environment variable
/// <c>POSEKD_ARENA_POISON=1</c>, set by <c>./run test</c>) recycled buffers are filled with NaN, so a use after
/// reset shows up as a non-finite number instead of a silently wrong one.</para>
/// </summary>
public sealed class BufferArena
{
    /// <summary>Buffers shorter than this (64 KiB) are ordinary allocations: cheap, short-lived, gen-0.</summary>
    public const int MinPooledLength = 16 * 1024;

    [ThreadStatic] private static BufferArena? t_current;

    private readonly Dictionary<int, Stack<float[]>> _free = [];
    private readonly HashSet<float[]> _served = new(ReferenceEqualityComparer.Instance);

    /// <summary>Fill recycled buffers with NaN at <see cref="Reset"/> and <see cref="Release"/> (tests; see the type's remarks).</summary>
    public static bool PoisonOnReset { get; set; } = Environment.GetEnvironmentVariable("POSEKD_ARENA_POISON") is "1" or "true";

    /// <summary>The arena active on the calling thread, or null.</summary>
    public static BufferArena? Current => t_current;

    /// <summary>Buffers handed out since the last <see cref="Reset"/>.</summary>
    public int ServedCount => _served.Count;

    /// <summary>Buffers newly allocated (not reused) over the arena's life.</summary>
    public long AllocatedCount { get; private set; }

    /// <summary>Bytes of all buffers the arena owns (served and free).</summary>
    public long BytesOwned { get; private set; }

    /// <summary>Makes this arena the calling thread's allocator until the returned scope is disposed (scopes nest).</summary>
    public Scope Activate()
    {
        var previous = t_current;
        t_current = this;
        return new Scope(previous);
    }

    /// <summary>Returns every buffer served since the previous reset to the free lists (see the contract above).</summary>
    public void Reset()
    {
        if (ReferenceEquals(t_current, this)) throw new InvalidOperationException("BufferArena.Reset while the arena is active on this thread");
        foreach (var b in _served) Recycle(b);
        _served.Clear();
    }

    /// <summary>
    /// Hands <paramref name="buffer"/> back before the next reset, when the caller knows nothing references it any
    /// more (the backward pass does this for gradients it has consumed). Returns false, and does nothing, for a
    /// buffer this arena did not serve since the last reset.
    /// </summary>
    public bool Release(float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (!_served.Remove(buffer)) return false;
        Recycle(buffer);
        return true;
    }

    /// <summary>Onto the free list of its length (NaN-filled under <see cref="PoisonOnReset"/>).</summary>
    private void Recycle(float[] b)
    {
        if (PoisonOnReset) Array.Fill(b, float.NaN);
        if (!_free.TryGetValue(b.Length, out var stack)) _free[b.Length] = stack = new Stack<float[]>();
        stack.Push(b);
    }

    /// <summary>Forgets every buffer (free and served); the garbage collector takes them back.</summary>
    public void Clear()
    {
        _free.Clear();
        _served.Clear();
        BytesOwned = 0;
    }

    private float[] Rent(int length, bool clear)
    {
        float[] b;
        if (_free.TryGetValue(length, out var stack) && stack.Count > 0)
        {
            b = stack.Pop();
            if (clear) Array.Clear(b);
        }
        else
        {
            b = clear ? new float[length] : GC.AllocateUninitializedArray<float>(length);
            AllocatedCount++;
            BytesOwned += 4L * length;
        }
        _served.Add(b);
        return b;
    }

    /// <summary>
    /// A zero-filled buffer of <paramref name="length"/> floats for a tensor: from the active arena when there is one
    /// and the buffer is large, else a new array.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float[] Allocate(int length)
    {
        var a = t_current;
        return a is not null && length >= MinPooledLength ? a.Rent(length, clear: true) : new float[length];
    }

    /// <summary>
    /// Like <see cref="Allocate"/> but the contents are unspecified: only for outputs the caller overwrites entirely.
    /// </summary>
    /// <remarks>With <see cref="PoisonOnReset"/> the buffer is NaN-filled, so an op that leaves part of its output
    /// unwritten fails the tests instead of passing on zeroed memory.</remarks>
    public static float[] AllocateUninitialized(int length)
    {
        var a = t_current;
        var b = a is not null && length >= MinPooledLength ? a.Rent(length, clear: false)
            : length >= MinPooledLength ? GC.AllocateUninitializedArray<float>(length) : new float[length];
        if (PoisonOnReset) Array.Fill(b, float.NaN);
        return b;
    }

    /// <summary>Restores the previously active arena when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly BufferArena? _previous;

        internal Scope(BufferArena? previous) => _previous = previous;

        /// <inheritdoc />
        public void Dispose() => t_current = _previous;
    }
}
