using PoseKD.Data.Transforms;
using PoseKD.Inference.Runtime;
using PoseKD.Model.Network;
using PoseKD.Model.Targets;
using Tensor = PoseKD.Engine.Tensors.Tensor;

namespace PoseKD.Inference.Tests;

/// <summary>
/// A stand-in network that "sees" the ground truth: for a crop it was prepared for (recognised by its exact
/// bits) it outputs class logit +4 at the cells whose centre lies inside the box of the projected keypoints and
/// −6 elsewhere, and at every cell the exact offsets of the GT keypoints. So post-processing must recover the
/// GT pose — a meaningful pipeline test without a trained network.
/// </summary>
internal sealed class OracleRunner(int inputRes, IReadOnlyList<int> strides, IReadOnlyList<int> anchors) : INetworkRunner
{
    private readonly Dictionary<ulong, PoseNetOutput> _answers = new();

    public string Runtime => "oracle";
    public int InputRes { get; } = inputRes;
    public int? FixedBatch => 1;

    /// <summary>Prepares the answer for <paramref name="sample"/> (its crop and its instance 0's keypoints in crop pixels).</summary>
    public void Prepare(Sample sample)
    {
        var kp = sample.Keypoints[0];
        double x1 = double.MaxValue, y1 = double.MaxValue, x2 = double.MinValue, y2 = double.MinValue;
        for (int j = 0; j < 8; j++) { x1 = Math.Min(x1, kp[2 * j]); x2 = Math.Max(x2, kp[2 * j]); y1 = Math.Min(y1, kp[2 * j + 1]); y2 = Math.Max(y2, kp[2 * j + 1]); }
        var cls = new Tensor[strides.Count];
        var reg = new Tensor[strides.Count];
        Span<float> off = stackalloc float[16];
        for (int k = 0; k < strides.Count; k++)
        {
            var grid = new LevelGrid((InputRes + strides[k] - 1) / strides[k], (InputRes + strides[k] - 1) / strides[k], strides[k], anchors[k]);
            int hw = grid.Count;
            var c = new float[hw];
            var r = new float[16 * hw];
            for (int i = 0; i < hw; i++)
            {
                float cx = grid.CenterX(i), cy = grid.CenterY(i);
                c[i] = cx >= x1 && cx <= x2 && cy >= y1 && cy <= y2 ? 4f : -6f;
                TargetCoder.EncodePixels(kp, cx, cy, grid.AnchorSize, off);
                for (int q = 0; q < 16; q++) r[q * hw + i] = off[q];
            }
            cls[k] = Tensor.FromArray(c, 1, 1, grid.Height, grid.Width);
            reg[k] = Tensor.FromArray(r, 1, 16, grid.Height, grid.Width);
        }
        _answers[Hash(sample.Image)] = new PoseNetOutput([], cls, reg);
    }

    public PoseNetOutput Run(Tensor images)
    {
        if (!_answers.TryGetValue(Hash(images.Data), out var answer))
            throw new InvalidOperationException("the oracle was not prepared for this crop (the estimator's crop differs from the sample builder's)");
        return answer;
    }

    private static ulong Hash(float[] data)
    {
        ulong h = 14695981039346656037UL;
        foreach (var v in data) { h ^= BitConverter.SingleToUInt32Bits(v); h *= 1099511628211UL; }
        return h;
    }

    public void Dispose() { }
}
