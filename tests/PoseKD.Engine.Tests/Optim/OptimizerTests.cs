using PoseKD.Engine.Optim;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Optim;

public class OptimizerTests
{
    private static readonly Dictionary<string, NamedArray> Golden = SafeTensors.Read(Numeric.Fixture("optim/kernels.safetensors"));

    private static Tensor Param(float[] data, params int[] shape)
    {
        var t = Tensor.FromArray((float[])data.Clone(), shape);
        t.RequiresGrad = true;
        return t;
    }

    private static float[] Row(NamedArray a, int r)
    {
        int w = (int)a.Shape[1];
        return a.Data.AsSpan(r * w, w).ToArray();
    }

    [Fact]
    public void AdamWWithOneCycleLR_FixedGradients_MatchesTorch()
    {
        var p = Param(Golden["adamw.p0"].Data, 37);
        var opt = new AdamW([p], lr: 3e-2, weightDecay: 1e-2);
        var sched = new OneCycleLR(opt, 3e-2, 10, pctStart: 0.3);
        var lrs = OptimKernelsTests.Bits(Golden["adamw.lr_bits"]);
        for (int t = 0; t < 6; t++)
        {
            Assert.Equal(lrs[t], opt.LearningRate);
            p.Grad = Tensor.FromArray(Row(Golden["adamw.grads"], t), 37);
            opt.Step();
            sched.Step();
            Numeric.AssertClose(Row(Golden["adamw.params"], t), p.Data, 1e-6, 1e-5, $"param after step {t + 1}");
        }
        Assert.Equal(6, opt.StepCount(0));
    }

    [Fact]
    public void AdamWStep_ParameterWithoutGrad_IsSkipped()
    {
        var a = Param([1f, 2f], 2);
        var b = Param([3f], 1);
        var opt = new AdamW([a, b], lr: 0.1);
        a.Grad = Tensor.FromArray([0.5f, -0.5f], 2);
        opt.Step();
        Assert.Equal([3f], b.Data);
        Assert.Equal(0, opt.StepCount(1));
        Assert.False(opt.StateDict().ContainsKey("state.1.exp_avg"));
    }

    [Theory]
    [InlineData("clip_big")]
    [InlineData("clip_small")]
    public void ClipGradNorm_ThreeGradients_MatchesTorch(string name)
    {
        int[][] shapes = [[4, 3], [5], [2, 2, 2]];
        var ps = shapes.Select((s, i) =>
        {
            var p = Param(new float[s.Aggregate(1, (x, y) => x * y)], s);
            p.Grad = Tensor.FromArray((float[])Golden[$"{name}.grad{i}"].Data.Clone(), s);
            return p;
        }).ToList();
        float total = GradClip.ClipGradNorm(ps, 1.0);
        Numeric.AssertClose(Golden[name + ".total_norm"].Data[0], total, 0, 1e-6, "total norm");
        for (int i = 0; i < ps.Count; i++)
            Numeric.AssertClose(Golden[$"{name}.clipped{i}"].Data, ps[i].Grad!.Data, 1e-7, 1e-6, $"clipped grad {i}");
    }

