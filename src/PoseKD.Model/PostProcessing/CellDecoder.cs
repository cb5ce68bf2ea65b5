using PoseKD.Engine.Functional;
using PoseKD.Model.Distillation;
using PoseKD.Model.Losses;
using PoseKD.Model.Network;
using PoseKD.Model.Targets;

namespace PoseKD.Model.PostProcessing;

/// <summary>Decodes a network's predictions at given cells (e.g. the student at the teacher's cells, for the l1/l2 distillation baselines).</summary>
public static class CellDecoder
{
    /// <summary>
    /// The keypoints [n, 8, 2] (image pixels when <paramref name="bboxTrans"/> is given, else network-input pixels)
    /// and weights σ(logit) [n] of class <paramref name="classId"/> at <paramref name="cells"/> of image
    /// <paramref name="image"/>, attached to the output's graph.
    /// </summary>
    /// <exception cref="ArgumentException">a cell or the class is outside the output.</exception>
    public static LocalPredictions Decode(PoseNetOutput output, int image, IReadOnlyList<CellRef> cells, int classId, double[]? bboxTrans, HeadOptions options)
    {
        ArgumentNullException.ThrowIfNull(output); ArgumentNullException.ThrowIfNull(cells); ArgumentNullException.ThrowIfNull(options);
        var layout = HeadLayout.From(output, options);
        var (offsets, logits) = HeadGather.At(output, cells.Select(c => (image, c.Level, c.Index, classId)).ToArray());
        var cx = cells.Select(c => layout.Levels[c.Level].CenterX(c.Index)).ToArray();
        var cy = cells.Select(c => layout.Levels[c.Level].CenterY(c.Index)).ToArray();
        var sz = cells.Select(c => (float)layout.Levels[c.Level].AnchorSize).ToArray();
        var decoded = TargetCoder.Decode(offsets, cx, cy, sz, bboxTrans == null ? null : cells.Select(_ => bboxTrans).ToArray());
        return new LocalPredictions(TargetCoder.ToPoints(decoded), F.Sigmoid(logits), cells.ToArray());
    }
}
