using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using PoseKD.Geometry.Cameras;
using PoseKD.Model.Distillation;
using PoseKD.Model.Network;
using PoseKD.Model.Targets;

namespace PoseKD.Model.Losses;

/// <summary>
/// The head losses of the reference.
/// <para>Class: sigmoid focal loss summed over all non-ignored cells,
/// Σ −[t = c+1]·α(1−p)^γ log p − [t ≥ 0, t ≠ c+1]·(1−α)p^γ log(1−p), p = clamp(σ(x), 10⁻⁴, 1 − 10⁻⁴).</para>
/// <para>Regression '3D' (object space), per positive: decode the 8 keypoints to internal-image pixels u_j, form
/// rays b_j = K⁻¹[u_j, 1]ᵀ, project the GT camera-frame keypoint X_j onto the ray, P_j X_j = b_j (b_jᵀX_j)/(b_jᵀb_j),
/// and take (1/50)·mean over the 24 coordinates of SmoothL1(50·P_jX_j/d, 50·X_j/d) with d the class diameter;
/// summed over positives.</para>
/// <para>Regression '2D' (image space): (1/2)·mean over the 16 coordinates of SmoothL1(2·u, 2·u_GT) in
/// internal-image pixels, summed over positives.</para>
/// <para>Without positives the regression term is the plain sum of all regression outputs, as the reference.
/// Terms are weighted by LOSS_WEIGHT_CLS / LOSS_WEIGHT_REG.</para>
/// </summary>
public sealed class PoseLoss
{
    private readonly float[] _kInv;

    /// <summary>Names of the terms, as logged.</summary>
    public const string ClsTerm = "loss_cls", RegTerm = "loss_reg";

    /// <summary>The settings.</summary>
    public HeadOptions Options { get; }

    /// <summary>Creates the loss.</summary>
    public PoseLoss(HeadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        var inv = Camera.InvertK(options.InternalK.ToArray());
        _kInv = inv.Select(v => (float)v).ToArray();
    }

    /// <summary>Computes the losses of <paramref name="output"/> against <paramref name="targets"/>.</summary>
    /// <exception cref="ArgumentException">the targets were built for another layout or batch size.</exception>
    public PoseLossResult Compute(PoseNetOutput output, HeadTargets targets)
    {
        ArgumentNullException.ThrowIfNull(output); ArgumentNullException.ThrowIfNull(targets);
        var layout = HeadLayout.From(output, Options);
        int batch = output.ClsLogits[0].Shape[0];
        if (batch != targets.BatchSize || layout.TotalCells != targets.Layout.TotalCells || layout.Classes != targets.Layout.Classes)
            throw new ArgumentException($"targets for {targets.BatchSize} images × {targets.Layout.TotalCells} cells × {targets.Layout.Classes} classes do not fit the output ({batch} × {layout.TotalCells} × {layout.Classes})");

        var cls = F.SigmoidFocalLoss(HeadGather.FlatLogits(output), targets.Labels, Options.FocalGamma, Options.FocalAlpha);
        var pos = targets.Positives;
        Tensor reg;
        var student = new LocalPredictions[batch];
        if (pos.Count == 0)
        {
            reg = null!;
            foreach (var r in output.PoseReg) reg = reg is null ? F.Sum(r) : reg + F.Sum(r);
            for (int b = 0; b < batch; b++) student[b] = new LocalPredictions(Tensor.Zeros(0, 8, 2), Tensor.Zeros(0), []);
        }
        else
        {
            var (offsets, logits) = HeadGather.At(output, pos.Select(p => (p.Image, p.Level, p.Index, p.ClassId)).ToArray());
            var cx = pos.Select(p => p.CenterX).ToArray();
            var cy = pos.Select(p => p.CenterY).ToArray();
            var sz = pos.Select(p => p.AnchorSize).ToArray();
            var trans = pos.Select(p => p.BboxTrans).ToArray();
            var decoded = TargetCoder.Decode(offsets, cx, cy, sz, trans);
            reg = Options.LossRegType == RegressionLossKind.ObjectSpace3D
                ? ObjectSpace(decoded, pos)
                : ImageSpace(decoded, Tensor.FromArray(pos.SelectMany(p => p.Offsets).ToArray(), pos.Count, 16), cx, cy, sz, trans);
            var points = TargetCoder.ToPoints(decoded);
            var weights = F.Sigmoid(logits);
            int start = 0;
            for (int b = 0; b < batch; b++)
            {
                int end = start;
                while (end < pos.Count && pos[end].Image == b) end++;
                int n = end - start;
                student[b] = n == 0
                    ? new LocalPredictions(Tensor.Zeros(0, 8, 2), Tensor.Zeros(0), [])
                    : new LocalPredictions(F.Narrow(points, 0, start, n), F.Narrow(weights, 0, start, n),
                        pos.Skip(start).Take(n).Select(p => new CellRef(p.Level, p.Index)).ToArray());
                start = end;
            }
        }
        var wCls = cls * (float)Options.LossWeightCls;
        var wReg = reg * (float)Options.LossWeightReg;
        return new PoseLossResult
        {
            Terms = new Dictionary<string, Tensor> { [ClsTerm] = wCls, [RegTerm] = wReg },
            Total = wCls + wReg,
            ClsLoss = cls,
            RegLoss = reg,
            Student = student,
            PositiveCount = pos.Count,
        };
    }

