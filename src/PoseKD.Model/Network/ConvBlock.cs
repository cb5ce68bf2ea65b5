using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// The Darknet building block: convolution without bias → BatchNorm → LeakyReLU(0.1), with children
/// <c>conv</c>, <c>bn</c>, <c>activ</c> (state-dict keys <c>conv.weight</c>, <c>bn.weight</c>, <c>bn.bias</c>,
/// <c>bn.running_mean</c>, <c>bn.running_var</c>, <c>bn.num_batches_tracked</c>).
/// </summary>
/// <remarks>
/// For deployment, <see cref="FoldBatchNorm"/> merges the eval-mode BatchNorm into the convolution:
/// with a = γ/√(σ²_run + eps), w' = a·w (per output channel) and b' = β − a·μ_run, so that
/// conv(x, w') + b' = BN_eval(conv(x, w)). The folded weights are used in evaluation mode only; training mode
/// always runs the three steps.
/// </remarks>
public sealed class ConvBlock : Layer
{
    /// <summary>LeakyReLU slope of every Darknet block.</summary>
    public const float LeakySlope = 0.1f;

    private Tensor? _foldedWeight, _foldedBias;

    /// <summary>
    /// A block with a <paramref name="kernelSize"/> × <paramref name="kernelSize"/> convolution, padding
    /// (k − 1)/2; its weight is Kaiming-uniform (a = 0, fan-in) drawn from <paramref name="generator"/>; BatchNorm starts at γ = 1, β = 0.
    /// </summary>
    public ConvBlock(int inChannels, int outChannels, int kernelSize, int stride, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, kernelSize, stride, (kernelSize - 1) / 2, bias: false, generator: generator));
        Init.KaimingUniform(Conv.Weight, generator);
        Bn = RegisterModule("bn", new BatchNorm2d(outChannels));
        Activ = RegisterModule("activ", new LeakyReLU(LeakySlope));
    }

    /// <summary>The convolution (no bias).</summary>
    public Conv2d Conv { get; }

    /// <summary>The batch normalisation.</summary>
    public BatchNorm2d Bn { get; }

    /// <summary>The LeakyReLU(0.1) activation.</summary>
    public LeakyReLU Activ { get; }

    /// <summary>True after <see cref="FoldBatchNorm"/> (until <see cref="UnfoldBatchNorm"/>).</summary>
    public bool IsFolded => _foldedWeight is not null;

    /// <summary>
    /// LeakyReLU(BN(conv(x))); in evaluation mode after <see cref="FoldBatchNorm"/>, LeakyReLU(conv(x, w') + b').
    /// </summary>
    public override Tensor Forward(Tensor input)
    {
        Tensor y = !Training && _foldedWeight is not null
            ? F.Conv2d(input, _foldedWeight, _foldedBias, Conv.Stride, Conv.Padding)
            : Bn.Forward(Conv.Forward(input));
        // BatchNorm's and conv's backward read their inputs, not y, so y may be overwritten.
        return F.LeakyReluInPlace(y, LeakySlope);
    }

    /// <summary>
    /// Computes the folded weight and bias from the current convolution weight and BatchNorm state
    /// (see the class remarks). Call again after the weights change.
    /// </summary>
    public void FoldBatchNorm()
    {
        int o = Conv.OutChannels, per = Conv.Weight.Numel / o;
        var w = new float[Conv.Weight.Numel];
        var b = new float[o];
        var src = Conv.Weight.Data;
        for (int c = 0; c < o; c++)
        {
            double a = Bn.Weight.Data[c] / Math.Sqrt(Bn.RunningVar.Data[c] + (double)Bn.Eps);
            for (int i = 0; i < per; i++) w[c * per + i] = (float)(src[c * per + i] * a);
            b[c] = (float)(Bn.Bias.Data[c] - a * Bn.RunningMean.Data[c]);
        }
        _foldedWeight = Tensor.FromArray(w, Conv.Weight.Shape);
        _foldedBias = Tensor.FromArray(b, o);
    }

    /// <summary>Drops the folded weights; the block runs conv → BN → LeakyReLU again.</summary>
    public void UnfoldBatchNorm()
    {
        _foldedWeight = null;
        _foldedBias = null;
    }
}
