using PoseKD.Engine.Functional;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Distillation;

/// <summary>
/// Feature-imitation distillation baseline on the FPN maps, after "Distilling Object Detectors with Fine-grained
/// Feature Imitation" (Wang et al., CVPR 2019): per FPN level k a trainable 1×1 adapter convolution A_k maps the
/// student's map to the teacher's width, and
/// L_feat = weight · 1/(2·N_p) · Σ_k Σ_b Σ_(h,w) I_k,b(h,w) · Σ_c (A_k(S_k)_b,c,h,w − T_k,b,c,h,w)²,
/// where I_k,b(h,w) = 1 when the anchor centre of cell (h, w), (w·s_k + (s_k − 1)/2, h·s_k + (s_k − 1)/2) in input
/// pixels, lies inside image b's object box, and N_p = Σ I over all levels and images (the region size).
/// The teacher maps are constants. The adapters are parameters of this module (state-dict keys
/// <c>adapters.K.weight</c>, <c>adapters.K.bias</c>): give them to the optimizer with the student's.
/// </summary>
public sealed class FeatureImitationLoss : Module
{
    /// <summary>Creates one adapter per level: studentChannels[k] → teacherChannels[k].</summary>
    public FeatureImitationLoss(IReadOnlyList<int> studentChannels, IReadOnlyList<int> teacherChannels, IReadOnlyList<int> strides,
        double weight = 1.0, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(studentChannels);
        ArgumentNullException.ThrowIfNull(teacherChannels);
        ArgumentNullException.ThrowIfNull(strides);
        if (studentChannels.Count == 0 || studentChannels.Count != teacherChannels.Count || strides.Count != studentChannels.Count)
            throw new ArgumentException($"feature imitation needs as many student widths ({studentChannels.Count}), teacher widths ({teacherChannels.Count}) and strides ({strides.Count}), at least one");
        if (!(weight >= 0) || double.IsInfinity(weight)) throw new ArgumentException($"feature imitation weight must be finite and ≥ 0, got {weight}");
        if (strides.Any(s => s < 1)) throw new ArgumentException($"feature imitation strides must be ≥ 1, got [{string.Join(", ", strides)}]");
        Weight = weight;
        Strides = strides.ToArray();
        Adapters = RegisterModule("adapters", new ModuleList<Conv2d>(
            studentChannels.Zip(teacherChannels, (s, t) => new Conv2d(s, t, 1, generator: generator)).ToArray()));
    }

    /// <summary>The per-level 1×1 adapters.</summary>
    public ModuleList<Conv2d> Adapters { get; }

    /// <summary>Weight of the term in the total loss.</summary>
    public double Weight { get; }

    /// <summary>Stride of each level, input pixels per cell.</summary>
    public IReadOnlyList<int> Strides { get; }

    /// <summary>
    /// L_feat for one batch: student FPN maps [B, C_s,k, H_k, W_k] (attached), teacher FPN maps [B, C_t,k, H_k, W_k]
    /// (the first levels of the teacher, same sizes), and per image its object box in input pixels, or null for an
    /// image without one. Returns a scalar (0 without a graph when no cell lies in any box).
    /// </summary>
    public Tensor Compute(IReadOnlyList<Tensor> studentFeatures, IReadOnlyList<Tensor> teacherFeatures, IReadOnlyList<ObjectBox?> boxes)
    {
        ArgumentNullException.ThrowIfNull(studentFeatures);
        ArgumentNullException.ThrowIfNull(teacherFeatures);
        ArgumentNullException.ThrowIfNull(boxes);
        int levels = Adapters.Count;
        if (studentFeatures.Count < levels || teacherFeatures.Count < levels)
            throw new ArgumentException($"feature imitation has {levels} levels but got {studentFeatures.Count} student and {teacherFeatures.Count} teacher maps");
        Tensor? total = null;
        long region = 0;
        for (int k = 0; k < levels; k++)
        {
            var s = studentFeatures[k];
            var t = teacherFeatures[k];
            var conv = Adapters[k];
            if (s.Rank != 4 || t.Rank != 4 || s.Shape[0] != t.Shape[0] || s.Shape[2] != t.Shape[2] || s.Shape[3] != t.Shape[3]
                || s.Shape[1] != conv.InChannels || t.Shape[1] != conv.OutChannels)
                throw new ArgumentException($"feature imitation level {k}: student {Shapes.Format(s.Shape)} and teacher {Shapes.Format(t.Shape)} must be [B, {conv.InChannels}, H, W] and [B, {conv.OutChannels}, H, W]");
            int b = s.Shape[0], h = s.Shape[2], w = s.Shape[3];
            if (boxes.Count != b) throw new ArgumentException($"feature imitation: {boxes.Count} boxes for a batch of {b}");
            var mask = Mask(boxes, Strides[k], b, h, w, out long cells);
            if (cells == 0) continue;
            region += cells;
            var d = F.Sub(conv.Forward(s), t.Detach());
            var term = F.Mul(F.Mul(d, d), mask).Sum();
            total = total is null ? term : F.Add(total, term);
        }
        if (total is null) return Tensor.Scalar(0f);
        return F.Mul(total, (float)(Weight / (2.0 * region)));
    }

    /// <summary>[B, 1, H, W] 0/1 mask of the cells whose anchor centre lies in the image's box.</summary>
    internal static Tensor Mask(IReadOnlyList<ObjectBox?> boxes, int stride, int b, int h, int w, out long cells)
    {
        var mask = Tensor.Zeros(b, 1, h, w);
        cells = 0;
        float half = (stride - 1) / 2f;
        for (int i = 0; i < b; i++)
        {
            if (boxes[i] is not { } box) continue;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if (box.Contains(x * stride + half, y * stride + half))
                    {
                        mask.Data[(i * h + y) * w + x] = 1f;
                        cells++;
                    }
        }
        return mask;
    }
}
