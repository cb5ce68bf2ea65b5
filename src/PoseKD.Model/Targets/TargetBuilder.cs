using PoseKD.Data.Loading;
using PoseKD.Data.Transforms;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Targets;

/// <summary>
/// Builds the head's training targets from a batch ("SSC" positive sampling, as the reference).
/// A cell is a candidate for instance i when its anchor centre (clamped into the crop and truncated to a pixel)
/// falls on the instance's visible mask (crop label i + 1). With s the span of the instance's projected 3D box
/// in crop pixels (max(w, h) with the +1 convention; 1 when the instance has no visible crop pixel), level k
/// receives n_k = ⌊10·e_k / Σ_j e_j + ½⌋ positives with e_k = exp(−λ·log2(s/a_k)²) over the levels present;
/// n_k candidates are drawn at random without replacement (fewer if the level has fewer). Candidates not drawn
/// are ignored (−1); all other cells are background (0), including cells on pixels erased by the occlusion
/// augmentation (label 255), as in the reference. Draws come from the <see cref="Generator"/> passed in, in the
/// order level, then instance.
/// </summary>
public static class TargetBuilder
{
    /// <summary>Samples positives and builds the targets of <paramref name="samples"/>.</summary>
    /// <param name="samples">The batch's samples (crop label maps, poses in the internal camera, bbox_trans).</param>
    /// <param name="keypoints3d">Per class the 8 keypoints [8·3] in mm (the dataset's 3D boxes).</param>
    /// <param name="layout">Cell layout of the network output.</param>
    /// <param name="options">Positive count and λ, internal camera.</param>
    /// <param name="generator">The run's seeded generator.</param>
    /// <exception cref="ArgumentException">a sample's label map does not match its size, or a class has no keypoints.</exception>
    public static HeadTargets Build(IReadOnlyList<Sample> samples, IReadOnlyList<double[]> keypoints3d, HeadLayout layout, HeadOptions options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(samples); ArgumentNullException.ThrowIfNull(keypoints3d);
        ArgumentNullException.ThrowIfNull(layout); ArgumentNullException.ThrowIfNull(options); ArgumentNullException.ThrowIfNull(generator);
        int total = layout.TotalCells;
        var labels = new int[samples.Count * total];
        var sizes = options.AnchorSizes.Take(layout.Levels.Count).ToArray();
        for (int b = 0; b < samples.Count; b++)
        {
            var s = samples[b];
            CheckSample(s, b, keypoints3d);
            int nGt = s.ClassIds.Length;
            var maskAt = MaskAtAnchors(s, layout);
            var counts = new int[nGt][];
            for (int g = 0; g < nGt; g++) counts[g] = LevelCounts(BoxSpan(s, g), sizes, options.PositiveNum, options.PositiveLambda);
            var span = labels.AsSpan(b * total, total);
            for (int k = 0; k < layout.Levels.Count; k++)
            {
                int off = layout.LevelOffset(k), n = layout.Levels[k].Count;
                for (int g = 0; g < nGt; g++)
                {
                    var valid = new List<int>();
                    for (int i = 0; i < n; i++) if (maskAt[off + i] == g + 1) valid.Add(off + i);
                    int take = Math.Min(counts[g][k], valid.Count);
                    if (take <= 0) continue;
                    var perm = generator.Permutation(valid.Count);
                    for (int q = 0; q < take; q++) span[valid[perm[q]]] = s.ClassIds[g] + 1;
                }
            }
            for (int i = 0; i < total; i++)
                if (span[i] == 0 && maskAt[i] >= 1 && maskAt[i] <= nGt) span[i] = -1;
        }
        return FromLabels(samples, keypoints3d, layout, labels);
    }

    /// <summary>Samples positives for the images of <paramref name="batch"/> (see the other overload).</summary>
    public static HeadTargets Build(Batch batch, IReadOnlyList<double[]> keypoints3d, HeadLayout layout, HeadOptions options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Build(batch.Samples, keypoints3d, layout, options, generator);
    }

    /// <summary>
    /// Targets for given labels (e.g. replayed from a recorded run): each positive's instance is the one whose mask
    /// holds its anchor centre; regression targets and camera-frame keypoints are computed from that instance's pose.
    /// </summary>
    /// <exception cref="ArgumentException">the label count does not match, or a positive lies off the mask of an instance of its class.</exception>
    public static HeadTargets FromLabels(IReadOnlyList<Sample> samples, IReadOnlyList<double[]> keypoints3d, HeadLayout layout, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(samples); ArgumentNullException.ThrowIfNull(keypoints3d);
        ArgumentNullException.ThrowIfNull(layout); ArgumentNullException.ThrowIfNull(labels);
        int total = layout.TotalCells;
        if (labels.Length != samples.Count * total)
            throw new ArgumentException($"labels have {labels.Length} entries; expected {samples.Count} images × {total} cells = {samples.Count * total}", nameof(labels));
        var positives = new List<PositiveCell>();
        for (int b = 0; b < samples.Count; b++)
        {
            var s = samples[b];
            CheckSample(s, b, keypoints3d);
            var maskAt = MaskAtAnchors(s, layout);
            for (int k = 0; k < layout.Levels.Count; k++)
            {
                var grid = layout.Levels[k];
                int off = layout.LevelOffset(k);
                for (int i = 0; i < grid.Count; i++)
                {
                    int label = labels[b * total + off + i];
                    if (label < -1 || label > layout.Classes)
                        throw new ArgumentException($"label {label} of image {b}, level {k}, cell {i} is outside [−1, {layout.Classes}]", nameof(labels));
                    if (label <= 0) continue;
                    int g = maskAt[off + i] - 1;
                    if (g < 0 || g >= s.ClassIds.Length || s.ClassIds[g] + 1 != label)
                        throw new ArgumentException($"positive of class {label - 1} at image {b}, level {k}, cell {i} is not on the mask of an instance of that class", nameof(labels));
                    positives.Add(MakePositive(s, keypoints3d, b, k, i, g, grid));
                }
            }
        }
        return new HeadTargets { Layout = layout, BatchSize = samples.Count, Labels = labels, Positives = positives };
    }

