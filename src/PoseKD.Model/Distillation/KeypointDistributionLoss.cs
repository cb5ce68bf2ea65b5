using PoseKD.Engine.Functional;
using PoseKD.Engine.Ot;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Distillation;

/// <summary>
/// The prediction-level distillation loss of "Knowledge Distillation for 6D Pose Estimation by Aligning Distributions of
/// Local Predictions" (Guo et al., CVPR 2023), as the reference's <c>kd_loss_2d</c> computes it.
/// <para>For image i with student cells (keypoints s_c,k ∈ ℝ², scores σ_c) and teacher cells (keypoints t_c,k, scores
/// τ_c = √sigmoid), and each keypoint k = 0…7 separately: source cloud {s_c,k / (640, 480)} with weights
/// α_c = clamp(σ_c, 10⁻³, 1 − 10⁻³) (detached when <c>wot_detach</c>), target cloud {t_c,k / (640, 480)} with weights
/// β_c = τ_c² (uniform 1/n per cloud when <c>weightedOT</c> is false);
/// L_i = Σ_k D(α, s_·,k; β, t_·,k) with D the debiased unbalanced Sinkhorn divergence (or a kernel norm, per <c>gtype</c>);
/// L_KD = kd_weight · mean over images with both sides non-empty of L_i (0, without a graph, when there is none).
/// The 8 problems of an image share the ε-schedule of their joint diameter, as one geomloss call over the image's
/// 8 × n × 2 batch does; all images' problems go into one batched call.</para>
/// <para>Baselines <c>l1</c>/<c>l2</c>: with the teacher's keypoints decoded at the student's own cells u_c,k,
/// L_i = Σ_k mean_c ℓ((s_c,k − u_c,k) / (640, 480)), ℓ = |·|₁ or |·|₂², mean over images with student cells, × kd_weight.</para>
/// </summary>
public sealed class KeypointDistributionLoss
{
    private const int Keypoints = 8;

    /// <summary>Creates the loss; the options are validated here.</summary>
    public KeypointDistributionLoss(KdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings.</summary>
    public KdOptions Options { get; }

    /// <summary>
    /// The weighted KD term (already multiplied by <see cref="KdOptions.KdWeight"/>) for one batch: per image the
    /// student's local predictions (attached to the graph) and the teacher's (constants). For the l1/l2 gtypes,
    /// <paramref name="teacherAtStudentCells"/> must hold, per image, the teacher's keypoints decoded at exactly the
    /// student's cells; the other gtypes ignore it. Returns a scalar tensor.
    /// </summary>
    public Tensor Compute(IReadOnlyList<LocalPredictions> student, IReadOnlyList<LocalPredictions> teacher,
        IReadOnlyList<LocalPredictions>? teacherAtStudentCells = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacher);
        if (student.Count != teacher.Count)
            throw new ArgumentException($"KD loss: {student.Count} student images but {teacher.Count} teacher images");
        for (int i = 0; i < student.Count; i++)
        {
            Check(student[i], $"student[{i}]");
            Check(teacher[i], $"teacher[{i}]");
        }
        if (Options.GType is KdLossType.L1 or KdLossType.L2)
        {
            if (teacherAtStudentCells is null)
                throw new ArgumentException($"KD loss gtype {Options.GType} needs the teacher's predictions at the student's cells (teacherAtStudentCells)");
            if (teacherAtStudentCells.Count != student.Count)
                throw new ArgumentException($"KD loss: {student.Count} student images but {teacherAtStudentCells.Count} teacher-at-student-cell entries");
            return PointToPoint(student, teacherAtStudentCells);
        }
        return Distribution(student, teacher);
    }

    private static void Check(LocalPredictions p, string what)
    {
        ArgumentNullException.ThrowIfNull(p, what);
        int n = p.Count;
        if (p.Keypoints.Rank != 3 || p.Keypoints.Shape[0] != n || p.Keypoints.Shape[1] != Keypoints || p.Keypoints.Shape[2] != 2)
            throw new ArgumentException($"KD loss: {what}.Keypoints has shape {Shapes.Format(p.Keypoints.Shape)}, expected [{n}, 8, 2] for its {n} cells");
        if (p.Weights.Rank != 1 || p.Weights.Shape[0] != n)
            throw new ArgumentException($"KD loss: {what}.Weights has shape {Shapes.Format(p.Weights.Shape)}, expected [{n}]");
    }

