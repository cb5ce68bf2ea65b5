namespace PoseKD.Geometry.Pnp;

/// <summary>
/// RANSAC around EPnP with the semantics of OpenCV 4.x <c>solvePnPRansac(..., flags=SOLVEPNP_EPNP)</c>:
/// minimal samples of 5 distinct points drawn with OpenCV's generator (seed 2⁶⁴ − 1), EPnP on each,
/// inliers where the squared reprojection distance ≤ threshold², a model replaces the best one when it
/// has more inliers than max(best, 4), the iteration bound updated to
/// ⌈log(1 − confidence) / log(1 − (1 − ε)^5)⌉ (ε = outlier ratio of the best model, at most
/// <see cref="RansacOptions.MaxIterations"/>), then EPnP refit on all inliers (falling back to the
/// sample's model if the refit fails) — followed here by Levenberg–Marquardt refinement on the inliers.
/// Deterministic for a given seed. With exactly 4 points the pose is OpenCV's P3P (<see cref="P3p"/>), with
/// exactly 5 EPnP on all of them, as OpenCV does. Beyond OpenCV (the acceptance rule): a point behind the camera
/// is never an inlier, the refit on the inliers must succeed (OpenCV may return its NaN), the best pose needs at
/// least max(<see cref="RansacOptions.MinInliers"/>, ⌈<see cref="RansacOptions.MinInlierFraction"/>·n⌉) inliers,
/// and no inlier may lie behind the camera under the final pose; otherwise the solve fails.
/// </summary>
public static class RansacEpnp
{
    /// <summary>Estimates the pose from object points [n, 3], image points [n, 2] and K [9].</summary>
    public static PnpResult Solve(ReadOnlySpan<double> objectPoints, ReadOnlySpan<double> imagePoints, ReadOnlySpan<double> k, RansacOptions? options = null)
    {
        options ??= RansacOptions.Default;
        int n = PnpInput.Check(objectPoints, imagePoints, k);
        if (options.SampleSize < 4) throw new ArgumentException($"SampleSize must be at least 4, got {options.SampleSize}", nameof(options));
        if (n < 4) return PnpResult.Fail($"PnP needs at least 4 points, got {n}");
        if (!PnpInput.AllFinite(objectPoints) || !PnpInput.AllFinite(imagePoints)) return PnpResult.Fail("input points contain NaN or infinity");

        double[] pw = objectPoints.ToArray(), uv = imagePoints.ToArray();
        if (options.RoundInputsToFloat)
        {
            for (int i = 0; i < pw.Length; i++) pw[i] = (float)pw[i];
            for (int i = 0; i < uv.Length; i++) uv[i] = (float)uv[i];
        }
        var solver = new EpnpSolver();
        var r = new double[9];
        var t = new double[3];
        int modelPoints = Math.Min(options.SampleSize, n);
        int[] inliers;
        if (n == 4)
        {
            // OpenCV's solvePnPRansac solves exactly 4 points with P3P (3 points + the 4th to choose).
            if (!P3p.Solve(pw, uv, k, r, t)) return PnpResult.Fail("P3P found no solution with all points in front of the camera");
            inliers = [0, 1, 2, 3];
        }
        else if (n <= modelPoints)
        {
            if (!solver.Compute(pw, uv, n, k, r, t, out _, normalizedAsFloat: options.RoundInputsToFloat)) return PnpResult.Fail(solver.Reason);
            inliers = Enumerable.Range(0, n).ToArray();
        }
        else
        {
            var best = RunRansac(pw, uv, n, k, modelPoints, options, solver, r, t);
            if (best == null) return PnpResult.Fail("RANSAC found no model with enough inliers");
            inliers = best;
            // Refit on all inliers (in double, as OpenCV); keep the sample's model if it fails.
            var pwIn = new double[3 * inliers.Length];
            var uvIn = new double[2 * inliers.Length];
            for (int q = 0; q < inliers.Length; q++)
            {
                int i = inliers[q];
                pwIn[3 * q] = pw[3 * i]; pwIn[3 * q + 1] = pw[3 * i + 1]; pwIn[3 * q + 2] = pw[3 * i + 2];
                uvIn[2 * q] = uv[2 * i]; uvIn[2 * q + 1] = uv[2 * i + 1];
            }
            var r2 = new double[9];
            var t2 = new double[3];
            // OpenCV returns whatever the refit gives (NaN on a degenerate consensus set); PoseKD fails instead.
            if (!solver.Compute(pwIn, uvIn, inliers.Length, k, r2, t2, out _))
                return PnpResult.Fail($"the EPnP refit on the {inliers.Length} inliers failed ({solver.Reason}): the consensus set is degenerate");
            r = r2; t = t2;
            int need = Math.Max(options.MinInliers, (int)Math.Ceiling(options.MinInlierFraction * n));
            if (inliers.Length < need)
                return PnpResult.Fail($"RANSAC's best pose has {inliers.Length} inliers of {n}, fewer than the {need} the acceptance rule requires (MinInliers {options.MinInliers}, MinInlierFraction {options.MinInlierFraction})");
        }
        // Points behind the camera project like points in front of it; a pose that puts an inlier there is wrong.
        foreach (int i in inliers)
            if (r[6] * pw[3 * i] + r[7] * pw[3 * i + 1] + r[8] * pw[3 * i + 2] + t[2] <= 0)
                return PnpResult.Fail($"the pose puts inlier {i} behind the camera");
        double err = options.RefineIterations > 0
            ? PoseRefiner.RefineLm(pw, uv, k, r, t, inliers, options.RefineIterations)
            : MeanError(pw, uv, k, r, t, inliers);
        foreach (double v in r) if (!double.IsFinite(v)) return PnpResult.Fail("pose is not finite");
        foreach (double v in t) if (!double.IsFinite(v)) return PnpResult.Fail("pose is not finite");
        return PnpResult.Ok(r, t, inliers, err);
    }

