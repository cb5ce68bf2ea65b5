using System.Globalization;
using System.Text;

namespace PoseKD.Geometry.Bop;

/// <summary>Outcome of <see cref="BopEvaluator"/>: per-estimate errors, per-object and overall recalls.</summary>
public sealed class BopEvaluation
{
    /// <summary>Errors of every evaluated (estimate, ground truth) pair.</summary>
    public required IReadOnlyList<BopEstimateError> Errors { get; init; }

    /// <summary>Scores per object id, ascending.</summary>
    public required IReadOnlyList<BopObjectScores> Objects { get; init; }

    /// <summary>Scores over all targets (recall = true positives / targets, as the BOP toolkit).</summary>
    public required BopObjectScores Overall { get; init; }

    /// <summary>Mean over objects of the ADD(-S)@0.1d recall.</summary>
    public double MeanObjectAddRecall => Objects.Count == 0 ? 0 : Objects.Average(o => o.AddRecall);

    /// <summary>Where the meshes came from.</summary>
    public required string ModelsDir { get; init; }

    /// <summary>Remarks (VSD not computed, image width assumed, estimates ignored, …).</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>Plain-text table (percent).</summary>
    public string Format()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("obj_id  targets  ADD(-S)@0.1d  AR_MSSD  AR_MSPD");
        foreach (var o in Objects.Append(Overall))
        {
            string id = o.ObjId < 0 ? "all" : o.ObjId.ToString(ci);
            sb.Append(id.PadLeft(6)).Append(o.Targets.ToString(ci).PadLeft(9))
              .Append((100 * o.AddRecall).ToString("F2", ci).PadLeft(14))
              .Append((100 * o.ArMssd).ToString("F2", ci).PadLeft(9))
              .Append((100 * o.ArMspd).ToString("F2", ci).PadLeft(9)).AppendLine();
        }
        sb.AppendLine(string.Create(ci, $"mean over objects ADD(-S)@0.1d: {100 * MeanObjectAddRecall:F2}"));
        sb.AppendLine(string.Create(ci, $"(AR_MSSD + AR_MSPD) / 2: {50 * (Overall.ArMssd + Overall.ArMspd):F2}"));
        foreach (var n in Notes) sb.Append("note: ").AppendLine(n);
        return sb.ToString();
    }

    /// <summary>Writes <see cref="Errors"/> as CSV.</summary>
    public void WriteErrorsCsv(string path)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("scene_id,im_id,obj_id,est_rank,score,gt_id,add,adi,ad,mssd,mspd,re_deg,te_mm\n");
        foreach (var e in Errors)
            sb.Append(string.Create(ci, $"{e.SceneId},{e.ImId},{e.ObjId},{e.EstRank},{e.Score:R},{e.GtId},{e.Add:R},{e.Adi:R},{e.Ad:R},{e.Mssd:R},{e.Mspd:R},{e.ReDeg:R},{e.TeMm:R}\n"));
        File.WriteAllText(path, sb.ToString());
    }
}
