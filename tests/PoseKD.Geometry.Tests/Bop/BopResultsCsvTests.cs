using PoseKD.Geometry.Bop;

namespace PoseKD.Geometry.Tests.Bop;

public class BopResultsCsvTests
{
    [Fact]
    public void Read_WrittenFile_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"posekd_res_{Guid.NewGuid():N}.csv");
        try
        {
            var rows = BopEvaluatorTests.Estimates();
            BopResultsCsv.Write(path, rows);
            Assert.StartsWith(BopResultsCsv.Header + "\n", File.ReadAllText(path));
            var back = BopResultsCsv.Read(path);
            Assert.Equal(rows.Count, back.Count);
            for (int i = 0; i < rows.Count; i++)
            {
                Assert.Equal(rows[i].SceneId, back[i].SceneId);
                Assert.Equal(rows[i].ObjId, back[i].ObjId);
                Assert.Equal(rows[i].Score, back[i].Score);
                Assert.Equal(rows[i].R, back[i].R);
                Assert.Equal(rows[i].T, back[i].T);
                Assert.Equal(-1, back[i].TimeSec);
            }
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("1,2,3,0.5,1 0 0 0 1 0 0 0 1,0 0 1\n", "line 1")]
    [InlineData("scene_id,im_id,obj_id,score,R,t,time\n1,2,3,0.5,1 0 0 0 1 0 0 0,0 0 1,-1\n", "line 2, R")]
    [InlineData("scene_id,im_id,obj_id,score,R,t,time\n1,x,3,0.5,1 0 0 0 1 0 0 0 1,0 0 1,-1\n", "line 2, im_id")]
    public void Read_Malformed_ThrowsNamingLineAndField(string text, string field)
    {
        var path = Path.Combine(Path.GetTempPath(), $"posekd_res_{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, text);
            var e = Assert.Throws<BopFormatException>(() => BopResultsCsv.Read(path));
            Assert.Equal(field, e.Field);
        }
        finally { File.Delete(path); }
    }
}
