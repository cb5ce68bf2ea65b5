using System.Globalization;
using System.Text;

namespace PoseKD.Training.Config;

/// <summary>
/// A PoseKD configuration: the reference's YAML sections (<c>MODEL</c>, <c>DATASETS</c>, <c>INPUT</c>, <c>SOLVER</c>,
/// <c>TEST</c>, <c>KD</c>) with the reference's defaults (its yaml, <c>custom_cfg</c> and argument defaults), plus
/// PoseKD's own <c>POSEKD</c> section and <c>INPUT.INPUT_RES</c>. The reference's <c>configs/ape.yaml</c> loads
/// unchanged. Keys PoseKD does not know are collected in <see cref="UnknownKeys"/> (reported once by the caller,
/// not fatal); a key of the wrong type is a <see cref="ConfigException"/> naming key, file, line and expected type.
/// </summary>
public sealed record PoseKDConfig
{
    /// <summary>Backbones the reference's per-backbone rules know.</summary>
    public static readonly IReadOnlyList<string> Backbones = ["darknet53", "darknet_tiny", "darknet_tiny_h"];

    /// <summary>MODEL section.</summary>
    public ModelConfig Model { get; init; } = new();
    /// <summary>DATASETS section.</summary>
    public DatasetsConfig Datasets { get; init; } = new();
    /// <summary>INPUT section.</summary>
    public InputConfig Input { get; init; } = new();
    /// <summary>SOLVER section.</summary>
    public SolverConfig Solver { get; init; } = new();
    /// <summary>TEST section.</summary>
    public TestConfig Test { get; init; } = new();
    /// <summary>KD section.</summary>
    public KdConfig Kd { get; init; } = new();
    /// <summary>POSEKD section (PoseKD's own run settings).</summary>
    public RunConfig Run { get; init; } = new();

    /// <summary>The file this configuration was read from ("" when built in code).</summary>
    public string SourceFile { get; init; } = "";

    /// <summary>Keys of the file that PoseKD does not use (<c>SECTION.KEY</c>).</summary>
    public IReadOnlyList<string> UnknownKeys { get; init; } = [];

