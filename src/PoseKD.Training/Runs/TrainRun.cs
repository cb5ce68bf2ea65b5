using System.Globalization;
using PoseKD.Data.Loading;
using PoseKD.Data.Transforms;
using PoseKD.Engine;
using PoseKD.Engine.Optim;
using PoseKD.Engine.Serialization;
using PoseKD.Engine.Tensors;
using PoseKD.Geometry.Metrics;
using PoseKD.Model.Distillation;
using PoseKD.Model.Network;
using PoseKD.Model.PostProcessing;
using PoseKD.Training.Checkpoints;
using PoseKD.Training.Config;
using PoseKD.Training.Evaluation;
using PoseKD.Training.Events;
using PoseKD.Training.Hooks;
using PoseKD.Training.Loop;
using PoseKD.Training.Pose;

namespace PoseKD.Training.Runs;

/// <summary>
/// Builds and runs <c>posekd train</c>: resolves the config (reference rules, then command-line overrides), checks
/// the dataset, teacher and weights before any step, builds network(s), loaders and the <see cref="Trainer"/> with its
/// hooks (teacher evaluation, validation, checkpoints with resume, plots) and event writers (console, metrics.jsonl,
/// TensorBoard), and runs it. The work directory receives <c>config.yaml</c> (the resolved config),
/// <c>metrics.jsonl</c>, the event file, <c>latest.safetensors</c>, <c>final.safetensors</c>, <c>final.pth</c>,
/// <c>loss_curves.png</c> and, after the final validation, <c>validation/</c> with the test outputs.
/// </summary>
public static class TrainRun
{
    /// <summary>The resolved student config of <paramref name="o"/> (file, per-backbone rules, overrides), validated.</summary>
    public static PoseKDConfig ResolveConfig(TrainRunOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var c = PoseKDConfig.Load(o.Config);
        c = c.WithBackbone(o.Backbone ?? c.Model.Backbone);
        c = c with
        {
            Solver = c.Solver with
            {
                MaxIter = o.MaxIters ?? c.Solver.MaxIter,
                BaseLr = o.BaseLr ?? c.Solver.BaseLr,
                ImsPerBatch = o.BatchSize ?? c.Solver.ImsPerBatch,
                ValFreq = o.ValFreq ?? c.Solver.ValFreq,
            },
            Input = c.Input with { InputRes = o.InputRes ?? c.Input.InputRes },
            Run = c.Run with
            {
                Seed = o.Seed ?? c.Run.Seed,
                Workers = o.Workers ?? c.Run.Workers,
                Threads = o.Threads ?? c.Run.Threads,
                LogFreq = o.LogFreq ?? c.Run.LogFreq,
            },
            Kd = c.Kd with
            {
                LossWeightKd = o.KdWeight ?? c.Kd.LossWeightKd,
                GType = o.GType ?? c.Kd.GType,
                GP = o.P ?? c.Kd.GP,
                GBlur = o.Blur ?? c.Kd.GBlur,
                Scaling = o.Scaling ?? c.Kd.Scaling,
                Reach = o.Reach ?? c.Kd.Reach,
                WeightedOT = o.WeightedOt ?? c.Kd.WeightedOT,
                Detach = o.WotDetach ?? c.Kd.Detach,
                FeatureWeight = o.FeatureKdWeight ?? c.Kd.FeatureWeight,
            },
        };
        c.Validate();
        return c;
    }

    /// <summary>The network a config describes, initialised from the run seed.</summary>
    public static PoseNet BuildNetwork(PoseKDConfig config, int seedOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new PoseNet(ConfigMapping.ToPoseNetOptions(config), new Generator((ulong)(uint)(config.Run.Seed + seedOffset)));
    }

