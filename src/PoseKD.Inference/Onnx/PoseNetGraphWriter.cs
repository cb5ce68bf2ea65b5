using PoseKD.Engine.Nn;
using PoseKD.Model.Network;

namespace PoseKD.Inference.Onnx;

/// <summary>
/// Writes a WDRNet+ network (backbone → FPN with P6/P7 → shared head) into an ONNX graph, value by value
/// in the order of the engine's forward passes: Darknet conv blocks as Conv (BatchNorm folded) + LeakyRelu,
/// residual units as Add, the FPN's top-down path as Resize ×2 + Add, the head towers (Conv → GroupNorm →
/// Relu) shared across levels (same initializers), the class-logit conv, and the pose conv times the
/// level's scale. Initializer names follow the state-dict keys.
/// </summary>
internal static class PoseNetGraphWriter
{
    /// <summary>Registers the emitters for the network's composite modules.</summary>
    public static void RegisterModules(OnnxModuleEmitter e)
    {
        e.Register<ConvBlock>((em, b, x, scope) =>
            em.Graph.Node("LeakyRelu", [em.Conv(b.Conv, b.Bn, x, OnnxModuleEmitter.Join(scope, "conv"))], scope + ".activ", OnnxGraphBuilder.Float("alpha", b.Activ.NegativeSlope)));
        e.Register<DarkUnit>((em, u, x, scope) =>
            em.Add(em.Emit(u.Conv2, em.Emit(u.Conv1, x, OnnxModuleEmitter.Join(scope, "conv1")), OnnxModuleEmitter.Join(scope, "conv2")), x, scope));
    }

    /// <summary>The backbone outputs (the values the engine's <c>Backbone.Forward</c> returns).</summary>
    public static IReadOnlyList<string> Backbone(OnnxModuleEmitter e, Backbone backbone, string images, string scope)
    {
        Sequential features;
        int[] returned;
        switch (backbone)
        {
            case DarkNetTiny tiny: features = tiny.Features; returned = [0, 1, 2, 4]; break;
            case DarkNet53 d53: features = d53.Features; returned = [0, 1, 2, 3, 4]; break;
            default: throw new NotSupportedException($"ONNX export: no writer for backbone type {backbone.GetType().FullName}");
        }
        var fscope = OnnxModuleEmitter.Join(scope, "features");
        var x = images;
        var stageOutputs = new List<string>();
        foreach (var (name, child) in features.NamedChildren())
        {
            x = e.Emit(child, x, OnnxModuleEmitter.Join(fscope, name));
            if (name.StartsWith("stage", StringComparison.Ordinal)) stageOutputs.Add(x);
        }
        return returned.Select(i => stageOutputs[i]).ToArray();
    }

    /// <summary>The FPN levels (P3…, then P6, P7), as <c>Fpn.Forward</c>.</summary>
    public static IReadOnlyList<string> Fpn(OnnxModuleEmitter e, Fpn fpn, IReadOnlyList<string> inputs, string scope)
    {
        if (inputs.Count != fpn.InputCount) throw new ArgumentException($"FPN expects {fpn.InputCount} backbone outputs, got {inputs.Count}");
        int n = fpn.InnerConvs.Count, first = fpn.InputCount - n;
        var outs = new string[fpn.LevelCount];
        string Inner(int k) => OnnxModuleEmitter.Join(scope, $"inner_convs.{first + k}");
        string Out(int k) => OnnxModuleEmitter.Join(scope, $"out_convs.{first + k}");
        var inner = e.Conv(fpn.InnerConvs[n - 1], null, inputs[^1], Inner(n - 1));
        outs[n - 1] = e.Conv(fpn.OutConvs[n - 1], null, inner, Out(n - 1));
        for (int k = n - 2; k >= 0; k--)
        {
            var lateral = e.Conv(fpn.InnerConvs[k], null, inputs[first + k], Inner(k));
            var up = e.UpsampleNearest(inner, 2, Inner(k) + ".top_down");
            inner = e.Add(lateral, up, Inner(k) + ".merge");
            outs[k] = e.Conv(fpn.OutConvs[k], null, inner, Out(k));
        }
        if (fpn.TopBlocks is { } top)
        {
            var tscope = OnnxModuleEmitter.Join(scope, "top_blocks");
            var p6 = e.Conv(top.P6, null, inputs[^1], OnnxModuleEmitter.Join(tscope, "p6"));
            var p7 = e.Conv(top.P7, null, e.Relu(p6, OnnxModuleEmitter.Join(tscope, "p6")), OnnxModuleEmitter.Join(tscope, "p7"));
            outs[n] = p6;
            outs[n + 1] = p7;
        }
        return outs;
    }

    /// <summary>
    /// Per level the class logits and the scaled pose regression, as <c>PoseHead.Forward</c>; the head's
    /// weights are written once and shared by all levels.
    /// </summary>
    public static (string[] Cls, string[] Reg) Head(OnnxModuleEmitter e, PoseHead head, IReadOnlyList<string> features, string scope)
    {
        if (features.Count > head.Scales.Count) throw new ArgumentException($"the head has {head.Scales.Count} level scales, got {features.Count} levels");
        var cls = new string[features.Count];
        var reg = new string[features.Count];
        for (int k = 0; k < features.Count; k++)
        {
            var c = e.Emit(head.ClsTower, features[k], OnnxModuleEmitter.Join(scope, "cls_tower"));
            cls[k] = e.Conv(head.ClsLogits, null, c, OnnxModuleEmitter.Join(scope, "cls_logits"));
            var p = e.Emit(head.PoseTower, features[k], OnnxModuleEmitter.Join(scope, "pose_tower"));
            var r = e.Conv(head.PosePred, null, p, OnnxModuleEmitter.Join(scope, "pose_pred"));
            reg[k] = e.Emit(head.Scales[k], r, OnnxModuleEmitter.Join(scope, $"scales.{k}"));
        }
        return (cls, reg);
    }
}
