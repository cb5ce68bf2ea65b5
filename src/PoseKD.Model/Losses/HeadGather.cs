using PoseKD.Engine.Functional;
using PoseKD.Engine.Tensors;
using PoseKD.Model.Network;

namespace PoseKD.Model.Losses;

/// <summary>Differentiable reads of a network output at chosen cells (the regression rows and class logits of one class).</summary>
internal static class HeadGather
{
    /// <summary>
    /// Rows [n, 16] of PoseReg and logits [n] of ClsLogits at (image, level, cell, class) for each entry, in the given
    /// order, attached to the output's graph.
    /// </summary>
    public static (Tensor Offsets, Tensor Logits) At(PoseNetOutput output, IReadOnlyList<(int Image, int Level, int Index, int Class)> cells)
    {
        int levels = output.PoseReg.Count;
        var regIdx = new List<int>[levels];
        var clsIdx = new List<int>[levels];
        var slot = new (int Level, int Pos)[cells.Count];
        for (int k = 0; k < levels; k++) { regIdx[k] = []; clsIdx[k] = []; }
        for (int i = 0; i < cells.Count; i++)
        {
            var (b, k, idx, c) = cells[i];
            if ((uint)k >= (uint)levels) throw new ArgumentException($"cell {i} refers to level {k}; the output has {levels}");
            var reg = output.PoseReg[k];
            int classes = output.ClsLogits[k].Shape[1], hw = reg.Shape[2] * reg.Shape[3];
            if ((uint)b >= (uint)reg.Shape[0] || (uint)idx >= (uint)hw || (uint)c >= (uint)classes)
                throw new ArgumentException($"cell {i} (image {b}, level {k}, index {idx}, class {c}) is outside the output {Shapes.Format(reg.Shape)}");
            slot[i] = (k, clsIdx[k].Count);
            for (int j = 0; j < 16; j++) regIdx[k].Add(((b * 16 * classes) + 16 * c + j) * hw + idx);
            clsIdx[k].Add((b * classes + c) * hw + idx);
        }
        var regParts = new List<Tensor>();
        var clsParts = new List<Tensor>();
        var start = new int[levels];
        int acc = 0;
        for (int k = 0; k < levels; k++)
        {
            start[k] = acc;
            if (clsIdx[k].Count == 0) continue;
            acc += clsIdx[k].Count;
            var reg = output.PoseReg[k];
            var cls = output.ClsLogits[k];
            regParts.Add(F.Reshape(F.IndexSelect(F.Reshape(reg, reg.Numel), 0, regIdx[k].ToArray()), clsIdx[k].Count, 16));
            clsParts.Add(F.IndexSelect(F.Reshape(cls, cls.Numel), 0, clsIdx[k].ToArray()));
        }
        if (cells.Count == 0) return (Tensor.Zeros(0, 16), Tensor.Zeros(0));
        Tensor offsets = regParts.Count == 1 ? regParts[0] : F.Concat(regParts, 0);
        Tensor logits = clsParts.Count == 1 ? clsParts[0] : F.Concat(clsParts, 0);
        var order = new int[cells.Count];
        bool identity = true;
        for (int i = 0; i < cells.Count; i++)
        {
            order[i] = start[slot[i].Level] + slot[i].Pos;
            identity &= order[i] == i;
        }
        if (!identity)
        {
            offsets = F.IndexSelect(offsets, 0, order);
            logits = F.IndexSelect(logits, 0, order);
        }
        return (offsets, logits);
    }

    /// <summary>Class logits of all cells flattened as the reference: [B·ΣH_kW_k, C], image-major, levels concatenated, cells row-major.</summary>
    public static Tensor FlatLogits(PoseNetOutput output)
    {
        var parts = new List<Tensor>();
        int b = output.ClsLogits[0].Shape[0], c = output.ClsLogits[0].Shape[1];
        foreach (var cls in output.ClsLogits)
            parts.Add(F.Reshape(F.Permute(cls, 0, 2, 3, 1), b, cls.Shape[2] * cls.Shape[3], c));
        var all = parts.Count == 1 ? parts[0] : F.Concat(parts, 1);
        return F.Reshape(all, all.Shape[0] * all.Shape[1], c);
    }
}