    [Fact]
    public void SgdWithMomentum_StateDictRoundTrip_ResumesBitExactly()
    {
        var gen = new Generator(5);
        float[] init = Enumerable.Range(0, 10).Select(_ => gen.NextNormal()).ToArray();
        float[][] grads = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 10).Select(_ => gen.NextNormal()).ToArray()).ToArray();
        var p1 = Param(init, 10);
        var o1 = new Sgd([p1], 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: true);
        for (int t = 0; t < 6; t++) { p1.Grad = Tensor.FromArray(grads[t], 10); o1.Step(); }

        var p2 = Param(init, 10);
        var o2 = new Sgd([p2], 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: true);
        for (int t = 0; t < 3; t++) { p2.Grad = Tensor.FromArray(grads[t], 10); o2.Step(); }
        var path = Path.Combine(Path.GetTempPath(), $"posekd-sgd-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.WriteArrays(path, o2.StateDict());
            var p3 = Param(p2.Data, 10);
            var o3 = new Sgd([p3], 1.0);
            o3.LoadStateDict(SafeTensors.Read(path));
            Assert.True(o3.Nesterov);
            for (int t = 3; t < 6; t++) { p3.Grad = Tensor.FromArray(grads[t], 10); o3.Step(); }
            Assert.Equal(p1.Data, p3.Data);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AdamWAndOneCycle_StateDictRoundTrip_ResumesBitExactly()
    {
        var gen = new Generator(9);
        float[] init = Enumerable.Range(0, 12).Select(_ => gen.NextNormal()).ToArray();
        float[][] grads = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 12).Select(_ => gen.NextNormal()).ToArray()).ToArray();
        (Tensor P, AdamW O, OneCycleLR S) Make(float[] start)
        {
            var p = Param(start, 3, 4);
            var o = new AdamW([p], 1e-2, weightDecay: 1e-4);
            return (p, o, new OneCycleLR(o, 1e-2, 20, 0.05));
        }
        var (p1, o1, s1) = Make(init);
        for (int t = 0; t < 8; t++) { p1.Grad = Tensor.FromArray(grads[t], 3, 4); o1.Step(); s1.Step(); }

        var (p2, o2, s2) = Make(init);
        for (int t = 0; t < 5; t++) { p2.Grad = Tensor.FromArray(grads[t], 3, 4); o2.Step(); s2.Step(); }
        var path = Path.Combine(Path.GetTempPath(), $"posekd-adamw-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.WriteArrays(path, o2.StateDict().Select(kv => KeyValuePair.Create("optim." + kv.Key, kv.Value))
                .Concat(s2.StateDict().Select(kv => KeyValuePair.Create("sched." + kv.Key, kv.Value))));
            var all = SafeTensors.Read(path);
            var (p3, o3, s3) = Make(p2.Data);
            o3.LoadStateDict(all.Where(kv => kv.Key.StartsWith("optim.")).ToDictionary(kv => kv.Key[6..], kv => kv.Value));
            s3.LoadStateDict(all.Where(kv => kv.Key.StartsWith("sched.")).ToDictionary(kv => kv.Key[6..], kv => kv.Value));
            Assert.Equal(5, s3.LastStep);
            Assert.Equal(o2.LearningRate, o3.LearningRate);
            for (int t = 5; t < 8; t++) { p3.Grad = Tensor.FromArray(grads[t], 3, 4); o3.Step(); s3.Step(); }
            Assert.Equal(p1.Data, p3.Data);
            Assert.Equal(o1.LearningRate, o3.LearningRate);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AdamWLoadStateDict_WrongBufferShape_ThrowsWithBothShapes()
    {
        var p = Param(new float[6], 2, 3);
        var o = new AdamW([p]);
        var state = o.StateDict();
        state["state.0.step"] = NamedArray.Int64Scalar(1);
        state["state.0.exp_avg"] = NamedArray.FromFloats(new float[6], 3, 2);
        state["state.0.exp_avg_sq"] = NamedArray.FromFloats(new float[6], 2, 3);
        var e = Assert.Throws<ArgumentException>(() => o.LoadStateDict(state));
        Assert.Contains("[3, 2]", e.Message);
        Assert.Contains("[2, 3]", e.Message);
    }

    [Fact]
    public void OneCycleLRLoadStateDict_DifferentSchedule_Throws()
    {
        var o = new AdamW([Param([1f], 1)]);
        var s = new OneCycleLR(o, 1e-3, 100, 0.05);
        var other = new OneCycleLR(new AdamW([Param([1f], 1)]), 1e-3, 200, 0.05);
        Assert.Throws<ArgumentException>(() => s.LoadStateDict(other.StateDict()));
    }
}
