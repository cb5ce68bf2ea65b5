using System.Text.Json.Nodes;
using PoseKD.Geometry.Pnp;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Pnp;

/// <summary>Compares against OpenCV 4.6 solvePnPRansac(EPnP) on the problems of tools/golden/pnp_opencv.py.</summary>
public class OpenCvGoldenTests
{
    internal sealed record GoldenProblem(double[] ImagePoints, double[] RGt, double[] TGt, double[] Rvec, double[] Tvec, int[] Inliers, double RotErrDeg, double TransErrMm);

    internal static (double[] K, double[] ObjectPoints, List<GoldenProblem> Problems, JsonNode Root) Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        static double[] D(JsonNode? n) => n!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        var problems = root["problems"]!.AsArray().Select(p => new GoldenProblem(
            D(p!["image_points"]), D(p["R_gt"]), D(p["t_gt"]), D(p["rvec"]), D(p["tvec"]),
            p["inliers"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray(),
            p["rot_err_deg"]!.GetValue<double>(), p["trans_err_mm"]!.GetValue<double>())).ToList();
        return (D(root["K"]), D(root["object_points"]), problems, root);
    }

    [Fact]
    public void Solve_WithoutRefinement_MatchesOpenCv()
    {
        var (k, obj, problems, _) = Load(Numeric.Fixture("pnp/ransac_epnp_opencv.json"));
        int sameInliers = 0;
        foreach (var p in problems)
        {
            var res = RansacEpnp.Solve(obj, p.ImagePoints, k, new RansacOptions { RefineIterations = 0 });
            Assert.True(res.Success, res.Reason);
            if (!res.Inliers.SequenceEqual(p.Inliers)) continue;
            sameInliers++;
            var rOpenCv = Geometry.Rotations.Rodrigues.ToMatrix(p.Rvec);
            Assert.True(TestData.RotationErrorDeg(rOpenCv, res.R) < 1e-5, $"rotation differs by {TestData.RotationErrorDeg(rOpenCv, res.R)}°");
            for (int i = 0; i < 3; i++) Numeric.AssertClose(p.Tvec[i], res.T[i], 1e-4, 1e-7, "t");
        }
        // EPnP on the 5-point samples follows OpenCV's arithmetic step by step (normalisation, Jacobi SVD,
        // SVD solves, QR Gauss-Newton), so every RANSAC run reaches OpenCV's consensus set.
        Assert.True(sameInliers == problems.Count, $"only {sameInliers} of {problems.Count} problems have OpenCV's inlier set");
    }

    [Fact]
    public void Solve_WithRefinement_NoLessAccurateThanOpenCv()
    {
        var (k, obj, problems, _) = Load(Numeric.Fixture("pnp/ransac_epnp_opencv.json"));
        var ours = new List<double>();
        var ourT = new List<double>();
        foreach (var p in problems)
        {
            var res = RansacEpnp.Solve(obj, p.ImagePoints, k);
            Assert.True(res.Success, res.Reason);
            ours.Add(TestData.RotationErrorDeg(p.RGt, res.R));
            ourT.Add(Math.Sqrt(Enumerable.Range(0, 3).Sum(i => (res.T[i] - p.TGt[i]) * (res.T[i] - p.TGt[i]))));
        }
        double Median(IEnumerable<double> v) { var s = v.OrderBy(x => x).ToArray(); return 0.5 * (s[(s.Length - 1) / 2] + s[s.Length / 2]); }
        Assert.True(Median(ours) <= Median(problems.Select(p => p.RotErrDeg)), $"median rotation error {Median(ours)}° vs OpenCV {Median(problems.Select(p => p.RotErrDeg))}°");
        Assert.True(Median(ourT) <= Median(problems.Select(p => p.TransErrMm)), $"median translation error {Median(ourT)} mm vs OpenCV {Median(problems.Select(p => p.TransErrMm))} mm");
    }
}
