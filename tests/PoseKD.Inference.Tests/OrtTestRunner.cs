using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = PoseKD.Engine.Tensors.Tensor;
using PoseKD.Engine.Nn;
using PoseKD.Engine.Tensors;

namespace PoseKD.Inference.Tests;

/// <summary>Runs serialized ONNX models in ONNX Runtime (CPU) and fills engine modules with random state for parity tests.</summary>
internal static class OrtTestRunner
{
    /// <summary>Runs <paramref name="model"/> on one input; returns every output by name with its shape.</summary>
    public static Dictionary<string, (float[] Data, int[] Shape)> Run(byte[] model, string inputName, Tensor input)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(model, options);
        var x = new DenseTensor<float>(input.ToArray(), input.Shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, x)]);
        var d = new Dictionary<string, (float[], int[])>(StringComparer.Ordinal);
        foreach (var r in results)
        {
            var t = r.AsTensor<float>();
            d[r.Name] = (t.ToArray(), t.Dimensions.ToArray());
        }
        return d;
    }

    /// <summary>
    /// Gives every parameter N(0, <paramref name="std"/>²) values and every BatchNorm random running
    /// statistics (mean N(0, 0.1²), variance U(0.5, 1.5)), so that folding is actually exercised.
    /// </summary>
    public static void Randomize(Module module, ulong seed, float std = 0.3f)
    {
        var g = new Generator(seed);
        foreach (var (_, p) in module.NamedParameters())
            for (int i = 0; i < p.Numel; i++) p.Data[i] = std * g.NextNormal();
        foreach (var (_, m) in module.NamedModules())
            if (m is BatchNorm2d bn)
                for (int c = 0; c < bn.NumFeatures; c++)
                {
                    bn.RunningMean.Data[c] = 0.1f * g.NextNormal();
                    bn.RunningVar.Data[c] = g.NextFloat(0.5f, 1.5f);
                    bn.Weight.Data[c] = g.NextFloat(0.5f, 1.5f);
                }
    }

    /// <summary>A random N(0, 1) input.</summary>
    public static Tensor RandomInput(ulong seed, params int[] shape) => Tensor.Randn(new Generator(seed), shape);

    /// <summary>Engine forward in evaluation mode without autograd.</summary>
    public static Tensor EngineForward(Layer layer, Tensor input)
    {
        layer.Eval();
        using (PoseKD.Engine.Autograd.GradMode.NoGrad()) return layer.Forward(input);
    }
}