    /// <summary>
    /// Positives per level for an object of span <paramref name="span"/> px: n_k = ⌊N·e_k/Σe + ½⌋,
    /// e_k = exp(−λ·log2(span/a_k)²), evaluated in float32 as the reference. A non-positive span gives zeros.
    /// </summary>
    public static int[] LevelCounts(double span, IReadOnlyList<int> anchorSizes, int positiveNum, double lambda)
    {
        ArgumentNullException.ThrowIfNull(anchorSizes);
        var e = new float[anchorSizes.Count];
        var n = new int[anchorSizes.Count];
        if (!(span > 0)) return n;
        float sum = 0, sz = (float)span, lam = (float)lambda;
        for (int k = 0; k < e.Length; k++)
        {
            float dk = MathF.Abs(MathF.Log2(sz / anchorSizes[k]));
            e[k] = MathF.Exp(-lam * (dk * dk));
            sum += e[k];
        }
        if (!(sum > 0)) return n;
        for (int k = 0; k < e.Length; k++) n[k] = (int)(positiveNum * e[k] / sum + 0.5f);
        return n;
    }

    /// <summary>
    /// Span of instance <paramref name="instance"/>'s projected box in crop pixels, max(x₂ − x₁ + 1, y₂ − y₁ + 1)
    /// over its keypoints; 1 when the instance has no pixel in the crop label map (the reference's zero box).
    /// </summary>
    public static double BoxSpan(Sample sample, int instance)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (Array.IndexOf(sample.Labels, (byte)(instance + 1)) < 0) return 1;
        var kp = sample.Keypoints[instance];
        double x1 = double.MaxValue, y1 = double.MaxValue, x2 = double.MinValue, y2 = double.MinValue;
        for (int j = 0; j + 1 < kp.Length; j += 2)
        {
            x1 = Math.Min(x1, kp[j]); x2 = Math.Max(x2, kp[j]);
            y1 = Math.Min(y1, kp[j + 1]); y2 = Math.Max(y2, kp[j + 1]);
        }
        return Math.Max(x2 - x1 + 1, y2 - y1 + 1);
    }

    /// <summary>Crop label at every anchor centre, levels concatenated [TotalCells].</summary>
    internal static int[] MaskAtAnchors(Sample s, HeadLayout layout)
    {
        var m = new int[layout.TotalCells];
        int size = s.Size;
        for (int k = 0; k < layout.Levels.Count; k++)
        {
            var grid = layout.Levels[k];
            int off = layout.LevelOffset(k);
            for (int i = 0; i < grid.Count; i++)
            {
                int x = (int)Math.Clamp(grid.CenterX(i), 0f, size - 1f);
                int y = (int)Math.Clamp(grid.CenterY(i), 0f, size - 1f);
                m[off + i] = s.Labels[y * size + x];
            }
        }
        return m;
    }

    private static PositiveCell MakePositive(Sample s, IReadOnlyList<double[]> keypoints3d, int image, int level, int index, int g, LevelGrid grid)
    {
        var kp = keypoints3d[s.ClassIds[g]];
        var r = s.R[g];
        var t = s.T[g];
        float cx = grid.CenterX(index), cy = grid.CenterY(index), size = grid.AnchorSize;
        var offsets = new float[16];
        TargetCoder.Encode(s.K, kp, r, t, s.BboxTrans, cx, cy, size, offsets);
        var cam = new double[24];
        for (int j = 0; j < 8; j++)
            for (int a = 0; a < 3; a++)
                cam[3 * j + a] = r[3 * a] * kp[3 * j] + r[3 * a + 1] * kp[3 * j + 1] + r[3 * a + 2] * kp[3 * j + 2] + t[a];
        return new PositiveCell
        {
            Image = image, Level = level, Index = index, Instance = g, ClassId = s.ClassIds[g],
            CenterX = cx, CenterY = cy, AnchorSize = size, Offsets = offsets, CameraKeypoints = cam, BboxTrans = (double[])s.BboxTrans.Clone(),
        };
    }

    private static void CheckSample(Sample s, int b, IReadOnlyList<double[]> keypoints3d)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Labels.Length != s.Size * s.Size)
            throw new ArgumentException($"sample {b} ({s.Path}): label map has {s.Labels.Length} entries, expected {s.Size}×{s.Size}");
        if (s.R.Length != s.ClassIds.Length || s.T.Length != s.ClassIds.Length || s.Keypoints.Length != s.ClassIds.Length)
            throw new ArgumentException($"sample {b} ({s.Path}): {s.ClassIds.Length} class ids but {s.R.Length} rotations, {s.T.Length} translations and {s.Keypoints.Length} keypoint sets");
        if (s.BboxTrans.Length != 6) throw new ArgumentException($"sample {b} ({s.Path}): bbox_trans must have 6 entries, got {s.BboxTrans.Length}");
        foreach (int c in s.ClassIds)
            if (c < 0 || c >= keypoints3d.Count || keypoints3d[c] is not { Length: 24 })
                throw new ArgumentException($"sample {b} ({s.Path}): class {c} has no 3D keypoints [8·3] (table has {keypoints3d.Count} classes)");
    }
}
