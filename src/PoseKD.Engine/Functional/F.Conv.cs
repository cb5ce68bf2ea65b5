using PoseKD.Engine.Autograd;
using PoseKD.Engine.Kernels;
using PoseKD.Engine.Tensors;

namespace PoseKD.Engine.Functional;

public static partial class F
{
    /// <summary>
    /// 2-D convolution (NCHW, groups = 1, zero padding), like <c>torch.nn.functional.conv2d</c>:
    /// y[b, o, oy, ox] = bias[o] + Σ_{c,i,j} x[b, c, oy·S − P + i, ox·S − P + j] · w[o, c, i, j].
    /// x: [N, C, H, W], w: [O, C, KH, KW], bias: [O] or null → [N, O, (H + 2P − KH)/S + 1, (W + 2P − KW)/S + 1].
    /// Runs through oneDNN when available, else im2col + GEMM (see <see cref="Conv2d"/>).
    /// ∂x = conv-transpose(∂y, w), ∂w = Σ_b ∂y ⋆ x, ∂bias = Σ_{b,oy,ox} ∂y.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor w, Tensor? bias, int stride = 1, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(x); ArgumentNullException.ThrowIfNull(w);
        if (x.Rank != 4 || w.Rank != 4)
            throw new ArgumentException($"conv2d needs x [N, C, H, W] and w [O, C, KH, KW], got shapes {Shapes.Format(x.Shape)} and {Shapes.Format(w.Shape)}");
        if (x.Shape[1] != w.Shape[1])
            throw new ArgumentException($"conv2d: input channels differ for x {Shapes.Format(x.Shape)} and w {Shapes.Format(w.Shape)}");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != w.Shape[0]))
            throw new ArgumentException($"conv2d: bias {Shapes.Format(bias.Shape)} does not match w {Shapes.Format(w.Shape)} (expected [{w.Shape[0]}])");
        if (stride < 1) throw new ArgumentException($"conv2d: stride must be ≥ 1, got {stride}");
        if (padding < 0) throw new ArgumentException($"conv2d: padding must be ≥ 0, got {padding}");
        var s = new Conv2dShape(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], w.Shape[0], w.Shape[2], w.Shape[3], stride, padding);
        if (s.Height + 2 * padding < s.KernelH || s.Width + 2 * padding < s.KernelW)
            throw new ArgumentException($"conv2d: kernel {Shapes.Format(w.Shape)} is larger than input {Shapes.Format(x.Shape)} padded by {padding}");
        var y = Tensor.Empty(s.N, s.OutChannels, s.OutHeight, s.OutWidth); // every element written (oneDNN, or GEMM with beta 0)
        Kernels.Conv2d.Forward(x.Data, w.Data, bias is null ? [] : bias.Data, y.Data, s);
        bool record = bias is null ? GradMode.ShouldRecord(x, w) : GradMode.ShouldRecord(x, w, bias);
        if (record) y.SetGradFn(bias is null ? new Conv2dNode(s, x, w) : new Conv2dNode(s, x, w, bias));
        return y;
    }

    /// <summary>Backward of <see cref="Conv2d(Tensor, Tensor, Tensor?, int, int)"/>; inputs are (x, w) or (x, w, bias).</summary>
    private sealed class Conv2dNode(Conv2dShape shape, params Tensor[] inputs) : Node(inputs)
    {
        public override string Name => "Conv2dBackward";

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Inputs[0], w = Inputs[1];
            bool hasBias = Inputs.Length == 3;
            Tensor? gx = null, gw = null, gb = null;
            if (NeedsGrad(0))
            {
                gx = Tensor.Empty(x.Shape); // overwritten by both paths
                Kernels.Conv2d.BackwardData(g.Data, w.Data, gx.Data, shape);
            }
            bool needW = NeedsGrad(1), needB = hasBias && NeedsGrad(2);
            if (needB) gb = Tensor.Zeros(shape.OutChannels);
            if (needW)
            {
                gw = Tensor.Zeros(w.Shape);
                Kernels.Conv2d.BackwardWeights(x.Data, g.Data, gw.Data, needB ? gb!.Data : [], shape);
            }
            else if (needB)
            {
                int plane = shape.OutHeight * shape.OutWidth;
                for (int b = 0; b < shape.N; b++)
                    for (int o = 0; o < shape.OutChannels; o++)
                        gb!.Data[o] += System.Numerics.Tensors.TensorPrimitives.Sum(g.Data.AsSpan((b * shape.OutChannels + o) * plane, plane));
            }
            return hasBias ? [gx, gw, gb] : [gx, gw];
        }
    }
}
