using PoseKD.Engine.Optim;
using PoseKD.Engine.Serialization;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Optim;

/// <summary>AdamW steps equal torch 1.13's bit for bit (tools/golden/adamw_bitexact.py).</summary>
public class AdamWBitExactTests
{
    private static readonly Dictionary<string, NamedArray> Golden = SafeTensors.Read(Numeric.Fixture("optim/adamw_bitexact.safetensors"));

    private static void AssertBitEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int differ = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i])) continue;
            differ++;
            if (first < 0) first = i;
        }
        Assert.True(differ == 0, $"{what}: {differ} of {expected.Length} elements differ in bits, first at {first}: torch {(first >= 0 ? expected[first] : 0):R} vs {(first >= 0 ? actual[first] : 0):R}");
    }

    [Fact]
    public void AdamWStep_FromNonZeroState_BitEqualToTorch()
    {
        var p = Golden["one.p0"].Data.ToArray();
        var m = Golden["one.m0"].Data.ToArray();
        var v = Golden["one.v0"].Data.ToArray();
        OptimKernels.AdamWStep(Golden["one.grad"].Data, p, m, v, 1e-3, 0.9, 0.999, 1e-8, 1e-4, 5);
        AssertBitEqual(Golden["one.m1"].Data, m, "exp_avg");
        AssertBitEqual(Golden["one.v1"].Data, v, "exp_avg_sq");
        AssertBitEqual(Golden["one.p1"].Data, p, "param");
    }

    [Fact]
    public void AdamW_ThreeStepsFromZeroState_BitEqualToTorch()
    {
        var p = PoseKD.Engine.Tensors.Tensor.FromArray(Golden["three.p0"].Data.ToArray(), Golden["three.p0"].Data.Length);
        p.RequiresGrad = true;
        var opt = new AdamW([p], 1e-3, weightDecay: 1e-4, eps: 1e-8);
        int n = p.Numel;
        for (int t = 0; t < 3; t++)
        {
            p.Grad = PoseKD.Engine.Tensors.Tensor.FromArray(Golden["three.grads"].Data.AsSpan(t * n, n).ToArray(), n);
            opt.Step();
            AssertBitEqual(Golden["three.params"].Data.AsSpan(t * n, n), p.Data, $"param after step {t + 1}");
        }
    }
}
