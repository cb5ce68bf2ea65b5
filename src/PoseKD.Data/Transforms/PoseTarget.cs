namespace PoseKD.Data.Transforms;

/// <summary>
/// The annotation of one image as it flows through the transforms (the reference's <c>PoseAnnot</c>): camera K,
/// label map [H, W] (0 background, i + 1 instance i, 255 ignore), and per instance class id, R [9], t [3] (mm).
/// </summary>
public sealed class PoseTarget
{
    /// <summary>Intrinsics [9].</summary>
    public required double[] K { get; set; }

    /// <summary>Label map width.</summary>
    public required int Width { get; set; }

    /// <summary>Label map height.</summary>
    public required int Height { get; set; }

    /// <summary>Label map [H, W]: 0 background, i + 1 instance i, <see cref="Ignore"/> for erased pixels.</summary>
    public required byte[] Labels { get; set; }

    /// <summary>Class id per instance.</summary>
    public required List<int> ClassIds { get; init; }

    /// <summary>Rotation [9] per instance.</summary>
    public required List<double[]> R { get; init; }

    /// <summary>Translation [3] (mm) per instance.</summary>
    public required List<double[]> T { get; init; }

    /// <summary>Label value of erased (occluded-by-augmentation) pixels: the reference's −1 stored in uint8.</summary>
    public const byte Ignore = 255;

    /// <summary>Number of instances.</summary>
    public int Count => ClassIds.Count;

    /// <summary>Projected keypoints of instance <paramref name="i"/> (8 box corners) in the current image, [8·2].</summary>
    public double[] Keypoints2d(int i, double[][] keypoints3d)
    {
        var kp = keypoints3d[ClassIds[i]];
        var px = new double[kp.Length / 3 * 2];
        PoseKD.Geometry.Cameras.Camera.Project(R[i], T[i], K, kp, px);
        return px;
    }

    /// <summary>Box (x1, y1, x2, y2) of the projected keypoints of instance i, or zeros when its mask is empty (reference rule).</summary>
    public double[] ObjectBox(int i, double[][] keypoints3d)
    {
        byte label = (byte)(i + 1);
        if (Array.IndexOf(Labels, label) < 0) return [0, 0, 0, 0];
        var px = Keypoints2d(i, keypoints3d);
        double x1 = double.MaxValue, y1 = double.MaxValue, x2 = double.MinValue, y2 = double.MinValue;
        for (int k = 0; k < px.Length; k += 2)
        {
            x1 = Math.Min(x1, px[k]); x2 = Math.Max(x2, px[k]); y1 = Math.Min(y1, px[k + 1]); y2 = Math.Max(y2, px[k + 1]);
        }
        return [x1, y1, x2, y2];
    }

    /// <summary>Drops instances whose label area is below <paramref name="minArea"/> pixels and renumbers the rest (reference <c>remove_invalids</c>).</summary>
    public void RemoveInvalid(int minArea = 10)
    {
        var area = new int[256];
        foreach (byte v in Labels) area[v]++;
        var map = new byte[256];
        int next = 1;
        var keep = new List<int>();
        for (int i = 0; i < Count; i++)
            if (area[i + 1] >= minArea) { map[i + 1] = (byte)next++; keep.Add(i); }
        for (int p = 0; p < Labels.Length; p++) Labels[p] = map[Labels[p]];
        var c = keep.Select(i => ClassIds[i]).ToList(); var r = keep.Select(i => R[i]).ToList(); var t = keep.Select(i => T[i]).ToList();
        ClassIds.Clear(); ClassIds.AddRange(c); R.Clear(); R.AddRange(r); T.Clear(); T.AddRange(t);
    }

    /// <summary>Warps the label map (nearest, border 0) with the 2×3 map <paramref name="m"/> to a new camera and re-derives every pose by EPnP.</summary>
    public void Transform(double[] m, double[] kDst, int dstWidth, int dstHeight, double[][] keypoints3d)
    {
        var dst = new byte[dstWidth * dstHeight];
        ImageWarp.NearestU8(Labels, m, 0, dst, Width, Height, dstWidth, dstHeight);
        for (int i = 0; i < Count; i++)
        {
            var (r, t, _) = PoseRemap.Remap(K, R[i], T[i], keypoints3d[ClassIds[i]], kDst, m);
            R[i] = r; T[i] = t;
        }
        Labels = dst; K = (double[])kDst.Clone(); Width = dstWidth; Height = dstHeight;
    }
}
