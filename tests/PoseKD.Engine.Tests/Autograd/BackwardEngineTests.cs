using PoseKD.Engine.Autograd;
using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Tests.Autograd;

public class BackwardEngineTests
{
    private static Tensor Leaf(params float[] v)
    {
        var t = Tensor.FromArray(v, v.Length);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void Backward_Twice_ThrowsClearInvalidOperation()
    {
        var x = Leaf(1, 2, 3);
        var loss = F.Sum(F.Mul(x, x));
        loss.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("second time", e.Message);
    }

    [Fact]
    public void Backward_RetainGraph_AllowsSecondPassAndAccumulates()
    {
        var x = Leaf(1, 2, 3);
        var loss = F.Sum(F.Mul(x, x));
        loss.Backward(retainGraph: true);
        loss.Backward();
        Assert.Equal(new[] { 4f, 8f, 12f }, x.Grad!.Data);
    }

    [Fact]
    public void Backward_NonScalarWithoutSeed_ThrowsNamingShape()
    {
        var x = Leaf(1, 2, 3);
        var e = Assert.Throws<InvalidOperationException>(() => F.Mul(x, 2f).Backward());
        Assert.Contains("[3]", e.Message);
    }

    [Fact]
    public void Backward_SeedShapeMismatch_ThrowsWithBothShapes()
    {
        var x = Leaf(1, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => F.Mul(x, 2f).Backward(Tensor.Zeros(2)));
        Assert.Contains("[2]", e.Message);
        Assert.Contains("[3]", e.Message);
    }

    [Fact]
    public void Backward_WithSeed_ScalesGradient()
    {
        var x = Leaf(1, 2, 3);
        F.Mul(x, 2f).Backward(Tensor.FromArray([1f, 10f, 100f], 3));
        Assert.Equal(new[] { 2f, 20f, 200f }, x.Grad!.Data);
    }

    [Fact]
    public void Backward_DiamondGraph_SumsBothPaths()
    {
        var x = Leaf(2);
        var y = F.Mul(x, 3f);
        var z = F.Add(F.Mul(y, y), y); // z = 9x² + 3x → dz/dx = 18x + 3
        z.Backward(Tensor.Ones(1));
        Assert.Equal(39f, x.Grad!.Data[0]);
    }

    [Fact]
    public void Backward_TwoSeparateGraphs_AccumulateIntoLeafGrad()
    {
        var x = Leaf(1, 2);
        F.Sum(x).Backward();
        F.Sum(F.Mul(x, 3f)).Backward();
        Assert.Equal(new[] { 4f, 4f }, x.Grad!.Data);
        x.ZeroGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Backward_SharedSubgraphAfterRelease_Throws()
    {
        var x = Leaf(1, 2);
        var h = F.Exp(x);
        F.Sum(h).Backward();
        Assert.Throws<InvalidOperationException>(() => F.Sum(F.Mul(h, 2f)).Backward());
    }

    [Fact]
    public void Backward_NoRequiresGrad_Throws()
        => Assert.Throws<InvalidOperationException>(() => F.Sum(Tensor.Ones(3)).Backward());

    [Fact]
    public void NoGrad_InsideScope_RecordsNothing()
    {
        var x = Leaf(1, 2);
        Tensor y;
        using (GradMode.NoGrad())
        {
            Assert.False(GradMode.IsEnabled);
            y = F.Mul(x, x);
        }
        Assert.True(GradMode.IsEnabled);
        Assert.Null(y.GradFn);
        Assert.False(y.RequiresGrad);
    }

    [Fact]
    public void NoGrad_OtherThread_StillRecords()
    {
        var x = Leaf(1, 2);
        using (GradMode.NoGrad())
        {
            Tensor? y = null;
            var thread = new Thread(() => y = F.Mul(x, x));
            // A thread started without flowing the execution context keeps grad enabled.
            using (ExecutionContext.SuppressFlow()) thread.Start();
            thread.Join();
            Assert.NotNull(y!.GradFn);
        }
    }

    [Fact]
    public void NoGrad_ParallelFor_FlowsIntoWorkers()
    {
        var x = Leaf(1, 2);
        var recorded = new bool[8];
        using (GradMode.NoGrad())
            Parallel.For(0, 8, i => recorded[i] = F.Mul(x, x).GradFn is not null);
        Assert.All(recorded, Assert.False);
    }

    [Fact]
    public void Detach_SharesDataWithoutGraph()
    {
        var x = Leaf(1, 2);
        var y = F.Mul(x, 2f);
        var d = y.Detach();
        Assert.Same(y.Data, d.Data);
        Assert.Null(d.GradFn);
        Assert.False(d.RequiresGrad);
    }

    [Fact]
    public void RequiresGrad_ClearOnNonLeaf_Throws()
    {
        var y = F.Mul(Leaf(1), 2f);
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
    }

    [Fact]
    public void Backward_OnlyOneInputRequiresGrad_OtherGetsNoGrad()
    {
        var x = Leaf(1, 2);
        var c = Tensor.FromArray([3f, 4f], 2);
        F.Sum(F.Mul(x, c)).Backward();
        Assert.Equal(new[] { 3f, 4f }, x.Grad!.Data);
        Assert.Null(c.Grad);
    }
}
