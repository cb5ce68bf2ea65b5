using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;

namespace PoseKD.Model.Targets;

/// <summary>
/// The keypoint target coder ("POINT" regression). A cell with anchor centre (c_x, c_y) and side s regresses
/// 16 offsets: d_x,j = (u_j − c_x)/s and d_y,j = (v_j − c_y)/s for the 8 keypoints (u_j, v_j) in crop pixels,
/// x offsets first. Encoding projects the keypoints with the pose, u = K(RX + t) (dehomogenised), and, when the
/// network sees a DZI crop, maps them into the crop with <c>bbox_trans</c> A = [M | m] (u' = Mu + m). Decoding
/// inverts both steps: u = s·d + c, then u_img = M⁻¹(u − m). Offset and keypoint vectors are laid out
/// (x_0 … x_7, y_0 … y_7); <see cref="ToPoints"/> turns rows into [n, 8, 2].
/// </summary>
public static class TargetCoder
{
    /// <summary>Number of keypoints per object (the 8 corners of the 3D box).</summary>
    public const int Keypoints = 8;

    /// <summary>
    /// Encodes one cell: K [9], object keypoints [8·3] (mm), R [9] (row-major), t [3] (mm), <paramref name="bboxTrans"/>
    /// [6] image → crop (empty: none), anchor centre and side → <paramref name="offsets"/> [16].
    /// </summary>
    /// <exception cref="ArgumentException">a span has the wrong length.</exception>
    public static void Encode(ReadOnlySpan<double> k, ReadOnlySpan<double> keypoints3d, ReadOnlySpan<double> r, ReadOnlySpan<double> t,
        ReadOnlySpan<double> bboxTrans, float centerX, float centerY, float anchorSize, Span<float> offsets)
    {
        if (k.Length != 9 || keypoints3d.Length != 3 * Keypoints || r.Length != 9 || t.Length != 3 || offsets.Length != 2 * Keypoints || !(bboxTrans.Length is 0 or 6))
            throw new ArgumentException($"encode expects K [9], keypoints [24], R [9], t [3], bbox_trans [6] or empty and offsets [16]; got [{k.Length}], [{keypoints3d.Length}], [{r.Length}], [{t.Length}], [{bboxTrans.Length}], [{offsets.Length}]");
        Span<double> px = stackalloc double[2 * Keypoints];
        for (int j = 0; j < Keypoints; j++)
        {
            double x = keypoints3d[3 * j], y = keypoints3d[3 * j + 1], z = keypoints3d[3 * j + 2];
            double cx = r[0] * x + r[1] * y + r[2] * z + t[0];
            double cy = r[3] * x + r[4] * y + r[5] * z + t[1];
            double cz = r[6] * x + r[7] * y + r[8] * z + t[2];
            double hx = k[0] * cx + k[1] * cy + k[2] * cz, hy = k[3] * cx + k[4] * cy + k[5] * cz, hz = k[6] * cx + k[7] * cy + k[8] * cz;
            px[2 * j] = hx / hz;
            px[2 * j + 1] = hy / hz;
        }
        if (bboxTrans.Length == 6)
            for (int j = 0; j < Keypoints; j++)
            {
                double u = px[2 * j], v = px[2 * j + 1];
                px[2 * j] = bboxTrans[0] * u + bboxTrans[1] * v + bboxTrans[2];
                px[2 * j + 1] = bboxTrans[3] * u + bboxTrans[4] * v + bboxTrans[5];
            }
        EncodePixels(px, centerX, centerY, anchorSize, offsets);
    }

    /// <summary>Encodes keypoints already in network-input pixels, interleaved (u_0, v_0, …) [16], into offsets [16].</summary>
    public static void EncodePixels(ReadOnlySpan<double> pixels, float centerX, float centerY, float anchorSize, Span<float> offsets)
    {
        if (pixels.Length != 2 * Keypoints || offsets.Length != 2 * Keypoints)
            throw new ArgumentException($"encode expects pixels [16] and offsets [16], got [{pixels.Length}] and [{offsets.Length}]");
        if (!(anchorSize > 0)) throw new ArgumentException($"anchor size must be positive, got {anchorSize}", nameof(anchorSize));
        for (int j = 0; j < Keypoints; j++)
        {
            offsets[j] = (float)((pixels[2 * j] - centerX) / anchorSize);
            offsets[Keypoints + j] = (float)((pixels[2 * j + 1] - centerY) / anchorSize);
        }
    }