    /// <summary>A test-mode loader of list <paramref name="listKey"/> (no augmentation, GT-box DZI, in order).</summary>
    public static BatchLoader TestLoader(PoseKDConfig config, string listKey, Detections? detections = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var ds = DatasetSetup.Open(config, listKey);
        var builder = new SampleBuilder(ds, ConfigMapping.ToTransformOptions(config), training: false) { Detections = detections };
        return new BatchLoader(builder, config.Test.ImsPerBatch, config.Run.Seed, shuffle: false, workers: config.Run.Workers, prefetch: config.Run.Prefetch);
    }

    /// <summary>Evaluator for the dataset of <paramref name="loader"/>.</summary>
    public static PoseTester Tester(PoseKDConfig config, BatchLoader loader)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(loader);
        var ds = loader.Builder.Dataset;
        return new PoseTester(ConfigMapping.ToHeadOptions(config), ds.Keypoints!, ds.Models, config.Datasets.SymmetricClassIds, new PoseEvaluationOptions { Seed = config.Run.Seed });
    }

    /// <summary>Runs training as <paramref name="o"/> describes; <paramref name="log"/> receives one-line notes.</summary>
    public static TrainRunSummary Execute(TrainRunOptions o, TextWriter log, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(log);
        var inv = CultureInfo.InvariantCulture;

        // ---- everything that can be wrong is checked before the first step ----
        var cfg = ResolveConfig(o);
        if (cfg.UnknownKeys.Count > 0) log.WriteLine($"config {o.Config}: keys PoseKD does not use (ignored): {string.Join(", ", cfg.UnknownKeys)}");
        if (cfg.Kd.FeatureWeight > 0 && o.TeacherWeights is null)
            throw new ArgumentException("--feature-kd-weight needs a teacher (--teacher-weights)");
        if (o.TeacherWeights is null && (o.TeacherConfig is not null || o.TeacherBackbone is not null))
            throw new ArgumentException("--teacher-config / --teacher-backbone need --teacher-weights (the trained teacher)");
        if (o.TeacherWeights is not null && !File.Exists(o.TeacherWeights)) throw new FileNotFoundException($"--teacher-weights: file not found: {o.TeacherWeights}", o.TeacherWeights);
        if (o.Weights is not null && !File.Exists(o.Weights)) throw new FileNotFoundException($"--weights: file not found: {o.Weights}", o.Weights);
        if (o.BackboneWeights is not null && !File.Exists(o.BackboneWeights)) throw new FileNotFoundException($"--backbone-weights: file not found: {o.BackboneWeights}", o.BackboneWeights);
        if (cfg.Run.Threads > 0) NativeSettings.Threads = cfg.Run.Threads;

        var trainSet = DatasetSetup.Open(cfg, "TRAIN", cacheDecoded: true);
        var validLoader = TestLoader(cfg, "VALID");
        var head = ConfigMapping.ToHeadOptions(cfg);
        var transform = ConfigMapping.ToTransformOptions(cfg);
        var keypoints = trainSet.Keypoints!;

        var student = BuildNetwork(cfg);
        if (o.BackboneWeights is not null) log.WriteLine($"backbone weights: {Describe(PoseNetWeights.LoadBackbone(student, o.BackboneWeights))}");

        Distiller? distiller = null;
        PoseKDConfig? teacherCfg = null;
        PoseNet? teacher = null;
        if (o.TeacherWeights is not null)
        {
            teacherCfg = PoseKDConfig.Load(o.TeacherConfig ?? o.Config);
            teacherCfg = teacherCfg.WithBackbone(o.TeacherBackbone ?? "darknet53") with { Input = teacherCfg.Input with { InputRes = cfg.Input.InputRes }, Run = cfg.Run };
            if (teacherCfg.Datasets.NClass != cfg.Datasets.NClass)
                throw new ConfigException($"{teacherCfg.SourceFile}: key 'DATASETS.N_CLASS': the teacher has {teacherCfg.Datasets.NClass}, the student {cfg.Datasets.NClass}");
            teacher = BuildNetwork(teacherCfg, seedOffset: 1);
            log.WriteLine($"teacher {teacherCfg.Model.Backbone}: {Describe(PoseNetWeights.Load(teacher, o.TeacherWeights))}");
            var kd = ConfigMapping.ToKdOptions(cfg) with { KdWeight = 1 };
            distiller = new Distiller(teacher, new PostProcessor(ConfigMapping.ToHeadOptions(teacherCfg), keypoints), new KeypointDistributionLoss(kd), cfg.Kd.LossWeightKd);
        }

        // ---- work directory ----
        string workDir = Path.GetFullPath(o.WorkDir);
        Directory.CreateDirectory(workDir);
        File.WriteAllText(Path.Combine(workDir, "config.yaml"), $"# resolved by posekd train from {o.Config}\n" + cfg.ToYaml());
        if (teacherCfg is not null) File.WriteAllText(Path.Combine(workDir, "teacher_config.yaml"), $"# resolved by posekd train from {teacherCfg.SourceFile}\n" + teacherCfg.ToYaml());
        var mode = o.ConsoleMode ?? ConsoleProgressWriter.DetectMode(o.Quiet);
        var tb = new TensorBoardWriter(workDir);
        var events = new EventStore(new ConsoleProgressWriter(mode, distiller is null ? "train" : "distill", plainEvery: cfg.Run.LogFreq),
            new MetricsJsonlWriter(Path.Combine(workDir, "metrics.jsonl")), tb);

        var loader = new BatchLoader(new SampleBuilder(trainSet, transform, training: true), cfg.Solver.ImsPerBatch, cfg.Run.Seed, shuffle: true, workers: cfg.Run.Workers, prefetch: cfg.Run.Prefetch);
        FeatureImitationLoss? feat = null;
        if (teacher is not null && cfg.Kd.FeatureWeight > 0)
        {
            int levels = Math.Min(student.LevelCount, teacher.LevelCount);
            feat = new FeatureImitationLoss(Enumerable.Repeat(cfg.Model.OutChannel, levels).ToList(), Enumerable.Repeat(teacherCfg!.Model.OutChannel, levels).ToList(),
                student.LevelStrides.Take(levels).ToList(), 1.0, new Generator((ulong)(uint)(cfg.Run.Seed + 2)));
        }
        var task = new PoseTrainingTask(student, head, keypoints, distiller, feat, cfg.Kd.FeatureWeight);
        var trainer = new Trainer(task, new LoaderBatchSource(loader), ConfigMapping.ToTrainerOptions(cfg), events) { Cancellation = cancellation };

        var tester = Tester(cfg, validLoader);
        TeacherEvaluationHook? teacherHook = null;
        if (teacher is not null && cfg.Run.EvalTeacher)
            trainer.AddHook(teacherHook = new TeacherEvaluationHook(teacher, Tester(teacherCfg!, validLoader), () => validLoader.Epoch(0)));
        var validation = new ValidationHook(student, tester, () => validLoader.Epoch(0), cfg.Solver.ValFreq);
        trainer.AddHook(validation);
        string pth = Path.Combine(workDir, "final.pth");
        var checkpoints = new CheckpointHook(workDir, cfg.Run.CheckpointFreq > 0 ? cfg.Run.CheckpointFreq : cfg.Solver.ValFreq)
        {
            FinalExport = (t, _) => PthWriter.WriteStateDict(pth, t.Task.Model.StateDict()),
        };
        trainer.AddHook(checkpoints);
        KdPictureHook? pictures = null;
        if (distiller is not null && cfg.Run.PlotFreq > 0) trainer.AddHook(pictures = new KdPictureHook(task, workDir, cfg.Run.PlotFreq, transform));
        var plots = new PlotHook(workDir);
        trainer.AddHook(plots);

        if (o.Weights is not null && !File.Exists(checkpoints.LatestPath)) InitialWeights(o.Weights, student, trainer, log);

        TrainOutcome outcome;
        try { outcome = trainer.Run(); }
        finally { events.Dispose(); }
        if (checkpoints.ResumedFrom is { } from) log.WriteLine($"resumed from {checkpoints.LatestPath} at step {from}");

        var files = new List<string> { Path.Combine(workDir, "config.yaml"), Path.Combine(workDir, "metrics.jsonl"), tb.Path, checkpoints.LatestPath };
        if (outcome == TrainOutcome.Completed)
        {
            files.AddRange([checkpoints.FinalPath, pth]);
            if (validation.Last is not null) files.AddRange(EvaluationWriter.Write(Path.Combine(workDir, "validation"), validation.Last, distiller is null ? "network" : "distilled", validLoader.Builder.Dataset));
        }
        if (File.Exists(plots.LossCurvesPath)) files.Add(plots.LossCurvesPath);
        if (pictures is not null) files.AddRange(pictures.Written);
        File.WriteAllText(Path.Combine(workDir, "throughput.json"), string.Create(inv,
            $"{{\"steps\": {trainer.Step}, \"images_per_s\": {(trainer.WallSeconds > 0 ? trainer.ImagesSeen / trainer.WallSeconds : 0):R}, \"data_wait_share\": {trainer.DataWaitShare:R}, \"train_seconds\": {trainer.WallSeconds:R}, \"data_wait_seconds\": {trainer.DataWaitSeconds:R}, \"forward_loss_seconds\": {trainer.ForwardSeconds:R}, \"backward_seconds\": {trainer.BackwardSeconds:R}, \"optimizer_seconds\": {trainer.OptimizerSeconds:R}, \"batch\": {cfg.Solver.ImsPerBatch}, \"input_res\": {cfg.Input.InputRes}, \"backbone\": \"{cfg.Model.Backbone}\", \"distill\": {(distiller is null ? "false" : "true")}}}\n"));
        return new TrainRunSummary
        {
            WorkDir = workDir, Outcome = outcome, Steps = trainer.Step, ResumedFrom = checkpoints.ResumedFrom,
            ImagesPerSecond = trainer.WallSeconds > 0 ? trainer.ImagesSeen / trainer.WallSeconds : 0,
            DataWaitShare = trainer.DataWaitShare, TrainSeconds = trainer.WallSeconds,
            Validation = validation.Last, Teacher = teacherHook?.Result, Files = files,
        };
    }

    /// <summary>
    /// <c>--weights</c>: a weights file (safetensors, .pth state dict) initialises the network; the reference's own
    /// training checkpoint (<c>{'steps', 'model', 'optim', 'sched'}</c>) also restores the optimiser, the schedule and
    /// the step, and the run continues it (the data order restarts at epoch 0: the reference does not save it).
    /// </summary>
    public static void InitialWeights(string path, PoseNet network, Trainer trainer, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(log);
        log.WriteLine($"weights {path}: {Describe(PoseNetWeights.Load(network, path))}");
        if (!IsPyTorch(path)) return;
        if (PthReader.Load(path) is not Dictionary<object, object?> root || !root.ContainsKey("optim") || !root.ContainsKey("sched") || !root.ContainsKey("steps")) return;
        TorchStateImport.LoadAdamW(trainer.Optimizer, root["optim"], path);
        TorchStateImport.LoadOneCycleLR(trainer.Scheduler, root["sched"], path);
        long steps = root["steps"] switch { double d => (long)d, long l => l, var other => throw new PthFormatException($"{path}: field 'steps': expected a number, found {other}") };
        trainer.RestorePosition(steps, 0, 0);
        log.WriteLine($"continuing the reference's training checkpoint at step {steps} (optimizer and schedule restored)");
    }

    private static bool IsPyTorch(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> m = stackalloc byte[2];
        return fs.Read(m) == 2 && ((m[0] == 'P' && m[1] == 'K') || m[0] == 0x80);
    }

    private static string Describe(PoseNetLoadReport r)
        => $"{r.Matched.Count} keys loaded, {r.Missing.Count} missing, {r.Unexpected.Count} unexpected, {r.KnownIgnored.Count} known-ignored";
}
