using PoseKD.Data.Transforms;
using PoseKD.Engine.Tensors;
using PoseKD.Geometry.Cameras;
using PoseKD.Geometry.Pnp;
using PoseKD.Geometry.Rotations;
using PoseKD.Model.Distillation;
using PoseKD.Model.Network;
using PoseKD.Model.Targets;

namespace PoseKD.Model.PostProcessing;

/// <summary>
/// From network outputs to poses, as the reference's post-processor.
/// <list type="number">
/// <item>Per level, every (cell, class) with σ(logit) &gt; CONFIDENCE_TH is a candidate with score √σ and its 16
/// offsets decoded to network-input pixels.</item>
/// <item>Per class (ascending id): walking the levels in order, the level's best candidate sets the box size
/// s = max(x-range, y-range) of its keypoints whenever its score beats the best seen so far and s grows; the
/// counts n_k follow the training formula over <em>all</em> configured anchor sizes; the top n_k candidates of
/// each level are kept.</item>
/// <item>Their keypoints are mapped back to the image with bbox_trans⁻¹ and RANSAC-EPnP (PoseKD's solver,
/// 5 px) fits R, t against the class's 8 keypoints repeated per cell.</item>
/// <item>Symmetric classes are canonicalised; the score is the largest √σ; the pose is re-expressed in the
/// image's own camera (EPnP on the keypoints warped by K·K_int⁻¹).</item>
/// </list>
/// </summary>
public sealed class PostProcessor
{
    private readonly IReadOnlyList<double[]> _keypoints3d;

    /// <summary>The settings.</summary>
    public HeadOptions Options { get; }

    /// <summary>Creates the post-processor for a keypoint table (per class [8·3] mm).</summary>
    public PostProcessor(HeadOptions options, IReadOnlyList<double[]> keypoints3d)
    {
        ArgumentNullException.ThrowIfNull(options); ArgumentNullException.ThrowIfNull(keypoints3d);
        Options = options.Validate();
        for (int c = 0; c < keypoints3d.Count; c++)
            if (keypoints3d[c] is not { Length: 24 }) throw new ArgumentException($"keypoints of class {c} must be [8·3], got [{keypoints3d[c]?.Length ?? 0}]", nameof(keypoints3d));
        _keypoints3d = keypoints3d;
    }

    /// <summary>Poses per image (classes in ascending id; a class whose PnP fails is left out).</summary>
    /// <exception cref="ArgumentException">the number of image infos does not match the batch.</exception>
    public IReadOnlyList<IReadOnlyList<PosePrediction>> Predict(PoseNetOutput output, IReadOnlyList<PoseImageInfo> images)
    {
        var layout = Check(output, images);
        var result = new List<IReadOnlyList<PosePrediction>>();
        for (int b = 0; b < images.Count; b++)
        {
            var list = new List<PosePrediction>();
            foreach (var sel in Select(output, layout, b, images[b]))
            {
                if (images[b].ClassFilter is { } filter && !filter.Contains(sel.ClassId)) continue;
                var p = Solve(sel, images[b]);
                if (p != null) list.Add(p);
            }
            result.Add(list);
        }
        return result;
    }

    /// <summary>
    /// The teacher's knowledge for distillation: per image the selected cells of the first class (ascending id,
    /// no class filter) whose PnP succeeds, with keypoints [n, 8, 2] in internal-image pixels and weights √σ [n]
    /// (detached); an empty set when none.
    /// </summary>
    public IReadOnlyList<LocalPredictions> TeacherKnowledge(PoseNetOutput output, IReadOnlyList<PoseImageInfo> images)
    {
        var layout = Check(output, images);
        var result = new List<LocalPredictions>();
        for (int b = 0; b < images.Count; b++)
        {
            LocalPredictions? lp = null;
            foreach (var sel in Select(output, layout, b, images[b]))
            {
                if (Solve(sel, images[b] with { OriginalK = null }) == null) continue;
                int n = sel.Cells.Count;
                lp = new LocalPredictions(Tensor.FromArray((float[])sel.Keypoints.Clone(), n, 8, 2), Tensor.FromArray((float[])sel.Scores.Clone(), n), sel.Cells);
                break;
            }
            result.Add(lp ?? new LocalPredictions(Tensor.Zeros(0, 8, 2), Tensor.Zeros(0), []));
        }
        return result;
    }

    /// <summary>The candidate selection of image <paramref name="image"/> per class (ascending id), before PnP.</summary>
    public IReadOnlyList<ClassSelection> Select(PoseNetOutput output, int image, PoseImageInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var layout = HeadLayout.From(output, Options);
        if ((uint)image >= (uint)output.ClsLogits[0].Shape[0]) throw new ArgumentException($"image {image} is outside the batch of {output.ClsLogits[0].Shape[0]}", nameof(image));
        return Select(output, layout, image, info);
    }

    private HeadLayout Check(PoseNetOutput output, IReadOnlyList<PoseImageInfo> images)
    {
        ArgumentNullException.ThrowIfNull(output); ArgumentNullException.ThrowIfNull(images);
        var layout = HeadLayout.From(output, Options);
        int batch = output.ClsLogits[0].Shape[0];
        if (images.Count != batch) throw new ArgumentException($"{images.Count} image infos for a batch of {batch}", nameof(images));
        foreach (var im in images)
        {
            ArgumentNullException.ThrowIfNull(im);
            if (im.K is not { Length: 9 }) throw new ArgumentException("image info K must have 9 entries", nameof(images));
            if (im.BboxTrans is { Length: not 6 }) throw new ArgumentException("image info bbox_trans must have 6 entries", nameof(images));
        }
        return layout;
    }

