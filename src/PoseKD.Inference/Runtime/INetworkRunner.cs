using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;

namespace PoseKD.Inference.Runtime;

/// <summary>
/// The network step of inference, behind one interface so that the same pre- and post-processing runs on
/// PoseKD's engine (<see cref="EngineNetworkRunner"/>) or on ONNX Runtime (<see cref="OnnxNetworkRunner"/>).
/// Implementations are safe to call from several threads at once.
/// </summary>
public interface INetworkRunner : IDisposable
{
    /// <summary>Short name of the runtime ("engine", "onnx").</summary>
    string Runtime { get; }

    /// <summary>Crop side S the network expects (input [B, 3, S, S]).</summary>
    int InputRes { get; }

    /// <summary>The batch size the network was exported with, or null when any batch size runs.</summary>
    int? FixedBatch { get; }

    /// <summary>
    /// Runs the network on normalised crops <paramref name="images"/> [B, 3, S, S]; returns per level the class
    /// logits and pose regression (<see cref="PoseNetOutput.Features"/> is empty when the runtime does not expose them).
    /// </summary>
    PoseNetOutput Run(Tensor images);
}