    private Tensor Normalised(Tensor keypoints) =>
        F.Div(keypoints, Tensor.FromArray([Options.ImageWidth, Options.ImageHeight], 2));

    /// <summary>[n, 8, 2] → the 8 keypoint clouds packed keypoint-major: [8·n, 2].</summary>
    private static Tensor PackClouds(Tensor normalised, int n) => normalised.Permute(1, 0, 2).Reshape(Keypoints * n, 2);

    /// <summary>[n] weights → the same weights for each of the 8 clouds: [8·n].</summary>
    private static Tensor PackWeights(Tensor w, int n) => F.BroadcastTo(w.Reshape(1, n), Keypoints, n).Reshape(Keypoints * n);

    private Tensor Distribution(IReadOnlyList<LocalPredictions> student, IReadOnlyList<LocalPredictions> teacher)
    {
        var xs = new List<Tensor>();
        var ys = new List<Tensor>();
        var alphas = new List<Tensor>();
        var betas = new List<Tensor>();
        var xCounts = new List<int>();
        var yCounts = new List<int>();
        var groups = new List<int>();
        int images = 0;
        for (int i = 0; i < student.Count; i++)
        {
            int n = student[i].Count, m = teacher[i].Count;
            if (n == 0 || m == 0) continue;
            xs.Add(PackClouds(Normalised(student[i].Keypoints), n));
            ys.Add(PackClouds(Normalised(teacher[i].Keypoints.Detach()), m));
            alphas.Add(PackWeights(StudentWeights(student[i].Weights, n), n));
            betas.Add(PackWeights(TeacherWeights(teacher[i].Weights, m), m));
            for (int k = 0; k < Keypoints; k++)
            {
                xCounts.Add(n);
                yCounts.Add(m);
                groups.Add(images);
            }
            images++;
        }
        if (images == 0) return Tensor.Scalar(0f);
        var layout = new CloudBatchLayout([.. xCounts], [.. yCounts], [.. groups]);
        var perProblem = SamplesLoss.Compute(F.Concat(alphas), F.Concat(xs), F.Concat(betas), F.Concat(ys), layout, Options.ToSamplesLossOptions());
        return F.Mul(perProblem.Sum(), (float)(Options.KdWeight / images));
    }

    private Tensor StudentWeights(Tensor scores, int n)
    {
        if (!Options.WeightedOt) return Tensor.Full(1f / n, n);
        var w = F.Clamp(scores, Options.ScoreClampMin, Options.ScoreClampMax);
        return Options.WotDetach ? w.Detach() : w;
    }

    private Tensor TeacherWeights(Tensor scores, int m)
    {
        if (!Options.WeightedOt) return Tensor.Full(1f / m, m);
        var s = scores.Detach();
        return F.Mul(s, s);
    }

    private Tensor PointToPoint(IReadOnlyList<LocalPredictions> student, IReadOnlyList<LocalPredictions> teacherAtStudentCells)
    {
        var perImage = new List<Tensor>();
        for (int i = 0; i < student.Count; i++)
        {
            var s = student[i];
            var t = teacherAtStudentCells[i];
            Check(t, $"teacherAtStudentCells[{i}]");
            if (t.Count != s.Count || !t.Cells.SequenceEqual(s.Cells))
                throw new ArgumentException($"KD loss: teacherAtStudentCells[{i}] must list the student's {s.Count} cells in the same order (got {t.Count})");
            if (s.Count == 0) continue;
            var d = F.Sub(Normalised(s.Keypoints), Normalised(t.Keypoints.Detach()));
            var per = Options.GType == KdLossType.L1 ? F.Abs(d) : F.Mul(d, d);
            // Σ over the 8 keypoints and 2 coordinates of the mean over cells
            perImage.Add(F.Mul(per.Sum(), 1f / s.Count));
        }
        if (perImage.Count == 0) return Tensor.Scalar(0f);
        return F.Mul(F.Stack(perImage).Sum(), (float)(Options.KdWeight / perImage.Count));
    }
}
