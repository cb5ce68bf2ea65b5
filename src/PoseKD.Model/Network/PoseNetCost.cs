using PoseKD.Engine.Nn;

namespace PoseKD.Model.Network;

/// <summary>
/// Floating-point operations of one forward pass for one image, counted as 2 × the multiply-accumulates of
/// every convolution that runs (the unused ImageNet classifier excluded; norms, activations, pooling and
/// additions are a few percent and not counted), per part, with the size of each output level.
/// </summary>
/// <param name="Height">Input height (pixels).</param>
/// <param name="Width">Input width (pixels).</param>
/// <param name="BackboneFlops">Backbone convolutions.</param>
/// <param name="FpnFlops">FPN lateral, output and P6/P7 convolutions.</param>
/// <param name="HeadFlops">Head towers and predictors over all levels.</param>
/// <param name="LevelSizes">(height, width) of each output level.</param>
public sealed record PoseNetCost(int Height, int Width, long BackboneFlops, long FpnFlops, long HeadFlops, IReadOnlyList<(int H, int W)> LevelSizes)
{
    /// <summary>Sum over the parts.</summary>
    public long TotalFlops => BackboneFlops + FpnFlops + HeadFlops;

    /// <summary>Counts the operations of <paramref name="net"/> on a <paramref name="height"/> × <paramref name="width"/> image.</summary>
    /// <exception cref="ArgumentException">the size is not a positive multiple of the backbone's largest stride.</exception>
    public static PoseNetCost Compute(PoseNet net, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(net);
        int div = net.Backbone.Info.OutputStrides[^1];
        if (height <= 0 || width <= 0 || height % div != 0 || width % div != 0)
            throw new ArgumentException($"input size {height}×{width} must be a positive multiple of {div} for {net.Options.Backbone}");
        long backbone = 0;
        int h = height, w = width;
        Sequential features = net.Backbone switch
        {
            DarkNetTiny t => t.Features,
            DarkNet53 d => d.Features,
            _ => throw new ArgumentException($"no cost model for backbone {net.Backbone.GetType().Name}"),
        };
        Walk(features, ref h, ref w, ref backbone);

        var info = net.Backbone.Info;
        long fpn = 0;
        var sizes = new List<(int H, int W)>();
        int first = info.OutputStrides.Count - net.Fpn.InnerConvs.Count;
        for (int k = 0; k < net.Fpn.InnerConvs.Count; k++)
        {
            int s = info.OutputStrides[first + k];
            int lh = height / s, lw = width / s;
            fpn += ConvFlops(net.Fpn.InnerConvs[k], ref lh, ref lw);
            fpn += ConvFlops(net.Fpn.OutConvs[k], ref lh, ref lw);
            sizes.Add((lh, lw));
        }
        if (net.Fpn.TopBlocks is { } top)
        {
            int lh = height / info.OutputStrides[^1], lw = width / info.OutputStrides[^1];
            fpn += ConvFlops(top.P6, ref lh, ref lw);
            sizes.Add((lh, lw));
            fpn += ConvFlops(top.P7, ref lh, ref lw);
            sizes.Add((lh, lw));
        }

        long head = 0;
        foreach (var (lh0, lw0) in sizes)
        {
            foreach (var tower in new[] { net.Head.ClsTower, net.Head.PoseTower })
            {
                int lh = lh0, lw = lw0;
                Walk(tower, ref lh, ref lw, ref head);
            }
            int ph = lh0, pw = lw0;
            head += ConvFlops(net.Head.ClsLogits, ref ph, ref pw);
            ph = lh0; pw = lw0;
            head += ConvFlops(net.Head.PosePred, ref ph, ref pw);
        }
        return new PoseNetCost(height, width, backbone, fpn, head, sizes);
    }

    private static void Walk(Module m, ref int h, ref int w, ref long flops)
    {
        switch (m)
        {
            case Conv2d c: flops += ConvFlops(c, ref h, ref w); break;
            case ConvBlock b: flops += ConvFlops(b.Conv, ref h, ref w); break;
            case MaxPool2d p:
                h = (h + 2 * p.Padding - p.KernelSize) / p.Stride + 1;
                w = (w + 2 * p.Padding - p.KernelSize) / p.Stride + 1;
                break;
            default:
                foreach (var (_, child) in m.NamedChildren()) Walk(child, ref h, ref w, ref flops);
                break;
        }
    }

    private static long ConvFlops(Conv2d c, ref int h, ref int w)
    {
        h = (h + 2 * c.Padding - c.KernelSize) / c.Stride + 1;
        w = (w + 2 * c.Padding - c.KernelSize) / c.Stride + 1;
        return 2L * c.InChannels * c.KernelSize * c.KernelSize * c.OutChannels * h * w;
    }
}