    private static int[]? RunRansac(double[] pw, double[] uv, int n, ReadOnlySpan<double> k, int modelPoints, RansacOptions o, EpnpSolver solver, double[] rBest, double[] tBest)
    {
        var rng = new OpenCvRng(o.Seed);
        Span<int> idx = stackalloc int[modelPoints];
        Span<double> spw = stackalloc double[3 * modelPoints];
        Span<double> suv = stackalloc double[2 * modelPoints];
        Span<double> r = stackalloc double[9];
        Span<double> t = stackalloc double[3];
        var mask = new bool[n];
        var bestMask = new bool[n];
        float thr = (float)(o.ReprojectionErrorPx * o.ReprojectionErrorPx);
        int niters = o.MaxIterations, maxGood = 0;
        for (int iter = 0; iter < niters; iter++)
        {
            if (!GetSubset(ref rng, n, modelPoints, idx)) { if (iter == 0) return null; break; }
            for (int q = 0; q < modelPoints; q++)
            {
                int i = idx[q];
                spw[3 * q] = pw[3 * i]; spw[3 * q + 1] = pw[3 * i + 1]; spw[3 * q + 2] = pw[3 * i + 2];
                suv[2 * q] = uv[2 * i]; suv[2 * q + 1] = uv[2 * i + 1];
            }
            if (!solver.Compute(spw, suv, modelPoints, k, r, t, out _, normalizedAsFloat: o.RoundInputsToFloat)) continue;
            int good = FindInliers(pw, uv, n, k, r, t, thr, mask);
            if (good > Math.Max(maxGood, modelPoints - 1))
            {
                (mask, bestMask) = (bestMask, mask);
                r.CopyTo(rBest); t.CopyTo(tBest);
                maxGood = good;
                niters = UpdateNumIters(o.Confidence, (double)(n - good) / n, modelPoints, niters);
            }
        }
        if (maxGood == 0) return null;
        var inl = new int[maxGood];
        for (int i = 0, q = 0; i < n; i++) if (bestMask[i]) inl[q++] = i;
        return inl;
    }

    private static bool GetSubset(ref OpenCvRng rng, int count, int modelPoints, Span<int> idx)
    {
        // OpenCV's getSubset: draw until distinct (checkSubset always accepts for PnP).
        for (int i = 0; i < modelPoints; i++)
        {
            int guard = 0;
            while (true)
            {
                int c = rng.Uniform(0, count);
                int j = 0;
                for (; j < i; j++) if (idx[j] == c) break;
                if (j == i) { idx[i] = c; break; }
                if (++guard > 100000) return false;
            }
        }
        return true;
    }

    private static int FindInliers(double[] pw, double[] uv, int n, ReadOnlySpan<double> k, ReadOnlySpan<double> r, ReadOnlySpan<double> t, float thr, bool[] mask)
    {
        double fx = k[0], s = k[1], cx = k[2], fy = k[4], cy = k[5];
        int good = 0;
        for (int i = 0; i < n; i++)
        {
            double x = pw[3 * i], y = pw[3 * i + 1], z = pw[3 * i + 2];
            double xc = r[0] * x + r[1] * y + r[2] * z + t[0];
            double yc = r[3] * x + r[4] * y + r[5] * z + t[1];
            double zc = r[6] * x + r[7] * y + r[8] * z + t[2];
            double iz = 1.0 / zc;
            float pu = (float)(fx * xc * iz + s * yc * iz + cx), pv = (float)(fy * yc * iz + cy);
            float du = (float)uv[2 * i] - pu, dv = (float)uv[2 * i + 1] - pv;
            // A point behind the camera is never an inlier (OpenCV counts it when its mirror image fits).
            bool f = du * du + dv * dv <= thr && zc > 0;
            mask[i] = f;
            if (f) good++;
        }
        return good;
    }

    /// <summary>OpenCV's <c>RANSACUpdateNumIters</c>.</summary>
    internal static int UpdateNumIters(double p, double ep, int modelPoints, int maxIters)
    {
        p = Math.Clamp(p, 0, 1);
        ep = Math.Clamp(ep, 0, 1);
        double num = Math.Max(1 - p, 2.2250738585072014e-308);
        double denom = 1 - Math.Pow(1 - ep, modelPoints);
        if (denom < 2.2250738585072014e-308) return 0;
        num = Math.Log(num);
        denom = Math.Log(denom);
        return denom >= 0 || -num >= maxIters * (-denom) ? maxIters : (int)Math.Round(num / denom, MidpointRounding.ToEven);
    }

    private static double MeanError(double[] pw, double[] uv, ReadOnlySpan<double> k, ReadOnlySpan<double> r, ReadOnlySpan<double> t, int[] inliers)
    {
        if (inliers.Length == 0) return 0;
        double sum = 0;
        var px = new double[2];
        foreach (int i in inliers)
        {
            Cameras.Camera.Project(r, t, k, pw.AsSpan(3 * i, 3), px);
            sum += Math.Sqrt((px[0] - uv[2 * i]) * (px[0] - uv[2 * i]) + (px[1] - uv[2 * i + 1]) * (px[1] - uv[2 * i + 1]));
        }
        return sum / inliers.Length;
    }
}
