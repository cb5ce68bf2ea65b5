using System.Globalization;
using System.Text;

namespace PoseKD.Geometry.Bop;

/// <summary>
/// BOP results CSV (BOP challenge 2019 format): header <c>scene_id,im_id,obj_id,score,R,t,time</c>; R is
/// nine space-separated numbers (row-major), t three (mm), time in seconds (−1 when unknown).
/// </summary>
public static class BopResultsCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "scene_id,im_id,obj_id,score,R,t,time";

    /// <summary>Writes <paramref name="results"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<BopResult> results)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(results);
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(Header).Append('\n');
        foreach (var r in results)
        {
            if (r.R.Length != 9 || r.T.Length != 3) throw new ArgumentException($"result R must be [9] and t [3], got [{r.R.Length}] and [{r.T.Length}]");
            sb.Append(r.SceneId.ToString(ci)).Append(',').Append(r.ImId.ToString(ci)).Append(',').Append(r.ObjId.ToString(ci)).Append(',')
              .Append(r.Score.ToString("R", ci)).Append(',')
              .Append(string.Join(' ', r.R.Select(v => v.ToString("R", ci)))).Append(',')
              .Append(string.Join(' ', r.T.Select(v => v.ToString("R", ci)))).Append(',')
              .Append(r.TimeSec.ToString("R", ci)).Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>
    /// Reads a results CSV; the header is optional; blank lines are skipped. Every number must be finite,
    /// |t_i| ≤ <see cref="BopScene.MaxTranslationMm"/>, and R a proper rotation (every entry finite,
    /// max |R·Rᵀ − I| ≤ <see cref="Rotations.RotationMath.EstimateTolerance"/>, det R &gt; 0) — unless
    /// <paramref name="keepInvalidRotations"/> is set, in which case such rows are kept for the evaluator to
    /// count as failed estimates (<see cref="BopEvaluationOptions.CountInvalidRotationsAsFailed"/>).
    /// </summary>
    /// <exception cref="BopFormatException">A line does not have 7 fields, a number does not parse or is out of range, or R is not a rotation.</exception>
    public static List<BopResult> Read(string path, bool keepInvalidRotations = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new BopFormatException(path, "(path)", "expected a results CSV file, found a folder");
        if (!File.Exists(path)) throw new FileNotFoundException($"results file not found: {path}", path);
        var list = new List<BopResult>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            if (lineNo == 1 && line.StartsWith("scene_id", StringComparison.Ordinal)) continue;
            var f = line.Split(',');
            if (f.Length != 7) throw new BopFormatException(path, $"line {lineNo}", $"expected 7 comma-separated fields (scene_id,im_id,obj_id,score,R,t,time), found {f.Length}");
            var r = Nums(path, lineNo, "R", f[4], 9);
            var t = Nums(path, lineNo, "t", f[5], 3);
            foreach (double v in t)
                if (!(Math.Abs(v) <= BopScene.MaxTranslationMm))
                    throw new BopFormatException(path, $"line {lineNo}, t", string.Create(CultureInfo.InvariantCulture, $"expected |t_i| ≤ {BopScene.MaxTranslationMm:G} mm, found {v:G}"));
            if (!keepInvalidRotations && Rotations.RotationMath.CheckRotation(r) is { } why)
                throw new BopFormatException(path, $"line {lineNo}, R", $"expected a rotation matrix: {why} (to count such estimates as failed instead, evaluate with posekd eval-bop --invalid-rotations-as-failed)");
            list.Add(new BopResult(
                Int(path, lineNo, "scene_id", f[0]), Int(path, lineNo, "im_id", f[1]), Int(path, lineNo, "obj_id", f[2]),
                Num(path, lineNo, "score", f[3]), r, t, Num(path, lineNo, "time", f[6])));
        }
        return list;
    }

    private static int Int(string path, int line, string field, string s) =>
        int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new BopFormatException(path, $"line {line}, {field}", $"expected an integer, found '{s}'");

    private static double Num(string path, int line, string field, string s)
    {
        if (!double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new BopFormatException(path, $"line {line}, {field}", $"expected a number, found '{s}'");
        if (!double.IsFinite(v)) throw new BopFormatException(path, $"line {line}, {field}", $"expected a finite number, found '{s.Trim()}'");
        return v;
    }

    private static double[] Nums(string path, int line, string field, string s, int count)
    {
        var parts = s.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != count) throw new BopFormatException(path, $"line {line}, {field}", $"expected {count} space-separated numbers, found {parts.Length}");
        return parts.Select(p => Num(path, line, field, p)).ToArray();
    }
}
