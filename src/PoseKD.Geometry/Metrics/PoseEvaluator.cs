namespace PoseKD.Geometry.Metrics;

/// <summary>
/// The reference's evaluation (<c>evaluate_pose_predictions</c>, docs/method.md §7): for every ground-truth
/// instance, the best prediction of its class (or none) gives a 3D error — ADD (Hinterstoisser et al.,
/// ACCV 2012), or the closest-point ADI/ADD-S for symmetric classes — and the mean reprojection error of
/// the same point pairs; a missing prediction counts as 1·d and 50 px. Accuracies at
/// 0.05/0.10/0.20/0.50·d and 2/5/10/20 px (strictly below), the AUC of the absolute 3D error up to
/// 100 mm over 1000 bins (≤), and the same accuracies per depth bin (3 equal bins between the smallest
/// and largest ground-truth depth). Diameters are supplied by the caller (the reference's config values).
/// </summary>
public sealed class PoseEvaluator
{
    private readonly IReadOnlyList<double[]> _vertices;
    private readonly IReadOnlyList<double> _diameters;
    private readonly IReadOnlyList<bool> _symmetric;
    private readonly PoseEvaluationOptions _options;
    private readonly List<PoseSampleError> _samples = [];
    private readonly Random _rng;

    /// <summary>
    /// Creates an evaluator for classes 0..C−1 with their model vertices ([n_c, 3] each, mm), diameters (mm)
    /// and whether each class is evaluated as symmetric.
    /// </summary>
    public PoseEvaluator(IReadOnlyList<double[]> vertices, IReadOnlyList<double> diametersMm, IReadOnlyList<bool> symmetric, PoseEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        ArgumentNullException.ThrowIfNull(diametersMm);
        ArgumentNullException.ThrowIfNull(symmetric);
        if (vertices.Count != diametersMm.Count || vertices.Count != symmetric.Count)
            throw new ArgumentException($"vertices ({vertices.Count}), diameters ({diametersMm.Count}) and symmetric flags ({symmetric.Count}) must have one entry per class");
        _vertices = vertices;
        _diameters = diametersMm;
        _symmetric = symmetric;
        _options = options ?? new PoseEvaluationOptions();
        _rng = new Random(_options.Seed);
    }

    /// <summary>All per-instance errors recorded so far.</summary>
    public IReadOnlyList<PoseSampleError> Samples => _samples;

    /// <summary>
    /// Records one ground-truth instance of <paramref name="classId"/> with camera K [9] and pose
    /// (R_gt, t_gt); the prediction (R_est, t_est) is null when the class was not detected.
    /// </summary>
    public PoseSampleError Add(int classId, ReadOnlySpan<double> k, ReadOnlySpan<double> rGt, ReadOnlySpan<double> tGt, double[]? rEst, double[]? tEst)
    {
        if ((uint)classId >= (uint)_vertices.Count) throw new ArgumentOutOfRangeException(nameof(classId), $"class {classId} not in [0, {_vertices.Count})");
        if (tGt.Length != 3) throw new ArgumentException($"t_gt must be [3], got [{tGt.Length}]", nameof(tGt));
        PoseSampleError s;
        if (rEst == null || tEst == null)
        {
            s = new PoseSampleError(classId, tGt[2], true, _options.MissingAdi, 1e10, _options.MissingRepPx);
        }
        else
        {
            var pts = Points(classId);
            var (e3, e2) = PoseErrors.ReferenceErrors(pts, k, rGt, tGt, rEst, tEst, _symmetric[classId]);
            s = new PoseSampleError(classId, tGt[2], false, e3 / _diameters[classId], e3, e2);
        }
        _samples.Add(s);
        return s;
    }

    private double[] Points(int classId)
    {
        var v = _vertices[classId];
        int n = v.Length / 3;
        if (_options.SampleVertices is not int m || n <= m) return v;
        var s = new double[3 * m];
        for (int i = 0; i < m; i++)
        {
            int j = _rng.Next(n);
            s[3 * i] = v[3 * j]; s[3 * i + 1] = v[3 * j + 1]; s[3 * i + 2] = v[3 * j + 2];
        }
        return s;
    }

    /// <summary>Computes the accuracy tables from the recorded samples.</summary>
    public PoseEvaluationReport Compute() => Compute(_samples, _options);

    /// <summary>Computes the accuracy tables from <paramref name="samples"/>.</summary>
    public static PoseEvaluationReport Compute(IReadOnlyList<PoseSampleError> samples, PoseEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        options ??= new PoseEvaluationOptions();
        double dMin = samples.Count == 0 ? 0 : samples.Min(s => s.DepthMm);
        double dMax = samples.Count == 0 ? 0 : samples.Max(s => s.DepthMm);
        dMax += 1e-5;
        double width = (dMax - dMin) / options.DepthBins;
        var classes = samples.Select(s => s.ClassId).Distinct().OrderBy(c => c)
            .Select(c => Row($"cls_{c}", samples.Where(s => s.ClassId == c).ToList(), options, withAuc: true)).ToList();
        var bins = new List<AccuracyRow>();
        for (int b = 0; b < options.DepthBins; b++)
        {
            var inBin = samples.Where(s => Math.Min((int)((s.DepthMm - dMin) / width), options.DepthBins - 1) == b).ToList();
            string label = $"depth{b} {dMin + b * width:F0}-{dMin + (b + 1) * width:F0}";
            bins.Add(Row(label, inBin, options, withAuc: false));
        }
        return new PoseEvaluationReport
        {
            AdiThresholds = options.AdiThresholds,
            RepThresholdsPx = options.RepThresholdsPx,
            Classes = classes,
            DepthBins = bins,
            DepthRangeMm = (dMin, dMax),
            Samples = samples.ToList(),
        };
    }

    private static AccuracyRow Row(string label, List<PoseSampleError> s, PoseEvaluationOptions o, bool withAuc)
    {
        int n = s.Count;
        double Pct(int c) => n == 0 ? double.NaN : 100.0 * c / n;
        var adi = o.AdiThresholds.Select(t => Pct(s.Count(x => x.RelativeError3D < t))).ToArray();
        var rep = o.RepThresholdsPx.Select(t => Pct(s.Count(x => x.Error2DPx < t))).ToArray();
        double auc = withAuc ? 100 * Auc(s.Select(x => x.Error3DMm).ToArray(), o.AucMaxErrorMm, o.AucBins) : double.NaN;
        return new AccuracyRow(label, n, adi, rep, auc);
    }

    /// <summary>
    /// AUC of the accuracy-vs-threshold curve: Σ_{b=1..B} #(e ≤ b·max/B) / (N·B) (the reference's
    /// <c>evalute_auc_metric</c>); 0 for no samples.
    /// </summary>
    public static double Auc(IReadOnlyList<double> errors, double maxError, int bins)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0) return 0;
        var sorted = errors.OrderBy(e => e).ToArray();
        double total = 0;
        int idx = 0;
        for (int b = 0; b < bins; b++)
        {
            double th = (b + 1) * (maxError / bins);
            while (idx < sorted.Length && sorted[idx] <= th) idx++;
            total += (double)idx / sorted.Length * (1.0 / bins);
        }
        return total;
    }
}
