using PoseKD.Engine.Autograd;
using PoseKD.Model.Network;
using Tensor = PoseKD.Engine.Tensors.Tensor;

namespace PoseKD.Inference.Runtime;

/// <summary>
/// Runs a <see cref="PoseNet"/> on PoseKD's engine for inference: evaluation mode, BatchNorm folded into
/// the backbone convolutions, no autograd recording. The network is not modified by <see cref="Run"/>, so
/// concurrent calls are safe (as long as nobody trains or reloads the network meanwhile).
/// </summary>
public sealed class EngineNetworkRunner : INetworkRunner
{
    /// <summary>Wraps <paramref name="net"/> (switched to evaluation mode, BatchNorm folded) for crops of side <paramref name="inputRes"/>.</summary>
    public EngineNetworkRunner(PoseNet net, int inputRes = 256)
    {
        ArgumentNullException.ThrowIfNull(net);
        int div = net.Backbone.Info.OutputStrides[^1];
        if (inputRes <= 0 || inputRes % div != 0)
            throw new ArgumentOutOfRangeException(nameof(inputRes), inputRes, $"the crop side must be a positive multiple of {div} for {net.Options.Backbone}");
        Network = net.FoldBatchNorm();
        InputRes = inputRes;
    }

    /// <summary>Builds the network described by <paramref name="options"/> and loads <paramref name="weightsPath"/> (strict: every key must match).</summary>
    public static EngineNetworkRunner Load(string weightsPath, PoseNetOptions options, int inputRes = 256)
    {
        ArgumentNullException.ThrowIfNull(weightsPath);
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"weights not found: {weightsPath}", weightsPath);
        var net = new PoseNet(options);
        PoseNetWeights.Load(net, weightsPath, strict: true);
        return new EngineNetworkRunner(net, inputRes);
    }

    /// <summary>The network (evaluation mode, BatchNorm folded).</summary>
    public PoseNet Network { get; }

    /// <inheritdoc />
    public string Runtime => "engine";

    /// <inheritdoc />
    public int InputRes { get; }

    /// <inheritdoc />
    public int? FixedBatch => null;

    /// <inheritdoc />
    public PoseNetOutput Run(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.Shape[1] != 3 || images.Shape[2] != InputRes || images.Shape[3] != InputRes)
            throw new ArgumentException($"images must be [B, 3, {InputRes}, {InputRes}], got [{string.Join(", ", images.Shape)}]", nameof(images));
        using (GradMode.NoGrad()) return Network.Forward(images);
    }

    /// <summary>Nothing to release (the network is managed memory).</summary>
    public void Dispose() { }
}
