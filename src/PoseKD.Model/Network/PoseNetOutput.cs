using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Network;

/// <summary>
/// What one forward pass of a WDRNet+ network produces, one entry per FPN level (stride 8 first).
/// </summary>
/// <param name="Features">FPN outputs, level k: [B, OUT_CHANNEL, H_k, W_k].</param>
/// <param name="ClsLogits">Class logits (before the sigmoid), level k: [B, N_CLASS − 1, H_k, W_k].</param>
/// <param name="PoseReg">Keypoint offsets (already multiplied by the level's learnable scale), level k:
/// [B, 16·(N_CLASS − 1), H_k, W_k]; for class c the channels 16c … 16c+7 are the 8 x offsets and
/// 16c+8 … 16c+15 the 8 y offsets, in anchor units.</param>
public sealed record PoseNetOutput(
    IReadOnlyList<Tensor> Features,
    IReadOnlyList<Tensor> ClsLogits,
    IReadOnlyList<Tensor> PoseReg);
