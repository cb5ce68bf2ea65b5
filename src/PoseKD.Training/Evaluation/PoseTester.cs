using System.Diagnostics;
using PoseKD.Data.Bop;
using PoseKD.Data.Loading;
using PoseKD.Engine.Autograd;
using PoseKD.Geometry.Metrics;
using PoseKD.Model.Network;
using PoseKD.Model.PostProcessing;
using PoseKD.Model.Targets;

namespace PoseKD.Training.Evaluation;

/// <summary>
/// Evaluates a network on test batches as the reference does: forward (eval mode, no gradients), post-processing
/// to poses (restricted to the annotated classes, re-expressed in the image's own camera), then Geometry's
/// <see cref="PoseEvaluator"/> for every ground-truth instance with the prediction of its class (a miss counts as
/// an error of 1·d). The metrics themselves are Geometry's; nothing here recomputes them.
/// </summary>
public sealed class PoseTester
{
    private readonly PostProcessor _post;
    private readonly IReadOnlyList<double[]> _vertices;
    private readonly IReadOnlyList<bool> _symmetric;

    /// <summary>Creates the tester for a dataset's object models and keypoints, with the head settings and metric options.</summary>
    public PoseTester(HeadOptions head, IReadOnlyList<double[]> keypoints3d, ObjectModels models, IReadOnlySet<int> symmetricClasses, PoseEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(keypoints3d);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(symmetricClasses);
        if (head.MeshDiameters.Count < models.Count)
            throw new ArgumentException($"MESH_DIAMETERS has {head.MeshDiameters.Count} entries, the dataset has {models.Count} object models");
        Head = head; Models = models; Options = options ?? new PoseEvaluationOptions();
        _post = new PostProcessor(head, keypoints3d);
        _vertices = Enumerable.Range(0, models.Count).Select(c => models.Mesh(c).Vertices).ToList();
        _symmetric = Enumerable.Range(0, models.Count).Select(symmetricClasses.Contains).ToList();
    }

    /// <summary>Head settings (confidence threshold, RANSAC, diameters).</summary>
    public HeadOptions Head { get; }
    /// <summary>The object models (class ↔ object id, meshes).</summary>
    public ObjectModels Models { get; }
    /// <summary>Metric options (thresholds, vertex sampling).</summary>
    public PoseEvaluationOptions Options { get; }

    /// <summary>Evaluates <paramref name="network"/> (switched to eval mode for the run, restored after).</summary>
    public EvaluationResult Evaluate(PoseNet network, IEnumerable<Batch> batches)
    {
        ArgumentNullException.ThrowIfNull(network);
        bool wasTraining = network.Training;
        network.Eval();
        try { return Evaluate(b => network.Forward(b.Images), batches); }
        finally { network.Train(wasTraining); }
    }

    /// <summary>Evaluates the head outputs <paramref name="forward"/> produces for each batch.</summary>
    public EvaluationResult Evaluate(Func<Batch, PoseNetOutput> forward, IEnumerable<Batch> batches)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(batches);
        var diameters = Enumerable.Range(0, Models.Count).Select(Head.DiameterMm).ToList();
        var evaluator = new PoseEvaluator(_vertices, diameters, _symmetric, Options);
        var predictions = new List<ImagePrediction>();
        double netSec = 0, postSec = 0, waitSec = 0;
        int images = 0;
        using var e = batches.GetEnumerator();
        while (true)
        {
            long t0 = Stopwatch.GetTimestamp();
            if (!e.MoveNext()) break;
            var batch = e.Current;
            waitSec += Stopwatch.GetElapsedTime(t0).TotalSeconds;
            int n = batch.Samples.Count;
            long t1 = Stopwatch.GetTimestamp();
            PoseNetOutput output;
            using (GradMode.NoGrad()) output = forward(batch);
            double net = Stopwatch.GetElapsedTime(t1).TotalSeconds;
            long t2 = Stopwatch.GetTimestamp();
            var infos = batch.Samples.Select(s => PoseImageInfo.FromSample(s)).ToList();
            var poses = _post.Predict(output, infos);
            double post = Stopwatch.GetElapsedTime(t2).TotalSeconds;
            netSec += net; postSec += post; images += n;
            for (int b = 0; b < n; b++)
            {
                var s = batch.Samples[b];
                for (int i = 0; i < s.ClassIds.Length; i++)
                {
                    int cls = s.ClassIds[i];
                    var pred = poses[b].Where(p => p.ClassId == cls).OrderByDescending(p => p.Score).FirstOrDefault();
                    var err = evaluator.Add(cls, s.OriginalK, s.OriginalR[i], s.OriginalT[i], pred?.R, pred?.T);
                    predictions.Add(new ImagePrediction
                    {
                        Path = s.Path, Index = s.Index, K = s.OriginalK, SceneId = s.SceneId, ImId = s.ImId, ClassId = cls, ObjId = Models.ObjIds[cls],
                        RGt = s.OriginalR[i], TGt = s.OriginalT[i], R = pred?.R, T = pred?.T, Score = pred?.Score ?? 0,
                        Inliers = pred?.InlierCount ?? 0, RelativeError3D = err.RelativeError3D,
                        Error3DMm = err.Missing ? double.NaN : err.Error3DMm, Error2DPx = err.Error2DPx,
                        TimeSec = (net + post) / n,
                    });
                }
            }
        }
        if (images == 0) throw new InvalidOperationException("no test image could be loaded: the test list is empty or every image was unusable");
        var timings = new EvaluationTimings(images, 1000 * netSec / images, 1000 * postSec / images, 1000 * waitSec / images);
        return new EvaluationResult(evaluator.Compute(), predictions, timings);
    }
}
