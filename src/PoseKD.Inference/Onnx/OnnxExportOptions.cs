namespace PoseKD.Inference.Onnx;

/// <summary>How a network is written as ONNX.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The default opset, 17 (the newest that ONNX 1.12's checker knows); 18 writes GroupNorm as GroupNormalization.</summary>
    public const int DefaultOpset = 17;

    /// <summary>Default-domain opset, 13–18.</summary>
    public int Opset { get; init; } = DefaultOpset;

    /// <summary>Fixed batch size of the input (ignored when <see cref="DynamicBatch"/>).</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>When true the batch dimension is the symbolic <c>batch</c>, so any batch size runs.</summary>
    public bool DynamicBatch { get; init; }

    /// <summary>Throws when a field is out of range.</summary>
    public void Validate()
    {
        if (Opset < 13 || Opset > 18) throw new ArgumentOutOfRangeException(nameof(Opset), Opset, "ONNX export supports opsets 13–18 (default 17)");
        if (!DynamicBatch && BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "a fixed batch size must be ≥ 1");
    }

    /// <summary>The batch dimension as written in the graph: the fixed size or the symbol <c>batch</c>.</summary>
    internal object BatchDim => DynamicBatch ? "batch" : BatchSize;
}
