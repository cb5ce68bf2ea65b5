using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;

namespace PoseKD.Inference.Runtime;

/// <summary>
/// Runs any batch through an <see cref="INetworkRunner"/>: a model exported for a fixed batch B gets the images in
/// chunks of B (the last chunk padded with copies of its last image, whose outputs are dropped) and the per-level
/// outputs are concatenated back in order; a dynamic-batch model gets the batch as it is.
/// </summary>
public static class BatchedRunner
{
    /// <summary>Runs <paramref name="images"/> [N, 3, S, S] through <paramref name="runner"/> whatever its batch size.</summary>
    /// <exception cref="ArgumentException">the images are not [N, 3, S, S] with S = the runner's crop size.</exception>
    public static PoseNetOutput Run(INetworkRunner runner, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(images);
        int s = runner.InputRes;
        if (images.Rank != 4 || images.Shape[1] != 3 || images.Shape[2] != s || images.Shape[3] != s)
            throw new ArgumentException($"the {runner.Runtime} network takes crops [N, 3, {s}, {s}] (its INPUT_RES), got [{string.Join(", ", images.Shape)}]: use the crop size the model was exported with", nameof(images));
        int n = images.Shape[0];
        if (runner.FixedBatch is not { } b || b == n) return runner.Run(images);

        int per = 3 * s * s;
        var cls = new List<Tensor>[0];
        var reg = new List<Tensor>[0];
        for (int start = 0; start < n; start += b)
        {
            int take = Math.Min(b, n - start);
            var chunk = new float[b * per];
            for (int i = 0; i < b; i++)
                Array.Copy(images.Data, (start + Math.Min(i, take - 1)) * per, chunk, i * per, per);
            var output = runner.Run(Tensor.FromArray(chunk, b, 3, s, s));
            if (cls.Length == 0)
            {
                cls = output.ClsLogits.Select(_ => new List<Tensor>()).ToArray();
                reg = output.PoseReg.Select(_ => new List<Tensor>()).ToArray();
            }
            for (int k = 0; k < cls.Length; k++)
            {
                cls[k].Add(take == b ? output.ClsLogits[k] : F.Narrow(output.ClsLogits[k], 0, 0, take));
                reg[k].Add(take == b ? output.PoseReg[k] : F.Narrow(output.PoseReg[k], 0, 0, take));
            }
        }
        return new PoseNetOutput([], cls.Select(l => F.Concat(l, 0)).ToList(), reg.Select(l => F.Concat(l, 0)).ToList());
    }
}
