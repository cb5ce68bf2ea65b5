using PoseKD.Engine.Autograd;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Distillation;
using PoseKD.Model.Network;
using PoseKD.Model.PostProcessing;
using PoseKD.Model.Targets;

namespace PoseKD.Training.Pose;

/// <summary>
/// The teacher side of distillation: a frozen network in eval mode that, on the student's batch, produces its
/// knowledge (the cells post-processing selects, with decoded keypoints and √scores) and, for the point-to-point
/// gtypes, its decoded keypoints at the student's positive cells.
/// </summary>
public sealed class Distiller
{
    /// <summary>Freezes <paramref name="teacher"/> (eval mode, no gradients) for distillation with <paramref name="loss"/>.</summary>
    public Distiller(PoseNet teacher, PostProcessor postProcessor, KeypointDistributionLoss loss, double kdWeight)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(postProcessor);
        ArgumentNullException.ThrowIfNull(loss);
        if (!(kdWeight >= 0) || double.IsInfinity(kdWeight)) throw new ArgumentOutOfRangeException(nameof(kdWeight), kdWeight, "kd weight must be finite and ≥ 0");
        Teacher = teacher; PostProcessor = postProcessor; Loss = loss; KdWeight = kdWeight;
        Teacher.Eval();
        foreach (var p in Teacher.Parameters()) p.RequiresGrad = false;
    }

    /// <summary>The frozen teacher.</summary>
    public PoseNet Teacher { get; }
    /// <summary>Post-processing that selects the teacher's cells.</summary>
    public PostProcessor PostProcessor { get; }
    /// <summary>The KD loss (built with weight 1; <see cref="KdWeight"/> weights the term).</summary>
    public KeypointDistributionLoss Loss { get; }
    /// <summary>Weight of <c>loss_kd</c>.</summary>
    public double KdWeight { get; }
    /// <summary>Teacher knowledge of the last batch (for pictures).</summary>
    public IReadOnlyList<LocalPredictions>? LastKnowledge { get; private set; }

    /// <summary>
    /// The unweighted KD term of a batch: the teacher runs without gradients on <paramref name="images"/>; the
    /// student's local predictions stay on the graph.
    /// </summary>
    public Tensor Compute(Tensor images, IReadOnlyList<PoseImageInfo> infos, IReadOnlyList<LocalPredictions> student, HeadTargets targets)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(infos);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(targets);
        PoseNetOutput output;
        using (GradMode.NoGrad()) output = Teacher.Forward(images);
        var knowledge = PostProcessor.TeacherKnowledge(output, infos);
        LastKnowledge = knowledge;
        IReadOnlyList<LocalPredictions>? atCells = Loss.Options.GType is KdLossType.L1 or KdLossType.L2
            ? AtCells(output, targets) : null;
        return Loss.Compute(student, knowledge, atCells);
    }

    /// <summary>The teacher's decoded keypoints at each image's student positives (same order as the positives).</summary>
    public static IReadOnlyList<LocalPredictions> AtCells(PoseNetOutput teacher, HeadTargets targets)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(targets);
        var offsets = new float[16];
        var kp = new float[16];
        var result = new List<LocalPredictions>();
        for (int b = 0; b < targets.BatchSize; b++)
        {
            var pos = targets.Positives.Where(p => p.Image == b).ToList();
            var points = new float[pos.Count * 16];
            for (int i = 0; i < pos.Count; i++)
            {
                var p = pos[i];
                if (p.Level >= teacher.PoseReg.Count)
                    throw new ArgumentException($"the student's positive at level {p.Level} has no teacher level (teacher has {teacher.PoseReg.Count})");
                var reg = teacher.PoseReg[p.Level];            // [B, 16·C, H, W]
                int channels = reg.Shape[1], hw = reg.Shape[2] * reg.Shape[3];
                if (16 * (p.ClassId + 1) > channels) throw new ArgumentException($"teacher predicts {channels / 16} classes, the student's positive has class {p.ClassId}");
                for (int j = 0; j < 16; j++) offsets[j] = reg.Data[((b * channels) + 16 * p.ClassId + j) * hw + p.Index];
                TargetCoder.Decode(offsets, p.CenterX, p.CenterY, p.AnchorSize, p.BboxTrans, kp);
                for (int k = 0; k < 8; k++) { points[i * 16 + 2 * k] = kp[k]; points[i * 16 + 2 * k + 1] = kp[8 + k]; }
            }
            var cells = pos.Select(p => new CellRef(p.Level, p.Index)).ToArray();
            result.Add(new LocalPredictions(Tensor.FromArray(points, pos.Count, 8, 2), Tensor.FromArray(Enumerable.Repeat(1f, pos.Count).ToArray(), pos.Count), cells));
        }
        return result;
    }
}
