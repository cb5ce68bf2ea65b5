using PoseKD.Engine.Tensors;
using PoseKD.Training.Loop;

namespace PoseKD.Training.Tests.Loop;

public class LossTermsTests
{
    private static Tensor Scalar(float v)
    {
        var t = Tensor.FromArray([v], 1);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void Total_SumsWeightedTermsAndSkipsZeroWeights()
    {
        var a = Scalar(2f);
        var terms = new LossTerms().Add("loss_cls", a, 0.1).Add("loss_reg", Scalar(3f)).Add("loss_kd", Scalar(7f), 0);
        Assert.Equal(0.2 + 3, terms.Total().Item(), 5);
        Assert.Equal(7, terms["loss_kd"]!.Raw);      // logged raw even with weight 0, as the reference
        Assert.Equal(0, terms["loss_kd"]!.Value);
        Assert.Equal(2, terms["loss_cls"]!.Raw, 6);
        terms.Total().Backward();
        Assert.Equal(0.1f, a.Grad!.Data[0], 6);
    }

    [Fact]
    public void FirstNonFinite_OnlyTrainedTermsCount()
    {
        Assert.Null(new LossTerms().Add("loss_cls", Scalar(1f)).Add("loss_kd", Scalar(float.NaN), 0).FirstNonFinite());
        Assert.Equal("loss_kd", new LossTerms().Add("loss_cls", Scalar(1f)).Add("loss_kd", Scalar(float.PositiveInfinity), 5).FirstNonFinite()!.Name);
    }

    [Fact]
    public void Add_NonScalarOrDuplicateOrNegativeWeight_Throws()
    {
        Assert.Throws<ArgumentException>(() => new LossTerms().Add("x", Tensor.FromArray([1f, 2f], 2)));
        Assert.Throws<ArgumentException>(() => new LossTerms().Add("x", Scalar(1f)).Add("x", Scalar(1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossTerms().Add("x", Scalar(1f), -1));
        Assert.Throws<InvalidOperationException>(() => new LossTerms().Add("x", Scalar(1f), 0).Total());
    }
}
