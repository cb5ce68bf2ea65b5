using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Tests.Tensors;

public sealed class BufferArenaTests
{
    private const int Big = BufferArena.MinPooledLength;

    [Fact]
    public void Allocate_OutsideAnArena_IsAFreshZeroedArray()
    {
        Assert.Null(BufferArena.Current);
        var a = BufferArena.Allocate(Big);
        var b = BufferArena.Allocate(Big);
        Assert.NotSame(a, b);
        Assert.All(a, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Reset_RecyclesLargeBuffersOfExactlyTheSameLength_Zeroed()
    {
        var arena = new BufferArena();
        float[] first, small;
        using (arena.Activate())
        {
            first = BufferArena.Allocate(Big);
            small = BufferArena.Allocate(Big - 1); // below the threshold: never pooled
            Array.Fill(first, 3f);
        }
        Assert.Equal(1, arena.ServedCount);
        arena.Reset();
        using (arena.Activate())
        {
            Assert.NotSame(first, BufferArena.Allocate(Big + 1)); // another length: a new buffer
            var again = BufferArena.Allocate(Big);
            Assert.Same(first, again);
            Assert.All(again, v => Assert.Equal(0f, v));
            Assert.NotSame(small, BufferArena.Allocate(Big - 1));
            Assert.NotSame(first, BufferArena.Allocate(Big)); // the only free one is taken: a new one
        }
        Assert.Equal(3, arena.AllocatedCount); // Big, Big + 1 and the second Big; the small ones are not the arena's
        Assert.Equal(4L * (Big + Big + 1 + Big), arena.BytesOwned);
    }

    [Fact]
    public void Reset_WithPoison_FillsRecycledBuffersWithNaN()
    {
        bool saved = BufferArena.PoisonOnReset;
        try
        {
            BufferArena.PoisonOnReset = true;
            var arena = new BufferArena();
            float[] b;
            using (arena.Activate()) b = BufferArena.AllocateUninitialized(Big);
            Array.Fill(b, 1f);
            arena.Reset();
            Assert.All(b, v => Assert.True(float.IsNaN(v)));
        }
        finally { BufferArena.PoisonOnReset = saved; }
    }

    [Fact]
    public void Activate_IsPerThreadAndNests_ResetWhileActiveThrows()
    {
        var outer = new BufferArena();
        var inner = new BufferArena();
        using (outer.Activate())
        {
            Assert.Same(outer, BufferArena.Current);
            using (inner.Activate()) Assert.Same(inner, BufferArena.Current);
            Assert.Same(outer, BufferArena.Current);
            BufferArena? seenOnOtherThread = outer;
            var t = new Thread(() => seenOnOtherThread = BufferArena.Current);
            t.Start();
            t.Join();
            Assert.Null(seenOnOtherThread);
            Assert.Throws<InvalidOperationException>(outer.Reset);
        }
        Assert.Null(BufferArena.Current);
    }

    [Fact]
    public void TensorOps_InsideAnArena_ServeTheirOutputsFromIt()
    {
        var arena = new BufferArena();
        var x = Tensor.Randn(new Generator(1), 4, Big / 4);
        Tensor y;
        using (arena.Activate()) y = x * 2f + x;
        Assert.True(arena.ServedCount >= 2, $"served {arena.ServedCount}");
        for (int i = 0; i < x.Numel; i++) Assert.Equal(2f * x.Data[i] + x.Data[i], y.Data[i]);
    }
}

public sealed class BufferArenaBackwardTests
{
    [Fact]
    public void Backward_UnderAnArena_RecyclesConsumedGradients_SameGradientsAsWithout()
    {
        // A graph that shares one gradient tensor between inputs (a + a), passes gradients through (reshape, add)
        // and sums gradients from several consumers: the cases the recycler must get right.
        bool saved = BufferArena.PoisonOnReset;
        BufferArena.PoisonOnReset = true; // a gradient recycled while still needed would turn into NaN
        try
        {
            var g = new Generator(7);
            var xv = Tensor.Randn(g, 64, 512);
            var wv = Tensor.Randn(g, 64, 512);
            (float[] Dx, float[] Dw) Grads(BufferArena? arena)
            {
                var x = xv.Detach(); x.RequiresGrad = true;
                var w = wv.Detach(); w.RequiresGrad = true;
                using (arena?.Activate())
                {
                    var a = x * w;
                    var b = PoseKD.Engine.Functional.F.LeakyRelu(a + a, 0.1f);
                    var c = (b.Reshape(512, 64) * 0.5f).Reshape(64, 512);
                    var d = PoseKD.Engine.Functional.F.Sigmoid(c) * a + c - x * 3f;
                    (d * d).Sum().Backward();
                }
                return (x.Grad!.ToArray(), w.Grad!.ToArray());
            }
            var plain = Grads(null);
            var arena = new BufferArena();
            var pooled = Grads(arena);
            Assert.Equal(plain.Dx, pooled.Dx);
            Assert.Equal(plain.Dw, pooled.Dw);
            long before = arena.AllocatedCount;
            arena.Reset();
            Grads(arena);
            Assert.Equal(before, arena.AllocatedCount); // the second pass allocates nothing new
        }
        finally { BufferArena.PoisonOnReset = saved; }
    }
}
