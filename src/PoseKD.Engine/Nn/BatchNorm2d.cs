using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Nn;

/// <summary>
/// Batch normalisation over [n, c, h, w] like <c>torch.nn.BatchNorm2d</c> (affine, tracking running statistics):
/// parameters <c>weight</c> (γ, ones) and <c>bias</c> (β, zeros); buffers <c>running_mean</c> (zeros),
/// <c>running_var</c> (ones) and <c>num_batches_tracked</c> (int64). Training: batch statistics, running
/// stats updated with <see cref="Momentum"/> (unbiased variance) and num_batches_tracked += 1; eval: running stats.
/// </summary>
public sealed class BatchNorm2d : Layer
{
    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels.</summary>
    public BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f)
    {
        if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, "expected a positive channel count");
        NumFeatures = numFeatures; Eps = eps; Momentum = momentum;
        Weight = RegisterParameter("weight", Tensor.Ones(numFeatures))!;
        Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures))!;
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", new Int64Buffer());
    }

    /// <summary>Channels c.</summary>
    public int NumFeatures { get; }
    /// <summary>ε added to the variance.</summary>
    public float Eps { get; }
    /// <summary>Running-statistics momentum.</summary>
    public float Momentum { get; }
    /// <summary>γ [c].</summary>
    public Tensor Weight { get; }
    /// <summary>β [c].</summary>
    public Tensor Bias { get; }
    /// <summary>Running mean [c].</summary>
    public Tensor RunningMean { get; }
    /// <summary>Running (unbiased) variance [c].</summary>
    public Tensor RunningVar { get; }
    /// <summary>Number of training batches seen.</summary>
    public Int64Buffer NumBatchesTracked { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (Training) NumBatchesTracked.Value++;
        return F.BatchNorm2d(input, Weight, Bias, RunningMean, RunningVar, Training, Momentum, Eps);
    }
}
