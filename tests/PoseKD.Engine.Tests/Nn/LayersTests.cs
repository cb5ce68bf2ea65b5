using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;
using PoseKD.TestSupport;

namespace PoseKD.Engine.Tests.Nn;

public class LayersTests
{
    [Fact]
    public void BatchNorm2d_KeysAndTrainingCounter_AsTorch()
    {
        var bn = new BatchNorm2d(3);
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], bn.StateDictKeys());
        var x = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), 2, 3, 2, 2);
        bn.Forward(x);
        bn.Forward(x);
        Assert.Equal(2, bn.NumBatchesTracked.Value);
        // channel 0 holds 0..3 and 12..15 (mean 7.5): running_mean = 0.9·(0.1·7.5) + 0.1·7.5 = 0.19·7.5
        Numeric.AssertClose(0.19 * 7.5, bn.RunningMean.Data[0], 1e-5, 1e-5);
        bn.Eval();
        bn.Forward(x);
        Assert.Equal(2, bn.NumBatchesTracked.Value);
    }

    [Fact]
    public void GroupNorm_NormalisesEachGroup()
    {
        var gn = new GroupNorm(2, 4);
        Assert.Equal(["weight", "bias"], gn.StateDictKeys());
        var y = gn.Forward(Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (float)(i * i)).ToArray(), 1, 4, 2, 2));
        for (int g = 0; g < 2; g++)
        {
            var part = y.Data.AsSpan(g * 8, 8).ToArray();
            Numeric.AssertClose(0, part.Average(), 1e-5, 0);
            Numeric.AssertClose(1, part.Average(v => v * v), 1e-3, 1e-3);
        }
    }

    [Fact]
    public void MaxPool2d_TwoByTwo_TakesWindowMaxima()
    {
        var y = new MaxPool2d(2).Forward(Tensor.FromArray([1f, 5f, 2f, 0f, 3f, 4f, 7f, 6f, -1f, -2f, 9f, 8f, -3f, -4f, 10f, 11f], 1, 1, 4, 4));
        Assert.Equal([1, 1, 2, 2], y.Shape);
        Assert.Equal([5f, 7f, -1f, 11f], y.Data);
    }
}
