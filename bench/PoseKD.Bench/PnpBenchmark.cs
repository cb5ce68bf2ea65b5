using System.Diagnostics;
using System.Text.Json.Nodes;
using PoseKD.Geometry.Pnp;

namespace PoseKD.Bench;

/// <summary>
/// RANSAC-EPnP on 80 correspondences (10 cells × 8 box corners, 1 px noise, 20 % outliers): median µs
/// per call and median rotation/translation errors, on the 64 problems of
/// tests/PoseKD.Geometry.Tests/Fixtures/pnp/ransac_epnp_opencv.json, against OpenCV 4.6's numbers
/// recorded there by tools/golden/pnp_opencv.py on the same problems.
/// </summary>
public sealed class PnpBenchmark : IBenchmark
{
    /// <inheritdoc />
    public string Name => "pnp";

    /// <inheritdoc />
    public string Description => "RANSAC-EPnP (+LM) on 80 correspondences, 20% outliers, 1 px noise vs OpenCV 4.6";

    /// <inheritdoc />
    public void Run(BenchReport report)
    {
        var path = Path.Combine(Program.RepoRoot(), "tests", "PoseKD.Geometry.Tests", "Fixtures", "pnp", "ransac_epnp_opencv.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        static double[] D(JsonNode? n) => n!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        double[] k = D(root["K"]), obj = D(root["object_points"]);
        var problems = root["problems"]!.AsArray().Select(p => (Uv: D(p!["image_points"]), R: D(p["R_gt"]), T: D(p["t_gt"]))).ToList();

        foreach (var (label, options) in new[] { ("lm", RansacOptions.Default), ("no_lm", RansacOptions.Default with { RefineIterations = 0 }) })
        {
            var perCallUs = new List<double>();
            var rotErr = new List<double>();
            var transErr = new List<double>();
            foreach (var p in problems)
            {
                for (int w = 0; w < 3; w++) RansacEpnp.Solve(obj, p.Uv, k, options);
                var reps = new double[25];
                PnpResult? res = null;
                for (int r = 0; r < reps.Length; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    res = RansacEpnp.Solve(obj, p.Uv, k, options);
                    reps[r] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                }
                perCallUs.Add(Median(reps));
                rotErr.Add(RotationErrorDeg(p.R, res!.R));
                transErr.Add(Math.Sqrt(Enumerable.Range(0, 3).Sum(i => (res.T[i] - p.T[i]) * (res.T[i] - p.T[i]))));
            }
            report.Value($"posekd_{label}_median_us_per_call", Median(perCallUs), "us");
            report.Value($"posekd_{label}_median_rot_err_deg", Median(rotErr), "deg");
            report.Value($"posekd_{label}_median_trans_err_mm", Median(transErr), "mm");
        }
        double cvUs = root["median_us_per_call"]!.GetValue<double>();
        report.Value("opencv_median_us_per_call (recorded by tools/golden/pnp_opencv.py)", cvUs, "us");
        report.Value("opencv_median_rot_err_deg", root["median_rot_err_deg"]!.GetValue<double>(), "deg");
        report.Value("opencv_median_trans_err_mm", root["median_trans_err_mm"]!.GetValue<double>(), "mm");
        report.Value("problems", problems.Count);
    }

    private static double Median(IEnumerable<double> v)
    {
        var s = v.OrderBy(x => x).ToArray();
        return 0.5 * (s[(s.Length - 1) / 2] + s[s.Length / 2]);
    }

    private static double RotationErrorDeg(double[] a, double[] b)
    {
        var d = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                d[3 * i + j] = a[i] * b[j] + a[3 + i] * b[3 + j] + a[6 + i] * b[6 + j];
        var v = Geometry.Rotations.Rodrigues.FromMatrix(d);
        return Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) * 180 / Math.PI;
    }
}
