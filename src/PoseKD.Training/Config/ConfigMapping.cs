using System.Globalization;
using PoseKD.Data.Transforms;
using PoseKD.Geometry.Rotations;
using PoseKD.Model.Distillation;
using PoseKD.Model.Losses;
using PoseKD.Model.Network;
using PoseKD.Model.Targets;

namespace PoseKD.Training.Config;

/// <summary>
/// Turns a <see cref="PoseKDConfig"/> into the option records of the layers below: the network
/// (<see cref="PoseNetOptions"/>), the head's targets/losses/post-processing (<see cref="HeadOptions"/>), the
/// distillation loss (<see cref="KdOptions"/>) and the data transforms (<see cref="TransformOptions"/>).
/// Each call checks the result and names the config key when a value does not fit.
/// </summary>
public static class ConfigMapping
{
    /// <summary>The network of <c>MODEL</c> + <c>DATASETS.N_CLASS</c>.</summary>
    public static PoseNetOptions ToPoseNetOptions(PoseKDConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var m = config.Model;
        var o = new PoseNetOptions
        {
            Backbone = m.Backbone,
            NClass = config.Datasets.NClass,
            NConv = m.NConv,
            Prior = m.Prior,
            UseHigherLevels = m.UseHigherLevels,
            FeatChannels = m.FeatChannels,
            OutChannel = m.OutChannel,
            AnchorSizes = m.AnchorSizes,
            AnchorStrides = m.AnchorStrides,
        };
        return Wrap(config, "MODEL", () => o.Validate());
    }

    /// <summary>Targets, losses and post-processing settings (<c>SOLVER</c>, <c>TEST</c>, <c>INPUT</c>, <c>DATASETS</c>).</summary>
    public static HeadOptions ToHeadOptions(PoseKDConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var s = config.Solver;
        var o = new HeadOptions
        {
            AnchorSizes = config.Model.AnchorSizes,
            AnchorStrides = config.Model.AnchorStrides,
            PositiveNum = s.PositiveNum,
            PositiveLambda = s.PositiveLambda,
            FocalGamma = (float)s.FocalGamma,
            FocalAlpha = (float)s.FocalAlpha,
            LossRegType = s.LossRegType == "2D" ? RegressionLossKind.ImageSpace2D : RegressionLossKind.ObjectSpace3D,
            LossWeightCls = s.LossWeightCls,
            LossWeightReg = s.LossWeightReg,
            ConfidenceTh = config.Test.ConfidenceTh,
            InternalK = config.Input.InternalK,
            InternalWidth = config.Input.InternalWidth,
            InternalHeight = config.Input.InternalHeight,
            MeshDiameters = config.Datasets.MeshDiametersMm,
            SymmetryTypes = SymmetryTypes(config),
        };
        return Wrap(config, "SOLVER/TEST/INPUT", () => o.Validate());
    }

    /// <summary>
    /// <c>DATASETS.SYMMETRY_TYPES</c> as rules per class id: <c>cls_9: [X, 180, Y, 180]</c> → 9 → [(X, 180°), (Y, 180°)].
    /// </summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<EulerModulo>> SymmetryTypes(PoseKDConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var r = new Dictionary<int, IReadOnlyList<EulerModulo>>();
        foreach (var (key, items) in config.Datasets.SymmetryTypes)
        {
            string where = $"{config.SourceFile}: key 'DATASETS.SYMMETRY_TYPES.{key}'";
            if (!key.StartsWith("cls_", StringComparison.Ordinal) || !int.TryParse(key.AsSpan(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out int cls) || cls < 0)
                throw new ConfigException($"{where}: expected a name cls_<0-based class id>");
            if (items.Length % 2 != 0) throw new ConfigException($"{where}: expected pairs of axis and angle, found {items.Length} items");
            var rules = new List<EulerModulo>();
            for (int i = 0; i < items.Length; i += 2)
            {
                string axis = items[i].Trim().ToUpperInvariant();
                if (axis is not ("X" or "Y" or "Z")) throw new ConfigException($"{where}[{i}]: expected an axis X, Y or Z, found '{items[i]}'");
                if (!double.TryParse(items[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double deg) || !(deg > 0))
                    throw new ConfigException($"{where}[{i + 1}]: expected a positive angle in degrees, found '{items[i + 1]}'");
                rules.Add(new EulerModulo(axis[0], deg));
            }
            r[cls] = rules;
        }
        return r;
    }

    /// <summary>The trainer's run settings of <c>SOLVER</c> and <c>POSEKD</c> (steps, peak lr, clipping, seed, batch, log frequency).</summary>
    public static Loop.TrainerOptions ToTrainerOptions(PoseKDConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Loop.TrainerOptions
        {
            MaxIter = config.Solver.MaxIter, BaseLr = config.Solver.BaseLr, GradClip = config.Solver.GradClip,
            Seed = config.Run.Seed, BatchSize = config.Solver.ImsPerBatch, LogFreq = config.Run.LogFreq,
        };
    }

    /// <summary>The distillation loss of <c>KD</c> (weight included).</summary>
    public static KdOptions ToKdOptions(PoseKDConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var k = config.Kd;
        var o = new KdOptions
        {
            GType = KdOptions.ParseGType(k.GType),
            P = (int)k.GP,
            Blur = k.GBlur,
            Scaling = k.Scaling,
            Reach = k.Reach,
            WeightedOt = k.WeightedOT,
            WotDetach = k.Detach,
            KdWeight = k.LossWeightKd,
            ImageWidth = config.Input.InternalWidth,
            ImageHeight = config.Input.InternalHeight,
        };
        Wrap(config, "KD", () => { o.Validate(); return o; });
        return o;
    }

    /// <summary>Data transforms and DZI of <c>INPUT</c> and the <c>SOLVER.AUGMENTATION_*</c> keys.</summary>
    public static TransformOptions ToTransformOptions(PoseKDConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var s = config.Solver;
        var i = config.Input;
        return new TransformOptions
        {
            InternalWidth = i.InternalWidth,
            InternalHeight = i.InternalHeight,
            InternalK = (double[])i.InternalK.Clone(),
            Shift = s.AugmentationShift,
            Scale = s.AugmentationScale,
            RotationDeg = s.AugmentationRotation,
            HueRatio = s.AugmentationColorH,
            SaturationRatio = s.AugmentationColorS,
            ValueRatio = s.AugmentationColorV,
            Sharpen = s.AugmentationSharpen,
            Smooth = s.AugmentationSmooth,
            Noise = s.AugmentationNoise,
            Grayscale = s.AugmentationGrayscalize,
            Occlusion = s.AugmentationOcclusion,
            BackgroundDir = s.AugmentationBackgroundDir,
            PixelMean = (double[])i.PixelMean.Clone(),
            PixelStd = (double[])i.PixelStd.Clone(),
            InputRes = i.InputRes,
        };
    }

    private static T Wrap<T>(PoseKDConfig config, string section, Func<T> make)
    {
        try { return make(); }
        catch (ArgumentException e) { throw new ConfigException($"{(config.SourceFile.Length > 0 ? config.SourceFile : "<config>")}: section {section}: {e.Message}", e); }
    }
}
