using System.Text.Json.Nodes;
using PoseKD.Geometry.Pnp;
using PoseKD.Geometry.Rotations;
using PoseKD.TestSupport;
using Xunit.Abstractions;

namespace PoseKD.Geometry.Tests.Pnp;

/// <summary>
/// Small and degenerate PnP problems against OpenCV 4.6 (tools/golden/pnp_opencv.py, pnp_cases_opencv.json):
/// EPnP on 4, 5, 6 points, planar and near-planar sets; RANSAC on exactly 4 points (P3P in OpenCV), at
/// 50 % / 70 % outliers, and close to the camera.
/// </summary>
public class OpenCvCasesTests(ITestOutputHelper output)
{
    internal sealed record Case(string Set, double[] Obj, double[] Uv, double[] RGt, double[] TGt, bool Ok, double[] Rvec, double[] Tvec, int[]? Inliers);

    internal static (double[] K, List<Case> Epnp, List<Case> Ransac) Load()
    {
        var root = JsonNode.Parse(File.ReadAllText(Numeric.Fixture("pnp/pnp_cases_opencv.json")))!;
        static double[] D(JsonNode? n) => n!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        static List<Case> L(JsonNode n) => n.AsArray().Select(c => new Case(c!["set"]!.GetValue<string>(), D(c["object_points"]), D(c["image_points"]),
            D(c["R_gt"]), D(c["t_gt"]), c["ok"]!.GetValue<bool>(), D(c["rvec"]), D(c["tvec"]),
            c["inliers"]?.AsArray().Select(x => x!.GetValue<int>()).ToArray())).ToList();
        return (D(root["K"]), L(root["epnp"]!), L(root["ransac"]!));
    }

    private static double RotDiff(double[] rvec, double[] r) => TestData.RotationErrorDeg(Rodrigues.ToMatrix(rvec), r);

    [Fact]
    public void Epnp_MinimalAndPlanarSets_MatchOpenCv()
    {
        var (k, epnp, _) = Load();
        var report = new List<string>();
        bool ok = true;
        foreach (var group in epnp.GroupBy(c => c.Set))
        {
            double worst = 0;
            foreach (var c in group)
            {
                var res = Epnp.Solve(c.Obj, c.Uv, k);
                worst = Math.Max(worst, res.Success ? RotDiff(c.Rvec, res.R) : double.PositiveInfinity);
            }
            report.Add($"EPnP {group.Key}: worst rotation difference to OpenCV {worst:G3}°");
            // Exactly planar 4- and 5-point sets: OpenCV's answer there depends on the random fill of a 3-dimensional
            // exact null space of MᵀM and is not reproduced (see docs/geometry.md); they must still be solved.
            ok &= group.Key is "planar4" or "planar5" ? worst < 180 : worst < 1e-6;
        }
        foreach (var line in report) output.WriteLine(line);
        Assert.True(ok, string.Join("\n", report));
    }

    [Fact]
    public void Ransac_FourPointsAndNearCamera_MatchOpenCv()
    {
        var (k, _, ransac) = Load();
        var report = new List<string>();
        bool ok = true;
        foreach (var group in ransac.Where(c => c.Set is "four" or "near").GroupBy(c => c.Set))
        {
            var oursGt = new List<double>();
            var cvGt = new List<double>();
            double worst = 0;
            int sameInliers = 0;
            foreach (var c in group)
            {
                var res = RansacEpnp.Solve(c.Obj, c.Uv, k, new RansacOptions { RefineIterations = 0 });
                ok &= c.Ok == res.Success;
                if (!res.Success) continue;
                worst = Math.Max(worst, RotDiff(c.Rvec, res.R));
                oursGt.Add(TestData.RotationErrorDeg(c.RGt, res.R));
                cvGt.Add(RotDiff(c.Rvec, c.RGt));
                if (res.Inliers.SequenceEqual(c.Inliers!)) sameInliers++;
            }
            static double Median(List<double> v) { var a = v.Order().ToArray(); return a.Length == 0 ? 0 : 0.5 * (a[(a.Length - 1) / 2] + a[a.Length / 2]); }
            report.Add($"RANSAC {group.Key}: worst rotation difference {worst:G3}°, same inliers {sameInliers}/{group.Count()}, median error to the truth PoseKD {Median(oursGt):G3}° vs OpenCV {Median(cvGt):G3}°");
            ok &= worst < 1e-6;
            ok &= sameInliers == group.Count();
        }
        foreach (var line in report) output.WriteLine(line);
        Assert.True(ok, string.Join("\n", report));
    }

    [Fact]
    public void Ransac_HeavyOutliers_NoMoreWrongPosesThanOpenCv()
    {
        var (k, _, ransac) = Load();
        var report = new List<string>();
        bool ok = true;
        foreach (var group in ransac.Where(c => c.Set.StartsWith("outliers", StringComparison.Ordinal)).GroupBy(c => c.Set))
        {
            int oursWrong = 0, cvWrong = 0, same = 0;
            foreach (var c in group)
            {
                var res = RansacEpnp.Solve(c.Obj, c.Uv, k);
                if (res.Success && TestData.RotationErrorDeg(c.RGt, res.R) > 5) oursWrong++;
                if (c.Ok && RotDiff(c.Rvec, c.RGt) > 5) cvWrong++;
                var plain = RansacEpnp.Solve(c.Obj, c.Uv, k, new RansacOptions { RefineIterations = 0, MinInliers = 0, MinInlierFraction = 0 });
                if (plain.Success == c.Ok && (!c.Ok || plain.Inliers.SequenceEqual(c.Inliers!))) same++;
            }
            report.Add($"RANSAC {group.Key}: wrong poses (>5°) returned: PoseKD {oursWrong}, OpenCV {cvWrong}; OpenCV's inlier set (OpenCV's rule) {same}/{group.Count()}");
            ok &= oursWrong <= cvWrong;
        }
        foreach (var line in report) output.WriteLine(line);
        Assert.True(ok, string.Join("\n", report));
    }
}