    /// <summary>
    /// Decodes one cell's offsets [16] into keypoints [16] (x_0 … x_7, y_0 … y_7): network-input pixels, or, with
    /// <paramref name="bboxTrans"/> [6] (image → crop), image pixels.
    /// </summary>
    public static void Decode(ReadOnlySpan<float> offsets, float centerX, float centerY, float anchorSize, ReadOnlySpan<double> bboxTrans, Span<float> keypoints)
    {
        if (offsets.Length != 2 * Keypoints || keypoints.Length != 2 * Keypoints || !(bboxTrans.Length is 0 or 6))
            throw new ArgumentException($"decode expects offsets [16], keypoints [16] and bbox_trans [6] or empty; got [{offsets.Length}], [{keypoints.Length}], [{bboxTrans.Length}]");
        Span<float> inv = stackalloc float[6];
        bool trans = bboxTrans.Length == 6;
        if (trans) InverseCoefficients(bboxTrans, inv);
        for (int j = 0; j < Keypoints; j++)
        {
            float x = offsets[j] * anchorSize + centerX;
            float y = offsets[Keypoints + j] * anchorSize + centerY;
            if (trans)
            {
                float dx = x - inv[4], dy = y - inv[5];
                x = inv[0] * dx + inv[1] * dy;
                y = inv[2] * dx + inv[3] * dy;
            }
            keypoints[j] = x;
            keypoints[Keypoints + j] = y;
        }
    }

    /// <summary>
    /// Differentiable decode of rows <paramref name="offsets"/> [n, 16]; per row the anchor centre and side, and
    /// optionally the row's <c>bbox_trans</c> [6] (then the result is in image pixels). Returns [n, 16]
    /// (x_0 … x_7, y_0 … y_7), attached to the graph of <paramref name="offsets"/>.
    /// </summary>
    /// <exception cref="ArgumentException">lengths disagree with the number of rows.</exception>
    public static Tensor Decode(Tensor offsets, ReadOnlySpan<float> centerX, ReadOnlySpan<float> centerY, ReadOnlySpan<float> anchorSize, IReadOnlyList<double[]>? bboxTrans)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        if (offsets.Rank != 2 || offsets.Shape[1] != 2 * Keypoints)
            throw new ArgumentException($"decode expects offsets [n, 16], got {Shapes.Format(offsets.Shape)}", nameof(offsets));
        int n = offsets.Shape[0];
        if (centerX.Length != n || centerY.Length != n || anchorSize.Length != n || (bboxTrans != null && bboxTrans.Count != n))
            throw new ArgumentException($"decode of {n} rows got {centerX.Length} x centres, {centerY.Length} y centres, {anchorSize.Length} sizes and {bboxTrans?.Count ?? n} bbox_trans");
        var s = Column(anchorSize);
        var x = F.Narrow(offsets, 1, 0, Keypoints) * s + Column(centerX);
        var y = F.Narrow(offsets, 1, Keypoints, Keypoints) * s + Column(centerY);
        if (bboxTrans != null)
        {
            var c = new float[6][];
            for (int q = 0; q < 6; q++) c[q] = new float[n];
            Span<float> inv = stackalloc float[6];
            for (int i = 0; i < n; i++)
            {
                if (bboxTrans[i] is not { Length: 6 }) throw new ArgumentException($"bbox_trans of row {i} must have 6 entries");
                InverseCoefficients(bboxTrans[i], inv);
                for (int q = 0; q < 6; q++) c[q][i] = inv[q];
            }
            var dx = x - Column(c[4]);
            var dy = y - Column(c[5]);
            x = dx * Column(c[0]) + dy * Column(c[1]);
            y = dx * Column(c[2]) + dy * Column(c[3]);
        }
        return F.Concat([x, y], 1);
    }

    /// <summary>Rows [n, 16] laid out (x_0 … x_7, y_0 … y_7) → points [n, 8, 2] (differentiable).</summary>
    public static Tensor ToPoints(Tensor rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Rank != 2 || rows.Shape[1] != 2 * Keypoints)
            throw new ArgumentException($"expects keypoint rows [n, 16], got {Shapes.Format(rows.Shape)}", nameof(rows));
        return F.Transpose(F.Reshape(rows, rows.Shape[0], 2, Keypoints), 1, 2);
    }

    /// <summary>
    /// Inverse of the 2×3 affine A = [M | m] as float coefficients (M⁻¹₀₀, M⁻¹₀₁, M⁻¹₁₀, M⁻¹₁₁, m_x, m_y), so that
    /// u_img = M⁻¹(u − m).
    /// </summary>
    internal static void InverseCoefficients(ReadOnlySpan<double> a, Span<float> inv)
    {
        double det = a[0] * a[4] - a[1] * a[3];
        if (!(Math.Abs(det) > 1e-300) || !double.IsFinite(det)) throw new ArgumentException($"bbox_trans [{string.Join(", ", a.ToArray())}] is not invertible");
        inv[0] = (float)(a[4] / det); inv[1] = (float)(-a[1] / det);
        inv[2] = (float)(-a[3] / det); inv[3] = (float)(a[0] / det);
        inv[4] = (float)a[2]; inv[5] = (float)a[5];
    }

    private static Tensor Column(ReadOnlySpan<float> v) => Tensor.FromArray(v.ToArray(), v.Length, 1);
}