    /// <summary>Reads a configuration file (see the type's summary for the rules).</summary>
    public static PoseKDConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"config file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses configuration text; <paramref name="file"/> names it in messages.</summary>
    public static PoseKDConfig Parse(string yaml, string file = "<config>")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var r = new YamlConfigReader(yaml, file);
        var d = new PoseKDConfig();
        const string M = "MODEL", D = "DATASETS", I = "INPUT", S = "SOLVER", T = "TEST", K = "KD", P = "POSEKD";
        var model = new ModelConfig
        {
            Backbone = r.String(M, "BACKBONE", d.Model.Backbone),
            AnchorSizes = r.Ints(M, "ANCHOR_SIZES", d.Model.AnchorSizes),
            AnchorStrides = r.Ints(M, "ANCHOR_STRIDES", d.Model.AnchorStrides),
            OutChannel = r.Int(M, "OUT_CHANNEL", d.Model.OutChannel),
            FeatChannels = r.Ints(M, "FEAT_CHANNELS", d.Model.FeatChannels),
            NConv = r.Int(M, "N_CONV", d.Model.NConv),
            Prior = r.Double(M, "PRIOR", d.Model.Prior),
            UseHigherLevels = r.Bool(M, "USE_HIGHER_LEVELS", d.Model.UseHigherLevels),
        };
        var datasets = new DatasetsConfig
        {
            Train = r.String(D, "TRAIN", d.Datasets.Train),
            Valid = r.String(D, "VALID", d.Datasets.Valid),
            Test = r.String(D, "TEST", d.Datasets.Test),
            MeshDir = r.String(D, "MESH_DIR", d.Datasets.MeshDir),
            BboxFile = r.String(D, "BBOX_FILE", d.Datasets.BboxFile),
            MeshDiametersMm = r.Doubles(D, "MESH_DIAMETERS", d.Datasets.MeshDiametersMm),
            SymmetryTypes = r.ScalarListMap(D, "SYMMETRY_TYPES", d.Datasets.SymmetryTypes),
            NClass = r.Int(D, "N_CLASS", d.Datasets.NClass),
        };
        var input = new InputConfig
        {
            InternalWidth = r.Int(I, "INTERNAL_WIDTH", d.Input.InternalWidth),
            InternalHeight = r.Int(I, "INTERNAL_HEIGHT", d.Input.InternalHeight),
            InternalK = r.Doubles(I, "INTERNAL_K", d.Input.InternalK),
            MinT = r.DoubleRows(I, "minT", d.Input.MinT),
            MaxT = r.DoubleRows(I, "maxT", d.Input.MaxT),
            PixelMean = r.Doubles(I, "PIXEL_MEAN", d.Input.PixelMean),
            PixelStd = r.Doubles(I, "PIXEL_STD", d.Input.PixelStd),
            SizeDivisible = r.Int(I, "SIZE_DIVISIBLE", d.Input.SizeDivisible),
            InputRes = r.Int(I, "INPUT_RES", d.Input.InputRes),
        };
        var sv = d.Solver;
        var solver = new SolverConfig
        {
            ImsPerBatch = r.Int(S, "IMS_PER_BATCH", sv.ImsPerBatch),
            ValFreq = r.Int(S, "VAL_FREQ", sv.ValFreq),
            BaseLr = r.Double(S, "BASE_LR", sv.BaseLr),
            MaxIter = r.Int(S, "MAX_ITER", sv.MaxIter),
            LossWeightCls = r.Double(S, "LOSS_WEIGHT_CLS", sv.LossWeightCls),
            LossWeightReg = r.Double(S, "LOSS_WEIGHT_REG", sv.LossWeightReg),
            LossRegType = r.String(S, "LOSS_REG_TYPE", sv.LossRegType),
            PositiveType = r.String(S, "POSITIVE_TYPE", sv.PositiveType),
            PositiveLambda = r.Double(S, "POSITIVE_LAMBDA", sv.PositiveLambda),
            RegressionType = r.String(S, "REGRESSION_TYPE", sv.RegressionType),
            PositiveNum = r.Int(S, "POSITIVE_NUM", sv.PositiveNum),
            TopK = r.Int(S, "TOP_K", sv.TopK),
            FocalGamma = r.Double(S, "FOCAL_GAMMA", sv.FocalGamma),
            FocalAlpha = r.Double(S, "FOCAL_ALPHA", sv.FocalAlpha),
            GradClip = r.Double(S, "GRAD_CLIP", sv.GradClip),
            AugmentationShift = r.Double(S, "AUGMENTATION_SHIFT", sv.AugmentationShift),
            AugmentationScale = r.Double(S, "AUGMENTATION_SCALE", sv.AugmentationScale),
            AugmentationRotation = r.Double(S, "AUGMENTATION_ROTATION", sv.AugmentationRotation),
            AugmentationColorH = r.Double(S, "AUGMENTATION_ColorH", sv.AugmentationColorH),
            AugmentationColorS = r.Double(S, "AUGMENTATION_ColorS", sv.AugmentationColorS),
            AugmentationColorV = r.Double(S, "AUGMENTATION_ColorV", sv.AugmentationColorV),
            AugmentationSharpen = r.Double(S, "AUGMENTATION_Sharpen", sv.AugmentationSharpen),
            AugmentationSmooth = r.Int(S, "AUGMENTATION_Smooth", sv.AugmentationSmooth),
            AugmentationNoise = r.Double(S, "AUGMENTATION_Noise", sv.AugmentationNoise),
            AugmentationOcclusion = r.Double(S, "AUGMENTATION_OCCLUSION", sv.AugmentationOcclusion),
            AugmentationGrayscalize = r.Bool(S, "AUGMENTATION_Grayscalize", sv.AugmentationGrayscalize),
            AugmentationBackgroundDir = r.NullableString(S, "AUGMENTATION_BACKGROUND_DIR", sv.AugmentationBackgroundDir),
        };
        var test = new TestConfig
        {
            ImsPerBatch = r.Int(T, "IMS_PER_BATCH", d.Test.ImsPerBatch),
            ConfidenceTh = r.Double(T, "CONFIDENCE_TH", d.Test.ConfidenceTh),
        };
        var (kdScalar, kdList) = r.NumberOrList(K, "LOSS_WEIGHT_KD");
        var kd = new KdConfig
        {
            LossWeightKd = kdScalar ?? d.Kd.LossWeightKd,
            LossWeightKdList = kdList,
            Level = r.String(K, "LEVEL", d.Kd.Level),
            GLevel = r.String(K, "GLEVEL", d.Kd.GLevel),
            GType = r.String(K, "GTYPE", d.Kd.GType),
            GP = r.Double(K, "GP", d.Kd.GP),
            GBlur = r.Double(K, "GBLUR", d.Kd.GBlur),
            GnD = r.Int(K, "GnD", d.Kd.GnD),
            WeightedOT = r.Bool(K, "WEIGHTED_OT", d.Kd.WeightedOT),
            Detach = r.Bool(K, "DETACH", d.Kd.Detach),
            Scaling = r.Double(K, "SCALING", d.Kd.Scaling),
            Reach = r.Double(K, "REACH", d.Kd.Reach),
            FeatureWeight = r.Double(K, "FEATURE_WEIGHT", d.Kd.FeatureWeight),
        };
        var run = new RunConfig
        {
            Workers = r.Int(P, "WORKERS", d.Run.Workers),
            Prefetch = r.Int(P, "PREFETCH", d.Run.Prefetch),
            Threads = r.Int(P, "THREADS", d.Run.Threads),
            Seed = r.Int(P, "SEED", d.Run.Seed),
            LogFreq = r.Int(P, "LOG_FREQ", d.Run.LogFreq),
            PlotFreq = r.Int(P, "PLOT_FREQ", d.Run.PlotFreq),
            CheckpointFreq = r.Int(P, "CHECKPOINT_FREQ", d.Run.CheckpointFreq),
            ImageCacheMb = r.Int(P, "IMAGE_CACHE_MB", d.Run.ImageCacheMb),
            EvalTeacher = r.Bool(P, "EVAL_TEACHER", d.Run.EvalTeacher),
        };
        // The reference adds RUNTIME at run time (paths, ranks); a resolved reference config may carry it.
        r.IgnoreSection("RUNTIME");
        var config = new PoseKDConfig
        {
            Model = model, Datasets = datasets, Input = input, Solver = solver, Test = test, Kd = kd, Run = run,
            SourceFile = file, UnknownKeys = r.UnknownKeys(),
        };
        config.Validate();
        return config;
    }

    /// <summary>
    /// Applies the reference's per-backbone rules (its <c>custom_cfg</c>): darknet_tiny → FEAT_CHANNELS [0,0,128,128],
    /// OUT_CHANNEL 256, VAL_FREQ 500; darknet_tiny_h → [0,0,64,64], 128, 500; darknet53 → [0,0,256,512,1024], 256, 2000.
    /// </summary>
    public PoseKDConfig WithBackbone(string backbone)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        (int[] feat, int outCh, int valFreq) = backbone switch
        {
            "darknet_tiny" => (new[] { 0, 0, 128, 128 }, 256, 500),
            "darknet_tiny_h" => (new[] { 0, 0, 64, 64 }, 128, 500),
            "darknet53" => (new[] { 0, 0, 256, 512, 1024 }, 256, 2000),
            _ => throw new ArgumentException($"unknown backbone '{backbone}': expected one of {string.Join(", ", Backbones)}", nameof(backbone)),
        };
        return this with
        {
            Model = Model with { Backbone = backbone, FeatChannels = feat, OutChannel = outCh },
            Solver = Solver with { ValFreq = valFreq },
        };
    }

    /// <summary>Checks value ranges; throws a <see cref="ConfigException"/> naming the key and file.</summary>
    public void Validate()
    {
        string f = SourceFile.Length > 0 ? SourceFile : "<config>";
        void Need(bool ok, string key, string expected, object found)
        {
            if (!ok) throw new ConfigException($"{f}: key '{key}': expected {expected}, found {Convert.ToString(found, CultureInfo.InvariantCulture)}");
        }
        Need(Datasets.NClass >= 2, "DATASETS.N_CLASS", "an integer ≥ 2 (object classes + background)", Datasets.NClass);
        Need(Datasets.MeshDiametersMm.Length >= Datasets.NClass - 1, "DATASETS.MESH_DIAMETERS", $"at least N_CLASS − 1 = {Datasets.NClass - 1} diameters", Datasets.MeshDiametersMm.Length);
        Need(Datasets.MeshDiametersMm.All(x => x > 0), "DATASETS.MESH_DIAMETERS", "positive diameters (mm)", string.Join(", ", Datasets.MeshDiametersMm));
        Need(Model.AnchorSizes.Length == Model.AnchorStrides.Length, "MODEL.ANCHOR_SIZES", $"one size per stride ({Model.AnchorStrides.Length})", Model.AnchorSizes.Length);
        Need(Input.InternalK.Length == 9, "INPUT.INTERNAL_K", "9 numbers (row-major 3×3)", Input.InternalK.Length);
        Need(Input.PixelMean.Length == 3 && Input.PixelStd.Length == 3, "INPUT.PIXEL_MEAN / PIXEL_STD", "3 numbers each", $"{Input.PixelMean.Length} and {Input.PixelStd.Length}");
        Need(Input.InputRes >= 32 && Input.InputRes % 32 == 0, "INPUT.INPUT_RES", "a multiple of 32, ≥ 32", Input.InputRes);
        Need(Solver.ImsPerBatch >= 1, "SOLVER.IMS_PER_BATCH", "≥ 1", Solver.ImsPerBatch);
        Need(Solver.MaxIter >= 0, "SOLVER.MAX_ITER", "≥ 0", Solver.MaxIter);
        Need(Solver.BaseLr > 0, "SOLVER.BASE_LR", "> 0", Solver.BaseLr);
        Need(Solver.ValFreq >= 1, "SOLVER.VAL_FREQ", "≥ 1", Solver.ValFreq);
        Need(Solver.GradClip > 0, "SOLVER.GRAD_CLIP", "> 0", Solver.GradClip);
        Need(Solver.LossRegType is "3D" or "2D", "SOLVER.LOSS_REG_TYPE", "'3D' or '2D'", Solver.LossRegType);
        Need(Solver.PositiveType == "SSC", "SOLVER.POSITIVE_TYPE", "'SSC'", Solver.PositiveType);
        Need(Test.ImsPerBatch >= 1, "TEST.IMS_PER_BATCH", "≥ 1", Test.ImsPerBatch);
        Need(Test.ConfidenceTh is >= 0 and < 1, "TEST.CONFIDENCE_TH", "a number in [0, 1)", Test.ConfidenceTh);
        Need(Kd.LossWeightKd >= 0, "KD.LOSS_WEIGHT_KD", "≥ 0", Kd.LossWeightKd);
        Need(Kd.FeatureWeight >= 0, "KD.FEATURE_WEIGHT", "≥ 0", Kd.FeatureWeight);
        Need(Kd.GType is "sinkhorn" or "gaussian" or "laplacian" or "energy" or "l1" or "l2", "KD.GTYPE", "sinkhorn, gaussian, laplacian, energy, l1 or l2", Kd.GType);
        Need(Kd.GP is 1 or 2, "KD.GP", "1 or 2", Kd.GP);
        Need(Kd.GBlur > 0, "KD.GBLUR", "> 0", Kd.GBlur);
        Need(Kd.Scaling is > 0 and < 1, "KD.SCALING", "a number in (0, 1)", Kd.Scaling);
        Need(Kd.Reach > 0, "KD.REACH", "> 0", Kd.Reach);
        Need(Run.Workers >= 1, "POSEKD.WORKERS", "≥ 1", Run.Workers);
        Need(Run.Prefetch >= 1, "POSEKD.PREFETCH", "≥ 1", Run.Prefetch);
        Need(Run.Threads >= 0, "POSEKD.THREADS", "≥ 0", Run.Threads);
        Need(Run.LogFreq >= 1, "POSEKD.LOG_FREQ", "≥ 1", Run.LogFreq);
        Need(Run.PlotFreq >= 0, "POSEKD.PLOT_FREQ", "≥ 0", Run.PlotFreq);
        Need(Run.CheckpointFreq >= 0, "POSEKD.CHECKPOINT_FREQ", "≥ 0", Run.CheckpointFreq);
        Need(Run.ImageCacheMb >= 0, "POSEKD.IMAGE_CACHE_MB", "≥ 0", Run.ImageCacheMb);
    }

    /// <summary>The configuration as YAML in the reference's layout plus the PoseKD keys; <see cref="Parse"/> reads it back equal.</summary>
    public string ToYaml()
    {
        var sb = new StringBuilder();
        void Section(string name) => sb.Append(name).Append(":\n");
        void Key(string key, string value) => sb.Append("  ").Append(key).Append(": ").Append(value).Append('\n');
        Section("MODEL");
        Key("BACKBONE", Str(Model.Backbone));
        Key("ANCHOR_SIZES", List(Model.AnchorSizes));
        Key("ANCHOR_STRIDES", List(Model.AnchorStrides));
        Key("OUT_CHANNEL", Num(Model.OutChannel));
        Key("FEAT_CHANNELS", List(Model.FeatChannels));
        Key("N_CONV", Num(Model.NConv));
        Key("PRIOR", Num(Model.Prior));
        Key("USE_HIGHER_LEVELS", Bool(Model.UseHigherLevels));
        Section("DATASETS");
        Key("TRAIN", Str(Datasets.Train));
        Key("VALID", Str(Datasets.Valid));
        Key("TEST", Str(Datasets.Test));
        Key("MESH_DIR", Str(Datasets.MeshDir));
        Key("BBOX_FILE", Str(Datasets.BboxFile));
        Key("MESH_DIAMETERS", List(Datasets.MeshDiametersMm));
        Key("SYMMETRY_TYPES", "{" + string.Join(", ", Datasets.SymmetryTypes.Select(kv =>
            Str(kv.Key) + ": [" + string.Join(", ", kv.Value.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? v : Str(v))) + "]")) + "}");
        Key("N_CLASS", Num(Datasets.NClass));
        Section("INPUT");
        Key("INTERNAL_WIDTH", Num(Input.InternalWidth));
        Key("INTERNAL_HEIGHT", Num(Input.InternalHeight));
        Key("INTERNAL_K", List(Input.InternalK));
        Key("minT", "[" + string.Join(", ", Input.MinT.Select(List)) + "]");
        Key("maxT", "[" + string.Join(", ", Input.MaxT.Select(List)) + "]");
        Key("PIXEL_MEAN", List(Input.PixelMean));
        Key("PIXEL_STD", List(Input.PixelStd));
        Key("SIZE_DIVISIBLE", Num(Input.SizeDivisible));
        Key("INPUT_RES", Num(Input.InputRes));
        var s = Solver;
        Section("SOLVER");
        Key("IMS_PER_BATCH", Num(s.ImsPerBatch));
        Key("VAL_FREQ", Num(s.ValFreq));
        Key("BASE_LR", Num(s.BaseLr));
        Key("MAX_ITER", Num(s.MaxIter));
        Key("LOSS_WEIGHT_CLS", Num(s.LossWeightCls));
        Key("LOSS_WEIGHT_REG", Num(s.LossWeightReg));
        Key("LOSS_REG_TYPE", Str(s.LossRegType));
        Key("POSITIVE_TYPE", Str(s.PositiveType));
        Key("POSITIVE_LAMBDA", Num(s.PositiveLambda));
        Key("REGRESSION_TYPE", Str(s.RegressionType));
        Key("POSITIVE_NUM", Num(s.PositiveNum));
        Key("TOP_K", Num(s.TopK));
        Key("FOCAL_GAMMA", Num(s.FocalGamma));
        Key("FOCAL_ALPHA", Num(s.FocalAlpha));
        Key("GRAD_CLIP", Num(s.GradClip));
        Key("AUGMENTATION_SHIFT", Num(s.AugmentationShift));
        Key("AUGMENTATION_SCALE", Num(s.AugmentationScale));
        Key("AUGMENTATION_ROTATION", Num(s.AugmentationRotation));
        Key("AUGMENTATION_ColorH", Num(s.AugmentationColorH));
        Key("AUGMENTATION_ColorS", Num(s.AugmentationColorS));
        Key("AUGMENTATION_ColorV", Num(s.AugmentationColorV));
        Key("AUGMENTATION_Sharpen", Num(s.AugmentationSharpen));
        Key("AUGMENTATION_Smooth", Num(s.AugmentationSmooth));
        Key("AUGMENTATION_Noise", Num(s.AugmentationNoise));
        Key("AUGMENTATION_OCCLUSION", Num(s.AugmentationOcclusion));
        Key("AUGMENTATION_Grayscalize", Bool(s.AugmentationGrayscalize));
        Key("AUGMENTATION_BACKGROUND_DIR", s.AugmentationBackgroundDir is null ? "null" : Str(s.AugmentationBackgroundDir));
        Section("TEST");
        Key("IMS_PER_BATCH", Num(Test.ImsPerBatch));
        Key("CONFIDENCE_TH", Num(Test.ConfidenceTh));
        Section("KD");
        Key("LOSS_WEIGHT_KD", Num(Kd.LossWeightKd));
        Key("LEVEL", Str(Kd.Level));
        Key("GLEVEL", Str(Kd.GLevel));
        Key("GTYPE", Str(Kd.GType));
        Key("GP", Num(Kd.GP));
        Key("GBLUR", Num(Kd.GBlur));
        Key("GnD", Num(Kd.GnD));
        Key("WEIGHTED_OT", Bool(Kd.WeightedOT));
        Key("DETACH", Bool(Kd.Detach));
        Key("SCALING", Num(Kd.Scaling));
        Key("REACH", Num(Kd.Reach));
        Key("FEATURE_WEIGHT", Num(Kd.FeatureWeight));
        Section("POSEKD");
        Key("WORKERS", Num(Run.Workers));
        Key("PREFETCH", Num(Run.Prefetch));
        Key("THREADS", Num(Run.Threads));
        Key("SEED", Num(Run.Seed));
        Key("LOG_FREQ", Num(Run.LogFreq));
        Key("PLOT_FREQ", Num(Run.PlotFreq));
        Key("CHECKPOINT_FREQ", Num(Run.CheckpointFreq));
        Key("IMAGE_CACHE_MB", Num(Run.ImageCacheMb));
        Key("EVAL_TEACHER", Bool(Run.EvalTeacher));
        return sb.ToString();
    }

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Bool(bool v) => v ? "true" : "false";
    private static string Str(string v) => "'" + v.Replace("'", "''", StringComparison.Ordinal) + "'";
    private static string List(IEnumerable<double> v) => "[" + string.Join(", ", v.Select(Num)) + "]";
    private static string List(IEnumerable<int> v) => "[" + string.Join(", ", v.Select(Num)) + "]";
}