    /// <summary>Object-space loss of decoded rows [n, 16] (internal-image pixels).</summary>
    private Tensor ObjectSpace(Tensor decoded, IReadOnlyList<PositiveCell> pos)
    {
        int n = pos.Count, m = 8 * n;
        var pts = F.Reshape(TargetCoder.ToPoints(decoded), m, 2);
        var x = F.Narrow(pts, 1, 0, 1);
        var y = F.Narrow(pts, 1, 1, 1);
        var k = _kInv;
        var bx = x * k[0] + y * k[1] + k[2];
        var by = x * k[3] + y * k[4] + k[5];
        var bz = x * k[6] + y * k[7] + k[8];
        var gx = new float[m]; var gy = new float[m]; var gz = new float[m]; var scale = new float[m];
        var target = new float[3 * m];
        for (int i = 0; i < n; i++)
        {
            float s = (float)(50.0 / Options.DiameterMm(pos[i].ClassId));
            var cam = pos[i].CameraKeypoints;
            for (int j = 0; j < 8; j++)
            {
                int r = 8 * i + j;
                gx[r] = (float)cam[3 * j]; gy[r] = (float)cam[3 * j + 1]; gz[r] = (float)cam[3 * j + 2];
                scale[r] = s;
                target[3 * r] = gx[r] * s; target[3 * r + 1] = gy[r] * s; target[3 * r + 2] = gz[r] * s;
            }
        }
        Tensor Col(float[] v) => Tensor.FromArray(v, m, 1);
        var f = (bx * Col(gx) + by * Col(gy) + bz * Col(gz)) / (bx * bx + by * by + bz * bz);
        var sc = Col(scale);
        var px = F.Concat([bx * f * sc, by * f * sc, bz * f * sc], 1);
        return F.SmoothL1(px, Tensor.FromArray(target, m, 3), 1f, Reduction.Sum) * (1f / (24 * 50));
    }

    /// <summary>Image-space loss of decoded rows [n, 16] against the decoded targets.</summary>
    private static Tensor ImageSpace(Tensor decoded, Tensor targetOffsets, float[] cx, float[] cy, float[] sz, double[][] trans)
    {
        var target = TargetCoder.Decode(targetOffsets, cx, cy, sz, trans);
        return F.SmoothL1(decoded * 2f, target * 2f, 1f, Reduction.Sum) * (1f / (16 * 2));
    }
}