    private readonly record struct Candidate(int Level, int Index, int Class, float Score, float[] Crop);

    private List<ClassSelection> Select(PoseNetOutput output, HeadLayout layout, int b, PoseImageInfo info)
    {
        int c = layout.Classes;
        float th = (float)Options.ConfidenceTh;
        var perLevel = new List<Candidate>[layout.Levels.Count];
        var classes = new SortedSet<int>();
        Span<float> off = stackalloc float[16];
        for (int k = 0; k < layout.Levels.Count; k++)
        {
            var grid = layout.Levels[k];
            var cls = output.ClsLogits[k].Data;
            var reg = output.PoseReg[k].Data;
            int hw = grid.Count;
            perLevel[k] = [];
            for (int i = 0; i < hw; i++)
                for (int j = 0; j < c; j++)
                {
                    float p = 1f / (1f + MathF.Exp(-cls[(b * c + j) * hw + i]));
                    if (!(p > th)) continue;
                    for (int q = 0; q < 16; q++) off[q] = reg[((b * 16 * c) + 16 * j + q) * hw + i];
                    var crop = new float[16];
                    TargetCoder.Decode(off, grid.CenterX(i), grid.CenterY(i), grid.AnchorSize, default, crop);
                    perLevel[k].Add(new Candidate(k, i, j, MathF.Sqrt(p), crop));
                    classes.Add(j);
                }
        }
        var result = new List<ClassSelection>();
        Span<float> inv = stackalloc float[6];
        if (info.BboxTrans != null) TargetCoder.InverseCoefficients(info.BboxTrans, inv);
        foreach (int cl in classes)
        {
            float boxSize = 0, boxConf = 0;
            var byLevel = new List<Candidate>[perLevel.Length];
            for (int k = 0; k < perLevel.Length; k++)
            {
                byLevel[k] = perLevel[k].Where(x => x.Class == cl).ToList();
                if (byLevel[k].Count == 0) continue;
                var best = byLevel[k][0];
                foreach (var x in byLevel[k]) if (x.Score > best.Score) best = x;
                if (best.Score > boxConf)
                {
                    boxConf = best.Score;
                    float size = Math.Max(Range(best.Crop, 0), Range(best.Crop, 8));
                    if (size > boxSize) boxSize = size;
                }
            }
            var nk = TargetBuilder.LevelCounts(boxSize, Options.AnchorSizes, Options.PositiveNum, Options.PositiveLambda);
            var cells = new List<CellRef>();
            var scores = new List<float>();
            var kps = new List<float>();
            for (int k = 0; k < perLevel.Length; k++)
            {
                int take = Math.Min(byLevel[k].Count, k < nk.Length ? nk[k] : 0);
                if (take <= 0) continue;
                foreach (var x in byLevel[k].OrderByDescending(x => x.Score).Take(take))
                {
                    cells.Add(new CellRef(x.Level, x.Index));
                    scores.Add(x.Score);
                    for (int j = 0; j < 8; j++)
                    {
                        float u = x.Crop[j], v = x.Crop[8 + j];
                        if (info.BboxTrans != null)
                        {
                            float dx = u - inv[4], dy = v - inv[5];
                            u = inv[0] * dx + inv[1] * dy;
                            v = inv[2] * dx + inv[3] * dy;
                        }
                        kps.Add(u); kps.Add(v);
                    }
                }
            }
            if (cells.Count == 0) continue;
            result.Add(new ClassSelection(cl, cells, scores.ToArray(), kps.ToArray(), boxSize, nk));
        }
        return result;
    }

    private static float Range(float[] v, int start)
    {
        float lo = v[start], hi = v[start];
        for (int j = 1; j < 8; j++) { lo = Math.Min(lo, v[start + j]); hi = Math.Max(hi, v[start + j]); }
        return hi - lo;
    }

    /// <summary>RANSAC-EPnP, symmetry, score and remap of one class selection; null when PnP fails.</summary>
    private PosePrediction? Solve(ClassSelection sel, PoseImageInfo info)
    {
        if (sel.ClassId >= _keypoints3d.Count)
            throw new ArgumentException($"class {sel.ClassId} has candidates but the keypoint table has only {_keypoints3d.Count} classes");
        var kp = _keypoints3d[sel.ClassId];
        int n = sel.Cells.Count;
        var obj = new double[24 * n];
        var img = new double[16 * n];
        for (int i = 0; i < n; i++) kp.CopyTo(obj, 24 * i);
        for (int i = 0; i < img.Length; i++) img[i] = sel.Keypoints[i];
        var pnp = RansacEpnp.Solve(obj, img, info.K, Options.Ransac);
        if (!pnp.Success || !pnp.R.All(double.IsFinite) || !pnp.T.All(double.IsFinite)) return null;
        var r = pnp.R;
        if (Options.SymmetryTypes.TryGetValue(sel.ClassId, out var rules) && rules.Count > 0) r = SymmetryCanonicalizer.Canonicalize(r, rules);
        double[] rOut = r, tOut = pnp.T;
        double remapErr = 0;
        if (info.OriginalK != null)
        {
            var warp = Affine2D.FromMatrix3x3(RotationMath.Multiply(info.OriginalK, Camera.InvertK(info.K)));
            (rOut, tOut, remapErr) = PoseRemap.Remap(info.K, r, pnp.T, kp, info.OriginalK, warp);
        }
        return new PosePrediction
        {
            ClassId = sel.ClassId, Score = sel.Scores.Max(), R = rOut, T = tOut, RInternal = r, TInternal = pnp.T,
            Inliers = pnp.Inliers, Cells = sel.Cells, CellScores = sel.Scores, Keypoints = sel.Keypoints, RemapErrorPx = remapErr,
        };
    }
}
