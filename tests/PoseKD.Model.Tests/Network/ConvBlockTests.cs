using PoseKD.Engine.Autograd;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;
using PoseKD.TestSupport;

namespace PoseKD.Model.Tests.Network;

public sealed class ConvBlockTests
{
    private static ConvBlock Block()
    {
        var g = new Generator(21);
        var b = new ConvBlock(4, 6, 3, 2, g);
        for (int c = 0; c < 6; c++)
        {
            b.Bn.Weight.Data[c] = 0.5f + 0.2f * c;
            b.Bn.Bias.Data[c] = 0.1f * c - 0.2f;
            b.Bn.RunningMean.Data[c] = 0.05f * c;
            b.Bn.RunningVar.Data[c] = 0.5f + 0.3f * c;
        }
        return b;
    }

    [Fact]
    public void FoldBatchNorm_EvalMode_EqualsUnfolded()
    {
        var b = Block();
        b.Eval();
        var x = Tensor.Randn(new Generator(2), 2, 4, 9, 9);
        using var _ = GradMode.NoGrad();
        var plain = b.Forward(x);
        b.FoldBatchNorm();
        Assert.True(b.IsFolded);
        var folded = b.Forward(x);
        Assert.Equal([2, 6, 5, 5], folded.Shape);
        Numeric.AssertClose(plain.Data, folded.Data, 1e-6, 1e-5, "folded block");
    }

    [Fact]
    public void FoldBatchNorm_TrainingMode_RunsBatchStatistics()
    {
        var b = Block();
        var x = Tensor.Randn(new Generator(3), 2, 4, 9, 9);
        var expected = b.Forward(x).ToArray();
        b.FoldBatchNorm();
        var again = b.Forward(x).ToArray(); // still training mode: batch statistics, not the folded weights
        Numeric.AssertClose(expected, again, 1e-6, 1e-5, "training-mode block");
        Assert.Equal(2, b.Bn.NumBatchesTracked.Value);
    }

    [Fact]
    public void Forward_Output_IsLeakyReluOfBatchNormOfConv()
    {
        var b = Block();
        b.Eval();
        var x = Tensor.Randn(new Generator(4), 1, 4, 6, 6);
        var y = b.Forward(x);
        // channel 0, output (0, 0): taps x[c, -1..1, -1..1] with zero padding
        double acc = 0;
        for (int c = 0; c < 4; c++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    int yy = i - 1, xx = j - 1;
                    if (yy < 0 || xx < 0) continue;
                    acc += b.Conv.Weight.Data[((0 * 4 + c) * 3 + i) * 3 + j] * x.Data[(c * 6 + yy) * 6 + xx];
                }
        double bn = (acc - 0) / Math.Sqrt(0.5 + 1e-5) * 0.5 - 0.2;
        double expected = bn > 0 ? bn : 0.1 * bn;
        Numeric.AssertClose(expected, y.Data[0], 1e-5, 1e-4, "y[0,0,0,0]");
    }
}
